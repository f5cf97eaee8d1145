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
    nlp_ac_t *both;           /* terms, then triggers: ids below nterms
                                 index nlp_rules_terms(), the rest
                                 nterms + an index into
                                 nlp_rules_triggers(); one pass finds both */
    nlp_ac_t *triggers;       /* ids: indexes into nlp_rules_triggers() */
    uint32_t nterms;
    nlp_regex_t *regex; /* identifier patterns (nlp_rules_patterns) */
};

/* Identifier pattern mentions appended to r (text order restored by the
 * caller); r->m[udi0..r->n) are the UDIs nlp_udi_find found. */
int nlp_x_patterns(const nlp_extract_t *x, struct ds_span text, size_t udi0,
                   struct nlp_result *r);

/* Token range covering bytes [b, e) of d. */
void nlp_x_toks(const struct nlp_doc *d, size_t b, size_t e, uint32_t *tb,
                uint32_t *te);

/* The triggers of x found in text, as token ranges of d, into *chits
 * (grown with ds_grow; *cap its capacity); hits is scan scratch. *nh gets
 * the count. 0 or DS_ENOMEM. */
int nlp_x_trigger_hits(const nlp_extract_t *x, const struct nlp_doc *d,
                       struct ds_span text, struct nlp_ac_hits *hits,
                       struct nlp_ctx_hit **chits, size_t *cap, size_t *nh);

/* As nlp_x_trigger_hits() for trigger hits already found (hits). */
int nlp_x_trigger_toks(const struct nlp_doc *d, const struct nlp_ac_hits *hits,
                       struct nlp_ctx_hit **chits, size_t *cap, size_t *nh);

/* For each section of d, the index of the rules' heading it names, or -1,
 * into *sec_rule (grown; *cap its capacity). 0 or DS_ENOMEM. */
int nlp_x_section_rules(const nlp_rules_t *rules, const struct nlp_doc *d,
                        int32_t **sec_rule, size_t *cap);

/* Section headings and ConText over r's mentions, with the trigger hits
 * the dictionary pass left in r->thits. */
int nlp_x_context(const nlp_extract_t *x, struct ds_span text,
                  struct nlp_result *r);

#endif
