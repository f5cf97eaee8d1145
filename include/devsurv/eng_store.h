/*
 * eng_store.h - the SQLite store: connection, schema migrations, batches.
 *
 * One writer (the engine) per database file. Settings per connection
 * (reference/reliability.md section 4): WAL, synchronous=FULL, busy_timeout,
 * foreign_keys, trusted_schema=OFF, SQLITE_DBCONFIG_DEFENSIVE. The schema
 * is a list of numbered migrations; PRAGMA user_version says how many have
 * run, and a database newer than this build is refused, never touched.
 *
 * Group commit: the pipeline opens one transaction per batch
 * (eng_store_begin) and every row of the batch, events, quarantine,
 * counts, signals and the sources watermark, is written inside it.
 * Nothing is acknowledged or published before eng_store_commit() returns 0.
 *
 * Row-level operations are in eng_store_events.h (events, quarantine,
 * sources) and eng_store_cells.h (exposures, cells, signals). Readers for
 * the CLI are in eng_store_read.h.
 */
#ifndef DEVSURV_ENG_STORE_H
#define DEVSURV_ENG_STORE_H

#include <stdbool.h>
#include <sqlite3.h>

#include "devsurv/ds_diag.h"

typedef struct eng_store eng_store_t;

/* Open (creating if needed) the database at path and migrate it to the
 * latest schema. read_only opens an existing file without migrating (for
 * `devsurv signals`). Returns NULL with diag set on any failure. Caller
 * owns the result; free it with eng_store_destroy(). */
eng_store_t *eng_store_open(const char *path, bool read_only,
                            struct ds_diag *diag);

/* Roll back any open batch, finalize statements, close. NULLs *self_p. */
void eng_store_destroy(eng_store_t **self_p);

/* Current PRAGMA user_version. */
int eng_store_schema_version(eng_store_t *self);

/* Begin a batch (BEGIN IMMEDIATE). DS_EINVAL if one is already open. */
int eng_store_begin(eng_store_t *self);

/* COMMIT the open batch. On failure the batch is rolled back and
 * DS_ESTORE returned: nothing of it may be acknowledged. */
int eng_store_commit(eng_store_t *self);

/* ROLLBACK the open batch (no-op when none is open). */
void eng_store_rollback(eng_store_t *self);

bool eng_store_in_batch(const eng_store_t *self);

/* The last SQLite error message (static storage of the connection). */
const char *eng_store_errmsg(eng_store_t *self);

/* The connection, for the row-level store modules only. Borrowed. */
sqlite3 *eng_store_db(eng_store_t *self);

/* A cached prepared statement for sql (a string literal: the pointer is the
 * cache key), reset and with bindings cleared. Borrowed: valid until
 * eng_store_destroy(). NULL on error (see eng_store_errmsg). */
sqlite3_stmt *eng_store_stmt(eng_store_t *self, const char *sql);

#endif
