/*
 * eng_store_events.c - events, quarantine and source watermarks in SQLite
 * (see eng_store_events.h). Idempotence comes from the keys: INSERT OR
 * IGNORE plus sqlite3_changes() tells a new row from a repeat.
 */
#include "devsurv/eng_store_events.h"
#include "devsurv/ds_err.h"

static const char s_sql_event[] =
    "INSERT OR IGNORE INTO events(source, epoch, seq, id, kind, ts_event,"
    " patient, product_code, event_code, content_type, payload)"
    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"
    " WHERE NOT EXISTS (SELECT 1 FROM quarantine"
    "  WHERE source = ?1 AND epoch = ?2 AND seq = ?3)";
static const char s_sql_quarantine[] =
    "INSERT OR IGNORE INTO quarantine(source, epoch, seq, code, reason,"
    " content_type, payload)"
    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7"
    " WHERE ?3 IS NULL OR NOT EXISTS (SELECT 1 FROM events"
    "  WHERE source = ?1 AND epoch = ?2 AND seq = ?3)";
static const char s_sql_source_get[] =
    "SELECT committed FROM sources WHERE source = ? AND epoch = ?";
static const char s_sql_source_put[] =
    "INSERT INTO sources(source, epoch, committed) VALUES(?, ?, ?)"
    " ON CONFLICT(source, epoch) DO UPDATE"
    " SET committed = max(committed, excluded.committed)";

/* Bind a span as TEXT, or NULL when empty. */
static void s_text(sqlite3_stmt *st, int i, struct ds_span s)
{
    if (s.n)
        sqlite3_bind_text(st, i, s.p, (int)s.n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Step an INSERT OR IGNORE: 0 new row, DS_EDUP ignored, DS_ESTORE. */
static int s_insert(eng_store_t *self, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return DS_ESTORE;
    return sqlite3_changes(eng_store_db(self)) ? 0 : DS_EDUP;
}

int eng_store_event_put(eng_store_t *self, const struct eng_store_key *key,
                        const struct eng_event *ev, struct ds_span ctype,
                        const char *payload, size_t n)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_event);
    if (!st)
        return DS_ESTORE;
    s_text(st, 1, key->source);
    sqlite3_bind_int64(st, 2, key->epoch);
    sqlite3_bind_int64(st, 3, key->seq);
    s_text(st, 4, ev->id);
    sqlite3_bind_text(st, 5, eng_event_kind_name(ev->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, ev->time_ms);
    s_text(st, 7, ev->patient);
    s_text(st, 8, ev->product_code);
    s_text(st, 9, ev->event_code);
    s_text(st, 10, ctype);
    sqlite3_bind_blob64(st, 11, payload, n, SQLITE_STATIC);
    return s_insert(self, st);
}

int eng_store_quarantine_put(eng_store_t *self, const struct eng_store_key *key,
                             int code, const char *reason, struct ds_span ctype,
                             const void *payload, size_t n)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_quarantine);
    if (!st)
        return DS_ESTORE;
    if (key && key->seq > 0) {
        s_text(st, 1, key->source);
        sqlite3_bind_int64(st, 2, key->epoch);
        sqlite3_bind_int64(st, 3, key->seq);
    }
    sqlite3_bind_text(st, 4, ds_strerror(code), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    s_text(st, 6, ctype);
    sqlite3_bind_blob64(st, 7, payload ? payload : "", n, SQLITE_STATIC);
    return s_insert(self, st);
}

int eng_store_source_get(eng_store_t *self, struct ds_span source,
                         int64_t epoch, int64_t *committed)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_source_get);
    if (!st)
        return DS_ESTORE;
    s_text(st, 1, source);
    sqlite3_bind_int64(st, 2, epoch);
    int rc = sqlite3_step(st);
    *committed = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_store_source_put(eng_store_t *self, struct ds_span source,
                         int64_t epoch, int64_t committed)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_source_put);
    if (!st)
        return DS_ESTORE;
    s_text(st, 1, source);
    sqlite3_bind_int64(st, 2, epoch);
    sqlite3_bind_int64(st, 3, committed);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}
