/*
 * eng_alert_list.c - list alerts with their signal's cell (eng_alert_each()
 * in eng_alert.h), by id, optionally of one status. Read-only: works on a
 * store opened read-only, safe while the engine runs.
 *
 * Not here: transitions (eng_alert.c), formatting (eng_cmd_alert.c).
 */
#include "devsurv/eng_alert.h"
#include "devsurv/ds_err.h"

static const char s_sql[] =
    "SELECT a.id, a.signal_id, a.status, a.opened, a.updated, a.by,"
    " a.reason, coalesce(s.plan, ''), coalesce(s.product_code, ''),"
    " coalesce(s.event_code, ''), coalesce(s.method, ''),"
    " coalesce(s.statistic, 0), coalesce(s.threshold, 0)"
    " FROM alerts a LEFT JOIN signals s ON s.id = a.signal_id"
    " WHERE ?1 IS NULL OR a.status = ?1 ORDER BY a.id";

static const char *s_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

static void s_row(sqlite3_stmt *st, struct eng_alert_row *a)
{
    a->id = sqlite3_column_int64(st, 0);
    a->signal_id = sqlite3_column_int64(st, 1);
    a->status = s_text(st, 2);
    a->opened = sqlite3_column_int64(st, 3);
    a->updated = sqlite3_column_int64(st, 4);
    a->by = s_text(st, 5);
    a->reason = s_text(st, 6);
    a->plan = s_text(st, 7);
    a->device = s_text(st, 8);
    a->event = s_text(st, 9);
    a->method = s_text(st, 10);
    a->statistic = sqlite3_column_double(st, 11);
    a->threshold = sqlite3_column_double(st, 12);
}

int eng_alert_each(eng_store_t *store, const char *status,
                   int (*fn)(void *arg, const struct eng_alert_row *a),
                   void *arg, struct ds_diag *diag)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql);
    struct eng_alert_row a;
    int rc = 0, step = SQLITE_DONE;
    if (st && status)
        sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    while (st && rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        s_row(st, &a);
        rc = fn(arg, &a);
    }
    if (st)
        sqlite3_reset(st);
    if (rc == 0 && (!st || step != SQLITE_DONE))
        rc = ds_diag_set_code(diag, DS_ESTORE, "", 0, "alerts: %s",
                              eng_store_errmsg(store));
    return rc;
}
