/*
 * nlp_extract_pat.c - the extractor's identifier step: scan the rule
 * set's patterns (nlp_regex) and turn each accepted value into a mention
 * of kind model (model and catalogue numbers), lot, serial, date or udi,
 * naming the pattern row that found it (see nlp_extract.h).
 *
 * Two values are dropped: one that starts inside a de-identification
 * token (a value cannot begin in "**NAME[...]" or "(B)(4)"), and a pattern
 * UDI that overlaps a UDI nlp_udi_find() already reported, so a UDI is
 * one mention, with its device identifier as the code. Both lists are in
 * text order, so the overlap test is one merge: linear.
 *
 * Not here: the patterns and their validators (nlp_regex*.c).
 */
#include "nlp_extract_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

static const enum nlp_mention_kind s_kind[NLP_PAT_KIND_COUNT] = {
    NLP_MENTION_MODEL,  NLP_MENTION_MODEL, NLP_MENTION_LOT,
    NLP_MENTION_SERIAL, NLP_MENTION_DATE,  NLP_MENTION_UDI,
};

/* Token of a value starting at off, or d->ntok when it starts inside a
 * de-identification token or after the last token. */
static size_t s_token(const struct nlp_doc *d, size_t off)
{
    size_t t = nlp_doc_tok_at(d, off);
    if (t < d->ntok && d->tok[t].kind == NLP_TOK_DEID && d->tok[t].begin <= off)
        return d->ntok;
    return t;
}

/* Does [b, e) overlap a found UDI in u[*k..n)? Advances *k past UDIs
 * that end at or before b (hits come in begin order). */
static bool s_overlaps_udi(const struct nlp_mention *u, size_t n, size_t *k,
                           uint32_t b, uint32_t e)
{
    while (*k < n && u[*k].end <= b)
        (*k)++;
    for (size_t i = *k; i < n && u[i].begin < e; i++)
        if (u[i].end > b)
            return true;
    return false;
}

static int s_push(const nlp_extract_t *x, struct nlp_result *r,
                  const struct nlp_regex_hit *h, size_t tok)
{
    size_t np, nf;
    const struct nlp_pattern *p =
        &nlp_rules_patterns(x->rules, &np)[h->pattern];
    const struct nlp_rules_file *f = nlp_rules_files(x->rules, &nf);
    if (ds_grow((void **)&r->m, &r->cap, r->n + 1, sizeof *r->m) != 0)
        return DS_ENOMEM;
    r->m[r->n++] = (struct nlp_mention){
        .kind = s_kind[p->kind],
        .begin = h->begin,
        .end = h->end,
        .sentence = (uint32_t)nlp_doc_sent_of(&r->doc, tok),
        .code = {r->doc.text.p + h->begin, h->end - h->begin},
        .system = "pattern",
        .label = nlp_pattern_kind_name(p->kind),
        .rule_id = p->id,
        .rule_file = f[p->origin.file].path,
        .rule_line = p->origin.line,
    };
    return 0;
}

int nlp_x_patterns(const nlp_extract_t *x, struct ds_span text, size_t udi0,
                   struct nlp_result *r)
{
    size_t np, n, k = 0, nudi = r->n;
    const struct nlp_pattern *pat = nlp_rules_patterns(x->rules, &np);
    if (np == 0)
        return 0;
    if (!r->regex_scratch && !(r->regex_scratch = nlp_regex_scratch_new()))
        return DS_ENOMEM;
    int rc = nlp_regex_scan(x->regex, text, 0, r->regex_scratch);
    const struct nlp_regex_hit *h = nlp_regex_hits(r->regex_scratch, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t tok = s_token(&r->doc, h[i].begin);
        bool udi = pat[h[i].pattern].kind == NLP_PAT_UDI;
        if (tok >= r->doc.ntok ||
            (udi && s_overlaps_udi(r->m + udi0, nudi - udi0, &k, h[i].begin,
                                   h[i].end)))
            continue;
        rc = s_push(x, r, &h[i], tok);
    }
    return rc;
}
