/*
 * nlp_extract_impl.h - private to nlp_extract*.c: the extractor's layout
 * and the helpers its files share. Not installed.
 */
#ifndef DEVSURV_NLP_EXTRACT_IMPL_H
#define DEVSURV_NLP_EXTRACT_IMPL_H

#include "devsurv/nlp_extract.h"
#include "devsurv/nlp_regex.h"

struct nlp_extract {
    const nlp_rules_t *rules; /* borrowed */
    nlp_ac_t *terms;          /* ids: indexes into nlp_rules_terms() */
    nlp_ac_t *triggers;       /* ids: indexes into nlp_rules_triggers() */
    nlp_regex_t *regex;       /* identifier patterns (nlp_rules_patterns) */
};

/* Identifier pattern mentions appended to r (text order restored by the
 * caller); r->m[udi0..r->n) are the UDIs nlp_udi_find found. */
int nlp_x_patterns(const nlp_extract_t *x, struct ds_span text, size_t udi0,
                   struct nlp_result *r);

/* Trigger pass, section headings and ConText over r's mentions. */
int nlp_x_context(const nlp_extract_t *x, struct ds_span text,
                  struct nlp_result *r);

#endif
