/*
 * nlp_ac_impl.h - the compiled automaton shared by nlp_ac_build.c (which
 * fills it) and nlp_ac_scan.c (which runs it). Private to nlp/.
 *
 * Layout of the transition table: rows are states, columns byte classes;
 * an entry is the next state's row offset (state * nclass), so a step is
 * `s = table[s + cls[byte]]`. States are numbered in four blocks:
 *   [0, deep)            shallow plain states (near the root, BFS order):
 *                        nothing to do after entering them; the hot rows;
 *   [deep, special)      deep plain states, in trie preorder, so the next
 *                        state along a term is usually the next row: the
 *                        scanner prefetches rows ahead along that guess;
 *   [special, out_base)  whitespace states: entered by a whitespace byte
 *                        inside a possible term; the scanner counts the
 *                        run's bytes so hit offsets stay exact;
 *   [out_base, end)      output states: some term ends here.
 * (deep, special and out_base are row offsets too.) One compare per byte
 * decides whether anything but the next step is needed. Two zeroed rows
 * follow the last state so prefetch addresses stay inside the table.
 */
#ifndef DEVSURV_NLP_AC_IMPL_H
#define DEVSURV_NLP_AC_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#define NLP_AC_NONE UINT32_MAX

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
    uint32_t nstates;       /* rows */
    uint32_t start;         /* row offset of the start state */
    uint32_t deep;          /* row offset of the first deep plain state */
    uint32_t special;       /* row offset of the first whitespace state */
    uint32_t out_base;      /* row offset of the first output state */
    const uint16_t *t16;    /* table when every offset fits 16 bits */
    const uint32_t *t32;    /* otherwise this one; exactly one is set */
    void *table;            /* the allocation behind t16 / t32 */
    struct nlp_ac_out *out; /* indexed by (row - out_base) / nclass */
    struct nlp_ac_pat *pat;
    uint32_t nout;
    uint32_t npat;
};

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
