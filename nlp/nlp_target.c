/*
 * nlp_target.c - ConText for one caller-given span, and locating a phrase
 * in its text (see nlp_target.h). The trigger pass and the heading map are
 * those of the extractor's context step (nlp_extract_ctx.c), applied to a
 * target the caller chose instead of the extracted mentions.
 */
#include "devsurv/nlp_target.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdbool.h>
#include <string.h>

void nlp_target_init(struct nlp_target *self)
{
    memset(self, 0, sizeof *self);
    nlp_doc_init(&self->doc);
    nlp_ac_hits_init(&self->hits);
    nlp_ctx_init(&self->ctx);
}

void nlp_target_clear(struct nlp_target *self)
{
    nlp_doc_clear(&self->doc);
    nlp_ac_hits_clear(&self->hits);
    nlp_ctx_clear(&self->ctx);
    ds_free(self->chits);
    ds_free(self->sec_rule);
    nlp_target_init(self);
}

static bool s_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static char s_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool s_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

/* Token range covering bytes [b, e) of d (e > b). */
static void s_toks(const struct nlp_doc *d, size_t b, size_t e, uint32_t *tb,
                   uint32_t *te)
{
    *tb = (uint32_t)nlp_doc_tok_at(d, b);
    *te = (uint32_t)nlp_doc_tok_at(d, e - 1) + 1;
    if (*te > d->ntok)
        *te = (uint32_t)d->ntok;
}

static int s_hits(struct nlp_target *self, const nlp_extract_t *x,
                  struct ds_span text, size_t *nh)
{
    int rc = nlp_ac_scan(nlp_extract_triggers(x), text, &self->hits);
    if (rc == 0)
        rc = ds_grow((void **)&self->chits, &self->capchits, self->hits.n,
                     sizeof *self->chits);
    *nh = 0;
    for (size_t i = 0; rc == 0 && i < self->hits.n; i++) {
        const struct nlp_ac_hit *a = &self->hits.v[i];
        struct nlp_ctx_hit *h = &self->chits[*nh];
        s_toks(&self->doc, a->begin, a->end, &h->tok_begin, &h->tok_end);
        h->trigger = a->id;
        *nh += h->tok_begin < h->tok_end;
    }
    return rc;
}

/* Heading bytes equal rule heading h (upper case, single spaces),
 * ignoring case and the length of whitespace runs. */
static bool s_heading_is(const char *p, size_t n, const char *h)
{
    size_t i = 0;
    for (; *h; h++) {
        if (*h == ' ') {
            if (i == n || !s_space(p[i]))
                return false;
            while (i < n && s_space(p[i]))
                i++;
        } else if (i == n || s_lower(p[i++]) != s_lower(*h)) {
            return false;
        }
    }
    return i == n;
}

static int s_sections(struct nlp_target *self, const nlp_rules_t *rules)
{
    size_t ns;
    const struct nlp_section *sec = nlp_rules_sections(rules, &ns);
    const struct nlp_doc *d = &self->doc;
    int rc = ds_grow((void **)&self->sec_rule, &self->capsec, d->nsec,
                     sizeof *self->sec_rule);
    for (size_t i = 0; rc == 0 && i < d->nsec; i++) {
        const char *p = d->text.p + d->sec[i].head_begin;
        size_t n = d->sec[i].head_end - d->sec[i].head_begin;
        self->sec_rule[i] = -1;
        for (size_t k = 0; n && k < ns && self->sec_rule[i] < 0; k++)
            if (s_heading_is(p, n, sec[k].heading))
                self->sec_rule[i] = (int32_t)k;
    }
    return rc;
}

