/*
 * eng_explain_impl.h - what the eng_explain*.c files share: the lineage is
 * built once as a jansson object (eng_explain.c), then dumped as JSON or
 * rendered as text (eng_explain_text.c). Internal to the engine.
 *
 * Layout of the object (field order is insertion order, so the output is
 * byte-for-byte reproducible):
 *   signal, plan, method, params, statistic, threshold, observed,
 *   expected, time, time_ms, generation, trigger{source, epoch, seq},
 *   rules, plans, cell{plan, device, event, current | null} (current =
 *   the plan_cells row as it is now, not as it was at the signal),
 *   contributions[] (eng_explain_contrib.c), audit[] (eng_explain_audit.c)
 */
#ifndef DEVSURV_ENG_EXPLAIN_IMPL_H
#define DEVSURV_ENG_EXPLAIN_IMPL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_event.h"

/* The lineage of signal id into *out (caller decrefs). 0, DS_ENOTFOUND,
 * DS_ESTORE, DS_ENOMEM. */
int eng_explain_build(sqlite3 *db, int64_t id, json_t **out,
                      struct ds_diag *diag);

/* Append the contributions of signal lin["signal"] to
 * lin["contributions"], decoding event texts with dec. 0, DS_ESTORE,
 * DS_ENOMEM. */
int eng_explain_contribs(sqlite3 *db, json_t *lin, eng_decoder_t *dec,
                         struct ds_diag *diag);

/* Append the audit entries covering the signal and its contributions, each
 * with its sealing checkpoint, to lin["audit"]. 0, DS_ESTORE, DS_ENOMEM. */
int eng_explain_audit(sqlite3 *db, json_t *lin, struct ds_diag *diag);

/* Text for people from a built lineage into *out (ds_malloc). 0 or
 * DS_ENOMEM. */
int eng_explain_render(const json_t *lin, char **out, size_t *n);

/* Lower-case hex of p[0..n) as a new JSON string (NULL on OOM). */
json_t *eng_explain_hex(const void *p, size_t n);

/* A database error into diag: DS_ESTORE. */
int eng_explain_db_err(sqlite3 *db, struct ds_diag *diag);

/* Column i of the current row as JSON by its SQLite type (BLOB as hex,
 * TEXT that is not UTF-8 as "(not UTF-8)"). NULL on OOM. */
json_t *eng_explain_col(sqlite3_stmt *st, int i);

/* o[key] = v, stealing v. 0 or DS_ENOMEM (also when v is NULL). */
int eng_explain_set(json_t *o, const char *key, json_t *v);

/* Columns [from, to) of the current row into o, keyed by column name. */
int eng_explain_row(json_t *o, sqlite3_stmt *st, int from, int to);

/* o["time"] = RFC 3339 of ms, o["time_ms"] = ms. */
int eng_explain_time(json_t *o, int64_t ms);

/* lin dumped with flags (| 17 significant digits) into *out, ds_malloc'd
 * and NUL-terminated; *n without the NUL. 0 or DS_ENOMEM. */
int eng_explain_dump(const json_t *lin, size_t flags, char **out, size_t *n);

#endif
