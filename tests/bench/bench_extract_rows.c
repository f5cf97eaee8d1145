/*
 * bench_extract_rows.c - what each of bench_extract's rows runs over a
 * note (memchr, PCRE2 naive, dictionary, regex, udi, split, context,
 * full), the per-corpus state they share (struct bx_rows), and the list of
 * rows measured on a corpus (bx_run_rows).
 */
#include "bench_extract.h"
#include "bench_util.h"

static int s_grow(void **v, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *p = ds_realloc(*v, c * sz);
    if (!p)
        return DS_ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}
static int s_memchr_run(void *self, struct ds_span t, uint64_t *out)
{
    const char *p = t.p, *end = t.p + t.n;
    (void)self;
    while (p < end && (p = memchr(p, '.', (size_t)(end - p))) != NULL) {
        (*out)++;
        p++;
    }
    return 0;
}

static int s_naive_run(void *self, struct ds_span t, uint64_t *out)
{
    struct bx_naive *nv = self;
    PCRE2_SPTR s = (PCRE2_SPTR)t.p;
    for (size_t i = 0; i < nv->n; i++) {
        size_t off = 0;
        while (off <= t.n) {
            int rc =
                nv->jit
                    ? pcre2_jit_match(nv->re[i], s, t.n, off, 0, nv->md, NULL)
                    : pcre2_match(nv->re[i], s, t.n, off, 0, nv->md, NULL);
            if (rc == PCRE2_ERROR_NOMATCH)
                break;
            if (rc < 0)
                return bench_fail("PCRE2 naive", "pattern %zu: match error %d",
                                  i, rc);
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(nv->md);
            (*out)++;
            off = ov[1] > off ? ov[1] : off + 1;
        }
    }
    return 0;
}

/* Compile the patterns one by one as nlp_regex does (caseless, no UTF). */
int bx_naive_open(struct bx_naive *nv, const nlp_rules_t *rules)
{
    size_t n;
    uint32_t groups = 0, g;
    const struct nlp_pattern *p = nlp_rules_patterns(rules, &n);
    nv->re = calloc(n ? n : 1, sizeof *nv->re);
    if (!nv->re)
        return bench_fail("PCRE2 naive", "out of memory");
    nv->jit = true;
    for (size_t i = 0; i < n; i++, nv->n++) {
        int err;
        PCRE2_SIZE at;
        nv->re[i] =
            pcre2_compile((PCRE2_SPTR)p[i].pattern, p[i].len,
                          PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP,
                          &err, &at, NULL);
        if (!nv->re[i])
            return bench_fail("PCRE2 naive", "%s: compile error %d at %zu",
                              p[i].id, err, (size_t)at);
        nv->jit =
            nv->jit && pcre2_jit_compile(nv->re[i], PCRE2_JIT_COMPLETE) == 0;
        pcre2_pattern_info(nv->re[i], PCRE2_INFO_CAPTURECOUNT, &g);
        groups = g > groups ? g : groups;
    }
    nv->md = pcre2_match_data_create(groups + 1, NULL);
    return nv->md ? 0 : bench_fail("PCRE2 naive", "out of memory");
}

void bx_naive_close(struct bx_naive *nv)
{
    for (size_t i = 0; i < nv->n; i++)
        pcre2_code_free(nv->re[i]);
    free(nv->re);
    pcre2_match_data_free(nv->md);
}

static int s_dict_run(void *self, struct ds_span t, uint64_t *out)
{
    struct bx_dict *d = self;
    int rc = nlp_ac_scan(d->ac, t, &d->hits);
    *out += d->hits.n;
    return rc ? bench_fail("dictionary", "%s", ds_strerror(rc)) : 0;
}

static int s_regex_run(void *self, struct ds_span t, uint64_t *out)
{
    struct bx_re *r = self;
    size_t n;
    int rc = nlp_regex_scan(r->re, t, 0, r->s);
    nlp_regex_hits(r->s, &n);
    *out += n;
    return rc ? bench_fail("regex", "%s", ds_strerror(rc)) : 0;
}

