/*
 * nlp_ac_table.c - the last step of a dictionary compile: which states get
 * a dense row and which a sparse node, their numbering, and the compiled
 * table, nodes and outputs (layout in nlp_ac_impl.h).
 *
 * Why not every state dense: with the shipped lexicon (~25,000 terms,
 * ~250,000 states, 54 classes) dense rows take ~54 MB, which no cache
 * holds once the rest of the extractor runs, and a scan then pays a miss
 * on most bytes inside a word. Nearly all states are deep in a single
 * term, where the row equals the row of the failure state except on the
 * one edge that continues the term: delta(s, c) = goto(s, c) if defined,
 * else delta(fail(s), c). So a sparse state stores only the columns where
 * its row differs from its fallback's (the first dense state on its
 * failure chain: the failure link resolved at build time, so a step costs
 * one node and at most one row, never a chain walk).
 *
 * Choice, in breadth-first order (a state's failure state comes first):
 * every state is dense when the whole table fits tune->all_dense_bytes
 * (small dictionaries such as the context triggers); otherwise a state is
 * dense when it is under tune->dense_depth symbols deep (B included) or
 * differs from its fallback in more than tune->max_exc columns (a
 * branching state, cheaper as a row), while fewer than NLP_AC_SP_FB rows
 * are dense (a fallback's row index must fit a node header). The root is
 * always dense. Sparse nodes go in trie preorder; a node whose one edge
 * leads to the next node (a term going on) is a chain node and stores no
 * target: 4 bytes. Column counts fit the header's 8 bits: classes are at
 * most 3 + 256 - 6 whitespace - 26 upper-case bytes.
 *
 * Not here: the trie and delta rows (nlp_ac_trie.c), the scan
 * (nlp_ac_scan.c).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "nlp_ac_work.h"

#include <assert.h>
#include <string.h>

enum { BLK_PLAIN, BLK_WS, BLK_OUT };

static bool s_has_row(const struct nlp_ac_work *w, uint32_t u)
{
    return w->kind[u] != NLP_AC_K_NONWORD;
}

static int s_block(const struct nlp_ac_work *w, uint32_t u)
{
    bool out = w->own_count[u] || w->any[u] != NLP_AC_NONE;
    assert(!(out && w->kind[u] == NLP_AC_K_WSBOUND)); /* no term ends in ws */
    if (w->kind[u] == NLP_AC_K_WSBOUND)
        return BLK_WS;
    return out ? BLK_OUT : BLK_PLAIN;
}

/* Target row of dense state d (s_choose keeps them when any state is
 * sparse). */
static const uint32_t *s_drow(const struct nlp_ac_work *w, uint32_t d)
{
    return &w->drow[(size_t)w->slot[d] * w->nclass];
}

/* Columns where u's row differs from dense d's. */
static uint32_t s_diff(const struct nlp_ac_work *w, uint32_t u, uint32_t d)
{
    const uint32_t *row = s_drow(w, d);
    uint32_t k = 0;
    for (uint32_t c = 0; c < w->nclass; c++)
        k += nlp_ac_w_target(w, u, c) != row[c];
    return k;
}

static void s_make_dense(struct nlp_ac_work *w, uint32_t u, uint32_t *ndense,
                         bool all)
{
    w->dense[u] = 1;
    w->fb[u] = u;
    w->nexc[u] = 0;
    if (!all) {
        w->slot[u] = *ndense;
        uint32_t *row = &w->drow[(size_t)*ndense * w->nclass];
        for (uint32_t c = 0; c < w->nclass; c++)
            row[c] = nlp_ac_w_target(w, u, c);
    }
    ++*ndense;
}

/* Mark dense states (dense[u] = 1); set fb and nexc of the sparse ones.
 * Without all-dense, at most NLP_AC_SP_FB dense rows, so that a fallback
 * fits its node's header. 0 or DS_ENOMEM. */
static int s_choose(struct nlp_ac_work *w, const struct nlp_ac_tune *tune)
{
    uint64_t rows = 0;
    uint32_t ndense = 0;
    for (uint32_t u = 0; u < w->n; u++)
        rows += s_has_row(w, u);
    bool all = rows * w->nclass * sizeof(uint32_t) <= tune->all_dense_bytes;
    if (!all) {
        size_t cap = rows < NLP_AC_SP_FB ? rows : NLP_AC_SP_FB;
        w->drow = ds_malloc(cap * w->nclass * sizeof *w->drow);
        if (!w->drow)
            return DS_ENOMEM;
    }
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t u = w->order[i];
        if (!s_has_row(w, u))
            continue;
        bool room = all || ndense < NLP_AC_SP_FB;
        if (all || u == 0 || (room && w->depth[u] < tune->dense_depth)) {
            s_make_dense(w, u, &ndense, all);
            continue;
        }
        uint32_t f = w->fail[u];
        uint32_t d = w->dense[f] ? f : w->fb[f];
        uint32_t k = s_diff(w, u, d);
        if (room && k > tune->max_exc) {
            s_make_dense(w, u, &ndense, all);
            continue;
        }
        w->fb[u] = d;
        w->nexc[u] = k;
    }
    return 0;
}

