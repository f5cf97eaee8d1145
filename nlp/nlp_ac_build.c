/*
 * nlp_ac_build.c - collect terms and compile them into the Aho-Corasick
 * automaton (nlp_ac.h; table layout in nlp_ac_impl.h).
 *
 * Aho & Corasick, CACM 18(6) 1975: a trie of the terms (the goto
 * function), failure links by breadth-first search (their Algorithm 3),
 * and goto and failure folded into one deterministic transition function
 * delta(s, c) = goto(s, c) if defined, else delta(fail(s), c) (their
 * Algorithm 4 / section 6), computed row by row in the same BFS. Outputs are
 * not copied along failure links; each output state keeps a link to the
 * nearest proper suffix that is itself a term (the "dictionary suffix
 * link"), so memory stays linear in the total term length.
 *
 * Three additions to the textbook automaton:
 *   - Alphabet compression. Each byte some term uses (after case folding)
 *     is a class; A-Z share the class of a-z; all whitespace is one class;
 *     the bytes no term uses form two classes, word and non-word.
 *   - Word boundaries inside the automaton. Picture a virtual symbol B
 *     after every non-word byte and at the start of the text, and write
 *     every term the same way, with a B in front of a term that needs
 *     boundaries: "(b)" becomes B"(" B "b" ")" B. Such a term can then
 *     only match right after a non-word byte or at the text start. The
 *     table stores delta(delta(s, c), B) for each non-word class c, so B
 *     costs nothing at scan time, and the states between c and B (never
 *     rest states) get no row. The end boundary needs one byte of
 *     look-ahead; the scanner checks it and picks one of two output chains.
 *   - Whitespace runs. A space in a term is the whitespace class then B;
 *     a state entered that way loops on further whitespace, which is the
 *     textbook automaton run over the text with each run collapsed to one
 *     byte. The scanner counts the run lengths to report true offsets.
 *
 * Row order matters for speed, not correctness: shallow states first in
 * BFS order (the rows most texts keep hitting, together), then the rest in
 * trie preorder, so the states along one term are consecutive rows (see
 * nlp_ac_impl.h and the prefetch in nlp_ac_scan.c).
 *
 * Not here: the scan (nlp_ac_scan.c); updating a compiled automaton
 * (rebuild it); reading rule files (the caller adds terms).
 */
#include "devsurv/nlp_ac.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "nlp_ac_impl.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Fixed classes; classes for bytes the terms use follow from S_FIRST. */
enum { S_OTHER = 0, S_WORD = 1, S_WS = 2, S_FIRST = 3 };

/* How a trie state was entered: by a word byte, by a non-word byte (an
 * in-between state with no row), by B, or by B right after whitespace. */
enum { K_ROOT, K_WORD, K_NONWORD, K_BOUND, K_WSBOUND };

struct s_entry {
    const unsigned char *p; /* normalised bytes (set just before sorting) */
    size_t off;             /* where they are in the builder's buffer */
    uint32_t id;
    uint16_t len;
    uint16_t spaces;
    uint32_t nobound;
    uint32_t node; /* trie state where the term ends */
};

struct nlp_ac_builder {
    unsigned char *buf; /* normalised terms back to back */
    size_t nbuf, capbuf;
    struct s_entry *ent;
    size_t n, cap;
    uint64_t states; /* upper bound on the trie states the terms need */
};

/* Scratch for one build. Per-state arrays are indexed by trie state. */
struct s_work {
    uint32_t nclass;   /* real classes */
    uint32_t w;        /* trie row width: nclass + 1, the last column is B */
    uint8_t word[256]; /* class -> is a word class */
    uint32_t *tab;     /* trie rows, then delta rows */
    uint8_t *kind;
    uint8_t *depth; /* symbols from the root (B counts), saturating */
    uint32_t n, cap;
    uint32_t *fail, *any, *nb, *order, *idx, *own_first, *own_count;
};

