/*
 * nlp_rules_ident.c - rows of identifiers/patterns[_<name>].tsv: PCRE2
 * patterns for model, catalogue, lot and serial numbers, dates and UDIs
 * (rules/README.md documents the columns).
 *
 * A row passes here when its kind and validator are known and fit each
 * other: a udi pattern must be verified by a UDI parser (gs1 or hibcc), so
 * a shape alone never makes a UDI; a date pattern may be checked as a
 * calendar date; other kinds have no validator. The pattern text is taken
 * as written (any bytes but TAB and LF, at most NLP_TSV_FIELD_MAX): this
 * loader stays free of PCRE2, so whether a pattern compiles, and has
 * exactly one capture group, is decided by nlp_regex_new() (which
 * `devsurv check-rules` and the extractor both call).
 *
 * Not here: compiling or matching (nlp_regex.c), ids unique across the
 * tree and duplicate patterns (nlp_rules_check.c).
 */
#include "nlp_rules_int.h"

#include <string.h>

static const char *const s_cols[] = {
    "id", "kind", "pattern", "validator", "source", "licence",
};
static const char *const s_kinds[NLP_PAT_KIND_COUNT] = {
    "model", "catalog", "lot", "serial", "date", "udi",
};
static const char *const s_validators[] = {"none", "gs1", "hibcc", "date"};
#define S_NVALID (int)(sizeof s_validators / sizeof s_validators[0])

const char *nlp_pattern_kind_name(enum nlp_pattern_kind kind)
{
    return (unsigned)kind < NLP_PAT_KIND_COUNT ? s_kinds[kind] : "?";
}

const char *nlp_pattern_validator_name(enum nlp_pattern_validator v)
{
    return (unsigned)v < (unsigned)S_NVALID ? s_validators[v] : "?";
}

int nlp_rules_pattern_columns(const char *const **cols)
{
    *cols = s_cols;
    return (int)(sizeof s_cols / sizeof s_cols[0]);
}

/* Which validators a kind accepts. */
static bool s_fits(enum nlp_pattern_kind kind, enum nlp_pattern_validator v)
{
    switch (kind) {
    case NLP_PAT_UDI: return v == NLP_VALID_GS1 || v == NLP_VALID_HIBCC;
    case NLP_PAT_DATE: return v == NLP_VALID_DATE || v == NLP_VALID_NONE;
    default: return v == NLP_VALID_NONE;
    }
}

static const char *s_allowed(enum nlp_pattern_kind kind)
{
    switch (kind) {
    case NLP_PAT_UDI: return "gs1|hibcc";
    case NLP_PAT_DATE: return "date|none";
    default: return "none";
    }
}

int nlp_rules_pattern_row(nlp_rules_t *self, uint32_t file,
                          const struct nlp_tsv *t, struct ds_diag *diag)
{
    int kind, valid, rc;
    char *const *f = t->field;
    if ((rc = nlp_tsv_enum(t, diag, 1, s_kinds, NLP_PAT_KIND_COUNT, &kind)) !=
            0 ||
        (rc = nlp_tsv_enum(t, diag, 3, s_validators, S_NVALID, &valid)) != 0)
        return rc;
    if (!s_fits((enum nlp_pattern_kind)kind, (enum nlp_pattern_validator)valid))
        return nlp_tsv_fail(t, diag,
                            "validator '%s' does not fit kind '%s' "
                            "(want %s)",
                            f[3], f[1], s_allowed((enum nlp_pattern_kind)kind));
    struct nlp_pattern *p = &self->patterns[self->npatterns++];
    *p = (struct nlp_pattern){.id = f[0],
                              .pattern = f[2],
                              .len = strlen(f[2]),
                              .kind = (enum nlp_pattern_kind)kind,
                              .validator = (enum nlp_pattern_validator)valid,
                              .source = f[4],
                              .licence = f[5],
                              .origin = {file, (uint32_t)t->line}};
    return 0;
}
