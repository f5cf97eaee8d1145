/*
 * nlp_extract_impl.h - private to nlp_extract*.c: the extractor's layout
 * and the helpers its files share. Not installed.
 */
#ifndef DEVSURV_NLP_EXTRACT_IMPL_H
#define DEVSURV_NLP_EXTRACT_IMPL_H

#include "devsurv/nlp_extract.h"

struct nlp_extract {
    const nlp_rules_t *rules; /* borrowed */
    nlp_ac_t *terms;          /* ids: indexes into nlp_rules_terms() */
    nlp_ac_t *triggers;       /* ids: indexes into nlp_rules_triggers() */
};

/* Grow *v (elements of sz bytes) to hold need; 0 or DS_ENOMEM. */
int nlp_x_grow(void **v, size_t *cap, size_t need, size_t sz);

/* Trigger pass, section headings and ConText over r's mentions. */
int nlp_x_context(const nlp_extract_t *x, struct ds_span text,
                  struct nlp_result *r);

#endif
