/*
 * eng_store_cells.c - exposures, device x event cells and signal rows in
 * SQLite (see eng_store_cells.h).
 */
#include "devsurv/eng_store_cells.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

static const char s_sql_expo_add[] =
    "INSERT INTO exposures(product_code, n, last_ts) VALUES(?1, 1, ?2)"
    " ON CONFLICT(product_code) DO UPDATE"
    " SET n = n + 1, last_ts = max(last_ts, ?2) RETURNING n";
static const char s_sql_expo_get[] =
    "SELECT n FROM exposures WHERE product_code = ?";
static const char s_sql_cell_get[] =
    "SELECT observed, expected, llr, status FROM cells"
    " WHERE product_code = ? AND event_code = ?";
static const char s_sql_cells_watching[] =
    "SELECT event_code FROM cells WHERE product_code = ? AND event_code > ?"
    " AND status = 'watching' ORDER BY event_code LIMIT ?";
static const char s_sql_cell_put[] =
    "INSERT OR REPLACE INTO cells(product_code, event_code, observed,"
    " expected, llr, status, last_ts) VALUES(?, ?, ?, ?, ?, ?, ?)";
static const char s_sql_signal_put[] =
    "INSERT OR IGNORE INTO signals(product_code, event_code, method,"
    " statistic, threshold, observed, expected, ts_event, source, epoch,"
    " seq, params, plan, rules, plans, generation)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char s_sql_alert_open[] =
    "INSERT INTO alerts(signal_id, status, opened, updated)"
    " VALUES(?, 'new', ?, ?)";

static const char *const s_status[] = {"watching", "signalled", "ended"};

const char *eng_cell_status_name(enum eng_cell_status st)
{
    return (unsigned)st < 3 ? s_status[st] : "?";
}

static enum eng_cell_status s_status_parse(const unsigned char *s)
{
    for (int i = 0; s && i < 3; i++)
        if (strcmp((const char *)s, s_status[i]) == 0)
            return (enum eng_cell_status)i;
    return ENG_CELL_WATCHING;
}

/* Step st expecting one int64 row into *v (0 when no row). */
static int s_one_int(sqlite3_stmt *st, int64_t *v)
{
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_store_exposure_add(eng_store_t *self, struct ds_span product_code,
                           int64_t ts, int64_t *n)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_expo_add);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, product_code.p, (int)product_code.n,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, ts);
    return s_one_int(st, n);
}

int eng_store_exposure_get(eng_store_t *self, struct ds_span product_code,
                           int64_t *n)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_expo_get);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, product_code.p, (int)product_code.n,
                      SQLITE_STATIC);
    return s_one_int(st, n);
}

static int s_copy_code(char *dst, struct ds_span s)
{
    if (s.n == 0 || s.n >= ENG_CODE_MAX)
        return DS_EINVAL;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 0;
}

int eng_store_cell_get(eng_store_t *self, struct ds_span product_code,
                       struct ds_span event_code, struct eng_cell *out)
{
    memset(out, 0, sizeof *out);
    if (s_copy_code(out->product_code, product_code) != 0 ||
        s_copy_code(out->event_code, event_code) != 0)
        return DS_EINVAL;
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_cell_get);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, out->product_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, out->event_code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->observed = sqlite3_column_int64(st, 0);
        out->expected = sqlite3_column_double(st, 1);
        out->llr = sqlite3_column_double(st, 2);
        out->status = s_status_parse(sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_store_cells_watching(eng_store_t *self, struct ds_span product_code,
                             const char *after, char (*codes)[ENG_CODE_MAX],
                             size_t max, size_t *n)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_cells_watching);
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, product_code.p, (int)product_code.n,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(codes[(*n)++], ENG_CODE_MAX, "%s", t ? (const char *)t : "");
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_store_cell_put(eng_store_t *self, const struct eng_cell *c, int64_t ts)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_cell_put);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, c->product_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->event_code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->observed);
    sqlite3_bind_double(st, 4, c->expected);
    sqlite3_bind_double(st, 5, c->llr);
    sqlite3_bind_text(st, 6, eng_cell_status_name(c->status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, ts);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_store_signal_put(eng_store_t *self, struct eng_signal *s)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_signal_put);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, s->device[0] ? s->device : s->product_code, -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->event_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->method, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, s->statistic);
    sqlite3_bind_double(st, 5, s->threshold);
    sqlite3_bind_int64(st, 6, s->observed);
    sqlite3_bind_double(st, 7, s->expected);
    sqlite3_bind_int64(st, 8, s->ts_event);
    sqlite3_bind_text(st, 9, s->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, s->epoch);
    sqlite3_bind_int64(st, 11, s->seq);
    sqlite3_bind_text(st, 12, s->params, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, s->plan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, s->rules, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, s->plans, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 16, s->generation);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return DS_ESTORE;
    if (sqlite3_changes(eng_store_db(self)) == 0)
        return DS_EDUP;
    s->id = sqlite3_last_insert_rowid(eng_store_db(self));
    if (!(st = eng_store_stmt(self, s_sql_alert_open)))
        return DS_ESTORE;
    sqlite3_bind_int64(st, 1, s->id);
    sqlite3_bind_int64(st, 2, s->ts_event);
    sqlite3_bind_int64(st, 3, s->ts_event);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}
