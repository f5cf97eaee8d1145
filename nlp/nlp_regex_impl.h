/*
 * nlp_regex_impl.h - private to nlp_regex*.c: the compiled regex set, the
 * per-caller scratch, and the PCRE2 allocator glue. Not installed.
 *
 *   nlp_regex.c        compile, JIT, join patterns on their first byte
 *   nlp_regex_scan.c   scan a text, sort and deduplicate hits
 *   nlp_regex_valid.c  value validators (gs1, hibcc, date)
 *   nlp_regex_gate.c   a pattern's digit reach (how far from a match's
 *                      start its first digit can be)
 */
#ifndef DEVSURV_NLP_REGEX_IMPL_H
#define DEVSURV_NLP_REGEX_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include "devsurv/nlp_regex.h"

#include <pcre2.h>

/* One regex a scan runs: one pattern, or several joined as
 * "(?:p_a)|(?:p_b)|..." where the value of member k is capture group
 * k + 1 (the first group set names the pattern that matched). */
struct nlp_regex_pass {
    pcre2_code *code;        /* owned when n > 1, else single[] */
    const uint32_t *members; /* pattern indexes, into nlp_regex.member */
    uint32_t n;
    bool jit;
    int32_t reach; /* every member's digit reach at most this; -1: none */
};

struct nlp_regex {
    const struct nlp_pattern *pat; /* borrowed from the rules */
    size_t npat;
    pcre2_general_context *gctx; /* ds_alloc-backed */
    pcre2_code **single;         /* one per pattern, for naive scans */
    bool *single_jit;
    uint32_t *key;    /* per pattern: what it is joined on (S_KEY_*) */
    uint32_t *member; /* pattern indexes grouped by pass */
    struct nlp_regex_pass *pass;
    size_t npass;
    bool gated;          /* some pass has a digit reach */
    uint32_t ovec_pairs; /* largest group count of a pass, plus one */
    bool want_jit;
    bool jit_all;
    int jit_rc;
};

struct nlp_regex_scratch {
    pcre2_general_context *gctx;
    pcre2_match_data *md;    /* ovector pairs: nlp_regex.ovec_pairs or more */
    pcre2_match_context *mc; /* carries the offset limit of a gated pass */
    uint32_t *run;           /* digit runs of the text: begin, end pairs */
    size_t nrun, caprun;
    struct nlp_regex_hit *v, *tmp;
    size_t n, cap;
    uint64_t limited;
};

/* ---- nlp_regex.c ---- */

/* A general context whose allocations go through ds_malloc / ds_free, or
 * NULL when out of memory. */
pcre2_general_context *nlp_regex_gctx(void);

/* ---- nlp_regex_gate.c ---- */

/* The digit reach of a pattern's source text: a bound W such that every
 * match starting at offset s has a digit byte in text[s .. s + W]; -1
 * when the pattern may match without one, or uses syntax the analysis
 * does not know (then it has no reach: never a wrong one). */
int32_t nlp_regex_digit_reach(const char *pattern, size_t len);

#endif
