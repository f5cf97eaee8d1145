/*
 * nlp_regex_scan.c - run the compiled identifier regexes over a text and
 * collect the validated values, sorted, one per span (nlp_regex.h).
 *
 * Each regex pass is a loop of pcre2_match (pcre2_jit_match, its fast
 * path, when the code is JIT-compiled) from the end of the previous
 * match. The match data lives in the caller's scratch, sized for the pass
 * with the most groups; PCRE2 keeps its interpreter frames there too, so
 * after the first scans nothing is allocated. Hits of all passes are
 * merge-sorted with a buffer kept in the scratch (glibc qsort may call
 * malloc); equal spans, and spans inside a span of the same kind, are
 * dropped.
 *
 * Digit gate: a pass whose members all have a digit reach W (nlp_regex.h,
 * nlp_regex_gate.c) is searched only in the windows [b - W, e - 1] of
 * the text's digit runs [b, e), found once per scan (16 bytes at a time
 * with SSE2), each search bounded by pcre2_set_offset_limit (the code is
 * compiled with PCRE2_USE_OFFSET_LIMIT). Same matches: the leftmost match
 * from any offset starts in the first window that ends after it.
 *
 * Cost: one pass per regex; PCRE2 finds candidate starts from the first
 * bytes the regex can begin with. The shipped patterns use bounded
 * repeats only, so each start costs a bounded amount of work and a scan
 * is linear in the text. A pathological rule is stopped by PCRE2's match
 * limits (counted in the scratch), never by an assertion.
 *
 * Not here: compiling (nlp_regex.c), validators (nlp_regex_valid.c).
 */
#include "nlp_regex_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define S_LIMITED 2 /* s_step: a match limit stopped the pass (no error) */

nlp_regex_scratch_t *nlp_regex_scratch_new(void)
{
    nlp_regex_scratch_t *s = ds_calloc(1, sizeof *s);
    if (s && (s->gctx = nlp_regex_gctx()) != NULL)
        s->mc = pcre2_match_context_create(s->gctx);
    if (s && !s->mc)
        nlp_regex_scratch_destroy(&s);
    return s;
}

void nlp_regex_scratch_destroy(nlp_regex_scratch_t **s_p)
{
    nlp_regex_scratch_t *s = s_p ? *s_p : NULL;
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mc);
    pcre2_general_context_free(s->gctx);
    ds_free(s->run);
    ds_free(s->v);
    ds_free(s->tmp);
    ds_free(s);
    *s_p = NULL;
}

const struct nlp_regex_hit *nlp_regex_hits(const nlp_regex_scratch_t *s,
                                           size_t *n)
{
    *n = s->n;
    return s->v;
}

uint64_t nlp_regex_scratch_limited(const nlp_regex_scratch_t *s)
{
    return s->limited;
}

