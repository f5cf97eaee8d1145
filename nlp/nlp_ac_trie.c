/*
 * nlp_ac_trie.c - the middle of a dictionary compile: byte classes, the
 * trie of the terms, failure links and the full transition function
 * (nlp_ac_work.h; the compiled layout in nlp_ac_impl.h).
 *
 * Aho & Corasick, CACM 18(6) 1975: a trie of the terms (the goto
 * function), failure links by breadth-first search (their Algorithm 3),
 * and goto and failure folded into one deterministic transition function
 * delta(s, c) = goto(s, c) if defined, else delta(fail(s), c) (their
 * Algorithm 4 / section 6), computed row by row in the same BFS. Outputs are
 * not copied along failure links; each state keeps a link to the nearest
 * proper suffix that is itself a term (the "dictionary suffix link"), so
 * memory stays linear in the total term length.
 *
 * Three additions to the textbook automaton:
 *   - Alphabet compression. Each byte some term uses (after case folding)
 *     is a class; A-Z share the class of a-z; all whitespace is one class;
 *     the bytes no term uses form two classes, word and non-word.
 *   - Word boundaries inside the automaton. Picture a virtual symbol B
 *     after every non-word byte and at the start of the text, and write
 *     every term the same way, with a B in front of a term that needs
 *     boundaries: "(b)" becomes B"(" B "b" ")" B. Such a term can then
 *     only match right after a non-word byte or at the text start.
 *     nlp_ac_w_target() folds the B step into the step of each non-word
 *     class, so B costs nothing at scan time, and the states between c
 *     and B (never rest states) get no row. The end boundary needs one
 *     byte of look-ahead; the scanner checks it and picks one of two
 *     output chains.
 *   - Whitespace runs. A space in a term is the whitespace class then B;
 *     a state entered that way loops on further whitespace, which is the
 *     textbook automaton run over the text with each run collapsed to one
 *     byte. The scanner counts the run lengths to report true offsets.
 *
 * The delta rows live here only for the build (trie states x (classes +
 * 1) words); nlp_ac_table.c turns them into the compact layout.
 *
 * Not here: collecting terms (nlp_ac_build.c), the compiled layout
 * (nlp_ac_table.c), the scan (nlp_ac_scan.c).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "nlp_ac_work.h"

#include <assert.h>
#include <string.h>

/* ---- alphabet ---------------------------------------------------------- */

/* Classes: the fixed three, then one per folded byte the terms use. */
void nlp_ac_w_alphabet(nlp_ac_t *ac, struct nlp_ac_work *w,
                       const nlp_ac_builder_t *b)
{
    bool used[256] = {false};
    uint8_t of[256] = {0};
    for (size_t i = 0; i < b->nbuf; i++)
        used[b->buf[i]] = true;
    w->nclass = NLP_AC_C_FIRST;
    w->word[NLP_AC_C_WORD] = 1;
    for (int c = 0; c < 256; c++) {
        if (!used[c] || nlp_ac_is_space((unsigned char)c))
            continue;
        w->word[w->nclass] = nlp_ac_is_word((unsigned char)c);
        of[c] = (uint8_t)w->nclass++;
    }
    for (int c = 0; c < 256; c++) {
        unsigned char f = nlp_ac_fold((unsigned char)c);
        ac->cls[c] = nlp_ac_is_space(f)  ? NLP_AC_C_WS
                     : used[f]           ? of[f]
                     : nlp_ac_is_word(f) ? NLP_AC_C_WORD
                                         : NLP_AC_C_OTHER;
    }
    w->w = w->nclass + 1;
}

/* ---- trie -------------------------------------------------------------- */

static int s_trie_init(struct nlp_ac_work *w)
{
    w->cap = 64;
    w->tab = ds_calloc((size_t)w->cap * w->w, sizeof *w->tab);
    w->kind = ds_calloc(w->cap, 1);
    w->depth = ds_calloc(w->cap, 1);
    if (!w->tab || !w->kind || !w->depth)
        return DS_ENOMEM;
    w->n = 1;
    w->kind[0] = NLP_AC_K_ROOT;
    return 0;
}

