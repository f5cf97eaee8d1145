/*
 * eng_plan_impl.h - private to engine/eng_plan*.c: the key table's line
 * numbers, the concept tables a plan set is checked against, and the
 * per-plan lookups the set precomputes.
 *
 * Concept tables come from the rule tree: concepts/device_class.tsv gives
 * product code -> regulation number; the four IMDRF files
 * (device_problem, health_effect, health_impact, device_component) give
 * code -> parent codes (Annex E is a polyhierarchy: "E12;E22"). Both are
 * sorted by code for bsearch.
 */
#ifndef DEVSURV_ENG_PLAN_IMPL_H
#define DEVSURV_ENG_PLAN_IMPL_H

#include "devsurv/eng_plan.h"

#define ENG_PLAN_PARENTS_MAX 4 /* parents per IMDRF code (data: <= 3) */

/* The plan keys, in the order of the key table (eng_plan.c). */
enum eng_plan_key {
    ENG_PLAN_K_ID,
    ENG_PLAN_K_TITLE,
    ENG_PLAN_K_PRODUCT_CODES,
    ENG_PLAN_K_REGULATIONS,
    ENG_PLAN_K_BRANDS,
    ENG_PLAN_K_MODELS,
    ENG_PLAN_K_UDI_DI,
    ENG_PLAN_K_GROUP_BY,
    ENG_PLAN_K_EVENTS,
    ENG_PLAN_K_COMPARATOR,
    ENG_PLAN_K_WINDOW_DAYS,
    ENG_PLAN_K_METHOD,
    ENG_PLAN_K_ALPHA,
    ENG_PLAN_K_MAX_EXPECTED,
    ENG_PLAN_K_MIN_EVENTS,
    ENG_PLAN_K_DELAY,
    ENG_PLAN_K_BASELINE_RATE,
    ENG_PLAN_K_MAX_EVENTS,
    ENG_PLAN_K_Z,
    ENG_PLAN_K_ODDS_RATIO,
    ENG_PLAN_K_H,
    ENG_PLAN_K_PRR_MIN,
    ENG_PLAN_K_CHI2_MIN,
    ENG_PLAN_K_A_MIN,
    ENG_PLAN_K_IC025_MIN,
    ENG_PLAN_K_EB05_MIN,
    ENG_PLAN_K_AFTER_SIGNAL,
    ENG_PLAN_K_COUNT
};

/* eng_plan_parse(), also giving the 1-based line of every key (0 when the
 * key is absent), so the set can name the line of a concept error. */
int eng_plan_parse_lines(struct eng_plan *p, int lines[ENG_PLAN_K_COUNT],
                         const char *buf, size_t n, const char *name,
                         struct ds_diag *diag);

/* A product code and its regulation number ("" for PMA / unclassified). */
struct eng_plan_dc {
    char code[4];
    char reg[ENG_PLAN_CODE_MAX];
};

/* An IMDRF code and its parents. */
struct eng_plan_term {
    char code[ENG_PLAN_CODE_MAX];
    char parents[ENG_PLAN_PARENTS_MAX][ENG_PLAN_CODE_MAX];
    unsigned nparents;
};

struct eng_plan_concepts {
    struct eng_plan_dc *dc; /* sorted by code */
    size_t ndc;
    struct eng_plan_term *terms; /* sorted by code */
    size_t nterms;
};

/* Load the concept tables of rules_dir; 0, DS_ENOMEM, DS_EIO or
 * DS_ECONFIG with "file:line: why". */
int eng_plan_concepts_load(struct eng_plan_concepts *c, const char *rules_dir,
                           struct ds_diag *diag);
void eng_plan_concepts_clear(struct eng_plan_concepts *c);

/* Lookups; NULL when absent. */
const struct eng_plan_dc *
eng_plan_concepts_dc(const struct eng_plan_concepts *c, struct ds_span code);
const struct eng_plan_term *
eng_plan_concepts_term(const struct eng_plan_concepts *c, struct ds_span code);

/* A covered IMDRF code and the index of the plan event covering it. */
struct eng_plan_cover {
    char code[ENG_PLAN_CODE_MAX];
    unsigned event;
};

/* What the set derives from one plan once, for cheap matching. */
struct eng_plan_ext {
    struct eng_plan_cover *cover; /* sorted by code */
    size_t ncover;
    char family[ENG_PLAN_LIST_MAX * 2][ENG_PLAN_CODE_MAX]; /* regulations */
    size_t nfamily;
};

struct eng_plan_set {
    struct eng_plan *plans;
    struct eng_plan_ext *ext;
    size_t n;
    struct eng_plan_concepts concepts;
    char sha256[65];
    char *files; /* "a.plan b.plan" */
};

/* The index of the plan event covering code, by walking code's ancestors
 * through every parent; -1 when none does. Without concepts, only the
 * code itself counts. */
int eng_plan_cover_walk(const struct eng_plan_concepts *c,
                        const struct eng_plan *p, struct ds_span code);

/* Fill e from p: the sorted cover array over every IMDRF concept, and the
 * regulation family. 0 or DS_ENOMEM. */
int eng_plan_ext_build(struct eng_plan_ext *e,
                       const struct eng_plan_concepts *c,
                       const struct eng_plan *p);

#endif
