/*
 * eng_http_plans.c - the "plans" array of GET /api/plans: each plan seen
 * in plan_cells or signals with its number of cells and of signals and
 * the largest method and plan-set hash of its signals, ordered by plan,
 * at most 1000.
 *
 * Counting the signals of each plan reads every signal (~70 ms for
 * 100,000), so the server keeps the per-plan signal counts and maxima of
 * the signals with id <= max_id, and each request adds only the newer
 * ones. That is exact because signal rows are only ever appended
 * (eng_store_cells.c inserts; nothing updates or deletes them) and an id
 * is max(id) + 1 of the committed rows, so a later commit never adds an
 * id at or below one already seen. A store whose max(id) went down (a
 * different store at the same path) empties the cache. plan_cells rows
 * are upserted, not appended; they are counted on every request (a
 * covering scan of the primary key, ~1 ms for 10,000 cells). One SQL
 * statement reads the new signals, the cell counts and max(id), so they
 * come from one snapshot.
 *
 * The cache compares plans, methods and hashes as SQLite's BINARY
 * collation does (memcmp, then length), which holds for text only: when
 * any of them is not text, or there are more than S_MAX plans, the cache
 * is dropped and the request is answered by the plain SQL, eng_http_
 * plans_sql(), which is also the oracle of tests/engine/
 * test_eng_http_plans.c. The cache belongs to the server (h->plans,
 * freed by eng_http_plans_free from eng_http_db_drain at stop) and is
 * used under one process-wide mutex: a refresh is a few index lookups,
 * the first one a full count.
 *
 * Not here: the rest of /api/plans (eng_http_api_cells.c).
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX    4096 /* plans kept; more and the SQL answers alone */
#define S_OUTPUT 1000 /* plans listed */

struct s_text {
    char *p; /* NULL for SQL NULL */
    size_t n;
};

struct s_plan {
    struct s_text id, method, sha256;
    int64_t cells, signals;
};

struct eng_http_plans {
    int64_t max_id;   /* signals with id <= max_id are counted */
    struct s_plan *p; /* sorted by id, BINARY */
    size_t n, cap;
};

static pthread_mutex_t s_mu = PTHREAD_MUTEX_INITIALIZER;

static const char s_sql_plans[] =
    "SELECT plan, sum(c), sum(s), max(m), max(h) FROM ("
    " SELECT plan, count(*) AS c, 0 AS s, NULL AS m, NULL AS h"
    " FROM plan_cells GROUP BY plan UNION ALL"
    " SELECT plan, 0, count(*), max(method), max(plans) FROM signals"
    " WHERE plan <> '' GROUP BY plan)"
    " GROUP BY plan ORDER BY plan LIMIT 1000";
/* Kind 0: max(id) (first, so a shrink is seen before any row is merged);
 * 1: new signals per plan (the unary + keeps the planner on the rowid
 * range: through the (plan, ...) index it would read every signal);
 * 2: cells per plan. */
static const char s_sql_refresh[] =
    "SELECT 0, NULL, coalesce(max(id), ?2), NULL, NULL FROM signals"
    " UNION ALL SELECT 1, plan, count(*), max(method), max(plans)"
    " FROM signals WHERE id > ?1 AND +plan <> '' GROUP BY +plan"
    " UNION ALL SELECT 2, plan, count(*), NULL, NULL FROM plan_cells"
    " GROUP BY plan";

static json_t *s_json_text(const struct s_text *t)
{
    json_t *s = t->p ? json_stringn(t->p, t->n) : NULL;
    return s ? s : json_null();
}

static json_t *s_plan_json(const struct s_plan *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", s_json_text(&p->id));
    json_object_set_new(o, "cells", json_integer(p->cells));
    json_object_set_new(o, "signals", json_integer(p->signals));
    json_object_set_new(o, "method", s_json_text(&p->method));
    json_object_set_new(o, "sha256", s_json_text(&p->sha256));
    json_object_set_new(o, "title", json_null());
    json_object_set_new(o, "comparator", json_null());
    return o;
}

