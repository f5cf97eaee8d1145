/*
 * nlp_ac_work.h - the builder's terms and the scratch of one compile,
 * shared by the three build steps: nlp_ac_build.c (collect, normalise,
 * sort the terms; run the steps), nlp_ac_trie.c (alphabet, trie, failure
 * links, the full transition function) and nlp_ac_table.c (dense rows,
 * sparse states, outputs: the layout of nlp_ac_impl.h). Private to nlp/.
 *
 * Trie states are numbered in creation order; terms go in sorted, so that
 * is trie preorder. State 0 is the root. Per-state arrays are indexed by
 * trie state.
 */
#ifndef DEVSURV_NLP_AC_WORK_H
#define DEVSURV_NLP_AC_WORK_H

#include "devsurv/nlp_ac.h"
#include "nlp_ac_impl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed classes; classes for bytes the terms use follow from NLP_AC_C_FIRST.
 */
enum {
    NLP_AC_C_OTHER = 0,
    NLP_AC_C_WORD = 1,
    NLP_AC_C_WS = 2,
    NLP_AC_C_FIRST = 3
};

/* How a trie state was entered: by a word byte, by a non-word byte (an
 * in-between state with no row), by B, or by B right after whitespace. */
enum {
    NLP_AC_K_ROOT,
    NLP_AC_K_WORD,
    NLP_AC_K_NONWORD,
    NLP_AC_K_BOUND,
    NLP_AC_K_WSBOUND
};

struct nlp_ac_entry {
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
    struct nlp_ac_entry *ent;
    size_t n, cap;
    uint64_t states; /* upper bound on the trie states the terms need */
};

struct nlp_ac_work {
    uint32_t nclass;   /* real classes */
    uint32_t w;        /* trie row width: nclass + 1, the last column is B */
    uint8_t word[256]; /* class -> is a word class */
    uint32_t *tab;     /* trie rows, then delta rows */
    uint8_t *kind;
    uint8_t *depth; /* symbols from the root (B counts), saturating */
    uint32_t n, cap;
    uint32_t *fail, *any, *nb, *order, *idx, *own_first, *own_count;
    uint32_t *fb;   /* sparse state: its dense fallback; dense: itself */
    uint32_t *nexc; /* sparse state: columns that differ from fb's row */
    uint8_t *dense; /* 1: a dense row; 2: a sparse chain node; 0 sparse */
    uint32_t *slot; /* dense state: its row in drow */
    uint32_t *drow; /* target rows of dense states (not when all dense) */
};

/* ASCII A-Z to a-z; other bytes unchanged. */
static inline unsigned char nlp_ac_fold(unsigned char c)
{
    return (unsigned)(c - 'A') < 26u ? (unsigned char)(c + 32) : c;
}

/* nlp_ac_trie.c: classes into ac->cls and w; trie of b's (sorted) terms
 * (sets each entry's node); failure and suffix links and delta rows.
 * 0 or DS_ENOMEM. */
void nlp_ac_w_alphabet(nlp_ac_t *ac, struct nlp_ac_work *w,
                       const nlp_ac_builder_t *b);
int nlp_ac_w_trie(struct nlp_ac_work *w, const nlp_ac_t *ac,
                  nlp_ac_builder_t *b);
int nlp_ac_w_resolve(struct nlp_ac_work *w, const nlp_ac_builder_t *b);
/* Row state u, column c: the state one text byte of class c leads to
 * (the B step folded in after a non-word class; whitespace states loop on
 * whitespace). A trie state with a row. */
uint32_t nlp_ac_w_target(const struct nlp_ac_work *w, uint32_t u, uint32_t c);
void nlp_ac_w_free(struct nlp_ac_work *w);

/* nlp_ac_table.c: choose dense and sparse states, number them, fill ac's
 * table, sparse nodes and outputs. 0, DS_ENOMEM or DS_ETOOBIG. */
int nlp_ac_w_compile(nlp_ac_t *ac, struct nlp_ac_work *w,
                     const nlp_ac_builder_t *b, const struct nlp_ac_tune *tune);

#endif
