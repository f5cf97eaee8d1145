/*
 * nlp_rules.h - the extraction rule set: concepts, surface terms, context
 * triggers and section headings, loaded and validated from a rules/ tree.
 *
 * A rule tree is data (rules/README.md documents it):
 *
 *     VERSION                       one line, e.g. "devsurv-rules 0.1.0 (...)"
 *     concepts/<axis>.tsv           what mentions normalise TO (one per axis)
 *     terms/<axis>[_<name>].tsv     surface forms mapping to concept codes
 *     context/triggers[_<name>].tsv ConText triggers
 *     context/sections[_<name>].tsv section headings
 *     identifiers/patterns[_<name>].tsv  PCRE2 patterns (optional)
 *
 * Every .tsv is UTF-8 (no byte-order mark, no control characters but TAB
 * and LF), `#` comment lines (the provenance header must hold a
 * "# source:" and a "# licence:" line), one header row whose columns are
 * exactly those documented for the file type, then rows with a stable
 * `id` (unique in the whole tree) and `source`/`licence` columns; the
 * licence is one of public-domain, CC0-1.0, CC-BY-4.0, IMDRF, Apache-2.0,
 * MIT, project-own. Every term's code exists in its axis's concept file
 * and is neither retired nor a grouping node; every parent exists in the
 * same file and the parent graph has no cycle. Errors are reported as
 * "file:line: message" through struct ds_diag (file = path relative to
 * the tree; line 0 when the error is about the file as a whole).
 *
 * The rule-set SHA-256 identifies the exact rules that produced a mention
 * or a signal: SHA-256 over, for every loaded file in byte-wise sorted
 * order of relative path (VERSION first), the path bytes and a NUL, the
 * file length as 8 bytes big-endian, then the file bytes (SHA-256,
 * ds_sha256.h). README files and rules/tools/ are not part of it.
 *
 * Ownership: everything returned by the accessors is borrowed from the
 * nlp_rules_t and valid until nlp_rules_destroy(). Strings are
 * NUL-terminated and point into the loaded file bytes. After load nothing
 * allocates: the accessors and nlp_rules_concept() are pure reads, safe
 * from several threads at once.
 *
 * Not here: matching (the Aho-Corasick automaton and PCRE2 set are built
 * from these arrays by the extractor; this loader never compiles a
 * pattern, nlp_regex.h does), brand/model dictionaries, plans.
 */
#ifndef DEVSURV_NLP_RULES_H
#define DEVSURV_NLP_RULES_H

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hex digits of the rule-set SHA-256, plus the NUL. */
#define NLP_RULES_SHA256_HEX 65

/* Largest rule file accepted, in bytes. */
#define NLP_RULES_FILE_MAX (64u << 20)

typedef struct nlp_rules nlp_rules_t;

/* Concept axes; the file name of each is nlp_axis_name(). */
enum nlp_axis {
    NLP_AXIS_DEVICE_CLASS,     /* FDA product codes, "DXY" */
    NLP_AXIS_DEVICE_COMPONENT, /* IMDRF Annex G, "G02002" */
    NLP_AXIS_DEVICE_PROBLEM,   /* IMDRF Annex A, "A0401" */
    NLP_AXIS_HEALTH_EFFECT,    /* IMDRF Annex E, "E0505" */
    NLP_AXIS_HEALTH_IMPACT,    /* IMDRF Annex F, "F02" */
    NLP_AXIS_COUNT
};

/* Whether a concept may be coded to (IMDRF "Not selectable" = grouping). */
enum nlp_concept_status {
    NLP_CONCEPT_ACTIVE,
    NLP_CONCEPT_GROUPING,
    NLP_CONCEPT_RETIRED
};

/* How a term counts: active terms count alone; ambiguous ones ("lead",
 * "pump") need a cue (a device class nearby, the report's product code);
 * stop terms are longer phrases that must NOT count ("lead to"): a match
 * of a stop term suppresses the shorter terms it overlaps. */
enum nlp_term_status { NLP_TERM_ACTIVE, NLP_TERM_AMBIGUOUS, NLP_TERM_STOP };

/* word: the match must start and end on a word boundary; none: anywhere. */
enum nlp_boundary { NLP_BOUNDARY_WORD, NLP_BOUNDARY_NONE };

/* ConText categories (reference/nlp.md 2.1). NONE is for section headings
 * only: a known heading that sets nothing. */
