/*
 * eng_http_api.c - GET /api/signals, /api/signals/{id} and /api/alerts
 * (README.md, "HTTP API and dashboard"). Each list is bounded: ?limit= defaults
 * to 100 and is clamped to 1000.
 *
 * /api/signals filters by plan, device (signals.product_code, the cell's
 * device key), event, method, source and status (the alert's status;
 * "none" = signals without an alert). Newest first; with ?after_id=N the
 * signals with id > N oldest first (polling), with ?before_id=N the page
 * before N newest first. next_after_id is the largest id returned (null
 * when none): pass it as after_id to get what came after.
 *
 * The lineage of one signal is eng_explain_json(), embedded as is.
 *
 * A page is written as text (eng_http_signal_jbuf), not as a jansson
 * tree: for 1,000 signals the tree and its dump cost ~10 ms, ten times
 * the SQL. One signal (here and in the event stream) is still a tree,
 * eng_http_signal_json(); both give the same bytes
 * (tests/engine/test_eng_http_jbuf.c).
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_explain.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char s_sql_list_desc[] = ENG_HTTP_SIGNAL_SELECT
    " WHERE (?1 IS NULL OR s.plan = ?1) AND (?2 IS NULL OR s.product_code = ?2)"
    " AND (?3 IS NULL OR s.event_code = ?3) AND (?4 IS NULL OR s.method = ?4)"
    " AND (?5 IS NULL OR s.source = ?5) AND (?6 IS NULL OR"
    " (CASE WHEN ?6 = 'none' THEN a.id IS NULL ELSE a.status = ?6 END))"
    " AND s.id > ?7 AND s.id < ?8 ORDER BY s.id DESC LIMIT ?9";
static const char s_sql_list_asc[] = ENG_HTTP_SIGNAL_SELECT
    " WHERE (?1 IS NULL OR s.plan = ?1) AND (?2 IS NULL OR s.product_code = ?2)"
    " AND (?3 IS NULL OR s.event_code = ?3) AND (?4 IS NULL OR s.method = ?4)"
    " AND (?5 IS NULL OR s.source = ?5) AND (?6 IS NULL OR"
    " (CASE WHEN ?6 = 'none' THEN a.id IS NULL ELSE a.status = ?6 END))"
    " AND s.id > ?7 AND s.id < ?8 ORDER BY s.id LIMIT ?9";
static const char s_sql_one[] = ENG_HTTP_SIGNAL_SELECT " WHERE s.id = ?1";
static const char s_sql_alerts[] =
    "SELECT id, signal_id, status, opened, updated, by, reason FROM alerts"
    " WHERE (?1 IS NULL OR status = ?1) ORDER BY updated DESC, id DESC"
    " LIMIT ?2";
static const char s_sql_alert_log[] =
    "SELECT ts, from_status, to_status, by, reason FROM alert_log"
    " WHERE alert_id = ?1 ORDER BY n LIMIT 1000";

#define S_ROW_BYTES 512 /* a signal's JSON text, about */

static const char *const s_signal_keys[] = {
    "id",        "plan",     "device",   "event",     "method", "statistic",
    "threshold", "observed", "expected", NULL,        "source", "epoch",
    "seq",       "rules",    "plans",    "generation"};

static json_t *s_alert(sqlite3_stmt *st, int c)
{
    static const char *const keys[] = {"id",      "status", "opened",
                                       "updated", "by",     "reason"};
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return json_null();
    json_t *a = json_object();
    for (int i = 0; i < 6; i++)
        json_object_set_new(a, keys[i], eng_http_json_col(st, c + i));
    return a;
}

json_t *eng_http_signal_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; i < 16; i++) {
        if (s_signal_keys[i])
            json_object_set_new(o, s_signal_keys[i], eng_http_json_col(st, i));
        else
            eng_http_json_time(o, "ts", "time", st, i);
    }
    json_object_set_new(o, "alert", s_alert(st, 16));
    return o;
}