static int s_udi_run(void *self, struct ds_span t, uint64_t *out)
{
    size_t pos = 0, b, e;
    struct nlp_udi u;
    (void)self;
    while (nlp_udi_find(t, pos, &b, &e)) {
        pos = e > pos ? e : pos + 1;
        *out += nlp_udi_parse((struct ds_span){t.p + b, e - b}, &u, NULL) == 0;
    }
    return 0;
}

static int s_split_run(void *self, struct ds_span t, uint64_t *out)
{
    struct nlp_doc *d = self;
    int rc = nlp_doc_split(d, t);
    *out += d->nsent;
    return rc ? bench_fail("split", "%s", ds_strerror(rc)) : 0;
}

static int s_ctx_prep(void *self, struct ds_span t)
{
    struct bx_ctxrow *c = self;
    int rc = nlp_extract_run(c->x, t, 0, &c->r);
    return rc ? bench_fail("context", "nlp_extract_run: %s", ds_strerror(rc))
              : 0;
}

/* Token range covering bytes [b, e), as the extractor computes it. */
static void s_toks(const struct nlp_doc *d, size_t b, size_t e, uint32_t *tb,
                   uint32_t *te)
{
    *tb = (uint32_t)nlp_doc_tok_at(d, b);
    *te = (uint32_t)nlp_doc_tok_at(d, e ? e - 1 : 0) + 1;
    if (*te > d->ntok)
        *te = (uint32_t)d->ntok;
}

/* Heading text equals rule heading h, ignoring case and whitespace runs. */
static bool s_heading_is(const char *p, size_t n, const char *h)
{
    size_t i = 0;
    for (; *h; h++) {
        if (*h == ' ') {
            if (i == n || !isspace((unsigned char)p[i]))
                return false;
            while (i < n && isspace((unsigned char)p[i]))
                i++;
        } else if (i == n || toupper((unsigned char)p[i++]) != *h) {
            return false;
        }
    }
    return i == n;
}

static void s_ctx_sections(struct bx_ctxrow *c, const struct nlp_doc *d)
{
    for (size_t i = 0; i < d->nsec; i++) {
        const char *p = d->text.p + d->sec[i].head_begin;
        size_t n = d->sec[i].head_end - d->sec[i].head_begin;
        c->sec_rule[i] = -1;
        for (size_t k = 0; n && k < c->nsec && c->sec_rule[i] < 0; k++)
            if (s_heading_is(p, n, c->sec[k].heading))
                c->sec_rule[i] = (int32_t)k;
    }
}

static int s_ctx_run(void *self, struct ds_span t, uint64_t *out)
{
    struct bx_ctxrow *c = self;
    const struct nlp_doc *d = &c->r.doc;
    const struct nlp_ac_hits *th = &c->r.thits; /* from the prep run */
    size_t nh = 0;
    (void)t;
    int rc = s_grow((void **)&c->ch, &c->capch, th->n, sizeof *c->ch);
    if (rc == 0)
        rc = s_grow((void **)&c->tg, &c->captg, c->r.n, sizeof *c->tg);
    if (rc == 0)
        rc = s_grow((void **)&c->sec_rule, &c->capsec, d->nsec,
                    sizeof *c->sec_rule);
    for (size_t i = 0; rc == 0 && i < th->n; i++) {
        struct nlp_ctx_hit *h = &c->ch[nh];
        s_toks(d, th->v[i].begin, th->v[i].end, &h->tok_begin, &h->tok_end);
        h->trigger = th->v[i].id;
        nh += h->tok_begin < h->tok_end;
    }
    if (rc == 0)
        s_ctx_sections(c, d);
    for (size_t i = 0; rc == 0 && i < c->r.n; i++)
        s_toks(d, c->r.m[i].begin, c->r.m[i].end, &c->tg[i].tok_begin,
               &c->tg[i].tok_end);
    if (rc == 0)
        rc = nlp_context_apply(&c->ctx, d, c->trig, c->ntrig, c->sec,
                               c->sec_rule, d->nsec, c->ch, nh, c->tg, c->r.n);
    *out += c->r.n;
    return rc ? bench_fail("context", "%s", ds_strerror(rc)) : 0;
}

