/*
 * eng_plan_match.c - which devices and events a plan takes (eng_plan.h):
 * device group membership, the comparator family, the device key of a
 * cell, the plan event covering an IMDRF code, a product code's
 * regulation.
 *
 * Event cover: a plan event covers itself and every descendant; a code's
 * ancestors are walked through all its parents (IMDRF Annex E is a
 * polyhierarchy: E1205 Hyperglycemia has parents E12 and E22, so either
 * covers it and E120501 below it). When several plan events cover a code,
 * the one listed first wins, so each mention lands in one cell. The set
 * precomputes per plan the sorted array of every covered code (a few
 * hundred entries at most), and a lookup is one binary search with no
 * allocation; that is the per-mention hot path.
 *
 * Text comparison: product codes, brands and models compare ASCII
 * case-insensitively; UDI-DIs as GTIN-14 (a GTIN-8/12/13 is left padded
 * with zeros, as GS1 prescribes for a GTIN in a 14-digit field).
 *
 * Not here: parsing (eng_plan.c), loading and checks (eng_plan_set.c).
 */
#include "eng_plan_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DEPTH_MAX 8 /* IMDRF has 3 levels; a guard against cycles */

/* Case-insensitive (ASCII) equality of span a and string b; no strlen:
 * it runs for every list entry of every plan on every linked device. */
static bool s_ieq(struct ds_span a, const char *b)
{
    for (size_t i = 0; i < a.n; i++) {
        unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b[i];
        if (y == 0)
            return false;
        x = x >= 'A' && x <= 'Z' ? x + 32 : x;
        y = y >= 'A' && y <= 'Z' ? y + 32 : y;
        if (x != y)
            return false;
    }
    return b[a.n] == '\0';
}

static int s_event_index(const struct eng_plan *p, struct ds_span code)
{
    for (size_t i = 0; i < p->n_events; i++)
        if (ds_span_eq(code, p->events[i]))
            return (int)i;
    return -1;
}

static int s_walk(const struct eng_plan_concepts *c, const struct eng_plan *p,
                  struct ds_span code, int depth)
{
    int best = s_event_index(p, code);
    const struct eng_plan_term *t =
        depth ? eng_plan_concepts_term(c, code) : NULL;
    for (unsigned k = 0; t && k < t->nparents; k++) {
        int r = s_walk(c, p, ds_span_str(t->parents[k]), depth - 1);
        if (r >= 0 && (best < 0 || r < best))
            best = r;
    }
    return best;
}

int eng_plan_cover_walk(const struct eng_plan_concepts *c,
                        const struct eng_plan *p, struct ds_span code)
{
    return s_walk(c, p, code, S_DEPTH_MAX);
}

static int s_cmp_cover(const void *a, const void *b)
{
    return strcmp(((const struct eng_plan_cover *)a)->code,
                  ((const struct eng_plan_cover *)b)->code);
}

static int s_push_cover(struct eng_plan_ext *e, size_t *cap, const char *code,
                        int event)
{
    if (ds_grow((void **)&e->cover, cap, e->ncover + 1, sizeof *e->cover))
        return DS_ENOMEM;
    struct eng_plan_cover *v = &e->cover[e->ncover++];
    snprintf(v->code, sizeof v->code, "%s", code);
    v->event = (unsigned)event;
    return 0;
}

static void s_add_family(struct eng_plan_ext *e, const char *reg)
{
    if (!*reg)
        return;
    for (size_t i = 0; i < e->nfamily; i++)
        if (strcmp(e->family[i], reg) == 0)
            return;
    snprintf(e->family[e->nfamily++], ENG_PLAN_CODE_MAX, "%s", reg);
}

static void s_family(struct eng_plan_ext *e, const struct eng_plan_concepts *c,
                     const struct eng_plan *p)
{
    e->nfamily = 0;
    for (size_t i = 0; i < p->n_regulations; i++)
        s_add_family(e, p->regulations[i]);
    for (size_t i = 0; i < p->n_product_codes; i++) {
        const struct eng_plan_dc *d =
            eng_plan_concepts_dc(c, ds_span_str(p->product_codes[i]));
        if (d)
            s_add_family(e, d->reg);
    }
}

int eng_plan_ext_build(struct eng_plan_ext *e,
                       const struct eng_plan_concepts *c,
                       const struct eng_plan *p)
{
    size_t cap = 0;
    int rc = 0;
    memset(e, 0, sizeof *e);
    for (size_t i = 0; rc == 0 && i < c->nterms; i++) {
        int ev = eng_plan_cover_walk(c, p, ds_span_str(c->terms[i].code));
        if (ev >= 0)
            rc = s_push_cover(e, &cap, c->terms[i].code, ev);
    }
    /* plan events unknown to the concepts (no rule tree) cover themselves */
    for (size_t i = 0; rc == 0 && i < p->n_events; i++)
        if (!eng_plan_concepts_term(c, ds_span_str(p->events[i])))
            rc = s_push_cover(e, &cap, p->events[i], (int)i);
    if (rc) {
        ds_free(e->cover);
        memset(e, 0, sizeof *e);
        return rc;
    }
    if (e->ncover)
        qsort(e->cover, e->ncover, sizeof *e->cover, s_cmp_cover);
    s_family(e, c, p);
    return 0;
}