static bool s_sparse(const struct nlp_ac_work *w, uint32_t u)
{
    return s_has_row(w, u) && w->dense[u] != 1;
}

/* The one column where sparse u differs from its fallback (nexc 1). */
static uint32_t s_only(const struct nlp_ac_work *w, uint32_t u)
{
    const uint32_t *row = s_drow(w, w->fb[u]);
    uint32_t c = 0;
    while (nlp_ac_w_target(w, u, c) == row[c])
        c++;
    return c;
}

/* Sparse states go in trie preorder (creation order): a state's first
 * child comes next. dense[u] = 2 marks a chain node: one exception, whose
 * target is the next sparse node, so it needs no target word. */
static void s_chains(struct nlp_ac_work *w)
{
    uint32_t prev = NLP_AC_NONE;
    for (uint32_t u = 0; u < w->n; u++) {
        if (!s_sparse(w, u))
            continue;
        if (prev != NLP_AC_NONE && w->nexc[prev] == 1 &&
            nlp_ac_w_target(w, prev, s_only(w, prev)) == u)
            w->dense[prev] = 2;
        prev = u;
    }
}

/* Words of sparse u's node: header, [output index], class bytes after
 * the first, targets (the first left out in a chain node). */
static uint32_t s_node_words(const struct nlp_ac_work *w, uint32_t u)
{
    uint32_t k = w->nexc[u];
    return 1 + (s_block(w, u) == BLK_OUT) + (k ? (k + 2) / 4 : 0) + k -
           (w->dense[u] == 2);
}

/* idx[u]: dense states get their row offset (blocks plain, whitespace,
 * output, each in BFS order), sparse ones dense_end + their node's word
 * offset (trie preorder). States without a row keep NONE. */
static int s_number(nlp_ac_t *ac, struct nlp_ac_work *w)
{
    uint32_t count[3] = {0, 0, 0}, next[3];
    uint64_t words = 0;
    for (uint32_t u = 0; u < w->n; u++) {
        w->idx[u] = NLP_AC_NONE;
        if (s_sparse(w, u))
            words += s_node_words(w, u);
        else if (s_has_row(w, u))
            count[s_block(w, u)]++;
    }
    ac->nclass = w->nclass;
    ac->ndense = count[0] + count[1] + count[2];
    ac->hot = count[0] * ac->nclass;
    ac->out_rows = (count[0] + count[1]) * ac->nclass;
    ac->ndense_out = count[2];
    if ((uint64_t)ac->ndense * ac->nclass + words > UINT32_MAX)
        return DS_ETOOBIG;
    ac->dense_end = ac->ndense * ac->nclass;
    ac->nsp = (size_t)words;
    next[BLK_PLAIN] = 0;
    next[BLK_WS] = count[0];
    next[BLK_OUT] = count[0] + count[1];
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t u = w->order[i];
        if (s_has_row(w, u) && !s_sparse(w, u))
            w->idx[u] = next[s_block(w, u)]++ * ac->nclass;
    }
    uint32_t at = ac->dense_end, nsparse = 0;
    for (uint32_t u = 0; u < w->n; u++) {
        if (s_sparse(w, u)) {
            w->idx[u] = at;
            at += s_node_words(w, u);
            nsparse++;
        }
    }
    ac->nstates = ac->ndense + nsparse;
    return 0;
}

static void s_put(nlp_ac_t *ac, size_t i, uint32_t v)
{
    if (ac->t16)
        ((uint16_t *)ac->table)[i] = (uint16_t)v;
    else
        ((uint32_t *)ac->table)[i] = v;
}

/* Dense rows into the table. */
static int s_rows(nlp_ac_t *ac, const struct nlp_ac_work *w)
{
    size_t cells = (size_t)ac->ndense * ac->nclass;
    bool narrow = (uint64_t)ac->dense_end + ac->nsp <= UINT16_MAX;
    ac->table = ds_calloc(cells ? cells : 1, narrow ? 2 : 4);
    if (!ac->table)
        return DS_ENOMEM;
    ac->t16 = narrow ? ac->table : NULL;
    ac->t32 = narrow ? NULL : ac->table;
    for (uint32_t u = 0; u < w->n; u++) {
        if (!s_has_row(w, u) || s_sparse(w, u))
            continue;
        for (uint32_t c = 0; c < ac->nclass; c++)
            s_put(ac, (size_t)w->idx[u] + c, w->idx[nlp_ac_w_target(w, u, c)]);
    }
    return 0;
}