static int s_trie_grow(struct nlp_ac_work *w)
{
    size_t need = (size_t)w->n + 1, cap = w->cap, kcap = cap, dcap = cap;
    void *tab = w->tab, *kind = w->kind, *depth = w->depth;
    int rc = ds_grow(&tab, &cap, need, (size_t)w->w * sizeof *w->tab);
    w->tab = tab;
    if (rc == 0)
        rc = ds_grow(&kind, &kcap, need, 1);
    w->kind = kind;
    if (rc == 0)
        rc = ds_grow(&depth, &dcap, need, 1);
    w->depth = depth;
    if (rc != 0)
        return rc;
    assert(cap == kcap && cap == dcap);
    w->cap = (uint32_t)cap;
    return 0;
}

/* Follow or create the edge s --c--> *next (a new state gets kind). */
static int s_step(struct nlp_ac_work *w, uint32_t s, uint32_t c, uint8_t kind,
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
static int s_insert(struct nlp_ac_work *w, const nlp_ac_t *ac,
                    struct nlp_ac_entry *e)
{
    const uint32_t bnd = w->nclass;
    uint32_t s = 0;
    int rc = e->nobound ? 0 : s_step(w, 0, bnd, NLP_AC_K_BOUND, &s);
    for (size_t i = 0; i < e->len && rc == 0; i++) {
        uint32_t c = ac->cls[e->p[i]];
        rc = s_step(w, s, c, w->word[c] ? NLP_AC_K_WORD : NLP_AC_K_NONWORD, &s);
        if (rc == 0 && !w->word[c])
            rc = s_step(w, s, bnd,
                        c == NLP_AC_C_WS ? NLP_AC_K_WSBOUND : NLP_AC_K_BOUND,
                        &s);
    }
    e->node = s;
    return rc;
}

int nlp_ac_w_trie(struct nlp_ac_work *w, const nlp_ac_t *ac,
                  nlp_ac_builder_t *b)
{
    int rc = s_trie_init(w);
    for (size_t i = 0; i < b->n && rc == 0; i++)
        rc = s_insert(w, ac, &b->ent[i]);
    return rc;
}

/* ---- failure links and the full transition function -------------------- */

static int s_work_arrays(struct nlp_ac_work *w, const nlp_ac_builder_t *b)
{
    uint32_t **arr[] = {&w->fail, &w->any,       &w->nb,        &w->order,
                        &w->idx,  &w->own_first, &w->own_count, &w->fb,
                        &w->nexc, &w->slot};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        if (!(*arr[i] = ds_calloc(w->n, sizeof(uint32_t))))
            return DS_ENOMEM;
    if (!(w->dense = ds_calloc(w->n, 1)))
        return DS_ENOMEM;
    for (size_t i = 0; i < b->n; i++) {
        uint32_t v = b->ent[i].node;
        if (w->own_count[v]++ == 0)
            w->own_first[v] = (uint32_t)i;
    }
    return 0;
}

void nlp_ac_w_free(struct nlp_ac_work *w)
{
    uint32_t *arr[] = {w->tab,   w->fail, w->any,       w->nb,
                       w->order, w->idx,  w->own_first, w->own_count,
                       w->fb,    w->nexc, w->slot,      w->drow};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        ds_free(arr[i]);
    ds_free(w->kind);
    ds_free(w->depth);
    ds_free(w->dense);
}

/* Dictionary suffix links of v, whose failure state is f. */
static void s_links(struct nlp_ac_work *w, const struct nlp_ac_entry *ent,
                    uint32_t v, uint32_t f)
{
    bool own = w->own_count[f] > 0;
    w->any[v] = own ? f : w->any[f];
    w->nb[v] = own && ent[w->own_first[f]].nobound ? f : w->nb[f];
}

/* Breadth-first: failure links, suffix links, and each trie row turned
 * into a delta row (missing edges copied from the failure state's row,
 * which is shallower and so already done). order[] gets the BFS order. */
int nlp_ac_w_resolve(struct nlp_ac_work *w, const nlp_ac_builder_t *b)
{
    int rc = s_work_arrays(w, b);
    if (rc != 0)
        return rc;
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
            s_links(w, b->ent, v, f);
            w->order[tail++] = v;
        }
    }
    assert(tail == w->n);
    return 0;
}

uint32_t nlp_ac_w_target(const struct nlp_ac_work *w, uint32_t u, uint32_t c)
{
    uint32_t t = w->tab[(size_t)u * w->w + c];
    if (!w->word[c])
        t = w->tab[(size_t)t * w->w + w->nclass];
    if (c == NLP_AC_C_WS && w->kind[u] == NLP_AC_K_WSBOUND)
        t = u;
    return t;
}
