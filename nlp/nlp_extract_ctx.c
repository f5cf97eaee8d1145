/*
 * nlp_extract_ctx.c - the extractor's context step: match the rule set's
 * triggers (second Aho-Corasick pass), map the note's section headings to
 * the rule set's heading rules, and run ConText over the mentions (see
 * nlp_extract.h, nlp_context.h).
 */
#include "nlp_extract_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <ctype.h>
#include <string.h>

/* Token range covering bytes [b, e). */
static void s_toks(const struct nlp_doc *d, size_t b, size_t e, uint32_t *tb,
                   uint32_t *te)
{
    *tb = (uint32_t)nlp_doc_tok_at(d, b);
    *te = (uint32_t)nlp_doc_tok_at(d, e ? e - 1 : 0) + 1;
    if (*te > d->ntok)
        *te = (uint32_t)d->ntok;
}

static int s_hits(const nlp_extract_t *x, struct ds_span text,
                  struct nlp_result *r, size_t *nh)
{
    int rc = nlp_ac_scan(x->triggers, text, &r->hits);
    if (rc == 0)
        rc = ds_grow((void **)&r->chits, &r->capchits, r->hits.n,
                     sizeof *r->chits);
    *nh = 0;
    for (size_t i = 0; rc == 0 && i < r->hits.n; i++) {
        struct nlp_ctx_hit *h = &r->chits[*nh];
        s_toks(&r->doc, r->hits.v[i].begin, r->hits.v[i].end, &h->tok_begin,
               &h->tok_end);
        h->trigger = r->hits.v[i].id;
        *nh += h->tok_begin < h->tok_end;
    }
    return rc;
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

static int s_sections(const nlp_extract_t *x, struct nlp_result *r)
{
    size_t ns;
    const struct nlp_section *rules = nlp_rules_sections(x->rules, &ns);
    const struct nlp_doc *d = &r->doc;
    int rc = ds_grow((void **)&r->sec_rule, &r->capsec, d->nsec,
                     sizeof *r->sec_rule);
    for (size_t i = 0; rc == 0 && i < d->nsec; i++) {
        const char *p = d->text.p + d->sec[i].head_begin;
        size_t n = d->sec[i].head_end - d->sec[i].head_begin;
        r->sec_rule[i] = -1;
        for (size_t k = 0; n && k < ns && r->sec_rule[i] < 0; k++)
            if (s_heading_is(p, n, rules[k].heading))
                r->sec_rule[i] = (int32_t)k;
    }
    return rc;
}

int nlp_x_context(const nlp_extract_t *x, struct ds_span text,
                  struct nlp_result *r)
{
    size_t nh, ntrig, nsec;
    int rc = s_hits(x, text, r, &nh);
    if (rc == 0)
        rc = s_sections(x, r);
    if (rc == 0)
        rc = ds_grow((void **)&r->targets, &r->captargets, r->n,
                     sizeof *r->targets);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < r->n; i++)
        s_toks(&r->doc, r->m[i].begin, r->m[i].end, &r->targets[i].tok_begin,
               &r->targets[i].tok_end);
    const struct nlp_trigger *trig = nlp_rules_triggers(x->rules, &ntrig);
    const struct nlp_section *secs = nlp_rules_sections(x->rules, &nsec);
    rc = nlp_context_apply(&r->ctx, &r->doc, trig, ntrig, secs, r->sec_rule,
                           r->doc.nsec, r->chits, nh, r->targets, r->n);
    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        r->m[i].flags = r->targets[i].flags;
        memcpy(r->m[i].cause, r->targets[i].cause, sizeof r->m[i].cause);
    }
    return rc;
}
