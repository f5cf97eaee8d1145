/*
 * nlp_target.h - the context of one given span: "is this phrase negated,
 * hypothetical, historical or about someone else, in this text?", for
 * callers that already know their target (an annotated evaluation set such
 * as NegEx's, a coded field, a span a reviewer marked), and locating such
 * a phrase in its text the way those sets are scored.
 *
 * nlp_target_run splits the text (nlp_text; optionally as one sentence),
 * matches the rule set's context triggers with the extractor's automaton
 * (nlp_extract_triggers), maps the text's section headings to the rules'
 * headings and runs ConText (nlp_context) with the span as its only
 * target: the decision nlp_extract_run would make for a mention there.
 * As there, with NLP_X_ONE_SENTENCE a heading inside the text sets no
 * section category (the one sentence is in section 0); its words can
 * still match triggers ("past medical history").
 *
 * nlp_target_find follows the NegEx test-set protocol (reference/nlp.md
 * 1.3): ASCII case-insensitive, a whitespace run in the phrase matches a
 * whitespace run in the text. When the phrase occurs more than once, the
 * occurrence on word boundaries written in upper case wins (the set marks
 * its condition that way), then any on word boundaries, then the first.
 * When the phrase runs past the text (a sentence-splitter error), the
 * longest prefix of whole phrase words that occurs is returned instead.
 *
 * Memory: struct nlp_target keeps its arrays between runs (allocation-free
 * after warm-up). Pure: no I/O. Not here: finding targets (nlp_extract),
 * scoring against gold labels (the `devsurv context` command).
 */
#ifndef DEVSURV_NLP_TARGET_H
#define DEVSURV_NLP_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"
#include "devsurv/nlp_ac.h"
#include "devsurv/nlp_context.h"
#include "devsurv/nlp_extract.h"
#include "devsurv/nlp_text.h"

/* Embedded: nlp_target_init, nlp_target_run as often as needed,
 * nlp_target_clear. After a successful run, doc is the split text
 * (borrowing it) and t the target's token range, flags and causes (token
 * indexes into doc); both valid until the next run. */
struct nlp_target {
    struct nlp_doc doc;
    struct nlp_ctx_target t;
    /* scratch, private */
    struct nlp_ac_hits hits;
    struct nlp_ctx ctx;
    struct nlp_ctx_hit *chits;
    size_t capchits;
    int32_t *sec_rule;
    size_t capsec;
};

void nlp_target_init(struct nlp_target *self);
void nlp_target_clear(struct nlp_target *self);

/* Decide the context of bytes [begin, end) of text (borrowed) with x's
 * triggers and section headings. opts: 0 or NLP_X_ONE_SENTENCE (the text
 * is one sentence: do not split it). Returns 0; DS_EINVAL when the span is
 * empty, outside text or covers no token; DS_ETOOBIG (text over
 * NLP_TEXT_MAX) or DS_ENOMEM. */
int nlp_target_run(struct nlp_target *self, const nlp_extract_t *x,
                   struct ds_span text, size_t begin, size_t end,
                   unsigned opts);

/* How nlp_target_find located a phrase. */
enum nlp_target_found {
    NLP_FOUND_NONE = 0, /* not even its first word occurs */
    NLP_FOUND_WHOLE,    /* the whole phrase */
    NLP_FOUND_PREFIX    /* only a prefix of whole words (*begin, *end) */
};

/* Locate phrase (borrowed) in text (borrowed) as described above and set
 * [*begin, *end) to its bytes in text. O(|text| |phrase|), no allocation.
 * A phrase that is empty or all whitespace is NLP_FOUND_NONE. */
enum nlp_target_found nlp_target_find(struct ds_span text,
                                      struct ds_span phrase, size_t *begin,
                                      size_t *end);

#endif
