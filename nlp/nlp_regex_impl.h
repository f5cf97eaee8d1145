/*
 * nlp_regex_impl.h - private to nlp_regex*.c: the compiled regex set, the
 * per-caller scratch, and the PCRE2 allocator glue. Not installed.
 *
 *   nlp_regex.c        compile, JIT, join patterns on their first byte
 *   nlp_regex_scan.c   scan a text, sort and deduplicate hits
 *   nlp_regex_valid.c  value validators (gs1, hibcc, date)
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
    uint32_t ovec_pairs; /* largest group count of a pass, plus one */
    bool want_jit;
    bool jit_all;
    int jit_rc;
};

struct nlp_regex_scratch {
    pcre2_general_context *gctx;
    pcre2_match_data *md; /* ovector pairs: nlp_regex.ovec_pairs or more */
    struct nlp_regex_hit *v, *tmp;
    size_t n, cap;
    uint64_t limited;
};

/* ---- nlp_regex.c ---- */

/* A general context whose allocations go through ds_malloc / ds_free, or
 * NULL when out of memory. */
pcre2_general_context *nlp_regex_gctx(void);

#endif