/* Bind the six text filters ?1..?6; 0 or 400. */
static int s_bind_filters(struct eng_http_req *r, sqlite3_stmt *st,
                          char buf[6][ENG_HTTP_ARG_MAX], json_t **out)
{
    static const char *const names[] = {"plan",   "device", "event",
                                        "method", "source", "status"};
    for (int i = 0; i < 6; i++) {
        const char *v;
        int rc = eng_http_arg(r, names[i], buf[i], ENG_HTTP_ARG_MAX, &v, out);
        if (rc != 0)
            return rc;
        if (v)
            sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC);
    }
    return 0;
}

static void s_alert_jbuf(struct eng_http_jbuf *b, sqlite3_stmt *st, int c)
{
    static const char *const keys[] = {"id",      "status", "opened",
                                       "updated", "by",     "reason"};
    if (sqlite3_column_type(st, c) == SQLITE_NULL) {
        eng_http_jbuf_raw(b, "null", 4);
        return;
    }
    eng_http_jbuf_raw(b, "{", 1);
    for (int i = 0; i < 6; i++) {
        eng_http_jbuf_key(b, keys[i]);
        eng_http_jbuf_col(b, st, c + i);
    }
    eng_http_jbuf_raw(b, "}", 1);
}

void eng_http_signal_jbuf(struct eng_http_jbuf *b, sqlite3_stmt *st)
{
    eng_http_jbuf_raw(b, "{", 1);
    for (int i = 0; i < 16; i++) {
        if (!s_signal_keys[i]) {
            eng_http_jbuf_time(b, "ts", "time", st, i);
            continue;
        }
        eng_http_jbuf_key(b, s_signal_keys[i]);
        eng_http_jbuf_col(b, st, i);
    }
    eng_http_jbuf_key(b, "alert");
    s_alert_jbuf(b, st, 16);
    eng_http_jbuf_raw(b, "}", 1);
}

/* The page as text into r->text: {"signals":[...],"next_after_id":N}. */
static int s_list(struct eng_http_req *r, sqlite3_stmt *st, int64_t limit,
                  json_t **out)
{
    struct eng_http_jbuf *b = &r->text;
    int64_t last = -1;
    int rc;
    eng_http_jbuf_reserve(b, (size_t)limit * S_ROW_BYTES);
    eng_http_jbuf_lit(b, "{\"signals\":[");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        eng_http_jbuf_sep(b);
        eng_http_signal_jbuf(b, st);
        last = id > last ? id : last;
    }
    eng_http_jbuf_lit(b, "],\"next_after_id\":");
    if (last >= 0)
        eng_http_jbuf_int(b, last);
    else
        eng_http_jbuf_raw(b, "null", 4);
    eng_http_jbuf_raw(b, "}", 1);
    if (rc != SQLITE_DONE) {
        eng_http_jbuf_clear(b);
        return eng_http_db_error(out, r->db);
    }
    return 200;
}

int eng_http_api_signals(struct eng_http_req *r, json_t **out)
{
    char buf[6][ENG_HTTP_ARG_MAX];
    int64_t after, before, limit;
    int rc;
    if ((rc = eng_http_arg_int(r, "after_id", -1, 0, INT64_MAX, &after, out)) ||
        (rc = eng_http_arg_int(r, "before_id", INT64_MAX, 1, INT64_MAX, &before,
                               out)) ||
        (rc = eng_http_arg_int(r, "limit", ENG_HTTP_LIMIT_DEF, 1,
                               ENG_HTTP_LIMIT_MAX, &limit, out)))
        return rc;
    sqlite3_stmt *st =
        eng_http_db_stmt(r->db, after >= 0 ? s_sql_list_asc : s_sql_list_desc);
    if (!st)
        return eng_http_db_error(out, r->db);
    if ((rc = s_bind_filters(r, st, buf, out)) != 0)
        return rc;
    sqlite3_bind_int64(st, 7, after);
    sqlite3_bind_int64(st, 8, before);
    sqlite3_bind_int64(st, 9, limit);
    rc = s_list(r, st, limit, out);
    sqlite3_reset(st);
    return rc;
}

