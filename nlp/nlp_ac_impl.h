/*
 * nlp_ac_impl.h - the compiled automaton shared by the build
 * (nlp_ac_build.c, nlp_ac_trie.c, nlp_ac_table.c fill it) and the scan
 * (nlp_ac_scan.c runs it). Private to nlp/.
 *
 * A state is a 32-bit value of one of two kinds:
 *   dense   value < dense_end: a row offset (row * nclass) into the table,
 *           a full row of next-state values, one per byte class, so a
 *           step is `s = table[s + cls[byte]]`. Dense rows come in three
 *           blocks, each in breadth-first order:
 *             [0, hot)          plain states: nothing to do after
 *                               entering them; the scanner's inner loop
 *                               runs while it stays in this block;
 *             [hot, out_rows)   whitespace states: entered by a whitespace
 *                               byte inside a possible term; the scanner
 *                               counts the run's bytes so offsets stay
 *                               exact;
 *             [out_rows, dense_end)  output states: some term ends here.
 *   sparse  value >= dense_end: sp[value - dense_end] starts the state's
 *           node, in trie preorder (a state's first child is the next
 *           node, so a term's states tend to share cache lines):
 *             word 0   header: bits 0-12 fb, the row index (not offset)
 *                      of a dense fallback state; bit 13 CHAIN; bit 14
 *                      WS; bit 15 OUT; bits 16-23 c0, the class of the
 *                      first exception; bits 24-31 nexc, the number of
 *                      exceptions;
 *             [word 1  output index, when OUT]
 *             then the classes of exceptions 2..nexc, four to a word,
 *             then one next-state value per exception, except that a
 *             CHAIN node (nexc 1) has none: its target is the next node.
 *           Exceptions are the columns where this state's row differs
 *           from fb's row; any other class c steps to
 *           table[fb * nclass + c].
 * Which states are dense: all of them when the whole table is small
 * (struct nlp_ac_tune), else those near the root (the rows every text
 * keeps hitting) and those whose row differs from their fallback's in
 * many columns. The fallback of a sparse state is the first dense state
 * on its failure chain, whose row equals its own wherever it has no edge
 * of its own (Aho & Corasick's delta), so nexc is mostly 1.
 */
#ifndef DEVSURV_NLP_AC_IMPL_H
#define DEVSURV_NLP_AC_IMPL_H

#include "devsurv/nlp_ac.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLP_AC_NONE UINT32_MAX

/* Sparse node header fields. */
#define NLP_AC_SP_FB    0x1fffu /* most dense rows when there are nodes */
#define NLP_AC_SP_CHAIN (1u << 13)
#define NLP_AC_SP_WS    (1u << 14)
#define NLP_AC_SP_OUT   (1u << 15)

/* Terms ending at one output state, and the chains to shorter ones. */
struct nlp_ac_out {
    uint32_t first;   /* own terms: pat[first .. first + count) */
    uint32_t count;   /* 0 when only suffixes end here */
    uint32_t any;     /* nearest proper suffix with own terms, or NONE */
    uint32_t nb;      /* nearest proper suffix with NOBOUND terms, or NONE */
    uint32_t nobound; /* 1 when the own terms are NLP_AC_NOBOUND ones */
};

/* One stored term. len counts normalised bytes, each space as one. */
struct nlp_ac_pat {
    uint32_t id;
    uint16_t len;
    uint16_t spaces;
};

struct nlp_ac {
    uint8_t cls[256];       /* byte -> class */
    uint32_t nclass;        /* columns */
    uint32_t nstates;       /* dense rows + sparse nodes */
    uint32_t ndense;        /* dense rows */
    uint32_t start;         /* the start state */
    uint32_t hot;           /* first whitespace row (row offset) */
    uint32_t out_rows;      /* first output row (row offset) */
    uint32_t dense_end;     /* ndense * nclass: first sparse value */
    uint32_t ndense_out;    /* output rows; sparse outputs follow them */
    const uint16_t *t16;    /* table when every value fits 16 bits */
    const uint32_t *t32;    /* otherwise this one; exactly one is set */
    void *table;            /* the allocation behind t16 / t32 */
    uint32_t *sp;           /* sparse nodes */
    size_t nsp;             /* words in sp */
    struct nlp_ac_out *out; /* dense outputs, then sparse ones */
    struct nlp_ac_pat *pat;
    uint32_t nout;
    uint32_t npat;
};

/* Layout choices for nlp_ac_build_tuned(); nlp_ac_build() uses
 * NLP_AC_TUNE_DEFAULT. Tests pick small values to force sparse states.
 * The default keeps a dictionary of a few thousand states all dense (the
 * context triggers: ~500 KB), and for the shipped lexicon (~250,000
 * states) makes ~3,600 rows dense (< 6 symbols deep, B included: about
 * the first four letters of a word) and the rest sparse: ~3 MB instead
 * of ~54 MB. Measured on the MAUDE sample (full pipeline, one core):
 * depths 4 to 7 within noise of each other, depth 6 best by a little. */
struct nlp_ac_tune {
    size_t all_dense_bytes; /* every state dense if the table fits this */
    uint32_t dense_depth;   /* else states under this depth are dense */
    uint32_t max_exc;       /* and so are those with more exceptions */
};

/* clang-format off */
#define NLP_AC_TUNE_DEFAULT {1u << 20, 6, 8}
/* clang-format on */

/* nlp_ac_build() with explicit layout choices (nlp_ac_build.c). */
int nlp_ac_build_tuned(nlp_ac_t **out, nlp_ac_builder_t **builder_p,
                       const struct nlp_ac_tune *tune, struct ds_diag *diag);

/* Word bytes: [A-Za-z0-9] and every byte >= 0x80 (UTF-8 letters). */
static inline bool nlp_ac_is_word(unsigned char c)
{
    return c >= 0x80 || (unsigned)((c | 0x20) - 'a') < 26u ||
           (unsigned)(c - '0') < 10u;
}

/* Whitespace bytes: space, \t, \n, \v, \f, \r. */
static inline bool nlp_ac_is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

#endif
