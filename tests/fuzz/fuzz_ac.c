/*
 * fuzz_ac.c - libFuzzer target for the Aho-Corasick matcher (nlp_ac.h):
 * the automaton must find exactly what a naive search finds.
 *
 * Input layout (every byte string is valid):
 *   byte 0          number of terms, 1 + b % 8; layout, (b >> 3) & 3: 0
 *                   nlp_ac_build's default (a table this small is all
 *                   dense rows), 1-3 nlp_ac_build_tuned with only states
 *                   under that depth dense and the rest compact (sparse
 *                   nodes over a dense fallback), max_exc 1 + (b >> 5)
 *   per term        length byte (len = b % 24), flags byte (bit 0:
 *                   NLP_AC_NOBOUND, bits 1-3: id, so ids repeat), then len
 *                   term bytes (fewer if the input ends)
 *   the rest        the text
 * For each input: add the terms (a term must be rejected with DS_EINVAL
 * exactly when it is empty after normalisation), build, scan with both the
 * list and the callback API, and compare the complete, de-duplicated set
 * of (begin, end, id) with a naive search written from the contract in
 * nlp_ac.h; then compare nlp_ac_longest() with the selection by its
 * definition. abort() on any disagreement.
 *
 * Not here: allocation failure (test_nlp_ac.c tortures the build) and
 * speed.
 */
#include "../../nlp/nlp_ac_impl.h" /* nlp_ac_build_tuned: deep states */
#include "devsurv/ds_err.h"
#include "devsurv/nlp_ac.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F_TERMS 8
#define F_LEN   24

struct f_term {
    const uint8_t *raw;
    size_t nraw;
    uint8_t norm[F_LEN];
    size_t nnorm;
    uint32_t id;
    unsigned flags;
};

struct f_list {
    struct nlp_ac_hit *v;
    size_t n, cap;
};

static bool f_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool f_word(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z') || c >= 0x80;
}