/* The lineage object, or an error body. */
static int s_lineage(struct eng_http_req *r, int64_t id, json_t *sig,
                     json_t **out)
{
    struct ds_diag diag;
    char *text = NULL;
    size_t n = 0;
    ds_diag_clear(&diag);
    int rc = eng_explain_json(r->db->db, id, &text, &n, &diag);
    if (rc == DS_ENOTFOUND)
        return eng_http_error(out, 404, "no signal %lld", (long long)id);
    if (rc != 0)
        return eng_http_error(out, 500, "lineage: %s", diag.msg);
    json_error_t jerr;
    json_t *lin = json_loadb(text, n, 0, &jerr);
    ds_free(text);
    if (!lin)
        return eng_http_error(out, 500, "lineage is not JSON: %s", jerr.text);
    json_object_set_new(sig, "lineage", lin);
    return 200;
}

int eng_http_api_signal(struct eng_http_req *r, json_t **out)
{
    char buf[32], *end;
    int rc = eng_http_seg(r, 2, buf, sizeof buf, out);
    if (rc != 0)
        return rc;
    long long id = strtoll(buf, &end, 10);
    if (!*buf || *end || id < 1)
        return eng_http_error(out, 404, "no signal '%s'", buf);
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_one);
    if (!st)
        return eng_http_db_error(out, r->db);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? eng_http_error(out, 404, "no signal %lld", id)
                   : eng_http_db_error(out, r->db);
    }
    json_t *sig = eng_http_signal_json(st);
    sqlite3_reset(st);
    rc = s_lineage(r, id, sig, out);
    if (rc != 200) {
        json_decref(sig);
        return rc;
    }
    *out = sig;
    return 200;
}

static int s_alert_log(struct eng_http_req *r, int64_t id, json_t *alert)
{
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_alert_log);
    json_t *log = json_array();
    int rc;
    json_object_set_new(alert, "log", log);
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *e = json_object();
        eng_http_json_time(e, "ts", "time", st, 0);
        json_object_set_new(e, "from", eng_http_json_col(st, 1));
        json_object_set_new(e, "to", eng_http_json_col(st, 2));
        json_object_set_new(e, "by", eng_http_json_col(st, 3));
        json_object_set_new(e, "reason", eng_http_json_col(st, 4));
        json_array_append_new(log, e);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

/* Read the page of alerts first (a statement is not re-entrant), then
 * each one's log. */
static int s_alerts(struct eng_http_req *r, sqlite3_stmt *st, json_t *arr)
{
    static const char *const keys[] = {
        "id", "signal_id", "status", "opened", "updated", "by", "reason"};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *a = json_object();
        for (int i = 0; i < 7; i++)
            json_object_set_new(a, keys[i], eng_http_json_col(st, i));
        json_array_append_new(arr, a);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rc;
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a)
    {
        int64_t id = json_integer_value(json_object_get(a, "id"));
        if ((rc = s_alert_log(r, id, a)) != 0)
            return rc;
    }
    return 0;
}

int eng_http_api_alerts(struct eng_http_req *r, json_t **out)
{
    char buf[ENG_HTTP_ARG_MAX];
    const char *status;
    int64_t limit;
    int rc;
    if ((rc = eng_http_arg(r, "status", buf, sizeof buf, &status, out)) ||
        (rc = eng_http_arg_int(r, "limit", ENG_HTTP_LIMIT_DEF, 1,
                               ENG_HTTP_LIMIT_MAX, &limit, out)))
        return rc;
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_alerts);
    if (!st)
        return eng_http_db_error(out, r->db);
    if (status)
        sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    json_t *arr = json_array();
    *out = json_object();
    json_object_set_new(*out, "alerts", arr);
    if (s_alerts(r, st, arr) != 0)
        return eng_http_db_error(out, r->db);
    return 200;
}
