/*
 * eng_http_api_cells.c - GET /api/cells, /api/cells/{plan}/{device}/
 * {event}/series and /api/plans (README.md, "HTTP API and dashboard").
 *
 * Cells come from plan_cells and, as plan "", from the coded-outcome
 * cells table of [maxsprt] (eng_counts), whose rows have no threshold,
 * comparator or generation columns: those are null / 0 there. Newest
 * change first, ?limit= (default 100, at most 1000).
 *
 * A series is the last ?limit= points (default and maximum 1000: one
 * chart) of plan_series in order, with the cell's signals (at most
 * 1000). An empty segment is the plan "" (/api/cells//MGB/E0505/series).
 *
 * Plans: the store has no plan table, so a plan is what the store knows
 * of it: its id (plan_cells, signals), cell and signal counts, the
 * method of its signals and the plan-set hash they name; the loaded plan
 * sets are listed from rulesets. (method and sha256: the largest value
 * among its signals; plans have one method and, per run, one set.)
 * Titles and comparators live in the plan files, not here (null). The
 * counts are cached by the server: eng_http_plans.c.
 */
#include "eng_http_impl.h"

#include <string.h>

static const char s_sql_cells[] =
    "SELECT plan, device, event, observed, expected, exposures, comp_events,"
    " comp_exposures, statistic, threshold, status, generation, last_ts"
    " FROM plan_cells WHERE (?1 IS NULL OR plan = ?1)"
    " AND (?2 IS NULL OR device = ?2) AND (?3 IS NULL OR event = ?3)"
    " AND (?4 IS NULL OR status = ?4)"
    " UNION ALL SELECT '', c.product_code, c.event_code, c.observed,"
    " c.expected, coalesce(x.n, 0), 0, 0, c.llr, NULL, c.status, 0,"
    " c.last_ts FROM cells c LEFT JOIN exposures x"
    " ON x.product_code = c.product_code WHERE (?1 IS NULL OR ?1 = '')"
    " AND (?2 IS NULL OR c.product_code = ?2)"
    " AND (?3 IS NULL OR c.event_code = ?3) AND (?4 IS NULL OR c.status = ?4)"
    " ORDER BY 13 DESC, 1, 2, 3 LIMIT ?5";
static const char s_sql_cell_exists[] =
    "SELECT 1 FROM plan_cells WHERE plan = ?1 AND device = ?2 AND event = ?3"
    " UNION ALL SELECT 1 FROM cells WHERE ?1 = '' AND product_code = ?2"
    " AND event_code = ?3 LIMIT 1";
static const char s_sql_series[] =
    "SELECT * FROM (SELECT n, ts, observed, expected, statistic, threshold"
    " FROM plan_series WHERE plan = ?1 AND device = ?2 AND event = ?3"
    " ORDER BY n DESC LIMIT ?4) ORDER BY n";
static const char s_sql_cell_signals[] =
    "SELECT id, ts_event FROM signals WHERE plan = ?1 AND product_code = ?2"
    " AND event_code = ?3 ORDER BY id LIMIT 1000";
static const char s_sql_rulesets[] =
    "SELECT sha256, kind, files, ts FROM rulesets ORDER BY ts DESC, kind"
    " LIMIT 100";

static json_t *s_row(sqlite3_stmt *st, const char *const *keys, int n)
{
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        if (keys[i])
            json_object_set_new(o, keys[i], eng_http_json_col(st, i));
    return o;
}

int eng_http_api_cells(struct eng_http_req *r, json_t **out)
{
    static const char *const names[] = {"plan", "device", "event", "status"};
    static const char *const keys[] = {
        "plan",      "device",    "event",       "observed",
        "expected",  "exposures", "comp_events", "comp_exposures",
        "statistic", "threshold", "status",      "generation"};
    char buf[4][ENG_HTTP_ARG_MAX];
    int64_t limit;
    int rc;
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_cells);
    if (!st)
        return eng_http_db_error(out, r->db);
    for (int i = 0; i < 4; i++) {
        const char *v;
        if ((rc = eng_http_arg(r, names[i], buf[i], ENG_HTTP_ARG_MAX, &v, out)))
            return rc;
        if (v)
            sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC);
    }
    if ((rc = eng_http_arg_int(r, "limit", ENG_HTTP_LIMIT_DEF, 1,
                               ENG_HTTP_LIMIT_MAX, &limit, out)))
        return rc;
    sqlite3_bind_int64(st, 5, limit);
    json_t *arr = json_array();
    *out = json_object();
    json_object_set_new(*out, "cells", arr);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *c = s_row(st, keys, 12);
        eng_http_json_time(c, "ts", "time", st, 12);
        json_array_append_new(arr, c);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 200 : eng_http_db_error(out, r->db);
}