/* Room for one more hit (and as much merge buffer). */
static int s_reserve(nlp_regex_scratch_t *s)
{
    if (s->n < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 64;
    struct nlp_regex_hit *v = ds_realloc(s->v, cap * sizeof *v);
    if (v)
        s->v = v;
    struct nlp_regex_hit *t = v ? ds_realloc(s->tmp, cap * sizeof *t) : NULL;
    if (!t)
        return DS_ENOMEM;
    s->tmp = t;
    s->cap = cap;
    return 0;
}

/* Which member matched: the first capture group that is set (group k + 1
 * is member k's value); p->n when none is. */
static uint32_t s_member(const struct nlp_regex_pass *p, const PCRE2_SIZE *ov)
{
    uint32_t k = 0;
    while (k < p->n && ov[2 * k + 2] == PCRE2_UNSET)
        k++;
    return k;
}

/* Validate the value [b, e) of pattern i and keep it. */
static int s_accept(const nlp_regex_t *x, struct ds_span t, PCRE2_SIZE b,
                    PCRE2_SIZE e, uint32_t i, nlp_regex_scratch_t *s)
{
    size_t len;
    if (b == PCRE2_UNSET || b >= e || e > t.n || i >= x->npat)
        return 0;
    struct ds_span value = {t.p + b, e - b};
    if (!nlp_regex_validate(x->pat[i].validator, value, &len))
        return 0;
    if (s_reserve(s) != 0)
        return DS_ENOMEM;
    s->v[s->n++] = (struct nlp_regex_hit){(uint32_t)b, (uint32_t)(b + len), i};
    return 0;
}

static int s_match(const struct nlp_regex_pass *p, struct ds_span t,
                   PCRE2_SIZE off, pcre2_match_data *md,
                   pcre2_match_context *mc)
{
    PCRE2_SPTR sp = (PCRE2_SPTR)(t.p ? t.p : "");
    return p->jit ? pcre2_jit_match(p->code, sp, t.n, off, 0, md, mc)
                  : pcre2_match(p->code, sp, t.n, off, 0, md, mc);
}

/* One pcre2 search from from (offset limit in mc, if any), for a scan
 * whose next search would start at *off: keep the value and move *off
 * past the match. 1 when there was a match, 0 when none, S_LIMITED, or
 * DS_ENOMEM. */
static int s_step(const nlp_regex_t *x, const struct nlp_regex_pass *p,
                  struct ds_span t, PCRE2_SIZE *off, PCRE2_SIZE from,
                  pcre2_match_context *mc, nlp_regex_scratch_t *s)
{
    int rc = s_match(p, t, from, s->md, mc);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return DS_ENOMEM;
    if (rc < 0) {
        s->limited++; /* match, depth, heap or JIT stack limit */
        return S_LIMITED;
    }
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    uint32_t k = s_member(p, ov);
    int e = k < p->n
                ? s_accept(x, t, ov[2 * k + 2], ov[2 * k + 3], p->members[k], s)
                : 0;
    *off = ov[1] > *off ? ov[1] : *off + 1;
    return e != 0 ? e : 1;
}

/* Every match of one pass, from the start of the text. */
static int s_pass(const nlp_regex_t *x, const struct nlp_regex_pass *p,
                  struct ds_span t, nlp_regex_scratch_t *s)
{
    PCRE2_SIZE off = 0;
    int rc = 1;
    while (rc == 1 && off <= t.n)
        rc = s_step(x, p, t, &off, off, NULL, s);
    return rc < 0 ? rc : 0;
}

/* The same matches as s_pass, for a pass with a digit reach W: a match
 * starting at s has a digit in [s, s + W], so, from off, the leftmost
 * match starts in [max(off, b - W), e - 1] for the first digit run [b, e)
 * that ends after off, or in the window of a later run. Each search is
 * held to its window (runs whose windows touch are one) by PCRE2's offset
 * limit, so the text between windows is never searched. A window is
 * worked out once, however many matches it holds: the runs are walked
 * once per pass, and the pass stays linear in the text. */
static int s_pass_gated(const nlp_regex_t *x, const struct nlp_regex_pass *p,
                        struct ds_span t, nlp_regex_scratch_t *s)
{
    const uint32_t *run = s->run, w = (uint32_t)p->reach;
    PCRE2_SIZE off = 0;
    size_t r = 0, q = 0; /* the window is runs r..q: [lo, last] */
    uint32_t lo = 0, last = 0;
    bool open = false;
    int rc = 1;
    while ((rc == 0 || rc == 1) && off <= t.n) {
        if (!open || off > last) {
            for (r = q; r < s->nrun && run[2 * r + 1] <= off; r++)
                ;
            if (r == s->nrun)
                return 0;
            lo = run[2 * r] > w ? run[2 * r] - w : 0;
            last = run[2 * r + 1] - 1;
            for (q = r; q + 1 < s->nrun && run[2 * q + 2] - last <= w + 1;)
                last = run[2 * ++q + 1] - 1;
            pcre2_set_offset_limit(s->mc, last);
            open = true;
        }
        rc = s_step(x, p, t, &off, lo > off ? lo : off, s->mc, s);
        if (rc == 0)
            off = (PCRE2_SIZE)last + 1;
    }
    return rc < 0 ? rc : 0;
}

/* The first digit of b[i..n), or n. Digits are rare in prose: SSE2 looks
 * at 16 bytes at a time where it exists. */
static size_t s_next_digit(const unsigned char *b, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    for (; i + 16 <= n; i += 16) {
        __m128i v =
            _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(b + i)), zero);
        int m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, nine), v));
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    while (i < n && (unsigned)(b[i] - '0') > 9)
        i++;
    return i;
}

