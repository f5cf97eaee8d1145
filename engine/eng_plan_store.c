/*
 * eng_plan_store.c - SQL of the plan rows other than cells (see
 * eng_plan_store.h).
 */
#include "devsurv/eng_plan_store.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

#define S_DAY_MS (86400000LL)
#define S_PAGE   64 /* due trials handled per query (LIMIT below) */

static const char s_sql_expo_read[] =
    "SELECT product_code, brand, model, udi_di, ts FROM patient_devices"
    " WHERE patient = ? AND ts <= ? ORDER BY ts DESC, source, epoch, seq"
    " LIMIT 256";
static const char s_sql_expo_dup[] =
    "SELECT 1 FROM patient_devices WHERE patient = ? AND ts > ? AND ts < ?"
    " AND product_code = ? AND brand = ? AND model = ? LIMIT 1";
static const char s_sql_expo_put[] =
    "INSERT OR IGNORE INTO patient_devices(patient, ts, product_code, brand,"
    " model, udi_di, source, epoch, seq) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char s_sql_episode_find[] =
    "SELECT 1 FROM episodes WHERE plan = ? AND event = ? AND patient = ?"
    " AND ts > ? AND ts < ? LIMIT 1";
static const char s_sql_episode_put[] =
    "INSERT OR IGNORE INTO episodes(plan, event, patient, ts)"
    " VALUES(?, ?, ?, ?)";
static const char s_sql_trial_open[] =
    "INSERT OR IGNORE INTO trials(plan, device, event, patient, ts, closes)"
    " VALUES(?, ?, ?, ?, ?, ?)";
static const char s_sql_trial_hit[] =
    "DELETE FROM trials WHERE plan = ? AND device = ? AND event = ?"
    " AND patient = ? AND ts = ?";
static const char s_sql_trials_due[] =
    "SELECT plan, device, event, patient, ts FROM trials WHERE closes < ?"
    " ORDER BY closes, plan, device, event, patient, ts LIMIT 64";
static const char s_sql_contrib[] =
    "INSERT OR IGNORE INTO contributions(plan, device, event, role, source,"
    " epoch, seq, mention, link, ts) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char s_sql_late[] =
    "INSERT OR IGNORE INTO late_events(source, epoch, seq, ts_event,"
    " watermark) VALUES(?, ?, ?, ?, ?)";
static const char s_sql_ruleset[] =
    "INSERT OR IGNORE INTO rulesets(sha256, kind, files, ts)"
    " VALUES(?, ?, ?, ?)";
static const char s_sql_max_ts[] = "SELECT coalesce(max(ts_event), 0)"
                                   " FROM events";

static void s_text(sqlite3_stmt *st, int i, struct ds_span s)
{
    sqlite3_bind_text(st, i, s.p ? s.p : "", (int)s.n, SQLITE_STATIC);
}

static int s_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

