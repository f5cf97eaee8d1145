/*
 * eng_http_api_store.c - GET /healthz, /api/sources and /api/audit
 * (README.md, "HTTP API and dashboard").
 *
 * /healthz reads the schema (503 when the store cannot be read). A
 * source row is one (source, epoch) of the ingest watermark with its
 * stored and quarantined counts (events = committed - quarantined: every
 * seq up to the watermark was stored as exactly one of the two, so this is
 * exact without scanning the events table, whose rows carry payloads), the
 * event time of its last stored event (highest seq, a primary-key lookup) and
 * the number of discontinuities recorded for the source; the engine's run
 * counters (duplicates, gaps, resends) are global, not per source: "ingest" at
 * the top, null until the engine has reported them.
 *
 * /api/audit: entries = the last seq, head = its entry_hash (hex),
 * checkpoints = rows, last_checkpoint with its event time (checkpoint ts
 * is the head entry's event time, eng_checkpoint.h), age_seconds = how
 * far the newest audit entry's event time is past it (event time: the
 * engine keeps no wall clock in the chain) and unsealed_entries = entries
 * after it; "verify" is the cached background result
 * (eng_http_audit.c).
 */
#include "eng_http_impl.h"

#include <stdio.h>

static const char s_sql_health[] = "SELECT count(*) FROM sqlite_master";
static const char s_sql_sources[] =
    "SELECT s.source, s.epoch, s.committed,"
    " s.committed - (SELECT count(*) FROM quarantine q"
    "  WHERE q.source = s.source AND q.epoch = s.epoch),"
    " (SELECT count(*) FROM quarantine q WHERE q.source = s.source"
    "  AND q.epoch = s.epoch),"
    " (SELECT ts_event FROM events e WHERE e.source = s.source"
    "  AND e.epoch = s.epoch ORDER BY e.seq DESC LIMIT 1),"
    " (SELECT count(*) FROM discontinuities d WHERE d.source = s.source)"
    " FROM sources s ORDER BY s.source, s.epoch LIMIT ?1";
static const char s_sql_head[] =
    "SELECT seq, lower(hex(entry_hash)) FROM audit ORDER BY seq DESC LIMIT 1";
static const char s_sql_cps[] = "SELECT count(*) FROM checkpoints";
static const char s_sql_last_cp[] =
    "SELECT n, ts, (SELECT ts FROM audit ORDER BY seq DESC LIMIT 1),"
    " (SELECT coalesce(max(seq), 0) FROM audit)"
    " FROM checkpoints ORDER BY n DESC LIMIT 1";

int eng_http_api_healthz(struct eng_http_req *r, json_t **out)
{
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_health);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st)
        sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        *out = json_pack("{s:s, s:s, s:s}", "status", "unavailable", "db",
                         "error", "error", sqlite3_errmsg(r->db->db));
        return 503;
    }
    *out = json_pack("{s:s, s:s}", "status", "ok", "db", "ok");
    return 200;
}

static json_t *s_ingest(eng_http_t *h)
{
    json_t *o = json_null();
    pthread_mutex_lock(&h->mu);
    if (h->have_stats)
        o = json_pack("{s:I, s:I, s:I, s:I}", "duplicates",
                      (json_int_t)h->stats.ingest.duplicates, "gaps",
                      (json_int_t)h->stats.ingest.gaps, "resends",
                      (json_int_t)h->stats.ingest.resends, "malformed",
                      (json_int_t)h->stats.malformed);
    pthread_mutex_unlock(&h->mu);
    return o;
}

int eng_http_api_sources(struct eng_http_req *r, json_t **out)
{
    static const char *const keys[] = {"source", "epoch", "committed", "events",
                                       "quarantined"};
    int64_t limit;
    int rc;
    if ((rc = eng_http_arg_int(r, "limit", ENG_HTTP_LIMIT_DEF, 1,
                               ENG_HTTP_LIMIT_MAX, &limit, out)))
        return rc;
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_sources);
    json_t *arr = json_array();
    *out = json_pack("{s:o, s:o}", "sources", arr, "ingest", s_ingest(r->h));
    if (!st)
        return eng_http_db_error(out, r->db);
    sqlite3_bind_int64(st, 1, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < 5; i++)
            json_object_set_new(o, keys[i], eng_http_json_col(st, i));
        eng_http_json_time(o, "last_ts", "last_time", st, 5);
        json_object_set_new(o, "discontinuities", eng_http_json_col(st, 6));
        json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 200 : eng_http_db_error(out, r->db);
}

/* Step a one-row statement; SQLITE_ROW, SQLITE_DONE (no row) or error.
 * The caller reads the row, then resets. */
static int s_one(struct eng_http_req *r, const char *sql, sqlite3_stmt **st)
{
    *st = eng_http_db_stmt(r->db, sql);
    return *st ? sqlite3_step(*st) : SQLITE_ERROR;
}

static json_t *s_last_cp(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "n", eng_http_json_col(st, 0));
    eng_http_json_time(o, "ts", "time", st, 1);
    double age =
        (double)(sqlite3_column_int64(st, 2) - sqlite3_column_int64(st, 1));
    json_object_set_new(o, "age_seconds", json_real(age / 1000.0));
    json_object_set_new(o, "unsealed_entries",
                        json_integer(sqlite3_column_int64(st, 3) -
                                     sqlite3_column_int64(st, 0)));
    return o;
}

int eng_http_api_audit(struct eng_http_req *r, json_t **out)
{
    sqlite3_stmt *st;
    int rc = s_one(r, s_sql_head, &st);
    *out = json_object();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return eng_http_db_error(out, r->db);
    json_object_set_new(
        *out, "entries",
        json_integer(rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0));
    json_object_set_new(*out, "head",
                        rc == SQLITE_ROW ? eng_http_json_col(st, 1)
                                         : json_null());
    sqlite3_reset(st);
    if ((rc = s_one(r, s_sql_cps, &st)) != SQLITE_ROW)
        return eng_http_db_error(out, r->db);
    json_object_set_new(*out, "checkpoints", eng_http_json_col(st, 0));
    sqlite3_reset(st);
    rc = s_one(r, s_sql_last_cp, &st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return eng_http_db_error(out, r->db);
    json_object_set_new(*out, "last_checkpoint",
                        rc == SQLITE_ROW ? s_last_cp(st) : json_null());
    sqlite3_reset(st);
    json_object_set_new(*out, "verify", eng_http_verify_json(r->h));
    return 200;
}
