/*
 * nlp_ac_scan.c - run a compiled Aho-Corasick automaton over a text, and
 * the leftmost-longest selection of its hits (nlp_ac.h; layout in
 * nlp_ac_impl.h, construction in nlp_ac_build.c, nlp_ac_trie.c and
 * nlp_ac_table.c).
 *
 * Three inner loops, each leaving only when the state reached needs
 * something else: dense states step with one class lookup, one table
 * lookup and one compare per byte (s_run16 / s_run32, which stop on
 * anything but a plain dense state); plain sparse states with one header
 * load and one compare in the common case, a node with a single edge whose
 * class matches (s_run_sparse; else its other exceptions, else the
 * fallback's row); whitespace and output states are handled one byte at a
 * time in s_scan. Why sparse states at all: the dense table of the
 * shipped lexicon was ~54 MB, and in the full extractor (other stages
 * evicting it) the scan ran at about twice its stand-alone cost, most of
 * it on the load after the table lookup; the compact layout is ~3 MB and
 * the bytes a MAUDE pass touches fit in L2 (measurements in nlp/README.md).
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

/* ---- stepping ---------------------------------------------------------- */

/* Step from dense state *s over t[i..n) while the states reached are
 * plain dense ones; return the index of the byte that left that block (or n),
 * with *s the state it reached and *prev the one before it. */
static size_t s_run16(const nlp_ac_t *ac, const unsigned char *t, size_t n,
                      size_t i, uint32_t *s, uint32_t *prev)
{
    const uint16_t *tab = ac->t16;
    const uint8_t *cls = ac->cls;
    const uint32_t hot = ac->hot;
    uint32_t st = *s;
    for (; i < n; i++) {
        uint32_t next = tab[st + cls[t[i]]];
        if (next >= hot) {
            *prev = st;
            *s = next;
            return i;
        }
        st = next;
    }
    *s = st;
    return n;
}

/* As s_run16(), for 32-bit values. */
static size_t s_run32(const nlp_ac_t *ac, const unsigned char *t, size_t n,
                      size_t i, uint32_t *s, uint32_t *prev)
{
    const uint32_t *tab = ac->t32;
    const uint8_t *cls = ac->cls;
    const uint32_t hot = ac->hot;
    uint32_t st = *s;
    for (; i < n; i++) {
        uint32_t next = tab[st + cls[t[i]]];
        if (next >= hot) {
            *prev = st;
            *s = next;
            return i;
        }
        st = next;
    }
    *s = st;
    return n;
}

static uint32_t s_cell(const nlp_ac_t *ac, uint32_t i)
{
    return ac->t16 ? ac->t16[i] : ac->t32[i];
}

/* One step from sparse state s, header h, on class c. */
static uint32_t s_step_sparse(const nlp_ac_t *ac, uint32_t s, uint32_t h,
                              uint32_t c)
{
    const uint32_t *nd = &ac->sp[s - ac->dense_end];
    uint32_t k = h >> 24;
    uint32_t o = 1 + ((h & NLP_AC_SP_OUT) != 0), cw = k ? (k + 2) / 4 : 0;
    if (k && ((h >> 16) & 0xffu) == c)
        return h & NLP_AC_SP_CHAIN ? s + o : nd[o + cw];
    const uint8_t *cl = (const uint8_t *)&nd[o];
    for (uint32_t j = 1; j < k; j++)
        if (cl[j - 1] == c)
            return nd[o + cw + j];
    return s_cell(ac, (h & NLP_AC_SP_FB) * ac->nclass + c);
}

#define S_SPECIAL (NLP_AC_SP_WS | NLP_AC_SP_OUT)

/* As s_run16(), from a plain sparse state, while the states reached are
 * plain sparse ones. The common node (one exception, no output) costs
 * one header load and one compare: (h >> 16) is then 1 << 8 | c0. */
static size_t s_run_sparse(const nlp_ac_t *ac, const unsigned char *t, size_t n,
                           size_t i, uint32_t *s, uint32_t *prev)
{
    const uint32_t *sp = ac->sp;
    const uint8_t *cls = ac->cls;
    const uint32_t base = ac->dense_end;
    uint32_t st = *s, h = sp[st - base];
    for (; i < n; i++) {
        uint32_t c = cls[t[i]], next;
        if ((h >> 16) == (0x100u | c))
            next = h & NLP_AC_SP_CHAIN ? st + 1 : sp[st - base + 1];
        else
            next = s_step_sparse(ac, st, h, c);
        if (next < base || ((h = sp[next - base]) & S_SPECIAL)) {
            *prev = st;
            *s = next;
            return i;
        }
        st = next;
    }
    *s = st;
    return n;
}

/* True when entering s needs work: a whitespace or an output state. */
static bool s_is_special(const nlp_ac_t *ac, uint32_t s)
{
    return s >= ac->hot &&
           (s < ac->dense_end || (ac->sp[s - ac->dense_end] & S_SPECIAL));
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

/* Output k was entered by the byte before e: walk its chain. */
static int s_output(struct s_scan *sc, uint32_t k, size_t e)
{
    const nlp_ac_t *ac = sc->ac;
    bool end_ok = e == sc->n || !nlp_ac_is_word(sc->t[e]);
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

/* State s, not a plain dense one, was entered by byte i from prev:
 * count a whitespace byte or report the terms ending at i + 1. */
static int s_special(struct s_scan *sc, uint32_t prev, uint32_t s, size_t i)
{
    const nlp_ac_t *ac = sc->ac;
    uint32_t flags, k = 0;
    if (s < ac->dense_end) {
        flags = s < ac->out_rows ? NLP_AC_SP_WS : NLP_AC_SP_OUT;
        if (flags == NLP_AC_SP_OUT)
            k = (s - ac->out_rows) / ac->nclass;
    } else {
        const uint32_t *nd = &ac->sp[s - ac->dense_end];
        flags = nd[0];
        if (flags & NLP_AC_SP_OUT)
            k = nd[1];
    }
    if (flags & NLP_AC_SP_WS)
        s_space(sc, prev, s);
    else if (flags & NLP_AC_SP_OUT)
        return s_output(sc, k, i + 1);
    return 0;
}

/* Dense states run in s_run16/32 (which stop on entering anything but a
 * plain dense state), plain sparse ones in s_run_sparse; a special sparse
 * state is handled, then left by one step. */
static int s_scan(struct s_scan *sc)
{
    const nlp_ac_t *ac = sc->ac;
    const uint8_t *cls = ac->cls;
    uint32_t s = ac->start, prev = s;
    size_t i = 0;
    while (i < sc->n) {
        if (s < ac->dense_end) {
            i = ac->t16 ? s_run16(ac, sc->t, sc->n, i, &s, &prev)
                        : s_run32(ac, sc->t, sc->n, i, &s, &prev);
        } else if (!(ac->sp[s - ac->dense_end] & S_SPECIAL)) {
            i = s_run_sparse(ac, sc->t, sc->n, i, &s, &prev);
        } else {
            prev = s;
            s = s_step_sparse(ac, s, ac->sp[s - ac->dense_end], cls[sc->t[i]]);
        }
        if (i >= sc->n)
            return 0;
        if (s_is_special(ac, s)) {
            int rc = s_special(sc, prev, s, i);
            if (rc != 0)
                return rc;
        }
        i++;
    }
    return 0;
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
