/*
 * eng_plan_cells.c - plan cells in memory: a growable array with an
 * open-addressing index on (plan, device, event), loaded from and saved
 * to plan_cells / plan_series (see eng_plan_cells.h).
 */
#include "devsurv/eng_plan_cells.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <math.h>
#include <string.h>

#define S_STATE_MAX 512 /* packed eng_plan_cell */

struct eng_plan_cells {
    const eng_plan_set_t *set;
    struct eng_pcell *v;
    size_t n, cap;
    uint32_t *idx; /* cell index + 1, 0 = empty; size nidx (power of 2) */
    size_t nidx;
};

static const char s_sql_load[] =
    "SELECT c.plan, c.device, c.event, c.threshold, c.generation,"
    " c.last_ts, c.state, (SELECT count(*) FROM plan_series s"
    "  WHERE s.plan = c.plan AND s.device = c.device AND s.event = c.event)"
    " FROM plan_cells c ORDER BY c.plan, c.device, c.event";
static const char s_sql_put[] =
    "INSERT OR REPLACE INTO plan_cells(plan, device, event, observed,"
    " expected, exposures, comp_events, comp_exposures, statistic,"
    " threshold, status, generation, last_ts, state)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char s_sql_series[] =
    "INSERT OR REPLACE INTO plan_series(plan, device, event, n, ts,"
    " observed, expected, statistic, threshold)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";

eng_plan_cells_t *eng_plan_cells_new(const eng_plan_set_t *set)
{
    eng_plan_cells_t *self = ds_calloc(1, sizeof *self);
    if (self)
        self->set = set;
    return self;
}

void eng_plan_cells_destroy(eng_plan_cells_t **self_p)
{
    eng_plan_cells_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    ds_free(self->v);
    ds_free(self->idx);
    ds_free(self);
    *self_p = NULL;
}

static uint64_t s_hash(size_t plan, struct ds_span device, const char *event)
{
    uint64_t h = 1469598103934665603ULL ^ plan;
    for (size_t i = 0; i < device.n; i++)
        h = (h ^ (unsigned char)device.p[i]) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *e = event; *e; e++)
        h = (h ^ (unsigned char)*e) * 1099511628211ULL;
    return h;
}

static bool s_is(const struct eng_pcell *c, size_t plan, struct ds_span device,
                 const char *event)
{
    return c->plan == plan && ds_str_cmp_span(c->device, device) == 0 &&
           strcmp(c->event, event) == 0;
}

static void s_index_put(eng_plan_cells_t *self, size_t i)
{
    const struct eng_pcell *c = &self->v[i];
    size_t mask = self->nidx - 1;
    size_t h = (size_t)s_hash(c->plan, ds_span_str(c->device), c->event);
    while (self->idx[h & mask])
        h++;
    self->idx[h & mask] = (uint32_t)i + 1;
}

static int s_reindex(eng_plan_cells_t *self, size_t nidx)
{
    uint32_t *idx = ds_calloc(nidx, sizeof *idx);
    if (!idx)
        return DS_ENOMEM;
    ds_free(self->idx);
    self->idx = idx;
    self->nidx = nidx;
    for (size_t i = 0; i < self->n; i++)
        s_index_put(self, i);
    return 0;
}

struct eng_pcell *eng_plan_cells_get(eng_plan_cells_t *self, size_t plan,
                                     struct ds_span device, const char *event,
                                     bool create, int *err)
{
    if (self->nidx) {
        size_t mask = self->nidx - 1;
        for (size_t h = (size_t)s_hash(plan, device, event);; h++) {
            uint32_t k = self->idx[h & mask];
            if (!k)
                break;
            if (s_is(&self->v[k - 1], plan, device, event))
                return &self->v[k - 1];
        }
    }
    if (!create)
        return NULL;
    if (device.n >= ENG_PLAN_DEVICE_MAX || strlen(event) >= ENG_PLAN_CODE_MAX) {
        *err = DS_EINVAL;
        return NULL;
    }
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 64;
        struct eng_pcell *v = ds_realloc(self->v, cap * sizeof *v);
        if (!v) {
            *err = DS_ENOMEM;
            return NULL;
        }
        self->v = v;
        self->cap = cap;
    }
    if ((self->n + 1) * 2 > self->nidx &&
        s_reindex(self, self->nidx ? self->nidx * 2 : 128) != 0) {
        *err = DS_ENOMEM;
        return NULL;
    }
    struct eng_pcell *c = &self->v[self->n];
    memset(c, 0, sizeof *c);
    c->plan = plan;
    memcpy(c->device, device.p, device.n);
    strcpy(c->event, event);
    eng_plan_cell_init(&c->st);
    c->dirty = true;
    s_index_put(self, self->n++);
    return c;
}

