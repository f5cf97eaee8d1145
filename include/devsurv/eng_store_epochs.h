/*
 * eng_store_epochs.h - epochs of a source and the discontinuities between
 * them.
 *
 * A publisher keeps its (epoch, seq) numbering in its journal; if the
 * journal is lost it starts a new epoch at seq 1 (reliability.md 1.3). The
 * engine accepts the new stream (the old one can never complete) and
 * records the discontinuity: the epoch and last committed seq left behind,
 * so an auditor sees that events may be missing between the two. Call
 * eng_store_discontinuity_put inside the batch that applies the new
 * epoch's seq 1, so the record and the event commit together.
 */
#ifndef DEVSURV_ENG_STORE_EPOCHS_H
#define DEVSURV_ENG_STORE_EPOCHS_H

#include <stdint.h>

#include "devsurv/ds_span.h"
#include "devsurv/eng_store.h"

/* The most recent (highest) other epoch of source and its committed seq
 * into *prev_epoch / *prev_committed (both 0 when source has no other
 * epoch). 0 or DS_ESTORE. */
int eng_store_epoch_prev(eng_store_t *self, struct ds_span source,
                         int64_t epoch, int64_t *prev_epoch,
                         int64_t *prev_committed);

/* Record that source moved from prev_epoch (committed up to
 * prev_committed) to epoch, whose first event has time ts_event (Unix ms).
 * 0 when recorded, DS_EDUP when it already was, DS_ESTORE. */
int eng_store_discontinuity_put(eng_store_t *self, struct ds_span source,
                                int64_t epoch, int64_t prev_epoch,
                                int64_t prev_committed, int64_t ts_event);

#endif
