/*
 * nlp_rules_check.c - the checks that need every row of a rule set, run
 * once all files are read, and the concept lookup they build: concepts
 * indexed by (axis, code), parents resolved and free of cycles, term codes
 * resolved to active concepts, and one row per id (across the whole tree),
 * per (axis, term, code), per trigger phrase, per section heading and per
 * (kind, pattern).
 *
 * Duplicates are found by sorting keys (strcmp, then file and line) and
 * comparing neighbours, so a report always names the later of the first
 * equal pair and points back at the earlier one. No global state: qsort
 * keys carry what they need.
 *
 * Not here: checks of one row alone (nlp_rules_rows.c).
 */
#include "nlp_rules_int.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A thing that must be unique: (axis, a, b), and where it was defined. */
struct s_key {
    int axis;
    const char *a, *b;
    struct nlp_rules_origin o;
    uint32_t idx; /* index of the row in its array */
};

static int s_key_cmp(const void *x, const void *y)
{
    const struct s_key *p = x, *q = y;
    int c = (p->axis > q->axis) - (p->axis < q->axis);
    if (c == 0)
        c = strcmp(p->a, q->a);
    if (c == 0)
        c = strcmp(p->b, q->b);
    if (c == 0)
        c = (p->o.file > q->o.file) - (p->o.file < q->o.file);
    if (c == 0)
        c = (p->o.line > q->o.line) - (p->o.line < q->o.line);
    return c;
}

/* Sort keys and report the later of the first equal pair found. */
static int s_unique(const nlp_rules_t *self, struct s_key *k, size_t n,
                    const char *what, struct ds_diag *diag)
{
    qsort(k, n, sizeof *k, s_key_cmp);
    for (size_t i = 1; i < n; i++) {
        if (k[i].axis != k[i - 1].axis || strcmp(k[i].a, k[i - 1].a) != 0 ||
            strcmp(k[i].b, k[i - 1].b) != 0)
            continue;
        return ds_diag_set_code(
            diag, DS_EPARSE, self->files[k[i].o.file].path, (int)k[i].o.line,
            "duplicate %s '%.80s'%s%s (first at %s:%u)", what, k[i].a,
            k[i].b[0] ? " for code " : "", k[i].b,
            self->files[k[i - 1].o.file].path, k[i - 1].o.line);
    }
    return 0;
}

static size_t s_id_keys(const nlp_rules_t *self, struct s_key *k)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nconcepts; i++)
        k[n++] = (struct s_key){0, self->concepts[i].id, "",
                                self->concepts[i].origin, 0};
    for (size_t i = 0; i < self->nterms; i++)
        k[n++] =
            (struct s_key){0, self->terms[i].id, "", self->terms[i].origin, 0};
    for (size_t i = 0; i < self->ntriggers; i++)
        k[n++] = (struct s_key){0, self->triggers[i].id, "",
                                self->triggers[i].origin, 0};
    for (size_t i = 0; i < self->nsections; i++)
        k[n++] = (struct s_key){0, self->sections[i].id, "",
                                self->sections[i].origin, 0};
    for (size_t i = 0; i < self->npatterns; i++)
        k[n++] = (struct s_key){0, self->patterns[i].id, "",
                                self->patterns[i].origin, 0};
    return n;
}

static int s_check_unique(const nlp_rules_t *self, struct s_key *k,
                          struct ds_diag *diag)
{
    int rc = s_unique(self, k, s_id_keys(self, k), "id", diag);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < self->nterms; i++)
        k[n++] = (struct s_key){self->terms[i].axis, self->terms[i].term,
                                self->terms[i].code, self->terms[i].origin, 0};
    if (rc == 0)
        rc = s_unique(self, k, n, "term", diag);
    n = 0;
    for (size_t i = 0; rc == 0 && i < self->ntriggers; i++)
        k[n++] = (struct s_key){0, self->triggers[i].phrase, "",
                                self->triggers[i].origin, 0};
    if (rc == 0)
        rc = s_unique(self, k, n, "trigger phrase", diag);
    n = 0;
    for (size_t i = 0; rc == 0 && i < self->nsections; i++)
        k[n++] = (struct s_key){0, self->sections[i].heading, "",
                                self->sections[i].origin, 0};
    if (rc == 0)
        rc = s_unique(self, k, n, "section heading", diag);
    n = 0;
    for (size_t i = 0; rc == 0 && i < self->npatterns; i++)
        k[n++] = (struct s_key){(int)self->patterns[i].kind,
                                self->patterns[i].pattern, "",
                                self->patterns[i].origin, 0};
    if (rc == 0)
        rc = s_unique(self, k, n, "pattern", diag);
    return rc;
}