int eng_http_plans_sql(struct eng_http_req *r, json_t *arr)
{
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_plans);
    int rc;
    if (!st)
        return SQLITE_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *p = json_object();
        json_object_set_new(p, "id", eng_http_json_col(st, 0));
        json_object_set_new(p, "cells", eng_http_json_col(st, 1));
        json_object_set_new(p, "signals", eng_http_json_col(st, 2));
        json_object_set_new(p, "method", eng_http_json_col(st, 3));
        json_object_set_new(p, "sha256", eng_http_json_col(st, 4));
        json_object_set_new(p, "title", json_null());
        json_object_set_new(p, "comparator", json_null());
        json_array_append_new(arr, p);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

/* SQLite's BINARY collation. */
static int s_cmp_text(const struct s_text *a, const struct s_text *b)
{
    int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

static void s_plan_free(struct s_plan *p)
{
    ds_free(p->id.p);
    ds_free(p->method.p);
    ds_free(p->sha256.p);
}

static void s_reset(struct eng_http_plans *c)
{
    for (size_t i = 0; i < c->n; i++)
        s_plan_free(&c->p[i]);
    c->n = 0;
    c->max_id = INT64_MIN;
}

void eng_http_plans_free(eng_http_t *h)
{
    pthread_mutex_lock(&s_mu);
    if (h->plans) {
        s_reset(h->plans);
        ds_free(h->plans->p);
        ds_free(h->plans);
        h->plans = NULL;
    }
    pthread_mutex_unlock(&s_mu);
}

/* Column col as text (a borrowed view); false when it is not text. */
static bool s_col_text(sqlite3_stmt *st, int col, struct s_text *t)
{
    if (sqlite3_column_type(st, col) != SQLITE_TEXT)
        return false;
    t->p = (char *)sqlite3_column_text(st, col);
    t->n = (size_t)sqlite3_column_bytes(st, col);
    return t->p != NULL;
}

/* Keep the larger of *have and the view v (copied); false on OOM. */
static bool s_keep_max(struct s_text *have, const struct s_text *v)
{
    if (have->p && s_cmp_text(have, v) >= 0)
        return true;
    char *p = ds_malloc(v->n ? v->n : 1);
    if (!p)
        return false;
    memcpy(p, v->p, v->n);
    ds_free(have->p);
    have->p = p;
    have->n = v->n;
    return true;
}

/* The entry for plan id, inserted (counts 0) when new; NULL on OOM. */
static struct s_plan *s_find(struct s_plan **arr, size_t *n, size_t *cap,
                             const struct s_text *id, bool insert)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = s_cmp_text(&(*arr)[mid].id, id);
        if (c == 0)
            return &(*arr)[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!insert || ds_grow((void **)arr, cap, *n + 1, sizeof **arr) != 0)
        return NULL;
    struct s_plan *p = &(*arr)[lo];
    memmove(p + 1, p, (*n - lo) * sizeof *p);
    memset(p, 0, sizeof *p);
    (*n)++;
    if (!s_keep_max(&p->id, id)) {
        memmove(p, p + 1, (--*n - lo) * sizeof *p);
        return NULL;
    }
    return p;
}

/* Merge one kind-1 row (a plan's new signals); false when unusable. */
static bool s_merge_signals(struct eng_http_plans *c, sqlite3_stmt *st)
{
    struct s_text id, method, sha;
    if (!s_col_text(st, 1, &id) || !s_col_text(st, 3, &method) ||
        !s_col_text(st, 4, &sha) || c->n >= S_MAX)
        return false;
    struct s_plan *p = s_find(&c->p, &c->n, &c->cap, &id, true);
    if (!p || !s_keep_max(&p->method, &method) || !s_keep_max(&p->sha256, &sha))
        return false;
    p->signals += sqlite3_column_int64(st, 2);
    return true;
}