/* Step a probe: 1 row, 0 none, DS_ESTORE. */
static int s_probe(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

void eng_plan_expo_clear(struct eng_plan_expo *x)
{
    ds_free(x->v);
    ds_free(x->text);
    memset(x, 0, sizeof *x);
}

/* Copy column i's text into x->text; its offset, or -1 on no memory. */
static ptrdiff_t s_keep(struct eng_plan_expo *x, sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    if (x->ntext + n > x->captext) {
        size_t cap = x->captext ? x->captext : 1024;
        while (cap < x->ntext + n)
            cap *= 2;
        char *t = ds_realloc(x->text, cap);
        if (!t)
            return -1;
        x->text = t;
        x->captext = cap;
    }
    if (n)
        memcpy(x->text + x->ntext, s, n);
    x->ntext += n;
    return (ptrdiff_t)(x->ntext - n);
}

int eng_plan_expo_read(eng_store_t *store, struct ds_span patient, int64_t ts,
                       struct eng_plan_expo *x)
{
    /* offsets first (text may move while growing), spans after */
    ptrdiff_t off[256][4];
    size_t len[256][4];
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_expo_read);
    x->n = x->ntext = 0;
    if (!st)
        return DS_ESTORE;
    s_text(st, 1, patient);
    sqlite3_bind_int64(st, 2, ts);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && x->n < 256) {
        if (x->n == x->cap) {
            size_t cap = x->cap ? x->cap * 2 : 8;
            struct eng_link_exposure *v = ds_realloc(x->v, cap * sizeof *v);
            if (!v) {
                rc = DS_ENOMEM;
                break;
            }
            x->v = v;
            x->cap = cap;
        }
        for (int i = 0; i < 4; i++) {
            len[x->n][i] = (size_t)sqlite3_column_bytes(st, i);
            if ((off[x->n][i] = s_keep(x, st, i)) < 0)
                rc = DS_ENOMEM;
        }
        x->v[x->n++].ts = sqlite3_column_int64(st, 4);
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = DS_ESTORE;
    sqlite3_reset(st);
    for (size_t j = 0; rc == 0 && j < x->n; j++) {
        struct ds_span *f[4] = {&x->v[j].dev.product_code, &x->v[j].dev.brand,
                                &x->v[j].dev.model, &x->v[j].dev.udi_di};
        for (int i = 0; i < 4; i++)
            *f[i] = (struct ds_span){x->text + off[j][i], len[j][i]};
    }
    return rc;
}

int eng_plan_expo_put(eng_store_t *store, struct ds_span patient, int64_t ts,
                      const struct eng_plan_device *d,
                      const struct eng_store_key *k, bool *dup)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_expo_dup);
    if (!st)
        return DS_ESTORE;
    s_text(st, 1, patient);
    sqlite3_bind_int64(st, 2, ts - S_DAY_MS);
    sqlite3_bind_int64(st, 3, ts + S_DAY_MS);
    s_text(st, 4, d->product_code);
    s_text(st, 5, d->brand);
    s_text(st, 6, d->model);
    int rc = s_probe(st);
    if (rc < 0)
        return rc;
    if ((*dup = rc == 1))
        return 0;
    if (!(st = eng_store_stmt(store, s_sql_expo_put)))
        return DS_ESTORE;
    s_text(st, 1, patient);
    sqlite3_bind_int64(st, 2, ts);
    s_text(st, 3, d->product_code);
    s_text(st, 4, d->brand);
    s_text(st, 5, d->model);
    s_text(st, 6, d->udi_di);
    s_text(st, 7, k->source);
    sqlite3_bind_int64(st, 8, k->epoch);
    sqlite3_bind_int64(st, 9, k->seq);
    return s_done(st);
}

int eng_plan_episode(eng_store_t *store, const char *plan, const char *event,
                     struct ds_span patient, int64_t anchor, int64_t window_ms,
                     bool *counted)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_episode_find);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
    s_text(st, 3, patient);
    sqlite3_bind_int64(st, 4, anchor - window_ms);
    sqlite3_bind_int64(st, 5, anchor + window_ms);
    int rc = s_probe(st);
    if (rc < 0)
        return rc;
    if (!(*counted = rc == 0))
        return 0;
    if (!(st = eng_store_stmt(store, s_sql_episode_put)))
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
    s_text(st, 3, patient);
    sqlite3_bind_int64(st, 4, anchor);
    return s_done(st);
}

static void s_trial_key(sqlite3_stmt *st, const char *plan,
                        struct ds_span device, const char *event,
                        struct ds_span patient, int64_t ts)
{
    sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
    s_text(st, 2, device);
    sqlite3_bind_text(st, 3, event, -1, SQLITE_STATIC);
    s_text(st, 4, patient);
    sqlite3_bind_int64(st, 5, ts);
}

