/*
 * nlp_ac_scan.c - run a compiled Aho-Corasick automaton over a text, and
 * the leftmost-longest selection of its hits (nlp_ac.h; table layout in
 * nlp_ac_impl.h, construction in nlp_ac_build.c).
 *
 * The inner loop is one class lookup, one table lookup and one compare
 * per byte; it leaves the loop only on entering a whitespace or output
 * state (the numbering puts those last). With a big dictionary the table
 * does not fit in cache and a byte inside a term costs a cache miss (each
 * state along a term is a row of its own); in deep states the loop
 * therefore prefetches the rows of the next two bytes on the guess that
 * the term goes on (trie preorder makes that the next row), so the misses
 * overlap. Measured with 5,000 terms (tests/bench/bench_ac.c) against
 * BFS-numbered rows without prefetch: about 2x on sentence-like notes and
 * 4x on text made only of terms, about 10 % slower on MAUDE narratives,
 * which rarely leave the shallow, cached rows.
 *
 * Whitespace states cost a counter update per byte: the scanner keeps, in
 * a ring indexed by run number, the cumulative length of the whitespace
 * runs it crossed inside possible terms. A term with k spaces spans
 * exactly the last k of those runs (each space of a term is a maximal run,
 * since terms have no leading, trailing or double spaces), so its first
 * byte is end - (len - k) - (bytes in the last k runs): O(1) per hit, no
 * look-back over the text.
 *
 * Output states hold the terms that end there and two suffix chains (Aho
 * & Corasick 1975 output function, kept as links): one through every
 * shorter term, one through NOBOUND terms only. When the byte after the
 * end is a word byte, bounded terms cannot match, so the scanner walks the
 * NOBOUND chain; otherwise every term on the full chain is a hit (the
 * automaton has already enforced the start boundary). Every state visited
 * on a chain yields at least one hit, so a scan is O(n + hits).
 *
 * Not here: building (nlp_ac_build.c); policies beyond leftmost-longest.
 */
#include "devsurv/nlp_ac.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "nlp_ac_impl.h"

#include <string.h>

#define S_RING (NLP_AC_SPACES_MAX + 1)

#if defined(__GNUC__)
#define S_PREFETCH(p) __builtin_prefetch(p)
#else
#define S_PREFETCH(p) ((void)(p))
#endif

struct s_scan {
    const nlp_ac_t *ac;
    const unsigned char *t;
    size_t n;
    nlp_ac_hit_fn fn;
    void *ctx;
    size_t runs;       /* whitespace runs crossed in whitespace states */
    size_t ws[S_RING]; /* ws[r % S_RING]: bytes in runs 1..r */
};

/* ---- hit lists --------------------------------------------------------- */

void nlp_ac_hits_init(struct nlp_ac_hits *hits)
{
    hits->v = NULL;
    hits->n = hits->cap = 0;
}

int nlp_ac_hits_reserve(struct nlp_ac_hits *hits, size_t cap)
{
    if (cap <= hits->cap)
        return 0;
    if (cap > SIZE_MAX / sizeof *hits->v)
        return DS_ENOMEM;
    struct nlp_ac_hit *v = ds_realloc(hits->v, cap * sizeof *v);
    if (!v)
        return DS_ENOMEM;
    hits->v = v;
    hits->cap = cap;
    return 0;
}

void nlp_ac_hits_clear(struct nlp_ac_hits *hits)
{
    ds_free(hits->v);
    nlp_ac_hits_init(hits);
}

static int s_push(void *ctx, const struct nlp_ac_hit *hit)
{
    struct nlp_ac_hits *hits = ctx;
    if (hits->n == hits->cap) {
        int rc = nlp_ac_hits_reserve(hits, hits->cap ? 2 * hits->cap : 64);
        if (rc != 0)
            return rc;
    }
    hits->v[hits->n++] = *hit;
    return 0;
}

/* ---- the inner loops --------------------------------------------------- */

/* Step from *s over t[i..n) until a special state; return its index (or
 * n), with *s the state reached and *prev the one before it. */
static size_t s_run16(const nlp_ac_t *ac, const unsigned char *t, size_t n,
                      size_t i, uint32_t *s, uint32_t *prev)
{
    const uint16_t *tab = ac->t16;
    const uint8_t *cls = ac->cls;
    const uint32_t special = ac->special;
    uint32_t st = *s;
    for (; i < n; i++) {
        uint32_t next = tab[st + cls[t[i]]];
        if (next >= special) {
            *prev = st;
            *s = next;
            return i;
        }
        st = next;
    }
    *s = st;
    return n;
}

/* As s_run16(), for big tables, which do not fit in cache: in a deep
 * state the next state is most often the next row (the term goes on), so
 * fetch the rows for the next two bytes along that guess now; when the
 * guess is right the misses overlap instead of coming one per byte. */
