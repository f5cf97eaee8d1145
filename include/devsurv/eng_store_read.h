/*
 * eng_store_read.h - read-only queries for the CLI and reports: the signal
 * list and the store totals. Safe on a database another process is writing
 * (WAL readers never block the writer).
 */
#ifndef DEVSURV_ENG_STORE_READ_H
#define DEVSURV_ENG_STORE_READ_H

#include <stdint.h>

#include "devsurv/eng_store.h"
#include "devsurv/eng_store_cells.h"

struct eng_store_totals {
    int64_t events;      /* accepted events */
    int64_t quarantined; /* rejected messages */
    int64_t signals;
    int64_t exposures; /* sum over devices */
    int64_t cells;
};

int eng_store_totals(eng_store_t *self, struct eng_store_totals *out);

/* Call fn for every signal in id order; stop early when fn returns
 * non-zero and return that value. The signal is borrowed for the call.
 * 0 when all were visited, DS_ESTORE on a query error. */
int eng_store_signals_each(eng_store_t *self,
                           int (*fn)(void *arg, const struct eng_signal *s),
                           void *arg);

#endif