/* The digit runs of t, as begin, end pairs, when some pass is gated. */
static int s_runs(const nlp_regex_t *x, struct ds_span t,
                  nlp_regex_scratch_t *s)
{
    const unsigned char *b = (const unsigned char *)t.p;
    size_t i = x->gated ? s_next_digit(b, 0, t.n) : t.n;
    s->nrun = 0;
    while (i < t.n) {
        size_t j = i + 1;
        while (j < t.n && (unsigned)(b[j] - '0') <= 9)
            j++;
        if (s->nrun == s->caprun) {
            size_t cap = s->caprun ? s->caprun * 2 : 64;
            uint32_t *v = ds_realloc(s->run, cap * 2 * sizeof *v);
            if (!v)
                return DS_ENOMEM;
            s->run = v;
            s->caprun = cap;
        }
        s->run[2 * s->nrun] = (uint32_t)i;
        s->run[2 * s->nrun++ + 1] = (uint32_t)j;
        i = s_next_digit(b, j, t.n);
    }
    return 0;
}

/* Order: begin ascending, then the longer span, then the pattern. */
static bool s_before(const struct nlp_regex_hit *a,
                     const struct nlp_regex_hit *b)
{
    if (a->begin != b->begin)
        return a->begin < b->begin;
    if (a->end != b->end)
        return a->end > b->end;
    return a->pattern < b->pattern;
}

/* Bottom-up merge sort of s->v through s->tmp: O(n log n), no allocation,
 * stable. */
static void s_sort(nlp_regex_scratch_t *s)
{
    struct nlp_regex_hit *a = s->v, *b = s->tmp;
    for (size_t w = 1; w < s->n; w *= 2) {
        for (size_t lo = 0; lo < s->n; lo += 2 * w) {
            size_t mid = lo + w < s->n ? lo + w : s->n;
            size_t hi = lo + 2 * w < s->n ? lo + 2 * w : s->n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = s_before(&a[j], &a[i]) ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        struct nlp_regex_hit *t = a;
        a = b;
        b = t;
    }
    if (a != s->v)
        memcpy(s->v, a, s->n * sizeof *a);
}

/* After sorting: one hit per span (the lowest pattern kept), and none
 * inside a kept hit of its own kind ("MAR 2015" in "5 MAR 2015"). */
static void s_dedupe(const nlp_regex_t *x, nlp_regex_scratch_t *s)
{
    uint32_t reach[NLP_PAT_KIND_COUNT] = {0};
    bool any[NLP_PAT_KIND_COUNT] = {false};
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct nlp_regex_hit *h = &s->v[i];
        enum nlp_pattern_kind kind = x->pat[h->pattern].kind;
        bool same =
            k > 0 && h->begin == s->v[k - 1].begin && h->end == s->v[k - 1].end;
        if (same || (any[kind] && h->end <= reach[kind]))
            continue;
        any[kind] = true;
        reach[kind] = h->end > reach[kind] ? h->end : reach[kind];
        s->v[k++] = *h;
    }
    s->n = k;
}

/* Match data with room for the largest pass's groups. */
static int s_match_data(const nlp_regex_t *x, nlp_regex_scratch_t *s)
{
    if (s->md && pcre2_get_ovector_count(s->md) >= x->ovec_pairs)
        return 0;
    pcre2_match_data_free(s->md);
    s->md = pcre2_match_data_create(x->ovec_pairs, s->gctx);
    return s->md ? 0 : DS_ENOMEM;
}

static int s_all(const nlp_regex_t *x, struct ds_span t, unsigned opts,
                 nlp_regex_scratch_t *s)
{
    int rc = 0;
    if (opts & NLP_REGEX_NAIVE) {
        for (size_t i = 0; rc == 0 && i < x->npat; i++) {
            uint32_t m = (uint32_t)i;
            struct nlp_regex_pass p = {x->single[i], &m, 1, x->single_jit[i],
                                       -1};
            rc = s_pass(x, &p, t, s);
        }
        return rc;
    }
    bool gate = !(opts & NLP_REGEX_UNGATED);
    rc = gate ? s_runs(x, t, s) : 0;
    for (size_t i = 0; rc == 0 && i < x->npass; i++)
        rc = gate && x->pass[i].reach >= 0 ? s_pass_gated(x, &x->pass[i], t, s)
                                           : s_pass(x, &x->pass[i], t, s);
    return rc;
}

int nlp_regex_scan(const nlp_regex_t *self, struct ds_span text, unsigned opts,
                   nlp_regex_scratch_t *s)
{
    s->n = 0;
    if (text.n > UINT32_MAX)
        return DS_ETOOBIG;
    if (self->npat == 0)
        return 0;
    int rc = s_match_data(self, s);
    if (rc == 0)
        rc = s_all(self, text, opts, s);
    if (rc != 0) {
        s->n = 0;
        return rc;
    }
    s_sort(s);
    s_dedupe(self, s);
    return 0;
}
