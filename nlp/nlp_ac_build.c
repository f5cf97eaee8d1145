/*
 * nlp_ac_build.c - collect terms and compile them into the Aho-Corasick
 * automaton (nlp_ac.h): the builder, term normalisation, sorting and
 * de-duplication, and the order of the compile steps.
 *
 * A compile: sort and de-duplicate the terms (sorted input makes trie
 * creation order trie preorder, which the sparse layout relies on for
 * locality), classes and trie and failure links (nlp_ac_trie.c), then the
 * compact dense/sparse layout (nlp_ac_table.c; described in
 * nlp_ac_impl.h). Scratch lives in struct nlp_ac_work (nlp_ac_work.h) and
 * is freed before nlp_ac_build() returns.
 *
 * Not here: the scan (nlp_ac_scan.c); updating a compiled automaton
 * (rebuild it); reading rule files (the caller adds terms).
 */
#include "devsurv/nlp_ac.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "nlp_ac_work.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

nlp_ac_builder_t *nlp_ac_builder_new(void)
{
    return ds_calloc(1, sizeof(nlp_ac_builder_t));
}

void nlp_ac_builder_destroy(nlp_ac_builder_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ds_free((*self_p)->buf);
    ds_free((*self_p)->ent);
    ds_free(*self_p);
    *self_p = NULL;
}

size_t nlp_ac_builder_count(const nlp_ac_builder_t *self)
{
    return self->n;
}

/* Fold, trim and collapse term into out; set e->len and e->spaces.
 * Returns 0, DS_EINVAL or DS_ETOOBIG with diag saying why. */
static int s_normalise(struct ds_span term, unsigned char *out,
                       struct nlp_ac_entry *e, struct ds_diag *diag)
{
    size_t n = 0, spaces = 0;
    bool gap = false;
    for (size_t i = 0; i < term.n; i++) {
        unsigned char c = (unsigned char)term.p[i];
        if (nlp_ac_is_space(c)) {
            gap = n > 0;
            continue;
        }
        if (n + (gap ? 2 : 1) > NLP_AC_TERM_MAX)
            return ds_diag_set_code(diag, DS_ETOOBIG, "", 0,
                                    "term longer than %d bytes (id %" PRIu32
                                    ")",
                                    NLP_AC_TERM_MAX, e->id);
        if (gap) {
            out[n++] = ' ';
            spaces++;
            gap = false;
        }
        out[n++] = nlp_ac_fold(c);
    }
    if (n == 0)
        return ds_diag_set(diag, "", 0,
                           "empty term (id %" PRIu32 "): nothing but "
                           "whitespace or no bytes at all",
                           e->id);
    if (spaces > NLP_AC_SPACES_MAX)
        return ds_diag_set_code(diag, DS_ETOOBIG, "", 0,
                                "term has more than %d spaces (id %" PRIu32 ")",
                                NLP_AC_SPACES_MAX, e->id);
    e->len = (uint16_t)n;
    e->spaces = (uint16_t)spaces;
    return 0;
}

/* Append e (normalised bytes in tmp) to the builder. */
static int s_push(nlp_ac_builder_t *self, const unsigned char *tmp,
                  struct nlp_ac_entry *e)
{
    void *buf = self->buf, *ent = self->ent;
    int rc = ds_grow(&buf, &self->capbuf, self->nbuf + e->len, 1);
    self->buf = buf;
    if (rc == 0)
        rc = ds_grow(&ent, &self->cap, self->n + 1, sizeof *self->ent);
    self->ent = ent;
    if (rc != 0)
        return rc;
    memcpy(self->buf + self->nbuf, tmp, e->len);
    e->off = self->nbuf;
    self->nbuf += e->len;
    self->ent[self->n++] = *e;
    self->states += 2u * e->len + 1u;
    return 0;
}

int nlp_ac_builder_add(nlp_ac_builder_t *self, struct ds_span term, uint32_t id,
                       unsigned flags, struct ds_diag *diag)
{
    unsigned char tmp[NLP_AC_TERM_MAX];
    struct nlp_ac_entry e = {.id = id,
                             .nobound = (flags & NLP_AC_NOBOUND) != 0};
    if (flags & ~NLP_AC_NOBOUND)
        return ds_diag_set(diag, "", 0, "unknown flags 0x%x (id %" PRIu32 ")",
                           flags, id);
    int rc = s_normalise(term, tmp, &e, diag);
    if (rc != 0)
        return rc;
    /* Keep every trie state index below 2^31 (B doubles some terms). */
    if (self->states + 2u * e.len + 1u >= INT32_MAX)
        return ds_diag_set_code(diag, DS_ETOOBIG, "", 0,
                                "dictionary too large at id %" PRIu32, id);
    rc = s_push(self, tmp, &e);
    if (rc != 0)
        return ds_diag_set_code(diag, rc, "", 0,
                                "out of memory adding id %" PRIu32, id);
    return 0;
}

