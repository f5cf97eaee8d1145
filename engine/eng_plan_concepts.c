/*
 * eng_plan_concepts.c - the concept tables plans are checked and matched
 * against, read from a rule tree (eng_plan_impl.h): product code ->
 * regulation number from concepts/device_class.tsv, IMDRF code -> parent
 * codes from the four IMDRF concept files.
 *
 * Files are read with eng_tsv; '#' lines are the provenance header, the
 * first other row names the columns ("code", "regulation", "parents"), so
 * a column added by the generator does not break this reader. The full
 * validation of these files is nlp_rules' job (devsurv check-rules); here a
 * row only has to be usable: a code that fits, at most
 * ENG_PLAN_PARENTS_MAX parents.
 *
 * Not here: terms, context, identifiers; the rule-set hash.
 */
#include "eng_plan_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_imdrf[] = {
    "concepts/device_component.tsv", "concepts/device_problem.tsv",
    "concepts/health_effect.tsv", "concepts/health_impact.tsv"};

/* Reading one file: its columns and where rows go. */
struct s_read {
    struct eng_plan_concepts *c;
    const char *rel;
    bool dc;          /* device_class.tsv, else an IMDRF file */
    long code, extra; /* column indexes; extra = regulation or parents */
    size_t *cap;      /* of the array rows go to */
};

static int s_copy(char *out, size_t size, struct ds_span v)
{
    if (v.n >= size)
        return -1;
    memcpy(out, v.p, v.n);
    out[v.n] = '\0';
    return 0;
}

static int s_parents(struct eng_plan_term *t, struct ds_span v)
{
    t->nparents = 0;
    for (size_t i = 0; i < v.n;) {
        const char *semi = memchr(v.p + i, ';', v.n - i);
        size_t e = semi ? (size_t)(semi - v.p) : v.n;
        if (t->nparents == ENG_PLAN_PARENTS_MAX ||
            s_copy(t->parents[t->nparents++], ENG_PLAN_CODE_MAX,
                   (struct ds_span){v.p + i, e - i}))
            return -1;
        i = e + 1;
    }
    return 0;
}

static int s_row(struct s_read *r, const struct ds_span *f, size_t line,
                 struct ds_diag *diag)
{
    struct eng_plan_concepts *c = r->c;
    int bad = 0;
    if (r->dc) {
        if (ds_grow((void **)&c->dc, r->cap, c->ndc + 1, sizeof *c->dc))
            return DS_ENOMEM;
        struct eng_plan_dc *d = &c->dc[c->ndc];
        bad = s_copy(d->code, sizeof d->code, f[r->code]) ||
              s_copy(d->reg, sizeof d->reg, f[r->extra]);
        c->ndc += !bad;
    } else {
        if (ds_grow((void **)&c->terms, r->cap, c->nterms + 1,
                    sizeof *c->terms))
            return DS_ENOMEM;
        struct eng_plan_term *t = &c->terms[c->nterms];
        bad = s_copy(t->code, sizeof t->code, f[r->code]) ||
              s_parents(t, f[r->extra]);
        c->nterms += !bad;
    }
    if (bad)
        return ds_diag_set_code(diag, DS_ECONFIG, r->rel, (int)line,
                                "code or parents too long for a plan");
    return 0;
}

static int s_header(struct s_read *r, const struct ds_span *f, size_t n,
                    size_t line, struct ds_diag *diag)
{
    bool dc = r->dc;
    r->code = eng_tsv_find(f, n, "code");
    r->extra = eng_tsv_find(f, n, dc ? "regulation" : "parents");
    if (r->code < 0 || r->extra < 0)
        return ds_diag_set_code(diag, DS_ECONFIG, r->rel, (int)line,
                                "header lacks the code or %s column",
                                dc ? "regulation" : "parents");
    return 0;
}

static int s_records(struct s_read *r, eng_tsv_t *t, struct ds_diag *diag)
{
    const struct ds_span *f;
    size_t n;
    int rc;
    r->code = -1;
    while ((rc = eng_tsv_next(t, &f, &n, diag)) == 1) {
        size_t line = eng_tsv_line(t);
        if (f[0].n > 0 && f[0].p[0] == '#')
            continue;
        if (n == 1 && f[0].n == 0)
            continue;
        if (r->code < 0)
            rc = s_header(r, f, n, line, diag);
        else if ((size_t)r->code >= n || (size_t)r->extra >= n)
            rc = ds_diag_set_code(diag, DS_ECONFIG, r->rel, (int)line,
                                  "row has %zu fields", n);
        else
            rc = s_row(r, f, line, diag);
        if (rc)
            return rc;
    }
    return rc == DS_ENOMEM || rc == DS_EIO ? rc : rc < 0 ? DS_ECONFIG : 0;
}

static int s_file(struct s_read *r, const char *dir, struct ds_diag *diag)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, r->rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "cannot open: %s",
                                strerror(errno));
    eng_tsv_t *t = eng_tsv_new_file(r->rel, f);
    int rc = t ? s_records(r, t, diag) : DS_ENOMEM;
    eng_tsv_destroy(&t);
    fclose(f);
    return rc;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

int eng_plan_concepts_load(struct eng_plan_concepts *c, const char *rules_dir,
                           struct ds_diag *diag)
{
    size_t capdc = 0, capterms = 0;
    memset(c, 0, sizeof *c);
    struct s_read r = {c, "concepts/device_class.tsv", true, -1, -1, &capdc};
    int rc = s_file(&r, rules_dir, diag);
    for (size_t i = 0; rc == 0 && i < sizeof s_imdrf / sizeof *s_imdrf; i++) {
        r = (struct s_read){c, s_imdrf[i], false, -1, -1, &capterms};
        rc = s_file(&r, rules_dir, diag);
    }
    if (rc) {
        eng_plan_concepts_clear(c);
        return rc;
    }
    if (c->ndc)
        qsort(c->dc, c->ndc, sizeof *c->dc, s_cmp);
    if (c->nterms)
        qsort(c->terms, c->nterms, sizeof *c->terms, s_cmp);
    return 0;
}

void eng_plan_concepts_clear(struct eng_plan_concepts *c)
{
    ds_free(c->dc);
    ds_free(c->terms);
    memset(c, 0, sizeof *c);
}

/* bsearch over n records of size sz whose first member is a code. */
static const void *s_find(const void *base, size_t n, size_t sz,
                          struct ds_span code)
{
    size_t lo = 0, hi = code.n ? n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = (const char *)base + mid * sz;
        int d = ds_str_cmp_span(k, code);
        if (d == 0)
            return k;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct eng_plan_dc *
eng_plan_concepts_dc(const struct eng_plan_concepts *c, struct ds_span code)
{
    return c->ndc ? s_find(c->dc, c->ndc, sizeof *c->dc, code) : NULL;
}

const struct eng_plan_term *
eng_plan_concepts_term(const struct eng_plan_concepts *c, struct ds_span code)
{
    return c->nterms ? s_find(c->terms, c->nterms, sizeof *c->terms, code)
                     : NULL;
}
