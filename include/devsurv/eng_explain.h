/*
 * eng_explain.h - the lineage of one signal, read from the store: the
 * method, its parameters, statistic and boundary; the cell and its plan;
 * every contributing event (source, epoch, seq, event time, how it was
 * linked); for text-derived ones the sentence with the matched span, the
 * rule id and line, the rule-set hash and the context decisions; and the
 * audit entries that cover them with the checkpoint that seals each.
 * Used by `devsurv explain` and the HTTP API (same content).
 *
 * Contributions are the contributions rows of the signal's cell (plan,
 * device, event) with an event time in (previous generation's signal time,
 * this signal's time], ordered by source, epoch, seq, mention; the cell's
 * plan_cells row is shown as it is now ("current"). A [maxsprt] signal
 * (plan "") lists the outcomes its cell counted before it crossed
 * (eng_counts.h; stores written before that have none). Audit
 * entries are the signal_raised entry and the event_stored and mentions
 * entries of the trigger and every contributing event, each with the
 * first checkpoint whose n >= its seq (JSON null: not yet sealed). The
 * JSON layout is documented in engine/eng_explain_impl.h. The output is
 * a function of the database alone (no wall clock): golden-file testable.
 *
 * Read-only: it never writes to the database. Ownership: *out is
 * allocated with ds_malloc and freed by the caller with ds_free.
 */
#ifndef DEVSURV_ENG_EXPLAIN_H
#define DEVSURV_ENG_EXPLAIN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"

/* The lineage of signal `id` as one JSON object (UTF-8, no trailing
 * newline) in *out / *n. 0; DS_ENOTFOUND when there is no such signal;
 * DS_ESTORE with why on a database error; DS_ENOMEM. */
int eng_explain_json(sqlite3 *db, int64_t id, char **out, size_t *n,
                     struct ds_diag *diag);

/* The same lineage as text for people (what `devsurv explain` prints
 * without --json): matched spans marked [[like this]]. */
int eng_explain_text(sqlite3 *db, int64_t id, char **out, size_t *n,
                     struct ds_diag *diag);

#endif