/* Bind plan, device, event (already decoded) as ?1..?3 of a cached st. */
static sqlite3_stmt *s_cell_stmt(struct eng_http_req *r, const char *sql,
                                 char key[3][ENG_HTTP_ARG_MAX])
{
    sqlite3_stmt *st = eng_http_db_stmt(r->db, sql);
    for (int i = 0; st && i < 3; i++)
        sqlite3_bind_text(st, i + 1, key[i], -1, SQLITE_STATIC);
    return st;
}

static int s_series_points(struct eng_http_req *r,
                           char key[3][ENG_HTTP_ARG_MAX], int64_t limit,
                           json_t *pts)
{
    static const char *const keys[] = {NULL,       NULL,        "observed",
                                       "expected", "statistic", "threshold"};
    sqlite3_stmt *st = s_cell_stmt(r, s_sql_series, key);
    int rc;
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 4, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *p = s_row(st, keys, 6);
        eng_http_json_time(p, "ts", "time", st, 1);
        json_array_append_new(pts, p);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

static int s_series_signals(struct eng_http_req *r,
                            char key[3][ENG_HTTP_ARG_MAX], json_t *sigs)
{
    sqlite3_stmt *st = s_cell_stmt(r, s_sql_cell_signals, key);
    int rc;
    if (!st)
        return SQLITE_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *s = json_object();
        json_object_set_new(s, "id", eng_http_json_col(st, 0));
        eng_http_json_time(s, "ts", "time", st, 1);
        json_array_append_new(sigs, s);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

int eng_http_api_series(struct eng_http_req *r, json_t **out)
{
    char key[3][ENG_HTTP_ARG_MAX];
    int64_t limit;
    int rc;
    for (int i = 0; i < 3; i++)
        if ((rc = eng_http_seg(r, i + 2, key[i], ENG_HTTP_ARG_MAX, out)))
            return rc;
    if ((rc = eng_http_arg_int(r, "limit", ENG_HTTP_LIMIT_MAX, 1,
                               ENG_HTTP_LIMIT_MAX, &limit, out)))
        return rc;
    sqlite3_stmt *st = s_cell_stmt(r, s_sql_cell_exists, key);
    if (!st)
        return eng_http_db_error(out, r->db);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return eng_http_error(out, 404, "no cell %s/%s/%s", key[0], key[1],
                              key[2]);
    if (rc != SQLITE_ROW)
        return eng_http_db_error(out, r->db);
    json_t *pts = json_array(), *sigs = json_array();
    *out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "plan", key[0], "device",
                     key[1], "event", key[2], "points", pts, "signals", sigs);
    if (!*out)
        return eng_http_error(out, 400, "cell key is not UTF-8");
    if (s_series_points(r, key, limit, pts) != 0 ||
        s_series_signals(r, key, sigs) != 0)
        return eng_http_db_error(out, r->db);
    return 200;
}

static int s_rulesets(struct eng_http_req *r, json_t *arr)
{
    static const char *const keys[] = {"sha256", "kind", "files"};
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_rulesets);
    int rc;
    if (!st)
        return SQLITE_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = s_row(st, keys, 3);
        eng_http_json_time(o, "ts", "time", st, 3);
        json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

int eng_http_api_plans(struct eng_http_req *r, json_t **out)
{
    json_t *arr = json_array(), *sets = json_array();
    *out = json_pack("{s:o, s:o}", "plans", arr, "rulesets", sets);
    if (!*out)
        return 500;
    if (eng_http_plans_list(r, arr) != 0 || s_rulesets(r, sets) != 0)
        return eng_http_db_error(out, r->db);
    return 200;
}
