/*
 * eng_store_read.c - read-only queries: totals and the signal list (see
 * eng_store_read.h).
 */
#include "devsurv/eng_store_read.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

static const char s_sql_totals[] =
    "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine),"
    " (SELECT count(*) FROM signals),"
    " (SELECT coalesce(sum(n), 0) FROM exposures),"
    " (SELECT count(*) FROM cells)";
static const char s_sql_signals[] =
    "SELECT id, product_code, event_code, method, statistic, threshold,"
    " observed, expected, ts_event, source, epoch, seq, params, plan, rules,"
    " plans, generation FROM signals ORDER BY id";

int eng_store_totals(eng_store_t *self, struct eng_store_totals *out)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_totals);
    memset(out, 0, sizeof *out);
    if (!st || sqlite3_step(st) != SQLITE_ROW)
        return DS_ESTORE;
    out->events = sqlite3_column_int64(st, 0);
    out->quarantined = sqlite3_column_int64(st, 1);
    out->signals = sqlite3_column_int64(st, 2);
    out->exposures = sqlite3_column_int64(st, 3);
    out->cells = sqlite3_column_int64(st, 4);
    sqlite3_reset(st);
    return 0;
}

static void s_col(char *dst, size_t n, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, n, "%s", t ? (const char *)t : "");
}

/* Methods are few and static; map the stored name back to a literal so the
 * signal stays valid after the statement moves on. */
static const char *s_method(const unsigned char *m)
{
    static const char *const known[] = {"maxsprt-poisson", "maxsprt-binomial",
                                        "cusum-bernoulli",
                                        "disproportionality"};
    for (size_t i = 0; m && i < sizeof known / sizeof known[0]; i++)
        if (strcmp((const char *)m, known[i]) == 0)
            return known[i];
    return "unknown";
}

static void s_row(sqlite3_stmt *st, struct eng_signal *s)
{
    s->id = sqlite3_column_int64(st, 0);
    s_col(s->product_code, sizeof s->product_code, st, 1);
    s_col(s->event_code, sizeof s->event_code, st, 2);
    s->method = s_method(sqlite3_column_text(st, 3));
    s->statistic = sqlite3_column_double(st, 4);
    s->threshold = sqlite3_column_double(st, 5);
    s->observed = sqlite3_column_int64(st, 6);
    s->expected = sqlite3_column_double(st, 7);
    s->ts_event = sqlite3_column_int64(st, 8);
    s_col(s->source, sizeof s->source, st, 9);
    s->epoch = sqlite3_column_int64(st, 10);
    s->seq = sqlite3_column_int64(st, 11);
    s_col(s->params, sizeof s->params, st, 12);
    s_col(s->plan, sizeof s->plan, st, 13);
    s_col(s->device, sizeof s->device, st, 1);
    s_col(s->rules, sizeof s->rules, st, 14);
    s_col(s->plans, sizeof s->plans, st, 15);
    s->generation = sqlite3_column_int64(st, 16);
}

int eng_store_signals_each(eng_store_t *self,
                           int (*fn)(void *arg, const struct eng_signal *s),
                           void *arg)
{
    sqlite3_stmt *st = eng_store_stmt(self, s_sql_signals);
    if (!st)
        return DS_ESTORE;
    int rc, stop = 0;
    struct eng_signal s;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        s_row(st, &s);
        stop = fn(arg, &s);
    }
    sqlite3_reset(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}
