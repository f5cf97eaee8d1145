/*
 * eng_store_cells.h - counts and signals in the store: exposures per
 * device, device x event cells, and signal rows.
 *
 * A cell is (FDA product code, IMDRF event code). Its observed count is the
 * number of outcome events for it; its expected count under H0 is the
 * baseline rate times the device's exposures. Call inside a batch.
 */
#ifndef DEVSURV_ENG_STORE_CELLS_H
#define DEVSURV_ENG_STORE_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"
#include "devsurv/eng_store.h"

#define ENG_CODE_MAX   16 /* product or event code incl. NUL */
#define ENG_SOURCE_MAX 65
#define ENG_PARAMS_MAX 256

enum eng_cell_status {
    ENG_CELL_WATCHING = 0, /* under surveillance */
    ENG_CELL_SIGNALLED,    /* crossed its boundary; stays signalled */
    ENG_CELL_ENDED         /* surveillance length reached, no signal */
};

struct eng_cell {
    char product_code[ENG_CODE_MAX];
    char event_code[ENG_CODE_MAX];
    int64_t observed;
    double expected;
    double llr;
    enum eng_cell_status status;
};

struct eng_signal {
    int64_t id; /* set by eng_store_signal_put */
    char product_code[ENG_CODE_MAX];
    char event_code[ENG_CODE_MAX];
    const char *method; /* static string, e.g. "maxsprt-poisson" */
    double statistic;
    double threshold;
    int64_t observed;
    double expected;
    int64_t ts_event; /* event time of the triggering event, Unix ms */
    char source[ENG_SOURCE_MAX];
    int64_t epoch, seq;          /* the triggering event */
    char params[ENG_PARAMS_MAX]; /* method parameters, JSON text */
    /* surveillance plans (eng_plan_run); empty for the [maxsprt] path */
    char plan[64];      /* plan id */
    char device[128];   /* the cell's device key (product_code holds its
                           first ENG_CODE_MAX - 1 bytes) */
    char rules[65];     /* rule-set SHA-256, hex */
    char plans[65];     /* plan-set SHA-256, hex */
    int64_t generation; /* 0, then 1, 2... after each re-arm */
};

/* Add one exposure for product_code at event time ts; *n = new total. */
int eng_store_exposure_add(eng_store_t *self, struct ds_span product_code,
                           int64_t ts, int64_t *n);

/* Exposures so far for product_code (0 when none). */
int eng_store_exposure_get(eng_store_t *self, struct ds_span product_code,
                           int64_t *n);

/* Load the cell into *out; a cell never seen comes back zeroed with its
 * codes filled and status WATCHING. DS_EINVAL when a code is too long. */
int eng_store_cell_get(eng_store_t *self, struct ds_span product_code,
                       struct ds_span event_code, struct eng_cell *out);

/* Up to max event codes of product_code's WATCHING cells that sort after
 * `after` ("" = from the start), in code order, into codes[]; *n = count.
 * Page with after = the last code returned until *n < max. */
int eng_store_cells_watching(eng_store_t *self, struct ds_span product_code,
                             const char *after, char (*codes)[ENG_CODE_MAX],
                             size_t max, size_t *n);

/* Insert or replace the cell row, stamped with event time ts. */
int eng_store_cell_put(eng_store_t *self, const struct eng_cell *cell,
                       int64_t ts);

/* Insert a signal row (and its alert, status new, in the same
 * transaction) and set s->id. DS_EDUP when this cell, method and
 * generation already have a signal. */
int eng_store_signal_put(eng_store_t *self, struct eng_signal *s);

/* "watching", "signalled", "ended". */
const char *eng_cell_status_name(enum eng_cell_status st);

#endif