int nlp_target_run(struct nlp_target *self, const nlp_extract_t *x,
                   struct ds_span text, size_t begin, size_t end, unsigned opts)
{
    if (begin >= end || end > text.n)
        return DS_EINVAL;
    int rc = nlp_doc_split(&self->doc, text);
    if (rc != 0)
        return rc;
    if (opts & NLP_X_ONE_SENTENCE)
        nlp_doc_one_sentence(&self->doc);
    memset(&self->t, 0, sizeof self->t);
    s_toks(&self->doc, begin, end, &self->t.tok_begin, &self->t.tok_end);
    if (self->t.tok_begin >= self->t.tok_end ||
        self->doc.tok[self->t.tok_begin].begin >= end)
        return DS_EINVAL;
    size_t nh, ntrig, nsec;
    rc = s_hits(self, x, text, &nh);
    const nlp_rules_t *rules = nlp_extract_rules(x);
    if (rc == 0)
        rc = s_sections(self, rules);
    if (rc != 0)
        return rc;
    const struct nlp_trigger *trig = nlp_rules_triggers(rules, &ntrig);
    const struct nlp_section *secs = nlp_rules_sections(rules, &nsec);
    return nlp_context_apply(&self->ctx, &self->doc, trig, ntrig, secs,
                             self->sec_rule, self->doc.nsec, self->chits, nh,
                             &self->t, 1);
}

/* Match phrase p (trimmed) at text byte i: returns the phrase bytes
 * matched up to the last matching non-space byte; *te gets the text byte
 * after it. */
static size_t s_match_at(struct ds_span t, size_t i, struct ds_span p,
                         size_t *te)
{
    size_t j = 0, last = 0;
    *te = i;
    while (j < p.n && i < t.n) {
        if (s_space(p.p[j])) {
            if (!s_space(t.p[i]))
                break;
            while (j < p.n && s_space(p.p[j]))
                j++;
            while (i < t.n && s_space(t.p[i]))
                i++;
            continue;
        }
        if (s_lower(p.p[j]) != s_lower(t.p[i]))
            break;
        last = ++j;
        *te = ++i;
    }
    return last;
}

/* Rank of an occurrence [b, e): on word boundaries (2), no lower-case
 * letter (1). */
static int s_rank(struct ds_span t, size_t b, size_t e)
{
    bool bounded = (b == 0 || !s_word(t.p[b - 1]) || !s_word(t.p[b])) &&
                   (e == t.n || !s_word(t.p[e]) || !s_word(t.p[e - 1]));
    bool upper = true;
    for (size_t i = b; i < e && upper; i++)
        upper = !(t.p[i] >= 'a' && t.p[i] <= 'z');
    return 2 * bounded + upper;
}

/* Cut a partial match of k phrase bytes back to whole phrase words. */
static size_t s_whole_words(struct ds_span p, size_t k)
{
    if (k < p.n && s_word(p.p[k]))
        while (k > 0 && s_word(p.p[k - 1]))
            k--;
    while (k > 0 && s_space(p.p[k - 1]))
        k--;
    return k;
}

static struct ds_span s_trim(struct ds_span p)
{
    while (p.n && s_space(p.p[0]))
        p.p++, p.n--;
    while (p.n && s_space(p.p[p.n - 1]))
        p.n--;
    return p;
}

enum nlp_target_found nlp_target_find(struct ds_span text,
                                      struct ds_span phrase, size_t *begin,
                                      size_t *end)
{
    struct ds_span p = s_trim(phrase);
    size_t best = 0, at = 0, te;
    int rank = -1;
    for (size_t i = 0; p.n && i < text.n; i++) {
        if (s_space(text.p[i]))
            continue;
        size_t k = s_match_at(text, i, p, &te);
        if (k == p.n && s_rank(text, i, te) > rank) {
            rank = s_rank(text, i, te);
            *begin = i;
            *end = te;
        } else if (rank < 0 && s_whole_words(p, k) > best) {
            best = s_whole_words(p, k);
            at = i;
        }
    }
    if (rank >= 0)
        return NLP_FOUND_WHOLE;
    if (best == 0)
        return NLP_FOUND_NONE;
    s_match_at(text, at, (struct ds_span){p.p, best}, end);
    *begin = at;
    return NLP_FOUND_PREFIX;
}
