/*
 * nlp_context.c - ConText over token indices (see nlp_context.h for the
 * algorithm and its sources). Per kept modifier: one scope, cut by its
 * neighbours, then the targets of its sentence (found by binary search)
 * are tested against it.
 */
#include "devsurv/nlp_context.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void nlp_ctx_init(struct nlp_ctx *c)
{
    memset(c, 0, sizeof *c);
}

void nlp_ctx_clear(struct nlp_ctx *c)
{
    ds_free(c->kept);
    nlp_ctx_init(c);
}

const char *nlp_ctx_flag_name(unsigned cat)
{
    static const char *const names[NLP_CTX_NCAT] = {
        "negated", "possible", "hypothetical", "historical", "family"};
    return cat < NLP_CTX_NCAT ? names[cat] : "?";
}

/* Start ascending, then longer first, then lower trigger index. */
static int s_cmp_hit(const void *a, const void *b)
{
    const struct nlp_ctx_hit *x = a, *y = b;
    if (x->tok_begin != y->tok_begin)
        return x->tok_begin < y->tok_begin ? -1 : 1;
    if (x->tok_end != y->tok_end)
        return x->tok_end > y->tok_end ? -1 : 1;
    return x->trigger < y->trigger ? -1 : x->trigger > y->trigger;
}