size_t eng_plan_cells_count(const eng_plan_cells_t *self)
{
    return self->n;
}

struct eng_pcell *eng_plan_cells_at(eng_plan_cells_t *self, size_t i)
{
    return i < self->n ? &self->v[i] : NULL;
}

static int s_load_row(eng_plan_cells_t *self, sqlite3_stmt *st)
{
    const char *plan = (const char *)sqlite3_column_text(st, 0);
    size_t pi = eng_plan_set_find(self->set, plan ? plan : "");
    if (pi == SIZE_MAX)
        return 0;
    const char *dev = (const char *)sqlite3_column_text(st, 1);
    const char *ev = (const char *)sqlite3_column_text(st, 2);
    int err = 0;
    struct eng_pcell *c = eng_plan_cells_get(
        self, pi, ds_span_str(dev ? dev : ""), ev ? ev : "", true, &err);
    if (!c)
        return err;
    c->threshold = sqlite3_column_double(st, 3);
    c->generation = sqlite3_column_int64(st, 4);
    c->last_ts = sqlite3_column_int64(st, 5);
    c->series_n = sqlite3_column_int64(st, 7);
    c->dirty = false;
    const void *blob = sqlite3_column_blob(st, 6);
    size_t n = (size_t)sqlite3_column_bytes(st, 6);
    return eng_plan_cell_unpack(&c->st, blob, n) == 0 ? 0 : DS_EPARSE;
}

int eng_plan_cells_load(eng_plan_cells_t *self, eng_store_t *store)
{
    self->n = 0;
    if (self->nidx)
        memset(self->idx, 0, self->nidx * sizeof *self->idx);
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_load);
    if (!st)
        return DS_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = s_load_row(self, st);
    if (rc == 0 && step != SQLITE_DONE)
        rc = DS_ESTORE;
    sqlite3_reset(st);
    return rc;
}

static void s_bind_key(sqlite3_stmt *st, const char *plan,
                       const struct eng_pcell *c)
{
    sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->event, -1, SQLITE_STATIC);
}

/* The statistic columns are NOT NULL and SQLite binds NaN as NULL: a
 * statistic that cannot be estimated (a PRR with c = 0, eng_disprop.h)
 * is shown as 0 there; the state blob keeps the NaN. */
static void s_bind_stat(sqlite3_stmt *st, int i, double v)
{
    sqlite3_bind_double(st, i, isnan(v) ? 0 : v);
}

static int s_step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : DS_ESTORE;
}

static int s_save(eng_store_t *store, const char *plan, struct eng_pcell *c)
{
    uint8_t blob[S_STATE_MAX];
    size_t nb = eng_plan_cell_pack(&c->st, blob, sizeof blob);
    sqlite3_stmt *st = eng_store_stmt(store, s_sql_put);
    if (!st || nb == 0 || nb > sizeof blob)
        return DS_ESTORE;
    s_bind_key(st, plan, c);
    sqlite3_bind_int64(st, 4, c->st.observed);
    sqlite3_bind_double(st, 5, c->st.expected);
    sqlite3_bind_int64(st, 6, c->st.exposures);
    sqlite3_bind_int64(st, 7, c->st.comp_events);
    sqlite3_bind_int64(st, 8, c->st.comp_exposures);
    s_bind_stat(st, 9, c->st.statistic);
    sqlite3_bind_double(st, 10, c->threshold);
    sqlite3_bind_text(st, 11, eng_plan_cell_status_name(c->st.status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, c->generation);
    sqlite3_bind_int64(st, 13, c->last_ts);
    sqlite3_bind_blob(st, 14, blob, (int)nb, SQLITE_TRANSIENT);
    int rc = s_step(st);
    if (rc != 0 || !(st = eng_store_stmt(store, s_sql_series)))
        return DS_ESTORE;
    s_bind_key(st, plan, c);
    sqlite3_bind_int64(st, 4, c->series_n + 1);
    sqlite3_bind_int64(st, 5, c->last_ts);
    sqlite3_bind_int64(st, 6, c->st.observed);
    sqlite3_bind_double(st, 7, c->st.expected);
    s_bind_stat(st, 8, c->st.statistic);
    sqlite3_bind_double(st, 9, c->threshold);
    if ((rc = s_step(st)) == 0) {
        c->series_n++;
        c->dirty = false;
    }
    return rc;
}

int eng_plan_cells_save(eng_plan_cells_t *self, eng_store_t *store)
{
    for (size_t i = 0; i < self->n; i++) {
        struct eng_pcell *c = &self->v[i];
        if (!c->dirty)
            continue;
        int rc = s_save(store, eng_plan_set_get(self->set, c->plan)->id, c);
        if (rc != 0)
            return rc;
    }
    return 0;
}
