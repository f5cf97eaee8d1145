/*
 * eng_store_epochs.c - previous epochs and discontinuity rows (see
 * eng_store_epochs.h).
 */
#include "devsurv/eng_store_epochs.h"
#include "devsurv/ds_err.h"

#include <sqlite3.h>

static const char s_sql_prev[] =
    "SELECT epoch, committed FROM sources WHERE source = ?1 AND epoch <> ?2"
    " ORDER BY epoch DESC LIMIT 1";
static const char s_sql_put[] =
    "INSERT OR IGNORE INTO discontinuities(source, epoch, prev_epoch,"
    " prev_committed, ts_event) VALUES(?, ?, ?, ?, ?)";

int eng_store_epoch_prev(eng_store_t *self, struct ds_span source,
                         int64_t epoch, int64_t *prev_epoch,
                         int64_t *prev_committed)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_prev);
    *prev_epoch = *prev_committed = 0;
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, source.p ? source.p : "", (int)source.n,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, epoch);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *prev_epoch = sqlite3_column_int64(st, 0);
        *prev_committed = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_store_discontinuity_put(eng_store_t *self, struct ds_span source,
                                int64_t epoch, int64_t prev_epoch,
                                int64_t prev_committed, int64_t ts_event)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_put);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, source.p ? source.p : "", (int)source.n,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, epoch);
    sqlite3_bind_int64(st, 3, prev_epoch);
    sqlite3_bind_int64(st, 4, prev_committed);
    sqlite3_bind_int64(st, 5, ts_event);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return DS_ESTORE;
    return sqlite3_changes(eng_store_db(self)) ? 0 : DS_EDUP;
}
