/*
 * nlp_rules_rows.c - what each rule file holds: its path pattern, its
 * columns and how one row becomes a struct, with the checks a row can
 * pass alone (see nlp_rules.h for the format, rules/README.md for the
 * meaning of each column).
 *
 * Codes are checked by shape per axis: FDA product codes are three
 * upper-case letters; IMDRF codes are the annex letter then two digits per
 * level (A, E, F), or two, three, two digits (G: G02, G02002, G0200401;
 * IMDRF AET N43 code structure, eval/imdrf/README.md).
 *
 * Not here: reading bytes (nlp_rules.c), splitting them (nlp_rules_tsv.c),
 * checks across rows and files (nlp_rules_check.c).
 */
#include "nlp_rules_int.h"

#include "devsurv/ds_err.h"

#include <string.h>

static const char *const s_axes[NLP_AXIS_COUNT] = {
    "device_class",  "device_component", "device_problem",
    "health_effect", "health_impact",
};
static const char s_axis_letter[NLP_AXIS_COUNT] = {0, 'G', 'A', 'E', 'F'};

static const char *const s_cols_class[] = {
    "id",    "code",    "label",           "regulation", "device_class",
    "panel", "implant", "life_sustaining", "source",     "licence",
};
static const char *const s_cols_imdrf[] = {
    "id", "code", "label", "parents", "level", "status", "source", "licence",
};
static const char *const s_cols_terms[] = {
    "id", "code", "term", "boundary", "status", "source", "licence",
};
static const char *const s_cols_triggers[] = {
    "id", "phrase", "category", "direction", "max_scope", "source", "licence",
};
static const char *const s_cols_sections[] = {
    "id", "heading", "category", "source", "licence",
};
#define S_NCOLS(a) (int)(sizeof a / sizeof a[0])

static const char *const s_concept_status[] = {"active", "grouping", "retired"};
static const char *const s_term_status[] = {"active", "ambiguous", "stop"};
static const char *const s_boundary[] = {"word", "none"};
static const char *const s_categories[] = {
    "negated", "possible", "hypothetical", "historical",
    "family",  "pseudo",   "terminate",    "none",
};
static const char *const s_directions[] = {"forward", "backward",
                                           "bidirectional", "none"};
static const char *const s_device_class[] = {"1", "2", "3", "N", "U", "f"};
static const char *const s_yes_no[] = {"N", "Y"};

#define S_TRIGGER_CATS 7 /* categories a trigger may have (all but none) */
#define S_SCOPE_MAX    1000

const char *nlp_axis_name(enum nlp_axis axis)
{
    return (unsigned)axis < NLP_AXIS_COUNT ? s_axes[axis] : "?";
}

const char *nlp_term_status_name(enum nlp_term_status status)
{
    return (unsigned)status < 3 ? s_term_status[status] : "?";
}

const char *nlp_ctx_category_name(enum nlp_ctx_category category)
{
    return (unsigned)category < 8 ? s_categories[category] : "?";
}

const char *nlp_ctx_direction_name(enum nlp_ctx_direction direction)
{
    return (unsigned)direction < 4 ? s_directions[direction] : "?";
}

const char *nlp_concept_status_name(enum nlp_concept_status status)
{
    return (unsigned)status < 3 ? s_concept_status[status] : "?";
}

/* ---- paths ---- */

/* rest == "" + ".tsv" or "_<name>.tsv" with name of [a-z0-9_]. */
static bool s_suffix_ok(const char *rest)
{
    if (strcmp(rest, ".tsv") == 0)
        return true;
    if (*rest++ != '_' || *rest == '.')
        return false;
    while ((*rest >= 'a' && *rest <= 'z') || (*rest >= '0' && *rest <= '9') ||
           *rest == '_')
        rest++;
    return strcmp(rest, ".tsv") == 0;
}

static bool s_axis_file(const char *name, bool exact, enum nlp_axis *axis)
{
    for (int a = 0; a < NLP_AXIS_COUNT; a++) {
        size_t len = strlen(s_axes[a]);
        if (strncmp(name, s_axes[a], len) != 0)
            continue;
        if (exact ? strcmp(name + len, ".tsv") == 0 : s_suffix_ok(name + len)) {
            *axis = (enum nlp_axis)a;
            return true;
        }
    }
    return false;
}

