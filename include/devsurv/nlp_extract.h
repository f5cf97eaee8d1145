/*
 * nlp_extract.h - one note in, device and adverse-event mentions out, each
 * with its concept code, exact byte span, the rule that matched and its
 * context.
 *
 * Pipeline (reference/nlp.md 2 and 7): split the text (nlp_text); match
 * every surface term of the rule set in one Aho-Corasick pass (nlp_ac),
 * dropping matches inside de-identification tokens, keep the
 * leftmost-longest, drop stop terms ("lead to"), keep ambiguous terms
 * ("lead", "pump") only when an active device or component mention shares
 * their sentence; find UDIs (nlp_udi_find) and keep those whose check
 * character verifies; scan the identifier patterns (nlp_regex: model,
 * catalogue, lot and serial numbers, dates, UDIs), dropping values that
 * start inside a de-identification token and pattern UDIs that overlap a
 * found UDI; then match the context triggers in a second pass and run
 * ConText (nlp_context) with section headings from the rule set, over
 * every mention, identifiers included.
 *
 * Every mention names the rule (file, line, stable id) and the extractor
 * names the rule set (SHA-256), so a regulator can see why each mention
 * exists.
 *
 * Ownership: nlp_extract_t borrows its nlp_rules_t (which must outlive it)
 * and is read-only after nlp_extract_new(): one extractor may serve many
 * threads, each with its own struct nlp_result. A result keeps its arrays
 * between runs, so after warm-up a run allocates nothing. Mention strings
 * borrow from the rules (code, label, rule ids) or from the text (UDI and
 * pattern codes): valid while both live and until the next run.
 *
 * Pure: no I/O after construction, no clock, no logging. Not here yet:
 * model numbers anchored to a brand (no brand dictionary ships yet; the
 * patterns anchor on cue words), linking mentions to devices/events.
 */
#ifndef DEVSURV_NLP_EXTRACT_H
#define DEVSURV_NLP_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/nlp_ac.h"
#include "devsurv/nlp_context.h"
#include "devsurv/nlp_rules.h"
#include "devsurv/nlp_text.h"

enum nlp_mention_kind {
    NLP_MENTION_DEVICE = 0, /* device class (FDA product code) */
    NLP_MENTION_COMPONENT,  /* device component (IMDRF Annex G) */
    NLP_MENTION_EVENT,      /* device problem / health effect / impact */
    NLP_MENTION_UDI,        /* a UDI whose check character verifies */
    NLP_MENTION_MODEL,      /* model or catalogue number (pattern) */
    NLP_MENTION_LOT,        /* lot or batch number (pattern) */
    NLP_MENTION_SERIAL,     /* serial number (pattern) */
    NLP_MENTION_DATE        /* a calendar date (pattern) */
};

struct nlp_mention {
    enum nlp_mention_kind kind;
    uint32_t begin, end;   /* byte offsets into the text, [begin, end) */
    uint32_t sentence;     /* index into nlp_result.doc.sent */
    struct ds_span code;   /* concept code, the UDI's device identifier,
                              or a pattern's captured value ("MMT-522") */
    const char *system;    /* "fda-product-code", "imdrf-a", ... "gs1",
                              "pattern" */
    const char *label;     /* concept label ("" for a found UDI; a
                              pattern's kind: "model", "catalog", "lot",
                              "serial", "date", "udi") */
    const char *rule_id;   /* term id, "udi.gs1" / "udi.hibcc", pattern id */
    const char *rule_file; /* "terms/health_effect.tsv" ("" for a found
                              UDI) */
    uint32_t rule_line;    /* line in rule_file (0 for a found UDI) */
    uint8_t flags;         /* NLP_F_* context flags */
    struct nlp_ctx_cause cause[NLP_CTX_NCAT];
};

/* Per-caller result and scratch. nlp_result_init, then any number of
 * nlp_extract_run, then nlp_result_clear. m[0..n) in text order. */
struct nlp_result {
    struct nlp_mention *m;
    size_t n, cap;
    struct nlp_doc doc; /* the split text (tokens, sentences, sections) */
    /* scratch, private */
    struct nlp_ac_hits hits;  /* term hits of the one dictionary pass */
    struct nlp_ac_hits thits; /* trigger hits of the same pass */
    struct nlp_ctx ctx;
    struct nlp_ctx_hit *chits;
    size_t capchits;
    struct nlp_ctx_target *targets;
    size_t captargets;
    int32_t *sec_rule;
    size_t capsec;
    void *regex_scratch; /* nlp_regex_scratch_t, made on first use */
};

void nlp_result_init(struct nlp_result *r);
void nlp_result_clear(struct nlp_result *r);

typedef struct nlp_extract nlp_extract_t;

/* Options for nlp_extract_run. */
#define NLP_X_ONE_SENTENCE 1u /* the text is one sentence: do not split */

/* Compile rules (borrowed) into a new extractor in *out. 0, or DS_ENOMEM /
 * DS_ETOOBIG / DS_EINVAL / DS_EPARSE (an identifier pattern PCRE2 cannot
 * compile) with diag naming the offending rule's file:line. Caller owns
 * *out; free it with nlp_extract_destroy(). */
int nlp_extract_new(nlp_extract_t **out, const nlp_rules_t *rules,
                    struct ds_diag *diag);

void nlp_extract_destroy(nlp_extract_t **self_p);

/* The rules in use (borrowed), e.g. for nlp_rules_sha256(). */
const nlp_rules_t *nlp_extract_rules(const nlp_extract_t *self);

/* The compiled context-trigger automaton (borrowed, valid while self
 * lives); hit ids are indexes into nlp_rules_triggers(). For callers that
 * run ConText on targets of their own (nlp_target.h). */
const nlp_ac_t *nlp_extract_triggers(const nlp_extract_t *self);

/* Extract mentions from text (borrowed) into r (replacing its contents).
 * opts: 0 or NLP_X_ONE_SENTENCE. Returns 0, DS_ENOMEM (r then holds no
 * mentions) or DS_ETOOBIG (text over NLP_TEXT_MAX bytes). */
int nlp_extract_run(const nlp_extract_t *self, struct ds_span text,
                    unsigned opts, struct nlp_result *r);

/* "device", "component", "event", "udi", "model", "lot", "serial",
 * "date"; "?" for other values. */
const char *nlp_mention_kind_name(enum nlp_mention_kind kind);

#endif
