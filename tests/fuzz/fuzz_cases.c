/*
 * fuzz_cases.c - libFuzzer target for the .cases parser (eng_cases.h).
 *
 * Any bytes must parse without a crash or a sanitizer report, and the
 * contract must hold: a case starts after the previous one and names the
 * note and at most ENG_CASES_EXPECT_MAX expectations, each on a line of
 * the case, with a kind the extractor has, flags among the five context
 * flags and texts no longer than the input (unescaping only shrinks); an
 * error is DS_EPARSE with "fuzz.cases:line" inside the input and a
 * one-line message (or DS_ENOMEM). Each parsed case is also compared with
 * an empty result and printed, as `devsurv extract --check` does when the
 * extractor finds nothing: it must be equal exactly when it expects none.
 *
 * Seeds: tests/fuzz/corpus/fuzz_cases/ (fixture excerpts and malformed
 * files). Not here: running the extractor (fuzz_extract.c).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_cases.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t s_lines(const uint8_t *p, size_t n)
{
    size_t k = 1;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

static void s_check_case(const struct eng_case *c, int prev, size_t size,
                         size_t lines)
{
    if (c->line <= prev || (size_t)c->line > lines || c->note.n > size ||
        c->nexpect > ENG_CASES_EXPECT_MAX || c->gap.n > size)
        abort();
    for (size_t i = 0; i < c->nexpect; i++) {
        const struct eng_case_expect *x = &c->expect[i];
        if (x->line <= c->line || (size_t)x->line > lines || x->text.n > size ||
            x->code.n == 0 || x->flags >= (1u << NLP_CTX_NCAT) ||
            strcmp(nlp_mention_kind_name(x->kind), "?") == 0)
            abort();
        for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
            if (x->why[k].n && !(x->flags & (1u << k)))
                abort();
    }
}

static void s_compare_empty(const struct eng_case *c)
{
    static FILE *sink;
    struct nlp_result r;
    if (!sink)
        sink = fopen("/dev/null", "w");
    nlp_result_init(&r);
    if (eng_case_equal(c, NULL, &r) != (c->nexpect == 0))
        abort();
    if (sink)
        eng_case_print_diff(sink, c, NULL, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eng_cases p;
    struct eng_case c;
    struct ds_diag diag;
    size_t lines = s_lines(data, size);
    int rc, prev = 0;
    eng_cases_init(&p, "fuzz.cases",
                   (struct ds_span){(const char *)data, size});
    while ((rc = eng_cases_next(&p, &c, &diag)) == 1) {
        s_check_case(&c, prev, size, lines);
        s_compare_empty(&c);
        prev = c.line;
    }
    eng_cases_clear(&p);
    if (rc == DS_EPARSE && (diag.line < 1 || (size_t)diag.line > lines ||
                            strcmp(diag.file, "fuzz.cases") != 0 ||
                            !diag.msg[0] || strchr(diag.msg, '\n')))
        abort();
    if (rc != 0 && rc != DS_EPARSE && rc != DS_ENOMEM)
        abort();
    return 0;
}