static size_t s_run32(const nlp_ac_t *ac, const unsigned char *t, size_t n,
                      size_t i, uint32_t *s, uint32_t *prev)
{
    const uint32_t *tab = ac->t32;
    const uint8_t *cls = ac->cls;
    const uint32_t deep = ac->deep, special = ac->special, row = ac->nclass;
    uint32_t st = *s;
    for (; i < n; i++) {
        uint32_t next = tab[st + cls[t[i]]];
        if (next >= deep) {
            if (next >= special) {
                *prev = st;
                *s = next;
                return i;
            }
            if (i + 3 < n) {
                S_PREFETCH(&tab[next + row + cls[t[i + 2]]]);
                S_PREFETCH(&tab[next + 2 * row + cls[t[i + 3]]]);
            }
        }
        st = next;
    }
    *s = st;
    return n;
}

/* ---- whitespace runs and outputs --------------------------------------- */

/* One more whitespace byte read into state next (from prev). A run starts
 * when the state changes: inside a run the state loops on itself. */
static void s_space(struct s_scan *sc, uint32_t prev, uint32_t next)
{
    if (prev != next) {
        sc->runs++;
        sc->ws[sc->runs % S_RING] = sc->ws[(sc->runs - 1) % S_RING] + 1;
    } else {
        sc->ws[sc->runs % S_RING]++;
    }
}

/* Text bytes spanned by p when it ends here. */
static size_t s_span(const struct s_scan *sc, const struct nlp_ac_pat *p)
{
    if (p->spaces == 0)
        return p->len;
    size_t run_bytes =
        sc->ws[sc->runs % S_RING] - sc->ws[(sc->runs - p->spaces) % S_RING];
    return (size_t)p->len - p->spaces + run_bytes;
}

/* Report the own terms of output state o, which end at e. */
static int s_emit(struct s_scan *sc, const struct nlp_ac_out *o, size_t e)
{
    const struct nlp_ac_pat *p = &sc->ac->pat[o->first];
    for (uint32_t j = 0; j < o->count; j++, p++) {
        struct nlp_ac_hit hit = {e - s_span(sc, p), e, p->id};
        int rc = sc->fn(sc->ctx, &hit);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Output state s was entered by the byte before e: walk its chain. */
static int s_output(struct s_scan *sc, uint32_t s, size_t e)
{
    const nlp_ac_t *ac = sc->ac;
    bool end_ok = e == sc->n || !nlp_ac_is_word(sc->t[e]);
    uint32_t k = (s - ac->out_base) / ac->nclass;
    const struct nlp_ac_out *o = &ac->out[k];
    if (o->count == 0 || !(end_ok || o->nobound))
        k = end_ok ? o->any : o->nb;
    while (k != NLP_AC_NONE) {
        o = &ac->out[k];
        int rc = s_emit(sc, o, e);
        if (rc != 0)
            return rc;
        k = end_ok ? o->any : o->nb;
    }
    return 0;
}

static int s_scan(struct s_scan *sc)
{
    const nlp_ac_t *ac = sc->ac;
    uint32_t s = ac->start, prev = 0;
    size_t i = 0;
    for (;;) {
        i = ac->t16 ? s_run16(ac, sc->t, sc->n, i, &s, &prev)
                    : s_run32(ac, sc->t, sc->n, i, &s, &prev);
        if (i >= sc->n)
            return 0;
        if (s < ac->out_base) {
            s_space(sc, prev, s);
        } else {
            int rc = s_output(sc, s, i + 1);
            if (rc != 0)
                return rc;
        }
        i++;
    }
}

int nlp_ac_scan_cb(const nlp_ac_t *self, struct ds_span text, nlp_ac_hit_fn fn,
                   void *ctx)
{
    struct s_scan sc;
    sc.ac = self;
    sc.t = (const unsigned char *)text.p;
    sc.n = text.p ? text.n : 0;
    sc.fn = fn;
    sc.ctx = ctx;
    sc.runs = 0;
    sc.ws[0] = 0;
    return s_scan(&sc);
}

int nlp_ac_scan(const nlp_ac_t *self, struct ds_span text,
                struct nlp_ac_hits *hits)
{
    hits->n = 0;
    return nlp_ac_scan_cb(self, text, s_push, hits);
}

/* ---- leftmost-longest -------------------------------------------------- */

/* Order for selection: begin up, then end down, then id up. */
static bool s_before(const struct nlp_ac_hit *a, const struct nlp_ac_hit *b)
{
    if (a->begin != b->begin)
        return a->begin < b->begin;
    if (a->end != b->end)
        return a->end > b->end;
    return a->id < b->id;
}

static void s_sift(struct nlp_ac_hit *v, size_t i, size_t n)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && s_before(&v[c], &v[c + 1]))
            c++;
        if (!s_before(&v[i], &v[c]))
            return;
        struct nlp_ac_hit tmp = v[i];
        v[i] = v[c];
        v[c] = tmp;
    }
}

/* Heapsort: in place, no allocation, O(n log n) whatever the input. */
static void s_sort(struct nlp_ac_hit *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        s_sift(v, i, n);
    for (size_t end = n; end-- > 1;) {
        struct nlp_ac_hit tmp = v[0];
        v[0] = v[end];
        v[end] = tmp;
        s_sift(v, 0, end);
    }
}

size_t nlp_ac_longest(struct nlp_ac_hit *v, size_t n)
{
    size_t k = 0;
    s_sort(v, n);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i].begin >= v[k - 1].end)
            v[k++] = v[i];
    return k;
}