bool nlp_rules_kind_of(const char *path, enum nlp_rules_kind *kind,
                       enum nlp_axis *axis)
{
    *axis = NLP_AXIS_COUNT;
    if (strcmp(path, "VERSION") == 0)
        return *kind = NLP_RULES_VERSION, true;
    if (strncmp(path, "concepts/", 9) == 0)
        return *kind = NLP_RULES_CONCEPTS, s_axis_file(path + 9, true, axis);
    if (strncmp(path, "terms/", 6) == 0)
        return *kind = NLP_RULES_TERMS, s_axis_file(path + 6, false, axis);
    if (strncmp(path, "context/triggers", 16) == 0)
        return *kind = NLP_RULES_TRIGGERS, s_suffix_ok(path + 16);
    if (strncmp(path, "context/sections", 16) == 0)
        return *kind = NLP_RULES_SECTIONS, s_suffix_ok(path + 16);
    if (strncmp(path, "identifiers/patterns", 20) == 0)
        return *kind = NLP_RULES_PATTERNS, s_suffix_ok(path + 20);
    return false;
}

/* ---- codes ---- */

static bool s_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool s_code_ok(enum nlp_axis axis, const char *c)
{
    size_t n = strlen(c);
    if (axis == NLP_AXIS_DEVICE_CLASS)
        return n == 3 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' &&
               c[1] <= 'Z' && c[2] >= 'A' && c[2] <= 'Z';
    if (c[0] != s_axis_letter[axis] || !s_digits(c + 1, n - 1))
        return false;
    if (axis == NLP_AXIS_DEVICE_COMPONENT)
        return n == 3 || n == 6 || n == 8;
    return n == 3 || n == 5 || n == 7;
}

static int s_code(const struct nlp_tsv *t, struct ds_diag *diag, int col,
                  enum nlp_axis axis)
{
    if (s_code_ok(axis, t->field[col]))
        return 0;
    return nlp_tsv_fail(t, diag, "code '%.40s' is not a %s code", t->field[col],
                        s_axes[axis]);
}

/* Every ';'-separated parent code is well formed. */
static int s_parent_codes(const struct nlp_tsv *t, struct ds_diag *diag,
                          int col, enum nlp_axis axis)
{
    char one[16];
    const char *p = t->field[col];
    while (*p) {
        size_t len = strcspn(p, ";");
        if (len == 0 || len >= sizeof one)
            return nlp_tsv_fail(t, diag,
                                "parents '%.60s' is not a ';' list "
                                "of codes",
                                t->field[col]);
        memcpy(one, p, len);
        one[len] = '\0';
        if (!s_code_ok(axis, one))
            return nlp_tsv_fail(t, diag, "parent '%s' is not a %s code", one,
                                s_axes[axis]);
        p += len + (p[len] == ';');
        if (p[-1] == ';' && *p == '\0')
            return nlp_tsv_fail(t, diag, "parents end with ';'");
    }
    return 0;
}

/* ---- rows ---- */

static struct nlp_rules_origin s_origin(uint32_t file, const struct nlp_tsv *t)
{
    struct nlp_rules_origin o = {file, (uint32_t)t->line};
    return o;
}

static int s_class_row(nlp_rules_t *self, uint32_t file,
                       const struct nlp_tsv *t, struct ds_diag *diag)
{
    int cls, implant, life, rc;
    char *const *f = t->field;
    if ((rc = s_code(t, diag, 1, NLP_AXIS_DEVICE_CLASS)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 4, s_device_class, 6, &cls)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 6, s_yes_no, 2, &implant)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 7, s_yes_no, 2, &life)) != 0)
        return rc;
    struct nlp_concept *c = &self->concepts[self->nconcepts++];
    *c = (struct nlp_concept){.id = f[0],
                              .code = f[1],
                              .label = f[2],
                              .axis = NLP_AXIS_DEVICE_CLASS,
                              .parent_codes = "",
                              .regulation = f[3],
                              .panel = f[5],
                              .device_class = f[4][0],
                              .implant = implant,
                              .life_sustaining = life,
                              .source = f[8],
                              .licence = f[9],
                              .origin = s_origin(file, t)};
    return 0;
}

