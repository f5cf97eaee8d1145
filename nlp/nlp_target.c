/*
 * nlp_target.c - ConText for one caller-given span, and locating a phrase
 * in its text (see nlp_target.h). The trigger pass and the heading map are
 * those of the extractor's context step (nlp_extract_ctx.c), applied to a
 * target the caller chose instead of the extracted mentions.
 */
#include "devsurv/nlp_target.h"
#include "nlp_extract_impl.h"
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
    nlp_x_toks(&self->doc, begin, end, &self->t.tok_begin, &self->t.tok_end);
    if (self->t.tok_begin >= self->t.tok_end ||
        self->doc.tok[self->t.tok_begin].begin >= end)
        return DS_EINVAL;
    size_t nh, ntrig, nsec;
    rc = nlp_x_trigger_hits(x, &self->doc, text, &self->hits, &self->chits,
                            &self->capchits, &nh);
    const nlp_rules_t *rules = nlp_extract_rules(x);
    if (rc == 0)
        rc = nlp_x_section_rules(rules, &self->doc, &self->sec_rule,
                                 &self->capsec);
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
