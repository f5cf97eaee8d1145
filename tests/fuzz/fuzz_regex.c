/*
 * fuzz_regex.c - libFuzzer target for the identifier-pattern scan
 * (nlp_regex_scan) with the real patterns.
 *
 * The rule tree is loaded once from "rules" relative to the working
 * directory, so the patterns are those of rules/identifiers/patterns.tsv
 * (run from the repository root: `make test` replays the corpus there,
 * `make fuzz` starts libFuzzer there); without it every input returns 0
 * and the replay prints a "skip -" line. Each input is one text, any
 * bytes. Invariants, in both scan modes (joined and one pattern at a
 * time): the scan returns 0; hits are non-empty spans inside the text,
 * sorted by begin (longer first), one per span, with a valid pattern
 * index; the pattern's validator accepts each value exactly; and PCRE2's
 * interpreter finds exactly the hits the JIT code found (differential).
 * Any breach abort()s.
 *
 * Seeds: tests/fuzz/corpus/fuzz_regex/ (cue phrasings, dates, UDIs,
 * NUL bytes, long runs).
 */
#include "devsurv/ds_err.h"
#include "devsurv/nlp_regex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nlp_rules_t *s_rules;
static nlp_regex_t *s_jit, *s_interp;
static nlp_regex_scratch_t *s_a, *s_b;

static void s_need(int cond)
{
    if (!cond)
        abort();
}

static int s_setup(void)
{
    static int state; /* 0 not tried, 1 ready, -1 unavailable */
    struct ds_diag diag;
    if (state != 0)
        return state;
    state = -1;
    if (nlp_rules_load(&s_rules, "rules", &diag) == 0 &&
        nlp_regex_new(&s_jit, s_rules, 0, &diag) == 0 &&
        nlp_regex_new(&s_interp, s_rules, NLP_REGEX_NO_JIT, &diag) == 0 &&
        (s_a = nlp_regex_scratch_new()) && (s_b = nlp_regex_scratch_new()))
        state = 1;
    else
        printf("skip - fuzz_regex: no rule tree at ./rules (run from the "
               "repository root)\n");
    return state;
}

/* The invariants of one scan's hits over text t. */
static void s_check(struct ds_span t, const nlp_regex_scratch_t *s)
{
    size_t n, np;
    const struct nlp_regex_hit *h = nlp_regex_hits(s, &n);
    const struct nlp_pattern *p = nlp_rules_patterns(s_rules, &np);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        s_need(h[i].begin < h[i].end && h[i].end <= t.n);
        s_need(h[i].pattern < np);
        struct ds_span v = {t.p + h[i].begin, h[i].end - h[i].begin};
        s_need(nlp_regex_validate(p[h[i].pattern].validator, v, &len));
        s_need(len == v.n);
        if (i == 0)
            continue;
        s_need(h[i - 1].begin < h[i].begin ||
               (h[i - 1].begin == h[i].begin && h[i - 1].end > h[i].end));
    }
}

static void s_same(const nlp_regex_scratch_t *a, const nlp_regex_scratch_t *b)
{
    size_t na, nb;
    const struct nlp_regex_hit *x = nlp_regex_hits(a, &na);
    const struct nlp_regex_hit *y = nlp_regex_hits(b, &nb);
    s_need(na == nb && (na == 0 || memcmp(x, y, na * sizeof *x) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (s_setup() != 1)
        return 0;
    struct ds_span t = {(const char *)data, size};
    for (unsigned opts = 0; opts <= NLP_REGEX_NAIVE; opts++) {
        s_need(nlp_regex_scan(s_jit, t, opts, s_a) == 0);
        s_check(t, s_a);
        s_need(nlp_regex_scan(s_interp, t, opts, s_b) == 0);
        s_same(s_a, s_b);
    }
    return 0;
}