static int s_imdrf_row(nlp_rules_t *self, uint32_t file, enum nlp_axis axis,
                       const struct nlp_tsv *t, struct ds_diag *diag)
{
    int level, status, rc;
    char *const *f = t->field;
    if ((rc = s_code(t, diag, 1, axis)) != 0 ||
        (rc = s_parent_codes(t, diag, 3, axis)) != 0 ||
        (rc = nlp_tsv_int(t, diag, 4, 1, 9, &level)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 5, s_concept_status, 3, &status)) != 0)
        return rc;
    if ((level == 1) != (f[3][0] == '\0'))
        return nlp_tsv_fail(t, diag, "level %d with %s parents", level,
                            level == 1 ? "some" : "no");
    struct nlp_concept *c = &self->concepts[self->nconcepts++];
    *c = (struct nlp_concept){.id = f[0],
                              .code = f[1],
                              .label = f[2],
                              .axis = axis,
                              .status = (enum nlp_concept_status)status,
                              .level = level,
                              .parent_codes = f[3],
                              .regulation = "",
                              .panel = "",
                              .source = f[6],
                              .licence = f[7],
                              .origin = s_origin(file, t)};
    return 0;
}

static int s_term_row(nlp_rules_t *self, uint32_t file, enum nlp_axis axis,
                      const struct nlp_tsv *t, struct ds_diag *diag)
{
    int boundary, status, rc;
    char *const *f = t->field;
    if ((rc = s_code(t, diag, 1, axis)) != 0 ||
        (rc = nlp_tsv_phrase(t, diag, 2, false)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 3, s_boundary, 2, &boundary)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 4, s_term_status, 3, &status)) != 0)
        return rc;
    struct nlp_term *m = &self->terms[self->nterms++];
    *m = (struct nlp_term){.id = f[0],
                           .code = f[1],
                           .concept = UINT32_MAX,
                           .axis = axis,
                           .term = f[2],
                           .len = strlen(f[2]),
                           .boundary = (enum nlp_boundary)boundary,
                           .status = (enum nlp_term_status)status,
                           .source = f[5],
                           .licence = f[6],
                           .origin = s_origin(file, t)};
    return 0;
}

static int s_trigger_row(nlp_rules_t *self, uint32_t file,
                         const struct nlp_tsv *t, struct ds_diag *diag)
{
    int cat, dir, scope, rc;
    char *const *f = t->field;
    if ((rc = nlp_tsv_phrase(t, diag, 1, false)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 2, s_categories, S_TRIGGER_CATS, &cat)) !=
            0 ||
        (rc = nlp_tsv_enum(t, diag, 3, s_directions, 4, &dir)) != 0 ||
        (rc = nlp_tsv_int(t, diag, 4, 0, S_SCOPE_MAX, &scope)) != 0)
        return rc;
    bool modifier = cat != NLP_CTX_PSEUDO && cat != NLP_CTX_TERMINATE;
    if (modifier == (dir == NLP_DIR_NONE))
        return nlp_tsv_fail(t, diag, "a %s trigger needs direction %s", f[2],
                            modifier ? "forward|backward|bidirectional"
                                     : "none");
    struct nlp_trigger *g = &self->triggers[self->ntriggers++];
    *g = (struct nlp_trigger){.id = f[0],
                              .phrase = f[1],
                              .len = strlen(f[1]),
                              .category = (enum nlp_ctx_category)cat,
                              .direction = (enum nlp_ctx_direction)dir,
                              .max_scope = scope,
                              .source = f[5],
                              .licence = f[6],
                              .origin = s_origin(file, t)};
    return 0;
}

/* Sections take the modifying categories or none, never pseudo/terminate. */
static const char *const s_section_cats[] = {
    "negated", "possible", "hypothetical", "historical",
    "family",  NULL,       NULL,           "none",
};

static int s_section_row(nlp_rules_t *self, uint32_t file,
                         const struct nlp_tsv *t, struct ds_diag *diag)
{
    int cat, rc;
    char *const *f = t->field;
    if ((rc = nlp_tsv_phrase(t, diag, 1, true)) != 0 ||
        (rc = nlp_tsv_enum(t, diag, 2, s_section_cats, 8, &cat)) != 0)
        return rc;
    struct nlp_section *s = &self->sections[self->nsections++];
    *s = (struct nlp_section){.id = f[0],
                              .heading = f[1],
                              .len = strlen(f[1]),
                              .category = (enum nlp_ctx_category)cat,
                              .source = f[3],
                              .licence = f[4],
                              .origin = s_origin(file, t)};
    return 0;
}