enum nlp_ctx_category {
    NLP_CTX_NEGATED,
    NLP_CTX_POSSIBLE,
    NLP_CTX_HYPOTHETICAL,
    NLP_CTX_HISTORICAL,
    NLP_CTX_FAMILY,
    NLP_CTX_PSEUDO,
    NLP_CTX_TERMINATE,
    NLP_CTX_NONE
};

/* Trigger direction (nlp.md 2.2); NONE for pseudo and terminate triggers,
 * which modify nothing themselves. */
enum nlp_ctx_direction {
    NLP_DIR_FORWARD,
    NLP_DIR_BACKWARD,
    NLP_DIR_BIDIRECTIONAL,
    NLP_DIR_NONE
};

/* What a file holds, decided by its path. */
enum nlp_rules_kind {
    NLP_RULES_VERSION,
    NLP_RULES_CONCEPTS,
    NLP_RULES_TERMS,
    NLP_RULES_TRIGGERS,
    NLP_RULES_SECTIONS,
    NLP_RULES_PATTERNS /* identifiers/patterns[_<name>].tsv */
};

/* What an identifier pattern's value is (identifiers/patterns.tsv). */
enum nlp_pattern_kind {
    NLP_PAT_MODEL,   /* model number after a cue ("MODEL #T125") */
    NLP_PAT_CATALOG, /* catalogue / reference / part number */
    NLP_PAT_LOT,     /* lot or batch number */
    NLP_PAT_SERIAL,  /* serial number */
    NLP_PAT_DATE,    /* a calendar date */
    NLP_PAT_UDI,     /* a UDI (GS1 or HIBCC) */
    NLP_PAT_KIND_COUNT
};

/* How a match's value is verified before it counts: gs1 / hibcc =
 * nlp_udi_parse_gs1() / nlp_udi_parse_hibcc() accepts it, check digit or
 * character included; date = a real calendar date. */
enum nlp_pattern_validator {
    NLP_VALID_NONE,
    NLP_VALID_GS1,
    NLP_VALID_HIBCC,
    NLP_VALID_DATE
};

/* One loaded file. */
struct nlp_rules_file {
    const char *path; /* relative to the tree, "terms/health_effect.tsv" */
    enum nlp_rules_kind kind;
    enum nlp_axis axis; /* for concepts and terms; else NLP_AXIS_COUNT */
    size_t bytes;       /* file length */
    size_t rows;        /* data rows (VERSION: 1) */
};

/* Where a row came from: index into nlp_rules_files() and 1-based line. */
struct nlp_rules_origin {
    uint32_t file;
    uint32_t line;
};

/* One concept. Device classes fill regulation..life_sustaining; IMDRF
 * concepts fill level and parents. */
struct nlp_concept {
    const char *id;    /* "dc.DXY", "he.E0505" */
    const char *code;  /* "DXY", "E0505" */
    const char *label; /* "Implantable Pacemaker Pulse-Generator" */
    enum nlp_axis axis;
    enum nlp_concept_status status;
    int level;                /* IMDRF 1..3; 0 for device classes */
    const char *parent_codes; /* IMDRF: ';'-separated, "" at level 1 */
    const uint32_t *parents;  /* indexes into nlp_rules_concepts() */
    uint32_t nparents;
    const char *regulation; /* "870.3610" or "" (device class) */
    const char *panel;      /* "CV" or "" (device class) */
    char device_class;      /* '1' '2' '3' 'N' 'U' 'f'; 0 for IMDRF */
    bool implant;           /* device class: implant flag */
    bool life_sustaining;   /* device class: life-sustaining flag */
    const char *source;
    const char *licence;
    struct nlp_rules_origin origin;
};

/* One surface form. */
struct nlp_term {
    const char *id;   /* "he.E0505.a280b4d2", "dc.c0001" */
    const char *code; /* the concept's code */
    uint32_t concept; /* index into nlp_rules_concepts() */
    enum nlp_axis axis;
    const char *term; /* lower case (ASCII), single spaces */
    size_t len;       /* bytes in term */
    enum nlp_boundary boundary;
    enum nlp_term_status status;
    const char *source;
    const char *licence;
    struct nlp_rules_origin origin;
};

/* One ConText trigger. */
struct nlp_trigger {
    const char *id;     /* "neg.001" */
    const char *phrase; /* lower case (ASCII), single spaces */
    size_t len;
    enum nlp_ctx_category category; /* never NLP_CTX_NONE */
    enum nlp_ctx_direction direction;
    int max_scope; /* tokens; 0 = to the sentence end (start) */
    const char *source;
    const char *licence;
    struct nlp_rules_origin origin;
};

