/*
 * nlp_extract_ctx.c - the extractor's context step: turn the trigger hits
 * of the dictionary pass (nlp_extract.c scans terms and triggers with one
 * automaton) into token ranges, map the note's section headings to the
 * rule set's heading rules, and run ConText over the mentions (see
 * nlp_extract.h, nlp_context.h). nlp_x_trigger_hits() is the stand-alone
 * trigger pass, for nlp_target.c.
 */
#include "nlp_extract_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <string.h>

void nlp_x_toks(const struct nlp_doc *d, size_t b, size_t e, uint32_t *tb,
                uint32_t *te)
{
    *tb = (uint32_t)nlp_doc_tok_at(d, b);
    *te = (uint32_t)nlp_doc_tok_at(d, e ? e - 1 : 0) + 1;
    if (*te > d->ntok)
        *te = (uint32_t)d->ntok;
}

/* nlp_doc_tok_at(d, off) found by walking from *hint (then set to the
 * answer): token ends ascend, so the first token ending after off is
 * found forwards or backwards. Queries that come in text order, as hits
 * and mentions do, cost O(1) each on average instead of a binary search
 * with its mispredicted branches. */
static size_t s_tok_near(const struct nlp_doc *d, size_t off, size_t *hint)
{
    size_t t = *hint < d->ntok ? *hint : d->ntok;
    while (t < d->ntok && d->tok[t].end <= off)
        t++;
    while (t > 0 && d->tok[t - 1].end > off)
        t--;
    *hint = t;
    return t;
}

/* nlp_x_toks() by s_tok_near(); *hint follows the end. */
static void s_toks_near(const struct nlp_doc *d, size_t b, size_t e,
                        uint32_t *tb, uint32_t *te, size_t *hint)
{
    size_t last = s_tok_near(d, e ? e - 1 : 0, hint), first = last;
    while (first > 0 && d->tok[first - 1].end > b)
        first--;
    while (first < d->ntok && d->tok[first].end <= b)
        first++;
    *tb = (uint32_t)first;
    *te = (uint32_t)(last + 1 < d->ntok ? last + 1 : d->ntok);
}

int nlp_x_trigger_toks(const struct nlp_doc *d, const struct nlp_ac_hits *hits,
                       struct nlp_ctx_hit **chits, size_t *cap, size_t *nh)
{
    int rc = ds_grow((void **)chits, cap, hits->n, sizeof **chits);
    size_t hint = 0;
    *nh = 0;
    for (size_t i = 0; rc == 0 && i < hits->n; i++) {
        struct nlp_ctx_hit *h = &(*chits)[*nh];
        s_toks_near(d, hits->v[i].begin, hits->v[i].end, &h->tok_begin,
                    &h->tok_end, &hint);
        h->trigger = hits->v[i].id;
        *nh += h->tok_begin < h->tok_end;
    }
    return rc;
}

int nlp_x_trigger_hits(const nlp_extract_t *x, const struct nlp_doc *d,
                       struct ds_span text, struct nlp_ac_hits *hits,
                       struct nlp_ctx_hit **chits, size_t *cap, size_t *nh)
{
    int rc = nlp_ac_scan(x->triggers, text, hits);
    *nh = 0;
    return rc ? rc : nlp_x_trigger_toks(d, hits, chits, cap, nh);
}

static bool s_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static char s_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Heading bytes equal rule heading h (upper case, single spaces),
 * ignoring case and the length of whitespace runs; locale-free. */
static bool s_heading_is(const char *p, size_t n, const char *h)
{
    size_t i = 0;
    for (; *h; h++) {
        if (*h == ' ') {
            if (i == n || !s_space(p[i]))
                return false;
            while (i < n && s_space(p[i]))
                i++;
        } else if (i == n || s_upper(p[i++]) != *h) {
            return false;
        }
    }
    return i == n;
}

int nlp_x_section_rules(const nlp_rules_t *rules, const struct nlp_doc *d,
                        int32_t **sec_rule, size_t *cap)
{
    size_t ns;
    const struct nlp_section *sec = nlp_rules_sections(rules, &ns);
    int rc = ds_grow((void **)sec_rule, cap, d->nsec, sizeof **sec_rule);
    for (size_t i = 0; rc == 0 && i < d->nsec; i++) {
        const char *p = d->text.p + d->sec[i].head_begin;
        size_t n = d->sec[i].head_end - d->sec[i].head_begin;
        (*sec_rule)[i] = -1;
        for (size_t k = 0; n && k < ns && (*sec_rule)[i] < 0; k++)
            if (s_heading_is(p, n, sec[k].heading))
                (*sec_rule)[i] = (int32_t)k;
    }
    return rc;
}

int nlp_x_context(const nlp_extract_t *x, struct ds_span text,
                  struct nlp_result *r)
{
    size_t nh, ntrig, nsec;
    (void)text;
    int rc =
        nlp_x_trigger_toks(&r->doc, &r->thits, &r->chits, &r->capchits, &nh);
    if (rc == 0)
        rc = nlp_x_section_rules(x->rules, &r->doc, &r->sec_rule, &r->capsec);
    if (rc == 0)
        rc = ds_grow((void **)&r->targets, &r->captargets, r->n,
                     sizeof *r->targets);
    if (rc != 0)
        return rc;
    size_t hint = 0;
    for (size_t i = 0; i < r->n; i++)
        s_toks_near(&r->doc, r->m[i].begin, r->m[i].end,
                    &r->targets[i].tok_begin, &r->targets[i].tok_end, &hint);
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
