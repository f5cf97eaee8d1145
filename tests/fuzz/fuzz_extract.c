/*
 * fuzz_extract.c - libFuzzer target for the whole extractor
 * (nlp_extract_run) with the real rule tree.
 *
 * The rules are loaded once, from "rules" relative to the working
 * directory (run from the repository root: `make test` replays the corpus
 * there, and `make fuzz` starts libFuzzer there). When they cannot be
 * loaded every input returns 0 at once: the target then tests nothing, so
 * the replay prints a "skip -" line for the runner. Each input is one
 * note; the invariants: the run returns 0 (or DS_ENOMEM); mentions lie
 * inside the text, are non-empty and in text order; every mention has a
 * non-empty code, a system, a label, a rule id and a sentence of the
 * split text; only the five context flags are set, each with a cause that
 * names an existing trigger or section heading and a token range inside
 * the text; and a second run over the same bytes gives the same mentions.
 *
 * Seeds: tests/fuzz/corpus/fuzz_extract/ (clinical notes with headings,
 * MAUDE narratives, UDIs, de-identification tokens, bad bytes).
 */
#include "devsurv/ds_err.h"
#include "devsurv/nlp_extract.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nlp_rules_t *s_rules;
static nlp_extract_t *s_x;
static struct nlp_result s_r;

static int s_setup(void)
{
    static int state; /* 0 not tried, 1 ready, -1 unavailable */
    struct ds_diag diag;
    if (state == 0) {
        state = -1;
        if (nlp_rules_load(&s_rules, "rules", &diag) == 0 &&
            nlp_extract_new(&s_x, s_rules, &diag) == 0) {
            nlp_result_init(&s_r);
            state = 1;
        } else {
            printf("skip - fuzz_extract: no rule tree at ./rules (run from "
                   "the repository root)\n");
        }
    }
    return state;
}

static void s_check_cause(const struct nlp_mention *m, unsigned k)
{
    size_t ntrig, nsec;
    const struct nlp_ctx_cause *c = &m->cause[k];
    nlp_rules_triggers(s_rules, &ntrig);
    nlp_rules_sections(s_rules, &nsec);
    bool ok = (c->why == NLP_WHY_TRIGGER && c->rule < ntrig) ||
              (c->why == NLP_WHY_SECTION && c->rule < nsec);
    if (!ok || c->tok_begin > c->tok_end || c->tok_end > s_r.doc.ntok)
        abort();
}

static void s_check(size_t size)
{
    for (size_t i = 0; i < s_r.n; i++) {
        const struct nlp_mention *m = &s_r.m[i];
        if (m->begin >= m->end || m->end > size ||
            (i && m->begin < s_r.m[i - 1].begin) || m->code.n == 0 ||
            !m->code.p || !m->system || !m->system[0] || !m->label ||
            !m->rule_id || !m->rule_id[0] || !m->rule_file ||
            m->sentence >= s_r.doc.nsent || m->flags >= (1u << NLP_CTX_NCAT))
            abort();
        for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
            if (m->flags & (1u << k))
                s_check_cause(m, k);
    }
}

/* A digest of the mentions, to compare two runs. */
static uint64_t s_digest(void)
{
    uint64_t h = s_r.n;
    for (size_t i = 0; i < s_r.n; i++) {
        const struct nlp_mention *m = &s_r.m[i];
        h = h * 1000003u ^ m->begin;
        h = h * 1000003u ^ m->end;
        h = h * 1000003u ^ m->flags;
        h = h * 1000003u ^ (uint64_t)(uintptr_t)m->rule_id;
    }
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (s_setup() != 1)
        return 0;
    struct ds_span text = {(const char *)data, size};
    int rc = nlp_extract_run(s_x, text, 0, &s_r);
    if (rc == DS_ENOMEM)
        return 0;
    if (rc != 0)
        abort();
    s_check(size);
    uint64_t first = s_digest();
    if (nlp_extract_run(s_x, text, 0, &s_r) != 0 || s_digest() != first)
        abort();
    return 0;
}