/* One section heading. */
struct nlp_section {
    const char *id;      /* "sec.001" */
    const char *heading; /* upper case (ASCII), single spaces, no colon */
    size_t len;
    enum nlp_ctx_category category; /* negated..family or NLP_CTX_NONE */
    const char *source;
    const char *licence;
    struct nlp_rules_origin origin;
};

/* One identifier pattern. The loader checks the columns, the enums and
 * that the validator fits the kind (udi: gs1 or hibcc; date: date or
 * none; others: none); whether PCRE2 compiles the pattern is checked by
 * nlp_regex_new(). */
struct nlp_pattern {
    const char *id;      /* "pat.model.001" */
    const char *pattern; /* PCRE2 source, one capture group = the value */
    size_t len;          /* bytes in pattern */
    enum nlp_pattern_kind kind;
    enum nlp_pattern_validator validator;
    const char *source;
    const char *licence;
    struct nlp_rules_origin origin;
};

/* Load and validate the tree at dir into a new *out. On success returns 0;
 * the caller owns *out and frees it with nlp_rules_destroy(). On failure
 * *out is NULL, diag says where and why, and the code is DS_EPARSE (a file
 * is invalid or a required one is missing), DS_ENOTFOUND (dir does not
 * exist), DS_EIO (a read failed), DS_ETOOBIG (a file exceeds
 * NLP_RULES_FILE_MAX) or DS_ENOMEM. Required: VERSION, the five concept
 * files, context/triggers.tsv and context/sections.tsv; identifiers/ and
 * its files are optional. */
int nlp_rules_load(nlp_rules_t **out, const char *dir, struct ds_diag *diag);

/* Free a rule set and NULL *self_p. Safe on NULL and on *self_p == NULL. */
void nlp_rules_destroy(nlp_rules_t **self_p);

/* Validate one file's bytes as the file at relative path would be (its kind
 * and axis come from the path, e.g. "terms/device_class_curated.tsv"),
 * without the checks that need other files (term codes). buf is borrowed.
 * Returns 0 and sets *rows (may be NULL), or an error as nlp_rules_load()
 * does; diag->line >= 1 for every error in the bytes. For fuzzing and for
 * editors. */
int nlp_rules_parse_buffer(const char *path, const void *buf, size_t n,
                           size_t *rows, struct ds_diag *diag);

/* The rule-set SHA-256 as 64 lower-case hex digits (NUL-terminated). */
const char *nlp_rules_sha256(const nlp_rules_t *self);

/* The first line of VERSION, without the newline. */
const char *nlp_rules_version(const nlp_rules_t *self);

/* The loaded files in load (= hash) order; *n gets the count. */
const struct nlp_rules_file *nlp_rules_files(const nlp_rules_t *self,
                                             size_t *n);

/* All concepts, in file order (axes in enum order); *n gets the count. */
const struct nlp_concept *nlp_rules_concepts(const nlp_rules_t *self,
                                             size_t *n);

/* All terms, in file order; *n gets the count. */
const struct nlp_term *nlp_rules_terms(const nlp_rules_t *self, size_t *n);

/* All triggers, in file order; *n gets the count. */
const struct nlp_trigger *nlp_rules_triggers(const nlp_rules_t *self,
                                             size_t *n);

/* All section headings, in file order; *n gets the count. */
const struct nlp_section *nlp_rules_sections(const nlp_rules_t *self,
                                             size_t *n);

/* All identifier patterns, in file order; *n gets the count (0 when the
 * tree has no identifiers/ files). */
const struct nlp_pattern *nlp_rules_patterns(const nlp_rules_t *self,
                                             size_t *n);

/* The concept of axis with exactly this code, or NULL. O(log n), no
 * allocation. code is borrowed for the call. */
const struct nlp_concept *nlp_rules_concept(const nlp_rules_t *self,
                                            enum nlp_axis axis,
                                            struct ds_span code);

/* Names as spelled in the rule files ("device_class", "ambiguous",
 * "negated", "forward"); "?" for out-of-range values. Static strings. */
const char *nlp_axis_name(enum nlp_axis axis);
const char *nlp_term_status_name(enum nlp_term_status status);
const char *nlp_ctx_category_name(enum nlp_ctx_category category);
const char *nlp_ctx_direction_name(enum nlp_ctx_direction direction);
const char *nlp_concept_status_name(enum nlp_concept_status status);
const char *nlp_pattern_kind_name(enum nlp_pattern_kind kind);
const char *nlp_pattern_validator_name(enum nlp_pattern_validator v);

#endif
