/*
 * eng_publish_impl.h - state shared by the eng_publish*.c files (not an
 * API): the object, the seq-stamped send, the cells mirror used for stats
 * and snapshots.
 */
#ifndef DEVSURV_ENG_PUBLISH_IMPL_H
#define DEVSURV_ENG_PUBLISH_IMPL_H

#include "devsurv/ds_clock.h"
#include "devsurv/eng_publish.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The cells as last published, sorted by (product_code, event_code): the
 * order of the table's primary key, so a scan merges in one pass. */
struct eng_publish_cells {
    struct eng_cell *v;
    size_t n, cap;
};

struct eng_publish {
    eng_store_t *store; /* borrowed */
    void *pub, *snap;   /* NULL when off */
    char run[ENG_PUBLISH_RUN_LEN + 1];
    int64_t health_ms, started_ms, next_health_ms;
    struct eng_publish_stats stats;
    struct eng_publish_cells cells, scratch; /* scratch: the next mirror */
    bool cells_dirty;                        /* committed since last scan */
    int64_t next_scan_ms;
    char *text; /* JSON text of the last dumped body */
    size_t text_cap;
};

/* {"seq": next seq, "run": id} for the caller to add payload fields to;
 * the seq is used only by eng_publish_send(). NULL on OOM. */
json_t *eng_publish_body(const eng_publish_t *self);

/* Send [topic, body] with the next seq (body from eng_publish_body;
 * consumed). 0, or DS_ENOMEM before anything was sent. */
int eng_publish_send(eng_publish_t *self, const char *topic, json_t *body);

/* body as compact JSON text in self->text (NUL-terminated, valid until
 * the next call); *n its length. 0 or DS_ENOMEM. */
int eng_publish_dump(eng_publish_t *self, const json_t *body, size_t *n);

/* Load the mirror from the store without publishing (at start). */
int eng_publish_cells_load(eng_publish_t *self);

/* Scan the store's cells and publish stats for the ones that changed
 * since the mirror, then make the scan the mirror. */
int eng_publish_cells_scan(eng_publish_t *self, int64_t now_ms);

/* The cell as a JSON object with its counters (new reference; NULL on
 * OOM). */
json_t *eng_publish_cell_json(const struct eng_cell *c);

/* The signal's payload fields as a JSON object (new reference; NULL on
 * OOM): the same in a live message and in a snapshot. */
json_t *eng_publish_signal_json(const struct eng_signal *s);

#endif