static int s_ctx_post(void *self, bool tally)
{
    struct bx_ctxrow *c = self;
    (void)tally;
    for (size_t i = 0; i < c->r.n; i++)
        c->mismatches += c->tg[i].flags != c->r.m[i].flags;
    return 0;
}

static int s_full_run(void *self, struct ds_span t, uint64_t *out)
{
    struct bx_full *f = self;
    int rc = nlp_extract_run(f->x, t, 0, &f->r);
    *out += f->r.n;
    return rc ? bench_fail("full", "nlp_extract_run: %s", ds_strerror(rc)) : 0;
}

static int s_full_post(void *self, bool tally)
{
    struct bx_full *f = self;
    for (size_t i = 0; tally && i < f->r.n; i++) {
        f->kind[(unsigned)f->r.m[i].kind % BX_NKIND]++;
        for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
            f->flag[k] += (f->r.m[i].flags >> k) & 1u;
        f->mentions++;
    }
    return 0;
}

int bx_rows_init(struct bx_rows *w, const struct bx_setup *su)
{
    memset(w, 0, sizeof *w);
    w->dict.ac = su->terms;
    w->sub.ac = su->subset;
    nlp_ac_hits_init(&w->dict.hits);
    nlp_ac_hits_init(&w->sub.hits);
    w->re.re = su->re;
    w->re.s = nlp_regex_scratch_new();
    nlp_doc_init(&w->doc);
    w->ctx.x = su->x;
    w->ctx.trig = nlp_rules_triggers(su->rules, &w->ctx.ntrig);
    w->ctx.sec = nlp_rules_sections(su->rules, &w->ctx.nsec);
    nlp_result_init(&w->ctx.r);
    nlp_ctx_init(&w->ctx.ctx);
    w->full.x = su->x;
    nlp_result_init(&w->full.r);
    return w->re.s ? 0 : bench_fail("regex", "out of memory");
}

void bx_rows_free(struct bx_rows *w)
{
    nlp_ac_hits_clear(&w->dict.hits);
    nlp_ac_hits_clear(&w->sub.hits);
    nlp_regex_scratch_destroy(&w->re.s);
    nlp_doc_clear(&w->doc);
    nlp_result_clear(&w->ctx.r);
    nlp_ctx_clear(&w->ctx.ctx);
    ds_free(w->ctx.ch);
    ds_free(w->ctx.tg);
    ds_free(w->ctx.sec_rule);
    nlp_result_clear(&w->full.r);
}

int bx_run_rows(struct bx_bench *b, struct bx_table *tb,
                const struct bx_corpus *c, struct bx_setup *su,
                struct bx_rows *w)
{
    char naive[48], dict[48];
    snprintf(naive, sizeof naive, "PCRE2 naive (%zu pats, %s)", su->naive.n,
             su->naive.jit ? "JIT" : "no JIT");
    snprintf(dict, sizeof dict, "dictionary (all %zu terms)", su->nterms);
    const struct bx_stage st[] = {
        {"baseline", "memchr ('.' count)", NULL, s_memchr_run, NULL, false,
         false},
        {"baseline", naive, NULL, s_naive_run, NULL, true, false},
        {"stage", dict, NULL, s_dict_run, NULL, true, true},
        {"stage", "dictionary (5000-term subset)", NULL, s_dict_run, NULL, true,
         true},
        {"stage", "regex (nlp_regex_scan)", NULL, s_regex_run, NULL, true,
         true},
        {"stage", "udi (nlp_udi_find+parse)", NULL, s_udi_run, NULL, true,
         true},
        {"stage", "split (nlp_doc_split)", NULL, s_split_run, NULL, true, true},
        {"stage", "context (triggers+ConText)", s_ctx_prep, s_ctx_run,
         s_ctx_post, true, true},
        {"stage", "full (nlp_extract_run)", NULL, s_full_run, s_full_post, true,
         true},
    };
    void *self[] = {NULL, &su->naive, &w->dict, &w->sub, &w->re,
                    NULL, &w->doc,    &w->ctx,  &w->full};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < BX_N(st); i++)
        rc = bx_measure(b, tb, c, &st[i], self[i]);
    return rc;
}