static unsigned char s_fold(unsigned char c)
{
    return (unsigned)(c - 'A') < 26u ? (unsigned char)(c + 32) : c;
}

/* p grown to hold need elements of size bytes (doubling), or NULL. */
static void *s_grow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 16;
    if (need <= *cap)
        return p;
    while (c < need && c <= SIZE_MAX / size / 4)
        c *= 2;
    if (c < need)
        return NULL;
    void *q = ds_realloc(p, c * size);
    if (q)
        *cap = c;
    return q;
}

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
                       struct s_entry *e, struct ds_diag *diag)
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
        out[n++] = s_fold(c);
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
                  struct s_entry *e)
{
    unsigned char *buf =
        s_grow(self->buf, &self->capbuf, self->nbuf + e->len, 1);
    if (!buf)
        return DS_ENOMEM;
    self->buf = buf;
    struct s_entry *ent =
        s_grow(self->ent, &self->cap, self->n + 1, sizeof *ent);
    if (!ent)
        return DS_ENOMEM;
    self->ent = ent;
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
    struct s_entry e = {.id = id, .nobound = (flags & NLP_AC_NOBOUND) != 0};
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

static int s_cmp_bytes(const struct s_entry *a, const struct s_entry *b)
{
    int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Term, then id, then NOBOUND first: the head of a (term, id) group is the
 * one with the weakest boundary rule. */
static int s_cmp_dedupe(const void *va, const void *vb)
{
    const struct s_entry *a = va, *b = vb;
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
    const struct s_entry *a = va, *b = vb;
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

/* ---- alphabet ---------------------------------------------------------- */

/* Classes: the fixed three, then one per folded byte the terms use. */
static void s_alphabet(nlp_ac_t *ac, struct s_work *w,
                       const nlp_ac_builder_t *b)
{
    bool used[256] = {false};
    uint8_t of[256] = {0};
    for (size_t i = 0; i < b->nbuf; i++)
        used[b->buf[i]] = true;
    w->nclass = S_FIRST;
    w->word[S_WORD] = 1;
    for (int c = 0; c < 256; c++) {
        if (!used[c] || nlp_ac_is_space((unsigned char)c))
            continue;
        w->word[w->nclass] = nlp_ac_is_word((unsigned char)c);
        of[c] = (uint8_t)w->nclass++;
    }
    for (int c = 0; c < 256; c++) {
        unsigned char f = s_fold((unsigned char)c);
        ac->cls[c] = nlp_ac_is_space(f)  ? S_WS
                     : used[f]           ? of[f]
                     : nlp_ac_is_word(f) ? S_WORD
                                         : S_OTHER;
    }
    w->w = w->nclass + 1;
}

/* ---- trie -------------------------------------------------------------- */

static int s_trie_init(struct s_work *w)
{
    w->cap = 64;
    w->tab = ds_calloc((size_t)w->cap * w->w, sizeof *w->tab);
    w->kind = ds_calloc(w->cap, 1);
    w->depth = ds_calloc(w->cap, 1);
    if (!w->tab || !w->kind || !w->depth)
        return DS_ENOMEM;
    w->n = 1;
    w->kind[0] = K_ROOT;
    return 0;
}

static int s_trie_grow(struct s_work *w)
{
    size_t need = (size_t)w->n + 1, cap = w->cap, kcap = cap, dcap = cap;
    uint32_t *tab = s_grow(w->tab, &cap, need, (size_t)w->w * sizeof *tab);
    if (!tab)
        return DS_ENOMEM;
    w->tab = tab;
    uint8_t *kind = s_grow(w->kind, &kcap, need, 1);
    if (!kind)
        return DS_ENOMEM;
    w->kind = kind;
    uint8_t *depth = s_grow(w->depth, &dcap, need, 1);
    if (!depth)
        return DS_ENOMEM;
    w->depth = depth;
    assert(cap == kcap && cap == dcap);
    w->cap = (uint32_t)cap;
    return 0;
}

/* Follow or create the edge s --c--> *next (a new state gets kind). */
static int s_step(struct s_work *w, uint32_t s, uint32_t c, uint8_t kind,
                  uint32_t *next)
{
    uint32_t v = w->tab[(size_t)s * w->w + c];
    if (v == 0) {
        if (w->n == w->cap && s_trie_grow(w) != 0)
            return DS_ENOMEM;
        v = w->n++;
        memset(&w->tab[(size_t)v * w->w], 0, w->w * sizeof *w->tab);
        w->kind[v] = kind;
        w->depth[v] = (uint8_t)(w->depth[s] + (w->depth[s] < UINT8_MAX));
        w->tab[(size_t)s * w->w + c] = v;
    }
    *next = v;
    return 0;
}

/* Insert e's transformed form: [B] then each byte, B after non-word ones. */
static int s_insert(struct s_work *w, const nlp_ac_t *ac, struct s_entry *e)
{
    const uint32_t bnd = w->nclass;
    uint32_t s = 0;
    int rc = e->nobound ? 0 : s_step(w, 0, bnd, K_BOUND, &s);
    for (size_t i = 0; i < e->len && rc == 0; i++) {
        uint32_t c = ac->cls[e->p[i]];
        rc = s_step(w, s, c, w->word[c] ? K_WORD : K_NONWORD, &s);
        if (rc == 0 && !w->word[c])
            rc = s_step(w, s, bnd, c == S_WS ? K_WSBOUND : K_BOUND, &s);
    }
    e->node = s;
    return rc;
}

/* ---- failure links and the full transition function -------------------- */

static int s_work_arrays(struct s_work *w, const nlp_ac_builder_t *b)
{
    uint32_t **arr[] = {&w->fail, &w->any,       &w->nb,       &w->order,
                        &w->idx,  &w->own_first, &w->own_count};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        if (!(*arr[i] = ds_calloc(w->n, sizeof(uint32_t))))
            return DS_ENOMEM;
    for (size_t i = 0; i < b->n; i++) {
        uint32_t v = b->ent[i].node;
        if (w->own_count[v]++ == 0)
            w->own_first[v] = (uint32_t)i;
    }
    return 0;
}

static void s_work_free(struct s_work *w)
{
    uint32_t *arr[] = {w->tab,   w->fail, w->any,       w->nb,
                       w->order, w->idx,  w->own_first, w->own_count};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        ds_free(arr[i]);
    ds_free(w->kind);
    ds_free(w->depth);
}

/* Dictionary suffix links of v, whose failure state is f. */
static void s_links(struct s_work *w, const struct s_entry *ent, uint32_t v,
                    uint32_t f)
{
    bool own = w->own_count[f] > 0;
    w->any[v] = own ? f : w->any[f];
    w->nb[v] = own && ent[w->own_first[f]].nobound ? f : w->nb[f];
}

/* Breadth-first: failure links, suffix links, and each trie row turned
 * into a delta row (missing edges copied from the failure state's row,
 * which is shallower and so already done). order[] gets the BFS order. */
static void s_resolve(struct s_work *w, const struct s_entry *ent)
{
    uint32_t head = 0, tail = 0;
    w->order[tail++] = 0;
    w->any[0] = w->nb[0] = NLP_AC_NONE;
    while (head < tail) {
        uint32_t u = w->order[head++];
        uint32_t *row = &w->tab[(size_t)u * w->w];
        const uint32_t *frow = &w->tab[(size_t)w->fail[u] * w->w];
        for (uint32_t c = 0; c < w->w; c++) {
            uint32_t v = row[c];
            uint32_t f = u == 0 ? 0 : frow[c];
            if (v == 0) {
                row[c] = f;
                continue;
            }
            w->fail[v] = f;
            s_links(w, ent, v, f);
            w->order[tail++] = v;
        }
    }
    assert(tail == w->n);
}

/* ---- the compiled table ------------------------------------------------ */

/* Plain states at least this deep (in automaton symbols, B included)
 * form the deep block, where the scanner prefetches along the term. */
#define S_DEEP 6

enum { BLK_SHALLOW, BLK_DEEP, BLK_WS, BLK_OUT };

static int s_block(const struct s_work *w, uint32_t u)
{
    bool out = w->own_count[u] || w->any[u] != NLP_AC_NONE;
    assert(!(out && w->kind[u] == K_WSBOUND)); /* no term ends in a space */
    if (w->kind[u] == K_WSBOUND)
        return BLK_WS;
    if (out)
        return BLK_OUT;
    return w->depth[u] < S_DEEP ? BLK_SHALLOW : BLK_DEEP;
}

/* Number the states that get rows (all but K_NONWORD) in four blocks:
 * shallow plain states in BFS order (the hot ones, together), then deep
 * plain, whitespace and output states in creation order. Terms go in
 * sorted, so creation order is trie preorder: a term's states are
 * consecutive rows, which the scanner's prefetch relies on. count[] gets
 * the block sizes. */
static void s_number(struct s_work *w, uint32_t count[4])
{
    uint32_t next[4];
    memset(count, 0, 4 * sizeof *count);
    for (uint32_t u = 0; u < w->n; u++)
        if (w->kind[u] != K_NONWORD)
            count[s_block(w, u)]++;
    next[BLK_SHALLOW] = 0;
    for (int b = 1; b < 4; b++)
        next[b] = next[b - 1] + count[b - 1];
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t u = w->order[i];
        if (w->kind[u] != K_NONWORD && s_block(w, u) == BLK_SHALLOW)
            w->idx[u] = next[BLK_SHALLOW]++;
    }
    for (uint32_t u = 0; u < w->n; u++) {
        int b = w->kind[u] == K_NONWORD ? -1 : s_block(w, u);
        if (b != BLK_SHALLOW)
            w->idx[u] = b < 0 ? NLP_AC_NONE : next[b]++;
    }
}

/* Row state u, column c: one step, plus the B step after a non-word
 * class; whitespace states loop on whitespace. */
static uint32_t s_target(const struct s_work *w, uint32_t u, uint32_t c)
{
    uint32_t t = w->tab[(size_t)u * w->w + c];
    if (!w->word[c])
        t = w->tab[(size_t)t * w->w + w->nclass];
    if (c == S_WS && w->kind[u] == K_WSBOUND)
        t = u;
    assert(w->idx[t] != NLP_AC_NONE);
    return w->idx[t] * w->nclass;
}

/* Zeroed rows after the last state: the scanner's prefetch addresses may
 * run up to two rows past a deep state, and must stay inside the table. */
#define S_PAD 2

static int s_table(nlp_ac_t *ac, const struct s_work *w)
{
    size_t cells = (size_t)ac->nstates * ac->nclass;
    bool narrow = cells <= 65536;
    ac->table = ds_calloc(cells + S_PAD * ac->nclass, narrow ? 2 : 4);
    if (!ac->table)
        return DS_ENOMEM;
    uint16_t *t16 = narrow ? ac->table : NULL;
    uint32_t *t32 = narrow ? NULL : ac->table;
    for (uint32_t u = 0; u < w->n; u++) {
        if (w->idx[u] == NLP_AC_NONE)
            continue;
        size_t row = (size_t)w->idx[u] * ac->nclass;
        for (uint32_t c = 0; c < ac->nclass; c++) {
            uint32_t t = s_target(w, u, c);
            if (narrow)
                t16[row + c] = (uint16_t)t;
            else
                t32[row + c] = t;
        }
    }
    ac->t16 = t16;
    ac->t32 = t32;
    return 0;
}

/* Output index of trie state v (NONE stays NONE). */
static uint32_t s_out_index(const struct s_work *w, const nlp_ac_t *ac,
                            uint32_t v)
{
    return v == NLP_AC_NONE ? NLP_AC_NONE
                            : w->idx[v] - ac->out_base / ac->nclass;
}

static int s_outputs(nlp_ac_t *ac, const struct s_work *w,
                     const nlp_ac_builder_t *b)
{
    ac->out = ds_calloc(ac->nout, sizeof *ac->out);
    ac->pat = ds_calloc(b->n, sizeof *ac->pat);
    if (!ac->out || !ac->pat)
        return DS_ENOMEM;
    for (uint32_t u = 0; u < w->n; u++) {
        if (w->idx[u] == NLP_AC_NONE || w->idx[u] * ac->nclass < ac->out_base)
            continue;
        struct nlp_ac_out *o = &ac->out[s_out_index(w, ac, u)];
        o->first = w->own_first[u];
        o->count = w->own_count[u];
        o->nobound = o->count ? b->ent[o->first].nobound : 0;
        o->any = s_out_index(w, ac, w->any[u]);
        o->nb = s_out_index(w, ac, w->nb[u]);
    }
    for (size_t i = 0; i < b->n; i++) {
        ac->pat[i].id = b->ent[i].id;
        ac->pat[i].len = b->ent[i].len;
        ac->pat[i].spaces = b->ent[i].spaces;
    }
    ac->npat = (uint32_t)b->n;
    return 0;
}

static int s_build(nlp_ac_t *ac, struct s_work *w, nlp_ac_builder_t *b)
{
    s_dedupe(b);
    s_alphabet(ac, w, b);
    int rc = s_trie_init(w);
    for (size_t i = 0; i < b->n && rc == 0; i++)
        rc = s_insert(w, ac, &b->ent[i]);
    if (rc == 0)
        rc = s_work_arrays(w, b);
    if (rc != 0)
        return rc;
    s_resolve(w, b->ent);
    uint32_t count[4];
    s_number(w, count);
    ac->nclass = w->nclass;
    ac->nstates = count[0] + count[1] + count[2] + count[3];
    if ((uint64_t)(ac->nstates + S_PAD) * ac->nclass > UINT32_MAX)
        return DS_ETOOBIG;
    ac->nout = count[3];
    ac->deep = count[0] * ac->nclass;
    ac->special = (count[0] + count[1]) * ac->nclass;
    ac->out_base = (count[0] + count[1] + count[2]) * ac->nclass;
    ac->start = w->idx[w->tab[w->nclass]] * ac->nclass;
    rc = s_table(ac, w);
    return rc ? rc : s_outputs(ac, w, b);
}

int nlp_ac_build(nlp_ac_t **out, nlp_ac_builder_t **builder_p,
                 struct ds_diag *diag)
{
    assert(out && builder_p && *builder_p);
    nlp_ac_builder_t *b = *builder_p;
    struct s_work w;
    memset(&w, 0, sizeof w);
    *builder_p = NULL;
    *out = NULL;
    nlp_ac_t *ac = ds_calloc(1, sizeof *ac);
    int rc = ac ? s_build(ac, &w, b) : DS_ENOMEM;
    s_work_free(&w);
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

void nlp_ac_destroy(nlp_ac_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ds_free((*self_p)->table);
    ds_free((*self_p)->out);
    ds_free((*self_p)->pat);
    ds_free(*self_p);
    *self_p = NULL;
}

void nlp_ac_info(const nlp_ac_t *self, struct nlp_ac_info *out)
{
    size_t cells = ((size_t)self->nstates + S_PAD) * self->nclass;
    out->terms = self->npat;
    out->states = self->nstates;
    out->classes = self->nclass;
    out->entry_bytes = self->t16 ? 2 : 4;
    out->bytes = sizeof *self + cells * out->entry_bytes +
                 self->nout * sizeof *self->out +
                 self->npat * sizeof *self->pat;
}