/* First target with tok_begin >= tok. */
static size_t s_first_target(const struct nlp_ctx_target *t, size_t nt,
                             uint32_t tok)
{
    size_t lo = 0, hi = nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].tok_begin < tok)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Hit h straddles a target's edge: it overlaps the target without holding
 * it whole or lying inside it ("no injury" against the target "injury
 * proximal to his wrist"). Checked against the nearest target starting
 * before h and every target starting inside h (targets do not nest). */
static bool s_straddles(const struct nlp_ctx_hit *h,
                        const struct nlp_ctx_target *t, size_t nt)
{
    size_t x = s_first_target(t, nt, h->tok_begin);
    if (x > 0 && t[x - 1].tok_end > h->tok_begin &&
        t[x - 1].tok_end < h->tok_end)
        return true;
    for (; x < nt && t[x].tok_begin < h->tok_end; x++)
        if (t[x].tok_begin > h->tok_begin && t[x].tok_end > h->tok_end)
            return true;
    return false;
}

/* Leftmost-longest, non-overlapping selection into c->kept, leaving out
 * hits that straddle a target: a target's words are not read as part of a
 * trigger, so a shorter trigger before it ("no") can win instead. */
static int s_select(struct nlp_ctx *c, struct nlp_ctx_hit *h, size_t nh,
                    const struct nlp_ctx_target *t, size_t nt)
{
    c->nkept = 0;
    if (nh > c->capkept) {
        struct nlp_ctx_hit *k = ds_realloc(c->kept, nh * sizeof *k);
        if (!k)
            return DS_ENOMEM;
        c->kept = k;
        c->capkept = nh;
    }
    if (nh > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(h, nh, sizeof *h, s_cmp_hit);
    uint32_t end = 0;
    for (size_t i = 0; i < nh; i++) {
        if ((c->nkept && h[i].tok_begin < end) || s_straddles(&h[i], t, nt))
            continue;
        c->kept[c->nkept++] = h[i];
        end = h[i].tok_end;
    }
    return 0;
}

/* The kept hit j cuts a scope of category cat. */
static bool s_cuts(const struct nlp_trigger *trig, const struct nlp_ctx_hit *j,
                   enum nlp_ctx_category cat)
{
    enum nlp_ctx_category cj = trig[j->trigger].category;
    return cj == NLP_CTX_TERMINATE || cj == cat;
}

struct s_scope {
    uint32_t fb, fe; /* forward part, [fb, fe); empty when fb == fe */
    uint32_t bb, be; /* backward part */
};

/* Byte of a one-byte punctuation token, else 0. */
static char s_punct(const struct nlp_doc *d, uint32_t t)
{
    const struct nlp_tok *k = &d->tok[t];
    return k->kind == NLP_TOK_PUNCT ? d->text.p[k->begin] : 0;
}

/* Bracket depth change of token t: +1 opening, -1 closing, else 0. */
static int s_bracket(const struct nlp_doc *d, uint32_t t)
{
    char p = s_punct(d, t);
    return p == '(' || p == '[' || p == '{'   ? 1
           : p == ')' || p == ']' || p == '}' ? -1
                                              : 0;
}

/* End of kept[i]'s forward scope [b, e): the first kept trigger that cuts
 * it (terminate or same category), except inside a bracket opened within
 * the scope ("-ve for bleeding (occult nor overt), anaemia": "nor" does
 * not cut); and a scope that starts inside brackets ends at the bracket
 * closing them ("(slides not submitted) indicates X" leaves X alone). */
static uint32_t s_forward_end(const struct nlp_ctx *c, size_t i,
                              const struct nlp_doc *d,
                              const struct nlp_trigger *trig, uint32_t b,
                              uint32_t e)
{
    enum nlp_ctx_category cat = trig[c->kept[i].trigger].category;
    size_t j = i + 1;
    int depth = 0;
    for (uint32_t t = b; t < e; t++) {
        while (j < c->nkept && c->kept[j].tok_begin < t)
            j++;
        if (depth == 0 && j < c->nkept && c->kept[j].tok_begin == t &&
            s_cuts(trig, &c->kept[j], cat))
            return t;
        depth += s_bracket(d, t);
        if (depth < 0)
            return t;
    }
    return e;
}

/* Start of kept[i]'s backward scope [b, e): the nearest kept trigger that
 * cuts it, except inside a bracket closed within the scope. A backward
 * trigger inside brackets still reaches what they annotate ("pneumonia
 * (now resolved)"). */
static uint32_t s_backward_begin(const struct nlp_ctx *c, size_t i,
                                 const struct nlp_doc *d,
                                 const struct nlp_trigger *trig, uint32_t b,
                                 uint32_t e)
{
    enum nlp_ctx_category cat = trig[c->kept[i].trigger].category;
    size_t j = i;
    int depth = 0;
    for (uint32_t t = e; t-- > b;) {
        while (j > 0 && c->kept[j - 1].tok_end > t + 1)
            j--;
        if (depth == 0 && j > 0 && c->kept[j - 1].tok_end == t + 1 &&
            s_cuts(trig, &c->kept[j - 1], cat))
            return t + 1;
        depth -= s_bracket(d, t);
        if (depth < 0)
            depth = 0;
    }
    return b;
}

static struct s_scope s_scope_of(const struct nlp_ctx *c, size_t i,
                                 const struct nlp_doc *d,
                                 const struct nlp_trigger *trig,
                                 const struct nlp_sent *s)
{
    const struct nlp_ctx_hit *k = &c->kept[i];
    const struct nlp_trigger *t = &trig[k->trigger];
    struct s_scope sc = {k->tok_end, k->tok_end, k->tok_begin, k->tok_begin};
    uint32_t cap = t->max_scope > 0 ? (uint32_t)t->max_scope : UINT32_MAX;
    if (t->direction == NLP_DIR_FORWARD ||
        t->direction == NLP_DIR_BIDIRECTIONAL) {
        sc.fe = s->tok_end - sc.fb > cap ? sc.fb + cap : s->tok_end;
        sc.fe = s_forward_end(c, i, d, trig, sc.fb, sc.fe);
    }
    if (t->direction == NLP_DIR_BACKWARD ||
        t->direction == NLP_DIR_BIDIRECTIONAL) {
        sc.bb = sc.be - s->tok_begin > cap ? sc.be - cap : s->tok_begin;
        sc.bb = s_backward_begin(c, i, d, trig, sc.bb, sc.be);
    }
    return sc;
}

static uint32_t s_gap(uint32_t ab, uint32_t ae, uint32_t bb, uint32_t be)
{
    return ae <= bb ? bb - ae : be <= ab ? ab - be : 0;
}

/* Record cause for cat on target x unless a nearer one is there. */
static void s_mark(struct nlp_ctx_target *x, unsigned cat,
                   struct nlp_ctx_cause why)
{
    struct nlp_ctx_cause *old = &x->cause[cat];
    if (x->flags & (1u << cat)) {
        uint32_t d_old =
            s_gap(old->tok_begin, old->tok_end, x->tok_begin, x->tok_end);
        uint32_t d_new =
            s_gap(why.tok_begin, why.tok_end, x->tok_begin, x->tok_end);
        if (d_old <= d_new)
            return;
    }
    x->flags |= (uint8_t)(1u << cat);
    *old = why;
}

static bool s_in(const struct nlp_ctx_target *x, uint32_t b, uint32_t e)
{
    return b < e && x->tok_begin < e && b < x->tok_end;
}

static void s_apply_one(const struct nlp_ctx *c, size_t i,
                        const struct nlp_doc *d, const struct nlp_trigger *trig,
                        struct nlp_ctx_target *t, size_t nt)
{
    const struct nlp_ctx_hit *k = &c->kept[i];
    enum nlp_ctx_category cat = trig[k->trigger].category;
    if (cat >= NLP_CTX_NCAT)
        return; /* pseudo and terminate modify nothing */
    const struct nlp_sent *s = &d->sent[nlp_doc_sent_of(d, k->tok_begin)];
    struct s_scope sc = s_scope_of(c, i, d, trig, s);
    struct nlp_ctx_cause why = {NLP_WHY_TRIGGER, k->trigger, k->tok_begin,
                                k->tok_end};
    for (size_t x = s_first_target(t, nt, s->tok_begin);
         x < nt && t[x].tok_begin < s->tok_end; x++) {
        bool inside =
            t[x].tok_begin >= k->tok_begin && t[x].tok_end <= k->tok_end;
        bool scoped = !s_in(&t[x], k->tok_begin, k->tok_end) &&
                      (s_in(&t[x], sc.fb, sc.fe) || s_in(&t[x], sc.bb, sc.be));
        if (inside || scoped)
            s_mark(&t[x], (unsigned)cat, why);
    }
}

static void s_sections(const struct nlp_doc *d,
                       const struct nlp_section *sections,
                       const int32_t *sec_rule, size_t nsec_rule,
                       struct nlp_ctx_target *t, size_t nt)
{
    for (size_t x = 0; sec_rule && x < nt; x++) {
        size_t si = nlp_doc_sent_of(d, t[x].tok_begin);
        uint32_t sec = si < d->nsent ? d->sent[si].section : 0;
        if (sec >= nsec_rule || sec_rule[sec] < 0)
            continue;
        enum nlp_ctx_category cat = sections[sec_rule[sec]].category;
        if (cat < NLP_CTX_NCAT) {
            struct nlp_ctx_cause why = {NLP_WHY_SECTION,
                                        (uint32_t)sec_rule[sec], 0, 0};
            const struct nlp_doc_section *ds = &d->sec[sec];
            why.tok_begin = (uint32_t)nlp_doc_tok_at(d, ds->head_begin);
            why.tok_end = (uint32_t)nlp_doc_tok_at(d, ds->head_end);
            s_mark(&t[x], (unsigned)cat, why);
        }
    }
}

static int s_check(const struct nlp_doc *d, size_t ntrig,
                   const struct nlp_ctx_hit *h, size_t nh,
                   const struct nlp_ctx_target *t, size_t nt)
{
    for (size_t i = 0; i < nh; i++)
        if (h[i].trigger >= ntrig || h[i].tok_begin >= h[i].tok_end ||
            h[i].tok_end > d->ntok)
            return DS_EINVAL;
    for (size_t i = 0; i < nt; i++)
        if (t[i].tok_begin >= t[i].tok_end || t[i].tok_end > d->ntok ||
            (i && t[i].tok_begin < t[i - 1].tok_begin))
            return DS_EINVAL;
    return 0;
}

int nlp_context_apply(struct nlp_ctx *c, const struct nlp_doc *d,
                      const struct nlp_trigger *trig, size_t ntrig,
                      const struct nlp_section *sections,
                      const int32_t *sec_rule, size_t nsec_rule,
                      struct nlp_ctx_hit *h, size_t nh,
                      struct nlp_ctx_target *t, size_t nt)
{
    int rc = s_check(d, ntrig, h, nh, t, nt);
    if (rc == 0)
        rc = s_select(c, h, nh, t, nt);
    if (rc != 0)
        return rc;
    for (size_t x = 0; x < nt; x++) {
        t[x].flags = 0;
        memset(t[x].cause, 0, sizeof t[x].cause);
    }
    for (size_t i = 0; i < c->nkept; i++)
        s_apply_one(c, i, d, trig, t, nt);
    s_sections(d, sections, sec_rule, nsec_rule, t, nt);
    return 0;
}
