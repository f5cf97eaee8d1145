/*
 * nlp_extract.c - the extraction pipeline object: compile the rule set
 * into one Aho-Corasick automaton of terms and context triggers together
 * (one pass over a note finds both; the hits are split by id), a
 * trigger-only automaton for nlp_extract_triggers(), and the identifier
 * patterns (nlp_regex); then per note split, match, select, find UDIs and
 * patterns and hand the mentions to ConText (see nlp_extract.h). The context
 * glue is in nlp_extract_ctx.c, the pattern glue in nlp_extract_pat.c.
 */
#include "devsurv/nlp_extract.h"
#include "nlp_extract_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_udi.h"

#include <stdlib.h>
#include <string.h>

#define S_AMBIGUOUS 0x80 /* scratch bit in nlp_mention.flags */

static const char *const s_system[NLP_AXIS_COUNT] = {
    "fda-product-code", "imdrf-g", "imdrf-a", "imdrf-e", "imdrf-f"};
static const enum nlp_mention_kind s_kind[NLP_AXIS_COUNT] = {
    NLP_MENTION_DEVICE, NLP_MENTION_COMPONENT, NLP_MENTION_EVENT,
    NLP_MENTION_EVENT, NLP_MENTION_EVENT};

const char *nlp_mention_kind_name(enum nlp_mention_kind kind)
{
    static const char *const names[] = {"device", "component", "event",
                                        "udi",    "model",     "lot",
                                        "serial", "date"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

void nlp_result_init(struct nlp_result *r)
{
    memset(r, 0, sizeof *r);
    nlp_doc_init(&r->doc);
    nlp_ac_hits_init(&r->hits);
    nlp_ac_hits_init(&r->thits);
    nlp_ctx_init(&r->ctx);
}

void nlp_result_clear(struct nlp_result *r)
{
    ds_free(r->m);
    nlp_doc_clear(&r->doc);
    nlp_ac_hits_clear(&r->hits);
    nlp_ac_hits_clear(&r->thits);
    nlp_ctx_clear(&r->ctx);
    ds_free(r->chits);
    ds_free(r->targets);
    ds_free(r->sec_rule);
    nlp_regex_scratch_t *rs = r->regex_scratch;
    nlp_regex_scratch_destroy(&rs);
    nlp_result_init(r);
}

/* Add the rule set's terms (ids 0..) and, when both, its triggers (ids
 * nterms..) to a new automaton in *out. */
static int s_build(nlp_extract_t *x, bool terms, nlp_ac_t **out,
                   struct ds_diag *diag)
{
    size_t n, nt;
    const struct nlp_term *t = nlp_rules_terms(x->rules, &n);
    const struct nlp_trigger *tr = nlp_rules_triggers(x->rules, &nt);
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    int rc = b ? 0 : DS_ENOMEM;
    if (n > UINT32_MAX / 2 || nt > UINT32_MAX / 2)
        rc = DS_ETOOBIG;
    x->nterms = (uint32_t)n;
    for (size_t i = 0; terms && rc == 0 && i < n; i++)
        rc = nlp_ac_builder_add(
            b, (struct ds_span){t[i].term, t[i].len}, (uint32_t)i,
            t[i].boundary == NLP_BOUNDARY_NONE ? NLP_AC_NOBOUND : 0, diag);
    uint32_t base = terms ? x->nterms : 0;
    for (size_t i = 0; rc == 0 && i < nt; i++)
        rc = nlp_ac_builder_add(b, (struct ds_span){tr[i].phrase, tr[i].len},
                                base + (uint32_t)i, 0, diag);
    if (rc != 0) {
        nlp_ac_builder_destroy(&b);
        return rc;
    }
    return nlp_ac_build(out, &b, diag);
}

int nlp_extract_new(nlp_extract_t **out, const nlp_rules_t *rules,
                    struct ds_diag *diag)
{
    nlp_extract_t *x = ds_calloc(1, sizeof *x);
    *out = NULL;
    if (!x)
        return DS_ENOMEM;
    x->rules = rules;
    int rc = s_build(x, true, &x->both, diag);
    if (rc == 0)
        rc = s_build(x, false, &x->triggers, diag);
    if (rc == 0)
        rc = nlp_regex_new(&x->regex, rules, 0, diag);
    if (rc != 0) {
        nlp_extract_destroy(&x);
        return rc;
    }
    *out = x;
    return 0;
}

void nlp_extract_destroy(nlp_extract_t **self_p)
{
    nlp_extract_t *x = self_p ? *self_p : NULL;
    if (!x)
        return;
    nlp_ac_destroy(&x->both);
    nlp_ac_destroy(&x->triggers);
    nlp_regex_destroy(&x->regex);
    ds_free(x);
    *self_p = NULL;
}

const nlp_rules_t *nlp_extract_rules(const nlp_extract_t *self)
{
    return self->rules;
}

const nlp_ac_t *nlp_extract_triggers(const nlp_extract_t *self)
{
    return self->triggers;
}

/* Drop hits that start inside a de-identification token. */
static size_t s_drop_deid(const struct nlp_doc *d, struct nlp_ac_hit *v,
                          size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t t = nlp_doc_tok_at(d, v[i].begin);
        bool deid = t < d->ntok && d->tok[t].kind == NLP_TOK_DEID &&
                    d->tok[t].begin <= v[i].begin;
        if (!deid)
            v[k++] = v[i];
    }
    return k;
}

static int s_push(struct nlp_result *r, const struct nlp_mention *m)
{
    if (ds_grow((void **)&r->m, &r->cap, r->n + 1, sizeof *r->m) != 0)
        return DS_ENOMEM;
    r->m[r->n++] = *m;
    return 0;
}

static int s_term_mention(const nlp_extract_t *x, struct nlp_result *r,
                          const struct nlp_ac_hit *h)
{
    size_t nt, nf;
    const struct nlp_term *t = &nlp_rules_terms(x->rules, &nt)[h->id];
    const struct nlp_rules_file *f = nlp_rules_files(x->rules, &nf);
    const struct nlp_concept *c =
        &nlp_rules_concepts(x->rules, &nt)[t->concept];
    if (t->status == NLP_TERM_STOP)
        return 0;
    struct nlp_mention m = {
        .kind = s_kind[t->axis],
        .begin = (uint32_t)h->begin,
        .end = (uint32_t)h->end,
        .sentence = (uint32_t)nlp_doc_sent_of(
            &r->doc, nlp_doc_tok_at(&r->doc, h->begin)),
        .code = ds_span_str(t->code),
        .system = s_system[t->axis],
        .label = c->label,
        .rule_id = t->id,
        .rule_file = f[t->origin.file].path,
        .rule_line = t->origin.line,
        .flags = t->status == NLP_TERM_AMBIGUOUS ? S_AMBIGUOUS : 0,
    };
    return s_push(r, &m);
}

/* An ambiguous mention stays only with an active device or component
 * mention in its sentence. Mentions are in text order, so each sentence's
 * mentions are one run: linear. */
static void s_resolve_ambiguous(struct nlp_result *r)
{
    size_t k = 0, i = 0;
    while (i < r->n) {
        size_t j = i;
        bool cue = false;
        for (; j < r->n && r->m[j].sentence == r->m[i].sentence; j++)
            cue = cue || (!(r->m[j].flags & S_AMBIGUOUS) &&
                          (r->m[j].kind == NLP_MENTION_DEVICE ||
                           r->m[j].kind == NLP_MENTION_COMPONENT));
        for (; i < j; i++) {
            if (cue || !(r->m[i].flags & S_AMBIGUOUS)) {
                r->m[k] = r->m[i];
                r->m[k++].flags = 0;
            }
        }
    }
    r->n = k;
}

struct s_route {
    struct nlp_result *r;
    uint32_t nterms;
};

/* Hits of the one dictionary pass: terms to r->hits, triggers (ids made
 * trigger indexes again) to r->thits. Each list keeps the scan's order. */
static int s_route(void *ctx, const struct nlp_ac_hit *hit)
{
    const struct s_route *rt = ctx;
    bool term = hit->id < rt->nterms;
    struct nlp_ac_hits *l = term ? &rt->r->hits : &rt->r->thits;
    if (l->n == l->cap) {
        int rc = nlp_ac_hits_reserve(l, l->cap ? 2 * l->cap : 64);
        if (rc != 0)
            return rc;
    }
    l->v[l->n] = *hit;
    l->v[l->n++].id = term ? hit->id : hit->id - rt->nterms;
    return 0;
}

static int s_terms(const nlp_extract_t *x, struct ds_span text,
                   struct nlp_result *r)
{
    struct s_route rt = {r, x->nterms};
    r->hits.n = r->thits.n = 0;
    int rc = nlp_ac_scan_cb(x->both, text, s_route, &rt);
    if (rc != 0)
        return rc;
    size_t n = s_drop_deid(&r->doc, r->hits.v, r->hits.n);
    n = nlp_ac_longest(r->hits.v, n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = s_term_mention(x, r, &r->hits.v[i]);
    if (rc == 0)
        s_resolve_ambiguous(r);
    return rc;
}

static int s_udis(struct ds_span text, struct nlp_result *r)
{
    size_t pos = 0, b, e;
    struct nlp_udi u;
    nlp_udi_init(&u);
    int rc = 0;
    while (rc == 0 && nlp_udi_find(text, pos, &b, &e)) {
        pos = e > pos ? e : pos + 1;
        if (nlp_udi_parse((struct ds_span){text.p + b, e - b}, &u, NULL) != 0)
            continue;
        bool gs1 = u.agency == NLP_UDI_GS1;
        struct nlp_mention m = {
            .kind = NLP_MENTION_UDI,
            .begin = (uint32_t)b,
            .end = (uint32_t)e,
            .sentence =
                (uint32_t)nlp_doc_sent_of(&r->doc, nlp_doc_tok_at(&r->doc, b)),
            .code = u.di,
            .system = gs1 ? "gs1" : "hibcc",
            .label = "",
            .rule_id = gs1 ? "udi.gs1" : "udi.hibcc",
            .rule_file = "",
        };
        rc = s_push(r, &m);
    }
    return rc;
}

static int s_cmp_mention(const void *a, const void *b)
{
    const struct nlp_mention *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

int nlp_extract_run(const nlp_extract_t *self, struct ds_span text,
                    unsigned opts, struct nlp_result *r)
{
    r->n = 0;
    int rc = nlp_doc_split(&r->doc, text);
    if (rc == 0 && (opts & NLP_X_ONE_SENTENCE))
        nlp_doc_one_sentence(&r->doc);
    size_t nterm = 0;
    if (rc == 0)
        rc = s_terms(self, text, r);
    nterm = r->n;
    if (rc == 0)
        rc = s_udis(text, r);
    if (rc == 0)
        rc = nlp_x_patterns(self, text, nterm, r);
    if (rc == 0 && r->n > nterm)
        qsort(r->m, r->n, sizeof *r->m, s_cmp_mention);
    if (rc == 0)
        rc = nlp_x_context(self, text, r);
    if (rc != 0)
        r->n = 0;
    return rc;
}