/* The set's precomputed data for p, NULL when p is not one of its plans. */
static const struct eng_plan_ext *s_ext(const eng_plan_set_t *self,
                                        const struct eng_plan *p)
{
    if (!self || self->n == 0 || p < self->plans || p >= self->plans + self->n)
        return NULL;
    return &self->ext[p - self->plans];
}

static const struct eng_plan_concepts *s_concepts(const eng_plan_set_t *self)
{
    static const struct eng_plan_concepts none;
    return self ? &self->concepts : &none;
}

static int s_cover_find(const struct eng_plan_ext *e, struct ds_span code)
{
    size_t lo = 0, hi = code.n && code.n < ENG_PLAN_CODE_MAX ? e->ncover : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = ds_str_cmp_span(e->cover[mid].code, code);
        if (d == 0)
            return (int)e->cover[mid].event;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *eng_plan_event_cover(const eng_plan_set_t *self,
                                 const struct eng_plan *p, struct ds_span code)
{
    const struct eng_plan_ext *e = s_ext(self, p);
    int i = e ? s_cover_find(e, code)
              : eng_plan_cover_walk(s_concepts(self), p, code);
    return i >= 0 ? p->events[i] : NULL;
}

size_t eng_plan_cover_count(const eng_plan_set_t *self,
                            const struct eng_plan *p)
{
    const struct eng_plan_ext *e = s_ext(self, p);
    return e ? e->ncover : 0;
}

const char *eng_plan_regulation(const eng_plan_set_t *self,
                                struct ds_span product_code)
{
    char up[3];
    if (product_code.n != 3)
        return "";
    for (size_t i = 0; i < 3; i++) {
        char ch = product_code.p[i];
        up[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
    }
    const struct eng_plan_dc *d =
        eng_plan_concepts_dc(s_concepts(self), (struct ds_span){up, 3});
    return d ? d->reg : "";
}

static bool s_in(struct ds_span v, const char *list, size_t n, size_t size)
{
    for (size_t i = 0; v.n && i < n; i++)
        if (s_ieq(v, list + i * size))
            return true;
    return false;
}

/* d's UDI-DI as GTIN-14 in out[15]; false when it is not a GTIN. */
static bool s_gtin14(struct ds_span v, char out[15])
{
    if (v.n != 8 && v.n != 12 && v.n != 13 && v.n != 14)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
    memset(out, '0', 14 - v.n);
    memcpy(out + 14 - v.n, v.p, v.n);
    out[14] = '\0';
    return true;
}

bool eng_plan_device_in(const eng_plan_set_t *self, const struct eng_plan *p,
                        const struct eng_plan_device *d)
{
    char gtin[15];
    const char *reg = eng_plan_regulation(self, d->product_code);
    if (s_in(d->product_code, p->product_codes[0], p->n_product_codes,
             sizeof p->product_codes[0]) ||
        (*reg && s_in(ds_span_str(reg), p->regulations[0], p->n_regulations,
                      sizeof p->regulations[0])) ||
        s_in(d->brand, p->brands[0], p->n_brands, sizeof p->brands[0]) ||
        s_in(d->model, p->models[0], p->n_models, sizeof p->models[0]))
        return true;
    return s_gtin14(d->udi_di, gtin) &&
           s_in((struct ds_span){gtin, 14}, p->udi_di[0], p->n_udi_di,
                sizeof p->udi_di[0]);
}

bool eng_plan_device_comparator(const eng_plan_set_t *self,
                                const struct eng_plan *p,
                                const struct eng_plan_device *d)
{
    if (p->comparator != ENG_PLAN_FAMILY)
        return false;
    const char *reg = eng_plan_regulation(self, d->product_code);
    if (!*reg || eng_plan_device_in(self, p, d))
        return false;
    const struct eng_plan_ext *e = s_ext(self, p);
    struct eng_plan_ext local;
    if (!e) {
        s_family(&local, s_concepts(self), p);
        e = &local;
    }
    for (size_t i = 0; i < e->nfamily; i++)
        if (strcmp(e->family[i], reg) == 0)
            return true;
    return false;
}

struct ds_span eng_plan_device_key(const struct eng_plan *p,
                                   const struct eng_plan_device *d)
{
    switch (p->group_by) {
    case ENG_PLAN_BY_BRAND: return d->brand;
    case ENG_PLAN_BY_MODEL: return d->model;
    default: return d->product_code;
    }
}