/* self->by_code (concept indexes sorted by axis, then code) and
 * axis_first; a code twice in an axis is an error. k has room for every
 * concept. */
static int s_index_codes(nlp_rules_t *self, struct s_key *k,
                         struct ds_diag *diag)
{
    size_t n = self->nconcepts;
    self->by_code = ds_malloc((n ? n : 1) * sizeof *self->by_code);
    if (!self->by_code)
        return DS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (struct s_key){self->concepts[i].axis, self->concepts[i].code,
                              "", self->concepts[i].origin, (uint32_t)i};
    int rc = s_unique(self, k, n, "code", diag);
    memset(self->axis_first, 0, sizeof self->axis_first);
    for (size_t i = 0; i < n; i++) {
        self->by_code[i] = k[i].idx;
        self->axis_first[k[i].axis + 1]++;
    }
    for (int a = 0; a < NLP_AXIS_COUNT; a++)
        self->axis_first[a + 1] += self->axis_first[a];
    return rc;
}

/* Index of the concept of axis with code [p, p + n), or UINT32_MAX. */
static uint32_t s_find(const nlp_rules_t *self, enum nlp_axis axis,
                       const char *p, size_t n)
{
    size_t lo = self->axis_first[axis], hi = self->axis_first[axis + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *code = self->concepts[self->by_code[mid]].code;
        size_t len = strlen(code);
        int c = memcmp(p, code, n < len ? n : len);
        if (c == 0)
            c = (n > len) - (n < len);
        if (c == 0)
            return self->by_code[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return UINT32_MAX;
}

const struct nlp_concept *nlp_rules_concept(const nlp_rules_t *self,
                                            enum nlp_axis axis,
                                            struct ds_span code)
{
    if (!self || (unsigned)axis >= NLP_AXIS_COUNT || (!code.p && code.n))
        return NULL;
    uint32_t i = s_find(self, axis, code.p ? code.p : "", code.n);
    return i == UINT32_MAX ? NULL : &self->concepts[i];
}

static int s_concept_fail(const nlp_rules_t *self, const struct nlp_concept *c,
                          struct ds_diag *diag, const char *what,
                          const char *code)
{
    return ds_diag_set_code(diag, DS_EPARSE, self->files[c->origin.file].path,
                            (int)c->origin.line, "%s '%.20s' of %s %s", what,
                            code, nlp_axis_name(c->axis), c->code);
}

/* Resolve the parents of c into self->parents[*used...]. */
static int s_parents_of(nlp_rules_t *self, struct nlp_concept *c, size_t *used,
                        struct ds_diag *diag)
{
    const char *p = c->parent_codes;
    c->parents = self->parents + *used;
    while (*p) {
        size_t len = strcspn(p, ";");
        uint32_t i = s_find(self, c->axis, p, len);
        char code[16];
        snprintf(code, sizeof code, "%.*s", (int)len, p);
        if (i == UINT32_MAX)
            return s_concept_fail(self, c, diag, "unknown parent", code);
        for (uint32_t k = 0; k < c->nparents; k++)
            if (c->parents[k] == i)
                return s_concept_fail(self, c, diag, "repeated parent", code);
        self->parents[(*used)++] = i;
        c->nparents++;
        p += len + (p[len] == ';');
    }
    return 0;
}

#define S_DEPTH_MAX 32

/* Depth of concept i in the parent graph (1 = no parents), memoised in d
 * (0 unknown, -1 on the current path). A cycle, or a chain deeper than
 * S_DEPTH_MAX, is an error at the concept that closes it. IMDRF's `level`
 * cannot be used for this: in the Annex E polyhierarchy a level-2 code can
 * sit under another level-2 code (E0103 Cerebral Edema under E2338). */
static int s_depth(const nlp_rules_t *self, uint32_t i, int8_t *d, int level,
                   struct ds_diag *diag)
{
    const struct nlp_concept *c = &self->concepts[i];
    if (d[i] > 0)
        return d[i];
    if (d[i] < 0 || level > S_DEPTH_MAX)
        return s_concept_fail(self, c, diag,
                              "parent cycle or more than 32 "
                              "levels at",
                              c->code);
    int best = 1;
    d[i] = -1;
    for (uint32_t k = 0; k < c->nparents; k++) {
        int up = s_depth(self, c->parents[k], d, level + 1, diag);
        if (up < 0)
            return up;
        best = up + 1 > best ? up + 1 : best;
    }
    d[i] = (int8_t)best;
    return best;
}

static int s_check_cycles(const nlp_rules_t *self, struct ds_diag *diag)
{
    int8_t *d = ds_calloc(self->nconcepts ? self->nconcepts : 1, 1);
    int rc = d ? 0 : DS_ENOMEM;
    for (size_t i = 0; rc == 0 && i < self->nconcepts; i++)
        if ((rc = s_depth(self, (uint32_t)i, d, 1, diag)) > 0)
            rc = 0;
    ds_free(d);
    return rc;
}

static int s_resolve_parents(nlp_rules_t *self, struct ds_diag *diag)
{
    size_t total = 0, used = 0;
    for (size_t i = 0; i < self->nconcepts; i++)
        for (const char *p = self->concepts[i].parent_codes; *p; p++)
            total += p == self->concepts[i].parent_codes || p[-1] == ';';
    self->parents = ds_malloc((total ? total : 1) * sizeof *self->parents);
    if (!self->parents)
        return DS_ENOMEM;
    for (size_t i = 0; i < self->nconcepts; i++) {
        int rc = s_parents_of(self, &self->concepts[i], &used, diag);
        if (rc != 0)
            return rc;
    }
    return s_check_cycles(self, diag);
}

static int s_resolve_terms(nlp_rules_t *self, struct ds_diag *diag)
{
    for (size_t i = 0; i < self->nterms; i++) {
        struct nlp_term *m = &self->terms[i];
        const char *path = self->files[m->origin.file].path;
        m->concept = s_find(self, m->axis, m->code, strlen(m->code));
        if (m->concept == UINT32_MAX)
            return ds_diag_set_code(diag, DS_EPARSE, path, (int)m->origin.line,
                                    "unknown code '%s': not in "
                                    "concepts/%s.tsv",
                                    m->code, nlp_axis_name(m->axis));
        enum nlp_concept_status st = self->concepts[m->concept].status;
        if (st != NLP_CONCEPT_ACTIVE)
            return ds_diag_set_code(diag, DS_EPARSE, path, (int)m->origin.line,
                                    "code '%s' is %s: terms must map to an "
                                    "active concept",
                                    m->code, nlp_concept_status_name(st));
    }
    return 0;
}

int nlp_rules_finish(nlp_rules_t *self, struct ds_diag *diag)
{
    size_t n = self->nconcepts + self->nterms + self->ntriggers +
               self->nsections + self->npatterns;
    struct s_key *k = ds_malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return DS_ENOMEM;
    int rc = s_index_codes(self, k, diag);
    if (rc == 0)
        rc = s_resolve_parents(self, diag);
    if (rc == 0 && !self->partial)
        rc = s_resolve_terms(self, diag);
    if (rc == 0)
        rc = s_check_unique(self, k, diag);
    ds_free(k);
    return rc;
}