int eng_plan_trial_open(eng_store_t *store, const char *plan,
                        struct ds_span device, const char *event,
                        struct ds_span patient, int64_t ts, int64_t closes)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_trial_open);
    if (!st)
        return DS_ESTORE;
    s_trial_key(st, plan, device, event, patient, ts);
    sqlite3_bind_int64(st, 6, closes);
    return s_done(st);
}

int eng_plan_trial_hit(eng_store_t *store, const char *plan,
                       struct ds_span device, const char *event,
                       struct ds_span patient, int64_t ts, bool *found)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_trial_hit);
    if (!st)
        return DS_ESTORE;
    s_trial_key(st, plan, device, event, patient, ts);
    int rc = s_done(st);
    *found = rc == 0 && sqlite3_changes(eng_store_db(store)) > 0;
    return rc;
}

/* One page of due trials: copy keys out, delete them, then call fn. */
static int s_close_page(eng_store_t *store, int64_t watermark,
                        eng_plan_trial_fn *fn, void *arg, size_t *n)
{
    struct {
        char plan[64], device[128], event[16], patient[128];
        int64_t ts;
    } due[S_PAGE];
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_trials_due);
    *n = 0;
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_int64(st, 1, watermark);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < S_PAGE) {
        char *dst[4] = {due[*n].plan, due[*n].device, due[*n].event,
                        due[*n].patient};
        size_t cap[4] = {64, 128, 16, 128};
        for (int i = 0; i < 4; i++) {
            const char *s = (const char *)sqlite3_column_text(st, i);
            snprintf(dst[i], cap[i], "%s", s ? s : "");
        }
        due[(*n)++].ts = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        return DS_ESTORE;
    for (size_t i = 0; i < *n; i++) {
        bool found;
        int rc = eng_plan_trial_hit(
            store, due[i].plan, ds_span_str(due[i].device), due[i].event,
            ds_span_str(due[i].patient), due[i].ts, &found);
        if (rc == 0 && found)
            rc = fn(arg, due[i].plan, due[i].device, due[i].event);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int eng_plan_trials_close(eng_store_t *store, int64_t watermark,
                          eng_plan_trial_fn *fn, void *arg)
{
    size_t n;
    int rc;
    do
        rc = s_close_page(store, watermark, fn, arg, &n);
    while (rc == 0 && n == S_PAGE);
    return rc;
}

int eng_plan_contribution(eng_store_t *store, const char *plan,
                          struct ds_span device, const char *event,
                          bool comparator, const struct eng_store_key *k,
                          int64_t mention, const char *link, int64_t ts)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_contrib);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
    s_text(st, 2, device);
    sqlite3_bind_text(st, 3, event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, comparator ? "comp_event" : "event", -1,
                      SQLITE_STATIC);
    s_text(st, 5, k->source);
    sqlite3_bind_int64(st, 6, k->epoch);
    sqlite3_bind_int64(st, 7, k->seq);
    sqlite3_bind_int64(st, 8, mention);
    sqlite3_bind_text(st, 9, link, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, ts);
    return s_done(st);
}

int eng_plan_late_put(eng_store_t *store, const struct eng_store_key *k,
                      int64_t ts, int64_t watermark)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_late);
    if (!st)
        return DS_ESTORE;
    s_text(st, 1, k->source);
    sqlite3_bind_int64(st, 2, k->epoch);
    sqlite3_bind_int64(st, 3, k->seq);
    sqlite3_bind_int64(st, 4, ts);
    sqlite3_bind_int64(st, 5, watermark);
    return s_done(st);
}

int eng_plan_ruleset_put(eng_store_t *store, const char *sha, const char *kind,
                         const char *files, int64_t ts)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_ruleset);
    if (!st)
        return DS_ESTORE;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, files, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ts);
    return s_done(st);
}

int eng_plan_max_ts(eng_store_t *store, int64_t *ts)
{
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_max_ts);
    *ts = 0;
    if (!st)
        return DS_ESTORE;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *ts = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : DS_ESTORE;
}