static uint8_t f_fold(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static void f_push(struct f_list *l, size_t b, size_t e, uint32_t id)
{
    if (l->n == l->cap) {
        l->cap = 2 * l->cap + 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = (struct nlp_ac_hit){b, e, id};
}

static int f_cmp(const void *va, const void *vb)
{
    const struct nlp_ac_hit *a = va, *b = vb;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    if (a->begin != b->begin)
        return a->begin < b->begin ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Split at whitespace, fold, join with single spaces. */
static void f_normalise(struct f_term *t)
{
    for (size_t i = 0; i < t->nraw;) {
        if (f_space(t->raw[i])) {
            i++;
            continue;
        }
        if (t->nnorm)
            t->norm[t->nnorm++] = ' ';
        while (i < t->nraw && !f_space(t->raw[i]))
            t->norm[t->nnorm++] = f_fold(t->raw[i++]);
    }
}

static size_t f_parse(const uint8_t *d, size_t n, struct f_term *t, size_t *pos)
{
    size_t k = 1 + d[0] % F_TERMS, i = 1;
    for (size_t j = 0; j < k; j++) {
        memset(&t[j], 0, sizeof t[j]);
        size_t len = i < n ? d[i++] % F_LEN : 0;
        uint8_t fl = i < n ? d[i++] : 0;
        t[j].flags = fl & 1 ? NLP_AC_NOBOUND : 0;
        t[j].id = (fl >> 1) & 7;
        t[j].raw = d + i;
        t[j].nraw = len < n - i ? len : n - i;
        i += t[j].nraw;
        f_normalise(&t[j]);
    }
    *pos = i;
    return k;
}

/* Does t match x at b (ending at *e)? A space takes a whole run. */
static bool f_match(const uint8_t *x, size_t n, size_t b,
                    const struct f_term *t, size_t *e)
{
    for (size_t j = 0; j < t->nnorm; j++) {
        if (b >= n)
            return false;
        if (t->norm[j] != ' ' && f_fold(x[b++]) != t->norm[j])
            return false;
        if (t->norm[j] == ' ' && !f_space(x[b]))
            return false;
        while (t->norm[j] == ' ' && b < n && f_space(x[b]))
            b++;
    }
    *e = b;
    return true;
}

static void f_naive(const uint8_t *x, size_t n, const struct f_term *t,
                    size_t k, struct f_list *out)
{
    for (size_t j = 0; j < k; j++) {
        for (size_t b = 0, e; t[j].nnorm && b < n; b++) {
            if (!f_match(x, n, b, &t[j], &e))
                continue;
            bool ok =
                (b == 0 || !f_word(x[b - 1])) && (e == n || !f_word(x[e]));
            if (ok || (t[j].flags & NLP_AC_NOBOUND))
                f_push(out, b, e, t[j].id);
        }
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, f_cmp);
    size_t m = 0;
    for (size_t i = 0; i < out->n; i++)
        if (m == 0 || f_cmp(&out->v[i], &out->v[m - 1]) != 0)
            out->v[m++] = out->v[i];
    out->n = m;
}

static nlp_ac_t *f_build(const struct f_term *t, size_t k, uint8_t layout)
{
    struct nlp_ac_tune tune = {0, (layout >> 3) & 3, 1u + (layout >> 5)};
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    nlp_ac_t *ac = NULL;
    if (!b)
        abort();
    for (size_t j = 0; j < k; j++) {
        struct ds_span sp = {(const char *)t[j].raw, t[j].nraw};
        int rc = nlp_ac_builder_add(b, sp, t[j].id, t[j].flags, NULL);
        if (rc != (t[j].nnorm ? 0 : DS_EINVAL))
            abort();
    }
    int rc = tune.dense_depth ? nlp_ac_build_tuned(&ac, &b, &tune, NULL)
                              : nlp_ac_build(&ac, &b, NULL);
    if (rc != 0 || b != NULL)
        abort();
    return ac;
}

static int f_count(void *ctx, const struct nlp_ac_hit *hit)
{
    (void)hit;
    ++*(size_t *)ctx;
    return 0;
}

/* Scan; check order and the callback; leave the hits sorted by f_cmp. */
static void f_scan(const nlp_ac_t *ac, struct ds_span text,
                   struct nlp_ac_hits *got)
{
    size_t calls = 0;
    if (nlp_ac_scan(ac, text, got) != 0)
        abort();
    for (size_t i = 1; i < got->n; i++)
        if (got->v[i].end < got->v[i - 1].end ||
            (got->v[i].end == got->v[i - 1].end &&
             got->v[i].begin < got->v[i - 1].begin))
            abort();
    if (nlp_ac_scan_cb(ac, text, f_count, &calls) != 0 || calls != got->n)
        abort();
    if (got->n > 1)
        qsort(got->v, got->n, sizeof *got->v, f_cmp);
}

/* Leftmost-longest by definition, checked against nlp_ac_longest(). */
static void f_longest(struct f_list *want, struct nlp_ac_hits *got)
{
    size_t k = nlp_ac_longest(got->v, got->n), i = 0, from = 0;
    for (;; i++) {
        const struct nlp_ac_hit *best = NULL;
        for (size_t j = 0; j < want->n; j++) {
            const struct nlp_ac_hit *h = &want->v[j];
            if (h->begin >= from &&
                (!best || h->begin < best->begin ||
                 (h->begin == best->begin &&
                  (h->end > best->end ||
                   (h->end == best->end && h->id < best->id)))))
                best = h;
        }
        if (!best)
            break;
        if (i >= k || f_cmp(best, &got->v[i]) != 0)
            abort();
        from = best->end;
    }
    if (i != k)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct f_term t[F_TERMS];
    struct f_list want = {NULL, 0, 0};
    struct nlp_ac_hits got;
    size_t pos;
    if (size == 0)
        return 0;
    size_t k = f_parse(data, size, t, &pos);
    nlp_ac_t *ac = f_build(t, k, data[0]);
    struct ds_span text = {(const char *)data + pos, size - pos};
    nlp_ac_hits_init(&got);
    f_scan(ac, text, &got);
    f_naive(data + pos, size - pos, t, k, &want);
    if (got.n != want.n)
        abort();
    for (size_t i = 0; i < got.n; i++)
        if (f_cmp(&got.v[i], &want.v[i]) != 0)
            abort();
    if (want.n <= 4096)
        f_longest(&want, &got);
    nlp_ac_hits_clear(&got);
    nlp_ac_destroy(&ac);
    free(want.v);
    return 0;
}
