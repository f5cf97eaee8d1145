/*
 * eng_counts.h - structured events to device x event counts and signals.
 *
 * exposure (a device implanted or used): +1 exposure for its product code;
 * the H0-expected count of every cell of that device grows by
 * baseline_rate. outcome (a coded adverse event on a device): +1 observed
 * in cell (product code, event code); the cell's expected count is
 * baseline_rate x exposures so far; the continuous Poisson MaxSPRT is
 * tested at this arrival (between arrivals the LLR only falls, so a signal
 * can only happen at an event: reference/stats.md 1.1). A crossing turns
 * the cell SIGNALLED (it stays so) and yields one signal row.
 *
 * An outcome before any exposure of its device has expected 0: the test is
 * undefined and the cell just counts (MaxSPRT needs a denominator).
 * Works inside the caller's store batch. Not here: decoding, batching.
 */
#ifndef DEVSURV_ENG_COUNTS_H
#define DEVSURV_ENG_COUNTS_H

#include <stdbool.h>

#include "devsurv/eng_event.h"
#include "devsurv/eng_maxsprt.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/eng_store_events.h"

struct eng_counts_params {
    struct eng_maxsprt_params maxsprt;
    double baseline_rate; /* H0 outcomes per exposure */
};

/* Apply ev (stored under key) to the counts. When it raises a signal,
 * fill *sig (row already inserted, id set) and set *raised. Events of
 * other kinds are a no-op. 0, DS_ESTORE, or DS_EINVAL (a code too long
 * for a cell: cannot happen for validated events). */
int eng_counts_apply(eng_store_t *store, const struct eng_counts_params *p,
                     const struct eng_store_key *key,
                     const struct eng_event *ev, struct eng_signal *sig,
                     bool *raised);

#endif