/* Output index of state u (NONE stays NONE): dense outputs first. */
static uint32_t s_out_index(const nlp_ac_t *ac, const struct nlp_ac_work *w,
                            uint32_t u)
{
    if (u == NLP_AC_NONE)
        return NLP_AC_NONE;
    if (!s_sparse(w, u))
        return (w->idx[u] - ac->out_rows) / ac->nclass;
    return ac->sp[w->idx[u] - ac->dense_end + 1]; /* set by s_nodes */
}

/* Sparse u's node at nd (layout in nlp_ac_impl.h); an output gets index
 * out. */
static void s_node(const nlp_ac_t *ac, const struct nlp_ac_work *w, uint32_t u,
                   uint32_t *nd, uint32_t out)
{
    uint32_t d = w->fb[u], k = 0, nexc = w->nexc[u];
    int blk = s_block(w, u);
    assert(nexc < 256 && w->nclass <= 256 &&
           w->idx[d] / ac->nclass < NLP_AC_SP_FB);
    uint32_t o = 1 + (blk == BLK_OUT);
    nd[0] = w->idx[d] / ac->nclass | nexc << 24 |
            (w->dense[u] == 2 ? NLP_AC_SP_CHAIN : 0) |
            (blk == BLK_WS ? NLP_AC_SP_WS : 0) |
            (blk == BLK_OUT ? NLP_AC_SP_OUT : 0);
    if (blk == BLK_OUT)
        nd[1] = out;
    uint8_t *cl = (uint8_t *)&nd[o];
    uint32_t *to = &nd[o + (nexc ? (nexc + 2) / 4 : 0)];
    const uint32_t *row = s_drow(w, d);
    for (uint32_t c = 0; c < w->nclass; c++) {
        uint32_t t = nlp_ac_w_target(w, u, c);
        if (t == row[c])
            continue;
        if (k == 0)
            nd[0] |= c << 16;
        else
            cl[k - 1] = (uint8_t)c;
        if (k > 0 || w->dense[u] != 2)
            to[k - (w->dense[u] == 2)] = w->idx[t];
        k++;
    }
    assert(k == nexc);
}

/* Sparse nodes into sp; sparse outputs are numbered after the dense ones,
 * in node order. */
static int s_nodes(nlp_ac_t *ac, const struct nlp_ac_work *w)
{
    ac->sp = ds_calloc(ac->nsp ? ac->nsp : 1, sizeof *ac->sp);
    if (!ac->sp)
        return DS_ENOMEM;
    uint32_t rank = 0;
    for (uint32_t u = 0; u < w->n; u++) {
        if (!s_sparse(w, u))
            continue;
        bool out = s_block(w, u) == BLK_OUT;
        s_node(ac, w, u, &ac->sp[w->idx[u] - ac->dense_end],
               out ? ac->ndense_out + rank : 0);
        rank += out;
    }
    ac->nout = ac->ndense_out + rank;
    return 0;
}

static int s_outputs(nlp_ac_t *ac, const struct nlp_ac_work *w,
                     const nlp_ac_builder_t *b)
{
    ac->out = ds_calloc(ac->nout ? ac->nout : 1, sizeof *ac->out);
    ac->pat = ds_calloc(b->n ? b->n : 1, sizeof *ac->pat);
    if (!ac->out || !ac->pat)
        return DS_ENOMEM;
    for (uint32_t u = 0; u < w->n; u++) {
        if (!s_has_row(w, u) || s_block(w, u) != BLK_OUT)
            continue;
        struct nlp_ac_out *o = &ac->out[s_out_index(ac, w, u)];
        o->first = w->own_first[u];
        o->count = w->own_count[u];
        o->nobound = o->count ? b->ent[o->first].nobound : 0;
        o->any = s_out_index(ac, w, w->any[u]);
        o->nb = s_out_index(ac, w, w->nb[u]);
    }
    for (size_t i = 0; i < b->n; i++) {
        ac->pat[i].id = b->ent[i].id;
        ac->pat[i].len = b->ent[i].len;
        ac->pat[i].spaces = b->ent[i].spaces;
    }
    ac->npat = (uint32_t)b->n;
    return 0;
}

int nlp_ac_w_compile(nlp_ac_t *ac, struct nlp_ac_work *w,
                     const nlp_ac_builder_t *b, const struct nlp_ac_tune *tune)
{
    int rc = s_choose(w, tune);
    if (rc != 0)
        return rc;
    s_chains(w);
    rc = s_number(ac, w);
    if (rc == 0)
        rc = s_rows(ac, w);
    if (rc == 0)
        rc = s_nodes(ac, w);
    if (rc == 0)
        rc = s_outputs(ac, w, b);
    if (rc == 0)
        ac->start = w->idx[w->tab[w->nclass]]; /* delta(root, B) */
    return rc;
}