/* Room for one more row of the file's kind. */
static int s_reserve(nlp_rules_t *self, enum nlp_rules_kind kind)
{
    switch (kind) {
    case NLP_RULES_CONCEPTS:
        return nlp_rules_grow((void **)&self->concepts, &self->cconcepts,
                              self->nconcepts, sizeof *self->concepts);
    case NLP_RULES_TERMS:
        return nlp_rules_grow((void **)&self->terms, &self->cterms,
                              self->nterms, sizeof *self->terms);
    case NLP_RULES_TRIGGERS:
        return nlp_rules_grow((void **)&self->triggers, &self->ctriggers,
                              self->ntriggers, sizeof *self->triggers);
    case NLP_RULES_SECTIONS:
        return nlp_rules_grow((void **)&self->sections, &self->csections,
                              self->nsections, sizeof *self->sections);
    case NLP_RULES_PATTERNS:
        return nlp_rules_grow((void **)&self->patterns, &self->cpatterns,
                              self->npatterns, sizeof *self->patterns);
    default: return DS_EINVAL;
    }
}

static int s_row(nlp_rules_t *self, uint32_t file, const struct nlp_tsv *t,
                 struct ds_diag *diag)
{
    const struct nlp_rules_file *fl = &self->files[file];
    int rc = s_reserve(self, fl->kind);
    if (rc == 0)
        rc = nlp_tsv_id(t, diag, 0);
    if (rc == 0)
        rc = nlp_tsv_licence(t, diag, t->ncols - 1);
    if (rc != 0)
        return rc;
    switch (fl->kind) {
    case NLP_RULES_CONCEPTS:
        return fl->axis == NLP_AXIS_DEVICE_CLASS
                   ? s_class_row(self, file, t, diag)
                   : s_imdrf_row(self, file, fl->axis, t, diag);
    case NLP_RULES_TERMS: return s_term_row(self, file, fl->axis, t, diag);
    case NLP_RULES_TRIGGERS: return s_trigger_row(self, file, t, diag);
    case NLP_RULES_SECTIONS: return s_section_row(self, file, t, diag);
    case NLP_RULES_PATTERNS: return nlp_rules_pattern_row(self, file, t, diag);
    default: return DS_EINVAL;
    }
}

static int s_columns(const struct nlp_rules_file *fl, const char *const **cols,
                     uint32_t *optional)
{
    *optional = 0;
    switch (fl->kind) {
    case NLP_RULES_CONCEPTS:
        if (fl->axis == NLP_AXIS_DEVICE_CLASS) {
            *cols = s_cols_class;
            *optional = 1u << 3 | 1u << 5; /* regulation, panel */
            return S_NCOLS(s_cols_class);
        }
        *cols = s_cols_imdrf;
        *optional = 1u << 3; /* parents */
        return S_NCOLS(s_cols_imdrf);
    case NLP_RULES_TERMS: *cols = s_cols_terms; return S_NCOLS(s_cols_terms);
    case NLP_RULES_TRIGGERS:
        *cols = s_cols_triggers;
        return S_NCOLS(s_cols_triggers);
    case NLP_RULES_PATTERNS: return nlp_rules_pattern_columns(cols);
    default: *cols = s_cols_sections; return S_NCOLS(s_cols_sections);
    }
}

/* VERSION: exactly one non-empty line (a final LF is optional). */
static int s_read_version(nlp_rules_t *self, uint32_t file,
                          struct ds_diag *diag)
{
    struct nlp_rules_file *fl = &self->files[file];
    char *p = self->bufs[file];
    size_t len = strcspn(p, "\n");
    if (len == 0)
        return ds_diag_set_code(diag, DS_EPARSE, fl->path, 1,
                                "empty first line (want e.g. "
                                "\"devsurv-rules 0.1.0 (...)\")");
    if (len < fl->bytes && len + 1 < fl->bytes)
        return ds_diag_set_code(diag, DS_EPARSE, fl->path, 2,
                                "more than one line");
    p[len] = '\0';
    self->version = p;
    fl->rows = 1;
    return 0;
}

int nlp_rules_read_file(nlp_rules_t *self, uint32_t file, struct ds_diag *diag)
{
    struct nlp_rules_file *fl = &self->files[file];
    int rc = nlp_tsv_check_text(fl->path, self->bufs[file], fl->bytes, diag);
    if (rc != 0 || fl->kind == NLP_RULES_VERSION)
        return rc != 0 ? rc : s_read_version(self, file, diag);
    const char *const *cols;
    uint32_t optional;
    int ncols = s_columns(fl, &cols, &optional);
    struct nlp_tsv t;
    nlp_tsv_init(&t, fl->path, self->bufs[file], fl->bytes);
    if ((rc = nlp_tsv_header(&t, cols, ncols, optional, diag)) != 0)
        return rc;
    while ((rc = nlp_tsv_row(&t, diag)) == 1) {
        if ((rc = s_row(self, file, &t, diag)) != 0)
            return rc;
        fl->rows++;
    }
    return rc;
}
