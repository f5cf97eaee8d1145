/*
 * eng_publish_cells.c - stats.<PRODUCT>.<EVENT> messages: which cells did
 * committed batches change (see eng_publish.h, "Stats are coalesced").
 *
 * The pipeline does not report the cells a batch touched, and an exposure
 * changes the expected count of every watching cell of its product, so the
 * fan-out keeps a mirror of the cells as last published and, after
 * commits, reads the whole cells table in primary-key order and merges it
 * with the mirror in one pass: a row that is new or whose observed,
 * expected, llr or status differs is published, and the rows read become
 * the next mirror (two buffers swapped: no allocation in steady state).
 * The next scan is allowed after max(ENG_PUBLISH_STATS_MS, 10 x this
 * scan's duration), which bounds the scan's share of the loop.
 *
 * Not here: a per-batch change log (would replace the scan if cells grow
 * to millions).
 */
#include "eng_publish_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

static const char s_sql_cells[] =
    "SELECT product_code, event_code, observed, expected, llr, status"
    " FROM cells ORDER BY product_code, event_code";

static enum eng_cell_status s_status(const unsigned char *t)
{
    for (int st = ENG_CELL_WATCHING; st <= ENG_CELL_ENDED; st++)
        if (t && strcmp((const char *)t, eng_cell_status_name(st)) == 0)
            return (enum eng_cell_status)st;
    return ENG_CELL_WATCHING;
}

static void s_code(char *dst, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, ENG_CODE_MAX, "%s", t ? (const char *)t : "");
}

static void s_row(sqlite3_stmt *st, struct eng_cell *c)
{
    s_code(c->product_code, st, 0);
    s_code(c->event_code, st, 1);
    c->observed = sqlite3_column_int64(st, 2);
    c->expected = sqlite3_column_double(st, 3);
    c->llr = sqlite3_column_double(st, 4);
    c->status = s_status(sqlite3_column_text(st, 5));
}

static int s_key_cmp(const struct eng_cell *a, const struct eng_cell *b)
{
    int d = strcmp(a->product_code, b->product_code);
    return d ? d : strcmp(a->event_code, b->event_code);
}

static bool s_same(const struct eng_cell *a, const struct eng_cell *b)
{
    return a->observed == b->observed && a->expected == b->expected &&
           a->llr == b->llr && a->status == b->status;
}

json_t *eng_publish_cell_json(const struct eng_cell *c)
{
    return json_pack("{s:s, s:s, s:I, s:f, s:f, s:s}", "product_code",
                     c->product_code, "event_code", c->event_code, "observed",
                     (json_int_t)c->observed, "expected", c->expected, "llr",
                     c->llr, "status", eng_cell_status_name(c->status));
}

static int s_stats(eng_publish_t *self, const struct eng_cell *c)
{
    char topic[ENG_PUBLISH_TOPIC_MAX];
    snprintf(topic, sizeof topic, "stats.%s.%s", c->product_code,
             c->event_code);
    json_t *b = eng_publish_body(self);
    if (!b || json_object_update_new(b, eng_publish_cell_json(c)) != 0) {
        json_decref(b);
        return DS_ENOMEM;
    }
    return eng_publish_send(self, topic, b);
}

/* Was row c (the scan's next, in key order) unchanged since the mirror?
 * Advances *i past mirror rows that sort before it. */
static bool s_unchanged(const struct eng_publish_cells *old, size_t *i,
                        const struct eng_cell *c)
{
    while (*i < old->n && s_key_cmp(&old->v[*i], c) < 0)
        (*i)++;
    return *i < old->n && s_key_cmp(&old->v[*i], c) == 0 &&
           s_same(&old->v[*i], c);
}

/* Read the table into self->scratch; publish changes when publish. */
static int s_read(eng_publish_t *self, bool publish)
{
    sqlite3_stmt *st = eng_store_stmt(self->store, s_sql_cells);
    struct eng_publish_cells *out = &self->scratch;
    size_t i = 0;
    int rc = st ? 0 : DS_ESTORE, step = SQLITE_DONE;
    out->n = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = ds_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
        if (rc != 0)
            break;
        struct eng_cell *c = &out->v[out->n++];
        s_row(st, c);
        if (publish && !s_unchanged(&self->cells, &i, c))
            rc = s_stats(self, c);
    }
    if (st)
        sqlite3_reset(st);
    return rc != 0 ? rc : step == SQLITE_DONE ? 0 : DS_ESTORE;
}

static void s_swap(eng_publish_t *self)
{
    struct eng_publish_cells t = self->cells;
    self->cells = self->scratch;
    self->scratch = t;
}

int eng_publish_cells_load(eng_publish_t *self)
{
    int rc = s_read(self, false);
    if (rc == 0)
        s_swap(self);
    return rc;
}

int eng_publish_cells_scan(eng_publish_t *self, int64_t now_ms)
{
    int rc = s_read(self, self->pub != NULL);
    int64_t took = ds_mono_ms() - now_ms;
    self->next_scan_ms =
        now_ms +
        (took * 10 > ENG_PUBLISH_STATS_MS ? took * 10 : ENG_PUBLISH_STATS_MS);
    if (rc != 0)
        return rc; /* the mirror stays: the next scan publishes again */
    s_swap(self);
    self->cells_dirty = false;
    return 0;
}
