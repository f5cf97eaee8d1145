/*
 * fuzz_text.c - libFuzzer target for nlp_doc_split (nlp_text.h): any bytes
 * must split without crashing, and the result must hold its invariants:
 * tokens ordered, non-empty, inside the text and not overlapping;
 * sentences contiguous over the tokens and never longer than
 * NLP_SENT_MAX_TOKENS; sections ordered and covering the text.
 */
#include "devsurv/nlp_text.h"

#include <stdint.h>
#include <stdlib.h>

static void s_check(const struct nlp_doc *d, size_t n)
{
    for (size_t i = 0; i < d->ntok; i++) {
        const struct nlp_tok *t = &d->tok[i];
        if (t->begin >= t->end || t->end > n ||
            (i && t->begin < d->tok[i - 1].end))
            abort();
    }
    size_t next = 0;
    for (size_t i = 0; i < d->nsent; i++) {
        const struct nlp_sent *s = &d->sent[i];
        if (s->tok_begin != next || s->tok_end <= s->tok_begin ||
            s->tok_end - s->tok_begin > NLP_SENT_MAX_TOKENS ||
            s->begin != d->tok[s->tok_begin].begin ||
            s->end != d->tok[s->tok_end - 1].end || s->section >= d->nsec)
            abort();
        next = s->tok_end;
    }
    if (next != d->ntok || d->nsec == 0 || d->sec[d->nsec - 1].end != n)
        abort();
    for (size_t i = 1; i < d->nsec; i++)
        if (d->sec[i].begin != d->sec[i - 1].end)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct nlp_doc d; /* reused, as the extractor does */
    if (nlp_doc_split(&d, (struct ds_span){(const char *)data, size}) == 0)
        s_check(&d, size);
    return 0;
}
