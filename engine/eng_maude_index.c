/*
 * eng_maude_index.c - a whole foidev or mdrfoi file kept in memory as
 * the few fields the envelope needs, sorted by report key
 * (eng_maude_impl.h).
 *
 * One row costs sizeof(struct eng_maude_ixrow) (24 bytes) plus, per kept
 * column, a 2-byte length and the field's UTF-8 bytes (cut to
 * ENG_MAUDE_FIELD_MAX) in one arena; lookups are binary searches. Lines
 * without a report key (a broken line, an unescaped line break) are
 * counted and skipped: a device or master row is optional to a report.
 * Not here: what the fields mean (eng_maude_json.c).
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdlib.h>
#include <string.h>

#define S_KEY "mdr_report_key"

void eng_maude_index_clear(struct eng_maude_index *ix)
{
    ds_free(ix->rows);
    ds_free(ix->arena);
    memset(ix, 0, sizeof *ix);
}

/* The header's column for each wanted name (-1 when absent). */
struct s_cols {
    long key, seq;
    long col[8];
};

static int s_header(struct eng_maude_rows *r, const char *const *cols,
                    size_t ncols, const char *seq_col, struct s_cols *c,
                    struct ds_diag *diag)
{
    int rc = eng_maude_rows_next(r, diag);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ds_diag_set(diag, r->name, 0,
                           "empty file (a header line is required)");
    if (eng_maude_rows_split(r, SIZE_MAX) != 0)
        return DS_ENOMEM;
    c->key = eng_maude_col(r->fields, r->nf, S_KEY);
    if (c->key < 0)
        return ds_diag_set(diag, r->name, 1,
                           "no " S_KEY " column in the header line");
    c->seq = seq_col ? eng_maude_col(r->fields, r->nf, seq_col) : -1;
    for (size_t i = 0; i < ncols; i++)
        c->col[i] = eng_maude_col(r->fields, r->nf, cols[i]);
    return (int)r->nf;
}

/* Append one field as [u16 len][UTF-8 bytes] to the arena. */
static int s_put(struct eng_maude_index *ix, struct ds_span v)
{
    size_t at = ix->an;
    if (ds_grow((void **)&ix->arena, &ix->acap, at + 2, 1))
        return DS_ENOMEM;
    ix->an = at + 2;
    if (eng_maude_utf8(v, ENG_MAUDE_FIELD_MAX, &ix->arena, &ix->acap, &ix->an))
        return DS_ENOMEM;
    uint16_t n = (uint16_t)(ix->an - at - 2);
    memcpy(ix->arena + at, &n, 2);
    return 0;
}

static int s_row(struct eng_maude_index *ix, struct eng_maude_rows *r,
                 const struct s_cols *c, uint64_t key)
{
    uint64_t seq = 0;
    if (eng_maude_key(eng_maude_rows_field(r, c->seq), &seq) != 0 ||
        seq > UINT32_MAX)
        seq = 0;
    if (ds_grow((void **)&ix->rows, &ix->cap, ix->n + 1, sizeof *ix->rows))
        return DS_ENOMEM;
    ix->rows[ix->n] =
        (struct eng_maude_ixrow){key, (uint32_t)seq, (uint32_t)ix->n, ix->an};
    for (size_t i = 0; i < ix->ncols; i++)
        if (s_put(ix, eng_maude_rows_field(r, c->col[i])) != 0)
            return DS_ENOMEM;
    ix->n++;
    return 0;
}

static int s_cmp(const void *a, const void *b)
{
    const struct eng_maude_ixrow *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void s_sort(struct eng_maude_index *ix)
{
    if (ix->n > 1)
        qsort(ix->rows, ix->n, sizeof *ix->rows, s_cmp);
    for (size_t i = 1; i < ix->n; i++)
        ix->duplicates += ix->rows[i].key == ix->rows[i - 1].key &&
                          ix->rows[i].seq == ix->rows[i - 1].seq;
}

static int s_body(struct eng_maude_index *ix, struct eng_maude_rows *r,
                  const struct s_cols *c, size_t nhdr, struct ds_diag *diag)
{
    int rc;
    uint64_t key;
    while ((rc = eng_maude_rows_next(r, diag)) != 0) {
        if (rc == DS_ETOOBIG) {
            ix->skipped++;
            continue;
        }
        if (rc < 0)
            return rc;
        if (r->len == 0)
            continue;
        if (eng_maude_rows_split(r, nhdr) != 0)
            return DS_ENOMEM;
        if (eng_maude_key(eng_maude_rows_field(r, c->key), &key) != 0) {
            ix->skipped++;
            continue;
        }
        if (s_row(ix, r, c, key) != 0)
            return DS_ENOMEM;
    }
    return 0;
}

int eng_maude_index_load(struct eng_maude_index *ix, FILE *f, const char *name,
                         const char *const *cols, size_t ncols,
                         const char *seq_col, struct ds_diag *diag)
{
    struct eng_maude_rows r;
    struct s_cols c = {-1, -1, {0}};
    memset(ix, 0, sizeof *ix);
    if (ncols > sizeof c.col / sizeof c.col[0])
        return DS_EINVAL;
    ix->ncols = ncols;
    eng_maude_rows_init(&r, f, name);
    int rc = s_header(&r, cols, ncols, seq_col, &c, diag);
    if (rc >= 0)
        rc = s_body(ix, &r, &c, (size_t)rc, diag);
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, name, (int)r.line, "out of memory");
    eng_maude_rows_clear(&r);
    if (rc == 0)
        s_sort(ix);
    return rc;
}

size_t eng_maude_index_find(const struct eng_maude_index *ix, uint64_t key,
                            size_t *first)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->rows[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < ix->n && ix->rows[e].key == key)
        e++;
    *first = lo;
    return e - lo;
}

struct ds_span eng_maude_index_get(const struct eng_maude_index *ix, size_t i,
                                   size_t c)
{
    const char *p = ix->arena + ix->rows[i].off;
    uint16_t n;
    for (size_t k = 0;; k++) {
        memcpy(&n, p, 2);
        if (k == c)
            return (struct ds_span){p + 2, n};
        p += 2 + n;
    }
}