/* ---- sorting and de-duplication ---------------------------------------- */

static int s_cmp_bytes(const struct nlp_ac_entry *a,
                       const struct nlp_ac_entry *b)
{
    int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Term, then id, then NOBOUND first: the head of a (term, id) group is the
 * one with the weakest boundary rule. */
static int s_cmp_dedupe(const void *va, const void *vb)
{
    const struct nlp_ac_entry *a = va, *b = vb;
    int c = s_cmp_bytes(a, b);
    if (c)
        return c;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return (a->nobound < b->nobound) - (a->nobound > b->nobound);
}

/* Term, then NOBOUND, then id: the terms ending at one trie state (same
 * bytes, same boundary rule) become one run, ordered by id. */
static int s_cmp_node(const void *va, const void *vb)
{
    const struct nlp_ac_entry *a = va, *b = vb;
    int c = s_cmp_bytes(a, b);
    if (c)
        return c;
    if (a->nobound != b->nobound)
        return a->nobound < b->nobound ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Drop repeated (term, id) pairs, keeping the NOBOUND one if any. */
static void s_dedupe(nlp_ac_builder_t *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        b->ent[i].p = b->buf + b->ent[i].off;
    if (b->n > 1)
        qsort(b->ent, b->n, sizeof *b->ent, s_cmp_dedupe);
    for (size_t i = 0; i < b->n; i++) {
        if (k > 0 && b->ent[i].id == b->ent[k - 1].id &&
            s_cmp_bytes(&b->ent[i], &b->ent[k - 1]) == 0)
            continue;
        b->ent[k++] = b->ent[i];
    }
    b->n = k;
    if (b->n > 1)
        qsort(b->ent, b->n, sizeof *b->ent, s_cmp_node);
}

/* ---- the compile ------------------------------------------------------- */

static int s_build(nlp_ac_t *ac, struct nlp_ac_work *w, nlp_ac_builder_t *b,
                   const struct nlp_ac_tune *tune)
{
    s_dedupe(b);
    nlp_ac_w_alphabet(ac, w, b);
    int rc = nlp_ac_w_trie(w, ac, b);
    if (rc == 0)
        rc = nlp_ac_w_resolve(w, b);
    return rc ? rc : nlp_ac_w_compile(ac, w, b, tune);
}

int nlp_ac_build_tuned(nlp_ac_t **out, nlp_ac_builder_t **builder_p,
                       const struct nlp_ac_tune *tune, struct ds_diag *diag)
{
    assert(out && builder_p && *builder_p && tune);
    nlp_ac_builder_t *b = *builder_p;
    struct nlp_ac_work w;
    memset(&w, 0, sizeof w);
    *builder_p = NULL;
    *out = NULL;
    nlp_ac_t *ac = ds_calloc(1, sizeof *ac);
    int rc = ac ? s_build(ac, &w, b, tune) : DS_ENOMEM;
    nlp_ac_w_free(&w);
    nlp_ac_builder_destroy(&b);
    if (rc != 0) {
        nlp_ac_destroy(&ac);
        return ds_diag_set_code(diag, rc, "", 0, "%s",
                                rc == DS_ENOMEM
                                    ? "out of memory compiling the dictionary"
                                    : "dictionary needs more than 2^32 table "
                                      "entries; split it");
    }
    *out = ac;
    return 0;
}

int nlp_ac_build(nlp_ac_t **out, nlp_ac_builder_t **builder_p,
                 struct ds_diag *diag)
{
    static const struct nlp_ac_tune tune = NLP_AC_TUNE_DEFAULT;
    return nlp_ac_build_tuned(out, builder_p, &tune, diag);
}

void nlp_ac_destroy(nlp_ac_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ds_free((*self_p)->table);
    ds_free((*self_p)->sp);
    ds_free((*self_p)->out);
    ds_free((*self_p)->pat);
    ds_free(*self_p);
    *self_p = NULL;
}

void nlp_ac_info(const nlp_ac_t *self, struct nlp_ac_info *out)
{
    size_t cells = (size_t)self->ndense * self->nclass;
    out->terms = self->npat;
    out->states = self->nstates;
    out->dense = self->ndense;
    out->classes = self->nclass;
    out->entry_bytes = self->t16 ? 2 : 4;
    out->bytes = sizeof *self + cells * out->entry_bytes +
                 self->nsp * sizeof *self->sp + self->nout * sizeof *self->out +
                 self->npat * sizeof *self->pat;
}
