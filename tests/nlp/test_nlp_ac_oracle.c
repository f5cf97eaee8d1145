/*
 * test_nlp_ac_oracle.c - the Aho-Corasick matcher (nlp_ac.h) against an
 * oracle: a naive search written from the contract in nlp_ac.h alone
 * (normalise each term, try it at every text position, check boundaries),
 * compared on the complete, de-duplicated match set over thousands of
 * random dictionaries and texts (splitmix64, fixed seeds: a failure prints
 * its case number), in the default layout and with every state but the
 * root forced compact (s_tune); then a 20,000-term lexicon and 10 MB
 * texts.
 *
 * Not here: usage examples and allocation budgets (test_nlp_ac.c).
 */
#include "devsurv/ds_alloc.h"
#include "ac_test_util.h"
#include "../test.h"

#include <stdlib.h>

/* ---- the oracle: naive search from the contract ------------------------ */

static bool o_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

static bool o_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char o_fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

#define O_TERM 40

struct o_term {
    unsigned char raw[O_TERM], norm[O_TERM];
    size_t nraw, nnorm;
    uint32_t id;
    unsigned flags;
};

/* Words of raw (split at whitespace), folded, joined by one space. */
static void o_normalise(struct o_term *t)
{
    t->nnorm = 0;
    for (size_t i = 0; i < t->nraw;) {
        while (i < t->nraw && o_space(t->raw[i]))
            i++;
        if (i == t->nraw)
            break;
        if (t->nnorm > 0)
            t->norm[t->nnorm++] = ' ';
        while (i < t->nraw && !o_space(t->raw[i]))
            t->norm[t->nnorm++] = o_fold(t->raw[i++]);
    }
}

/* Does t match text at b? Then *e is where it ends. */
static bool o_match_at(const unsigned char *x, size_t n, size_t b,
                       const struct o_term *t, size_t *e)
{
    size_t i = b;
    for (size_t j = 0; j < t->nnorm; j++) {
        if (t->norm[j] == ' ') {
            if (i >= n || !o_space(x[i]))
                return false;
            while (i < n && o_space(x[i]))
                i++;
        } else if (i >= n || o_fold(x[i]) != t->norm[j]) {
            return false;
        } else {
            i++;
        }
    }
    *e = i;
    return true;
}

static bool o_bounded(const unsigned char *x, size_t n, size_t b, size_t e)
{
    return (b == 0 || !o_word(x[b - 1])) && (e == n || !o_word(x[e]));
}