/* A cells row: its plan and count, copied into the request's list. */
static bool s_add_cells(struct s_plan **cells, size_t *n, size_t *cap,
                        sqlite3_stmt *st)
{
    struct s_text id;
    if (!s_col_text(st, 1, &id) || *n >= S_MAX)
        return false;
    struct s_plan *p = s_find(cells, n, cap, &id, true);
    if (!p)
        return false;
    p->cells += sqlite3_column_int64(st, 2);
    return true;
}

static void s_list_free(struct s_plan *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s_plan_free(&p[i]);
    ds_free(p);
}

/* Run the refresh statement: merge new signals into c, collect the
 * cells. 0, 1 when the store shrank (c reset: run again), -1 when the
 * cache cannot answer (c reset). */
static int s_refresh(struct eng_http_req *r, struct eng_http_plans *c,
                     struct s_plan **cells, size_t *ncells, size_t *cap)
{
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_refresh);
    int rc = SQLITE_DONE, out = 0;
    int64_t max_id = c->max_id;
    if (!st) {
        s_reset(c);
        return -1;
    }
    sqlite3_bind_int64(st, 1, c->max_id);
    sqlite3_bind_int64(st, 2, INT64_MIN);
    while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int kind = sqlite3_column_int(st, 0);
        if (kind == 0) {
            max_id = sqlite3_column_int64(st, 2);
            out = max_id < c->max_id ? 1 : 0;
        } else if (kind == 1)
            out = s_merge_signals(c, st) ? 0 : -1;
        else
            out = s_add_cells(cells, ncells, cap, st) ? 0 : -1;
    }
    if (out == 0 && rc != SQLITE_DONE)
        out = -1;
    sqlite3_reset(st);
    if (out != 0)
        s_reset(c);
    else
        c->max_id = max_id;
    return out;
}

/* Append the cached plans joined with the cell counts, in order. */
static int s_emit(const struct eng_http_plans *c, struct s_plan *cells,
                  size_t ncells, json_t *arr)
{
    size_t i = 0, j = 0;
    while ((i < c->n || j < ncells) && json_array_size(arr) < S_OUTPUT) {
        int d = i == c->n     ? 1
                : j == ncells ? -1
                              : s_cmp_text(&c->p[i].id, &cells[j].id);
        struct s_plan p = d <= 0 ? c->p[i] : cells[j];
        p.cells = d < 0 ? 0 : cells[j].cells;
        i += d <= 0;
        j += d >= 0;
        if (json_array_append_new(arr, s_plan_json(&p)) != 0)
            return SQLITE_NOMEM;
    }
    return 0;
}

/* The cached answer: 0, or -1 when the SQL must answer. */
static int s_cached(struct eng_http_req *r, json_t *arr)
{
    struct eng_http_plans *c = r->h->plans;
    struct s_plan *cells = NULL;
    size_t ncells = 0, cap = 0;
    int rc;
    if (!c) {
        if (!(c = r->h->plans = ds_calloc(1, sizeof *c)))
            return -1;
        c->max_id = INT64_MIN;
    }
    do {
        s_list_free(cells, ncells);
        cells = NULL;
        ncells = cap = 0;
        rc = s_refresh(r, c, &cells, &ncells, &cap);
    } while (rc == 1);
    if (rc == 0)
        rc = s_emit(c, cells, ncells, arr) == 0 ? 0 : -1;
    s_list_free(cells, ncells);
    return rc;
}

long eng_http_plans_cached(eng_http_t *h)
{
    pthread_mutex_lock(&s_mu);
    long n = h->plans ? (long)h->plans->n : -1;
    pthread_mutex_unlock(&s_mu);
    return n;
}

int eng_http_plans_list(struct eng_http_req *r, json_t *arr)
{
    pthread_mutex_lock(&s_mu);
    int rc = s_cached(r, arr);
    pthread_mutex_unlock(&s_mu);
    if (rc == 0)
        return 0;
    json_array_clear(arr);
    return eng_http_plans_sql(r, arr);
}
