/*
 * nlp_context.h - ConText: is a mention negated, possible, hypothetical,
 * historical, or about someone else (family)?
 *
 * Algorithm: Harkema, Dowling, Thornblade, Chapman, "ConText: an algorithm
 * for determining negation, experiencer, and temporal status from clinical
 * reports", J Biomed Inform 2009;42:839-851, with medspaCy's semantics
 * (reference/nlp.md 2.2-2.3), re-implemented on token indices:
 *   1. trigger hits are reduced to a leftmost-longest non-overlapping set,
 *      so longer triggers and pseudo-triggers win ("no increase" beats
 *      "no", "no history of" beats "history"); a hit that straddles a
 *      target's edge is left out first, since a target's words are not
 *      part of a trigger ("no injury" against the target "injury proximal
 *      to the wrist" leaves "no" to negate it);
 *   2. each kept modifier (not pseudo, not terminate) scopes its sentence:
 *      forward = after the trigger to the sentence end, backward = sentence
 *      start to the trigger, bidirectional = both; a rule's max_scope caps
 *      the tokens on each side;
 *   3. a scope is cut at the nearest terminate trigger or trigger of the
 *      same category on its side ("denies chest pain but has SOB": "but"
 *      stops "denies"; "no CHF, no pneumonia": each "no" owns its own),
 *      not counting triggers inside a bracket pair ((), [], {}) that lies
 *      within the scope ("-ve for bleeding (occult nor overt), anaemia":
 *      "nor" does not cut); a forward scope that starts inside brackets
 *      ends at the bracket closing them ("(slides not submitted) shows X"
 *      leaves X alone), while a backward one may leave them ("pneumonia
 *      (now resolved)");
 *   4. a modifier marks every target its scope overlaps by at least one
 *      token and that does not overlap the trigger itself, and every target
 *      lying wholly inside its trigger phrase (device-report boilerplate
 *      such as "no patient injury" contains the harm it negates);
 *   5. a target in a section whose heading has a category ("FAMILY
 *      HISTORY:" -> family, "PAST MEDICAL HISTORY:" -> historical) gets it.
 * Flags accumulate (a target can be negated and historical); for each flag
 * the deciding trigger (the nearest to the target) is recorded so every
 * decision can be explained.
 *
 * Pure, linear in the document for bounded sentences, and allocation-free
 * after warm-up (struct nlp_ctx keeps its scratch). Not here: finding the
 * trigger hits (the extractor's Aho-Corasick pass) or the targets.
 */
#ifndef DEVSURV_NLP_CONTEXT_H
#define DEVSURV_NLP_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/nlp_rules.h"
#include "devsurv/nlp_text.h"

/* Flags, one per modifying category (enum nlp_ctx_category order). */
#define NLP_CTX_NCAT       5
#define NLP_F_NEGATED      (1u << NLP_CTX_NEGATED)
#define NLP_F_POSSIBLE     (1u << NLP_CTX_POSSIBLE)
#define NLP_F_HYPOTHETICAL (1u << NLP_CTX_HYPOTHETICAL)
#define NLP_F_HISTORICAL   (1u << NLP_CTX_HISTORICAL)
#define NLP_F_FAMILY       (1u << NLP_CTX_FAMILY)

/* Why a flag is set: a trigger (index into the rules' triggers) or a
 * section heading rule (index into the rules' sections). */
enum nlp_ctx_why { NLP_WHY_NONE = 0, NLP_WHY_TRIGGER, NLP_WHY_SECTION };

struct nlp_ctx_cause {
    uint8_t why;        /* enum nlp_ctx_why */
    uint32_t rule;      /* trigger or section index */
    uint32_t tok_begin; /* where the trigger / heading is */
    uint32_t tok_end;
};

/* A trigger found in the text: token range and trigger index. */
struct nlp_ctx_hit {
    uint32_t tok_begin, tok_end;
    uint32_t trigger;
};

/* A target: token range in; flags and causes out. */
struct nlp_ctx_target {
    uint32_t tok_begin, tok_end;
    uint8_t flags;
    struct nlp_ctx_cause cause[NLP_CTX_NCAT];
};

/* Embedded: nlp_ctx_init, nlp_context_apply as often as needed,
 * nlp_ctx_clear. Owns scratch only. */
struct nlp_ctx {
    struct nlp_ctx_hit *kept;
    size_t nkept, capkept;
};

void nlp_ctx_init(struct nlp_ctx *c);
void nlp_ctx_clear(struct nlp_ctx *c);

/* Decide the context of targets t[0..nt) (sorted by tok_begin) in document
 * d, given the trigger hits h[0..nh) (any order; the array is reordered)
 * for triggers trig[0..ntrig), and sec_rule[i] = the section-heading rule
 * index of d->sec[i] or -1 (nsec_rule entries; may be NULL when none).
 * sections are the rules' headings (for their categories). Sets each
 * target's flags and causes (cleared first). Returns 0 or DS_ENOMEM, or
 * DS_EINVAL when a hit names a trigger >= ntrig or a range is outside d. */
int nlp_context_apply(struct nlp_ctx *c, const struct nlp_doc *d,
                      const struct nlp_trigger *trig, size_t ntrig,
                      const struct nlp_section *sections,
                      const int32_t *sec_rule, size_t nsec_rule,
                      struct nlp_ctx_hit *h, size_t nh,
                      struct nlp_ctx_target *t, size_t nt);

/* "negated", "possible", "hypothetical", "historical", "family". */
const char *nlp_ctx_flag_name(unsigned cat);

#endif