static int o_cmp(const void *va, const void *vb)
{
    const struct nlp_ac_hit *a = va, *b = vb;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    if (a->begin != b->begin)
        return a->begin < b->begin ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Every (begin, end, id) for terms[0..nt) in x, sorted, no repeats. */
static int o_search(const unsigned char *x, size_t n, const struct o_term *t,
                    size_t nt, struct nlp_ac_hits *out)
{
    out->n = 0;
    for (size_t k = 0; k < nt; k++) {
        for (size_t b = 0; t[k].nnorm && b < n; b++) {
            size_t e;
            if (!o_match_at(x, n, b, &t[k], &e))
                continue;
            if (!(t[k].flags & NLP_AC_NOBOUND) && !o_bounded(x, n, b, e))
                continue;
            if (out->n == out->cap &&
                nlp_ac_hits_reserve(out, 16 + 2 * out->cap) != 0)
                return DS_ENOMEM;
            out->v[out->n++] = (struct nlp_ac_hit){b, e, t[k].id};
        }
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, o_cmp);
    size_t m = 0;
    for (size_t i = 0; i < out->n; i++)
        if (m == 0 || o_cmp(&out->v[i], &out->v[m - 1]) != 0)
            out->v[m++] = out->v[i];
    out->n = m;
    return 0;
}

/* Leftmost-longest by the definition: repeatedly the best remaining hit. */
static size_t o_longest(const struct nlp_ac_hits *in, struct nlp_ac_hit *out)
{
    size_t k = 0, from = 0;
    for (;;) {
        const struct nlp_ac_hit *best = NULL;
        for (size_t i = 0; i < in->n; i++) {
            const struct nlp_ac_hit *h = &in->v[i];
            if (h->begin < from)
                continue;
            if (!best || h->begin < best->begin ||
                (h->begin == best->begin &&
                 (h->end > best->end ||
                  (h->end == best->end && h->id < best->id))))
                best = h;
        }
        if (!best)
            return k;
        out[k++] = *best;
        from = best->end;
    }
}

/* ---- random dictionaries and texts ------------------------------------- */

static uint64_t s_rng;

/* splitmix64 (Steele, Lea, Flood 2014) */
static uint64_t s_next(void)
{
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t s_below(size_t n)
{
    return (size_t)(s_next() % n);
}

/* Mostly a few letters so terms overlap; some of everything else. */
static unsigned char s_byte(void)
{
    static const unsigned char common[] = "heHsSrRiI";
    static const unsigned char rare[] = "aZ19-().,;' \t\n\r\v\f\0\xc3\xa9\xff";
    if (s_below(10) < 7)
        return common[s_below(sizeof common - 1)];
    return rare[s_below(sizeof rare - 1)];
}

static const struct o_term s_classic[] = {
    {"he", "", 2, 0, 0, 0},   {"she", "", 3, 0, 0, 0},
    {"his", "", 3, 0, 0, 0},  {"hers", "", 4, 0, 0, 0},
    {"h e", "", 3, 0, 0, 0},  {"s\the", "", 4, 0, 0, 0},
    {"e", "", 1, 0, 0, 0},    {"hers he", "", 7, 0, 0, 0},
    {"  sh ", "", 5, 0, 0, 0}};

static void s_random_term(struct o_term *t, size_t maxlen, uint32_t nids)
{
    size_t nc = sizeof s_classic / sizeof s_classic[0];
    if (s_below(4) == 0) {
        *t = s_classic[s_below(nc)];
    } else {
        t->nraw = 1 + s_below(maxlen);
        for (size_t i = 0; i < t->nraw; i++)
            t->raw[i] = s_byte();
    }
    t->id = (uint32_t)s_below(nids);
    t->flags = s_below(3) == 0 ? NLP_AC_NOBOUND : 0;
    o_normalise(t);
}

/* A text of about n bytes: random bytes with terms planted in it, their
 * spaces widened to random whitespace runs and their case flipped. */
static size_t s_random_text(unsigned char *x, size_t n, const struct o_term *t,
                            size_t nt)
{
    static const char ws[] = " \t\n\r\v\f";
    size_t i = 0;
    while (i < n) {
        const struct o_term *p = nt ? &t[s_below(nt)] : NULL;
        if (!p || s_below(3) == 0 || i + 4 * p->nnorm + 4 > n) {
            x[i++] = s_byte();
            continue;
        }
        for (size_t j = 0; j < p->nnorm; j++) {
            unsigned char c = p->norm[j];
            if (c != ' ') {
                bool up = c >= 'a' && c <= 'z' && s_below(2);
                x[i++] = up ? (unsigned char)(c - 'a' + 'A') : c;
                continue;
            }
            for (size_t r = 1 + s_below(3); r > 0; r--)
                x[i++] = (unsigned char)ws[s_below(sizeof ws - 1)];
        }
    }
    return i;
}

/* ---- automaton vs oracle ----------------------------------------------- */

/* Build from oracle terms; each add must succeed exactly when the oracle's
 * normalised form is non-empty. */
static int s_build_terms(nlp_ac_t **ac, const struct o_term *t, size_t nt)
{
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    if (!b)
        return DS_ENOMEM;
    for (size_t k = 0; k < nt; k++) {
        struct ds_span sp = {(const char *)t[k].raw, t[k].nraw};
        int rc = nlp_ac_builder_add(b, sp, t[k].id, t[k].flags, NULL);
        if (rc != (t[k].nnorm ? 0 : DS_EINVAL)) {
            nlp_ac_builder_destroy(&b);
            return rc ? rc : DS_EINVAL;
        }
    }
    return s_compile(ac, &b);
}

#define S_MAXSEL 20000

struct s_lists {
    struct nlp_ac_hits got, want;
    struct nlp_ac_hit *sel;
};

static int s_count(void *ctx, const struct nlp_ac_hit *hit)
{
    (void)hit;
    ++*(size_t *)ctx;
    return 0;
}

/* Field by field (struct nlp_ac_hit has padding). */
static bool s_same(const struct nlp_ac_hit *a, const struct nlp_ac_hit *b,
                   size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (o_cmp(&a[i], &b[i]) != 0)
            return false;
    return true;
}

/* NULL when the automaton agrees with the oracle on x, else what differs. */
static const char *s_compare(const nlp_ac_t *ac, const unsigned char *x,
                             size_t n, const struct o_term *t, size_t nt,
                             struct s_lists *l)
{
    struct ds_span sp = {(const char *)x, n};
    size_t calls = 0;
    if (nlp_ac_scan(ac, sp, &l->got) != 0 ||
        o_search(x, n, t, nt, &l->want) != 0)
        return "out of memory";
    for (size_t i = 1; i < l->got.n; i++)
        if (l->got.v[i].end < l->got.v[i - 1].end ||
            (l->got.v[i].end == l->got.v[i - 1].end &&
             l->got.v[i].begin < l->got.v[i - 1].begin))
            return "hits out of (end, begin) order";
    if (nlp_ac_scan_cb(ac, sp, s_count, &calls) != 0 || calls != l->got.n)
        return "callback count differs from the list";
    if (l->got.n > 1)
        qsort(l->got.v, l->got.n, sizeof *l->got.v, o_cmp);
    if (l->got.n != l->want.n)
        return "different number of hits";
    if (!s_same(l->got.v, l->want.v, l->got.n))
        return "different hits";
    if (l->want.n > S_MAXSEL)
        return NULL; /* o_longest is quadratic; small cases cover it */
    size_t k = o_longest(&l->want, l->sel);
    if (nlp_ac_longest(l->got.v, l->got.n) != k || !s_same(l->got.v, l->sel, k))
        return "different leftmost-longest selection";
    return NULL;
}

#define S_MAXTERMS 600
#define S_MAXTEXT  4096

struct s_case {
    size_t cases, minterms, maxterms, maxlen, textlen;
    uint32_t nids;
    uint64_t seed;
    int widths;    /* bit 0: a 16-bit table was seen, bit 1: 32-bit */
    size_t hits;   /* total hits compared */
    size_t sparse; /* cases whose automaton had sparse states */
};

/* Run c->cases random cases; NULL or why the first failing one failed
 * (*failed gets its number). */
static const char *s_cases(struct s_case *c, struct s_lists *l, size_t *failed)
{
    static struct o_term t[S_MAXTERMS];
    static unsigned char x[S_MAXTEXT];
    for (size_t i = 0; i < c->cases; i++) {
        nlp_ac_t *ac = NULL;
        struct nlp_ac_info info;
        s_rng = c->seed + i;
        size_t nt = c->minterms + s_below(c->maxterms - c->minterms + 1);
        for (size_t k = 0; k < nt; k++)
            s_random_term(&t[k], c->maxlen, c->nids);
        size_t n = s_random_text(x, s_below(c->textlen + 1), t, nt);
        *failed = i;
        if (s_build_terms(&ac, t, nt) != 0)
            return "build disagrees with the oracle's normalisation";
        nlp_ac_info(ac, &info);
        c->widths |= info.entry_bytes == 2 ? 1 : 2;
        c->sparse += info.dense < info.states;
        const char *why = s_compare(ac, x, n, t, nt, l);
        c->hits += l->want.n;
        nlp_ac_destroy(&ac);
        if (why)
            return why;
    }
    return NULL;
}

static void s_lists_init(struct s_lists *l)
{
    nlp_ac_hits_init(&l->got);
    nlp_ac_hits_init(&l->want);
    l->sel = malloc(S_MAXSEL * sizeof *l->sel);
}

static void s_lists_clear(struct s_lists *l)
{
    nlp_ac_hits_clear(&l->got);
    nlp_ac_hits_clear(&l->want);
    free(l->sel);
}

TEST(oracle_small_dictionaries)
{
    struct s_case c = {6000, 1, 12, 6, 160, 8, 1000, 0, 0, 0};
    struct s_lists l;
    size_t failed = 0;
    s_lists_init(&l);
    const char *why = s_cases(&c, &l, &failed);
    s_lists_clear(&l);
    if (why)
        TEST_FAIL_("case %zu (seed %zu): %s", failed, (size_t)c.seed + failed,
                   why);
    printf("# %zu cases, %zu hits, all as the oracle\n", c.cases, c.hits);
    CHECK_INT(c.widths, 1);
    CHECK_INT(c.sparse, 0); /* small: every state dense */
}

TEST(oracle_large_dictionaries)
{
    struct s_case c = {150,  200,  S_MAXTERMS, 20, S_MAXTEXT - 64,
                       2000, 9000, 0,          0,  0};
    struct s_lists l;
    size_t failed = 0;
    s_lists_init(&l);
    const char *why = s_cases(&c, &l, &failed);
    s_lists_clear(&l);
    if (why)
        TEST_FAIL_("case %zu (seed %zu): %s", failed, (size_t)c.seed + failed,
                   why);
    printf("# %zu cases, %zu hits, all as the oracle\n", c.cases, c.hits);
    CHECK(c.widths == 3);
}

/* Only the root dense (where a state differs from the root's row in at
 * most 255 columns): every step of the scan but the root's goes through a
 * sparse node, chain nodes and branching ones, outputs and whitespace
 * states included. */
static const struct nlp_ac_tune s_sparse_tune = {0, 1, 255};

TEST(oracle_sparse_small_dictionaries)
{
    struct s_case c = {4000, 1, 12, 6, 160, 8, 2000, 0, 0, 0};
    struct s_lists l;
    size_t failed = 0;
    s_lists_init(&l);
    s_tune = &s_sparse_tune;
    const char *why = s_cases(&c, &l, &failed);
    s_tune = NULL;
    s_lists_clear(&l);
    if (why)
        TEST_FAIL_("case %zu (seed %zu): %s", failed, (size_t)c.seed + failed,
                   why);
    printf("# %zu cases, %zu hits, all as the oracle\n", c.cases, c.hits);
    CHECK(c.sparse > c.cases * 9 / 10); /* all but one-state automata */
}

TEST(oracle_sparse_large_dictionaries)
{
    static const struct nlp_ac_tune some = {0, 3, 2}; /* mixed layouts */
    struct s_case c = {60,   200,  S_MAXTERMS, 20, S_MAXTEXT - 64,
                       3000, 9100, 0,          0,  0};
    struct s_lists l;
    size_t failed = 0;
    const char *why = NULL;
    s_lists_init(&l);
    for (int k = 0; k < 2 && !why; k++) {
        s_tune = k ? &some : &s_sparse_tune;
        c.seed = 9100 + 1000 * (uint64_t)k;
        why = s_cases(&c, &l, &failed);
    }
    s_tune = NULL;
    s_lists_clear(&l);
    if (why)
        TEST_FAIL_("case %zu (seed %zu): %s", failed, (size_t)c.seed + failed,
                   why);
    printf("# %zu cases, %zu hits, all as the oracle\n", 2 * c.cases, c.hits);
    CHECK_INT(c.sparse, 2 * c.cases);
    CHECK(c.widths == 3); /* 16- and 32-bit tables */
}

/* A lexicon the size of the shipped one (20,000 terms), default layout:
 * mostly sparse, 32-bit values, against the oracle. The terms' small
 * alphabet makes a bushy trie, so the cap on dense rows (a fallback must
 * fit a node header) is reached and later branching states stay sparse
 * with many exceptions. */
TEST(oracle_twenty_thousand_terms)
{
    enum { NT = 20000, NX = 6000 };
    struct o_term *t = malloc(NT * sizeof *t);
    unsigned char *x = malloc(NX);
    nlp_ac_t *ac = NULL;
    struct nlp_ac_info info;
    struct s_lists l;
    CHECK(t != NULL && x != NULL);
    s_rng = 424242;
    for (size_t k = 0; k < NT; k++)
        s_random_term(&t[k], 14, 30000);
    size_t n = s_random_text(x, NX, t, NT);
    CHECK_INT(s_build_terms(&ac, t, NT), 0);
    nlp_ac_info(ac, &info);
    s_lists_init(&l);
    const char *why = l.sel ? s_compare(ac, x, n, t, NT, &l) : "no memory";
    size_t hits = l.want.n;
    s_lists_clear(&l);
    nlp_ac_destroy(&ac);
    free(t);
    free(x);
    if (why)
        TEST_FAIL_("%s", why);
    printf("# %zu states, %zu dense, %zu hits, all as the oracle\n",
           info.states, info.dense, hits);
    CHECK_INT(info.dense, NLP_AC_SP_FB);
    CHECK(info.dense * 4 < info.states);
    CHECK_INT(info.entry_bytes, 4);
    CHECK(hits > 1000);
}

/* ---- big texts --------------------------------------------------------- */

TEST(ten_megabytes_against_the_oracle)
{
    static const char *raw[] = {"insulin pump", "he",   "she", "hers",
                                "h e",          "pump", "s",   "i\xc3\xa9"};
    struct o_term t[8];
    size_t n = 10u << 20, mid = n / 2;
    unsigned char *x = malloc(n);
    struct s_lists l;
    CHECK(x != NULL);
    s_rng = 77;
    for (size_t k = 0; k < 8; k++) {
        memset(&t[k], 0, sizeof t[k]);
        t[k].nraw = strlen(raw[k]);
        memcpy(t[k].raw, raw[k], t[k].nraw);
        t[k].id = (uint32_t)k;
        t[k].flags = k % 3 == 1 ? NLP_AC_NOBOUND : 0;
        o_normalise(&t[k]);
    }
    s_random_text(x, n, t, 8);
    for (size_t i = 0; i < n; i += 1 + s_below(64))
        x[i] = (unsigned char)s_next(); /* NULs, invalid UTF-8 */
    memcpy(x + mid - 8, " INSULIN", 8);
    memset(x + mid, '\n', 1u << 20); /* one 1 MB whitespace run */
    memcpy(x + mid + (1u << 20), "Pump ", 5);
    nlp_ac_t *ac = NULL;
    CHECK_INT(s_build_terms(&ac, t, 8), 0);
    s_lists_init(&l);
    const char *why = l.sel ? s_compare(ac, x, n, t, 8, &l) : "no memory";
    bool spans = false;
    for (size_t i = 0; i < l.want.n; i++)
        spans |= s_hit_is(&l.want.v[i], mid - 7, mid + (1u << 20) + 4, 0);
    s_lists_clear(&l);
    nlp_ac_destroy(&ac);
    free(x);
    if (why)
        TEST_FAIL_("%s", why);
    CHECK(spans);
}

TEST(ten_megabytes_of_one_letter)
{
    static char runs[40][41];
    static struct term terms[41];
    size_t n = 10u << 20, count = 0;
    char *x = malloc(n);
    nlp_ac_t *ac = NULL;
    CHECK(x != NULL);
    memset(x, 'a', n);
    for (size_t k = 0; k < 40; k++) {
        memset(runs[k], 'a', k + 1);
        terms[k] = (struct term){runs[k], (uint32_t)k, 0};
    }
    terms[40] = (struct term){"aaaa", 40, NLP_AC_NOBOUND};
    CHECK_INT(s_make(&ac, terms, 41), 0);
    CHECK_INT(nlp_ac_scan_cb(ac, (struct ds_span){x, n}, s_count, &count), 0);
    CHECK_INT(count, n - 3); /* only the NOBOUND term, at every offset */
    x[n - 41] = ' ';         /* now the last 40 letters are a word */
    count = 0;
    CHECK_INT(nlp_ac_scan_cb(ac, (struct ds_span){x, n}, s_count, &count), 0);
    CHECK_INT(count, (n - 41 - 3) + (40 - 3) + 1); /* + the 40-letter word */
    nlp_ac_destroy(&ac);
    free(x);
}

TEST(ten_megabytes_sparse)
{
    s_tune = &s_sparse_tune;
    test_ten_megabytes_against_the_oracle();
    if (!test_why_[0])
        test_ten_megabytes_of_one_letter();
    s_tune = NULL;
}

int main(void)
{
    RUN(oracle_small_dictionaries);
    RUN(oracle_large_dictionaries);
    RUN(oracle_sparse_small_dictionaries);
    RUN(oracle_sparse_large_dictionaries);
    RUN(oracle_twenty_thousand_terms);
    RUN(ten_megabytes_against_the_oracle);
    RUN(ten_megabytes_of_one_letter);
    RUN(ten_megabytes_sparse);
    return test_report();
}
