/*
 * ac_test_util.h - helpers shared by the nlp_ac tests (test_nlp_ac.c,
 * test_nlp_ac_oracle.c): build an automaton from a term list, in the
 * default or a forced layout (s_tune), and compare hits. Header-only
 * (each test is one program); static inline so an unused helper is no
 * warning.
 */
#ifndef DEVSURV_TESTS_AC_TEST_UTIL_H
#define DEVSURV_TESTS_AC_TEST_UTIL_H

#include "devsurv/ds_err.h"
#include "devsurv/nlp_ac.h"
#include "../../nlp/nlp_ac_impl.h" /* nlp_ac_build_tuned: force sparse */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Layout for the builds below: NULL is nlp_ac_build()'s default (small
 * dictionaries all dense); the sparse tests set one that leaves only the
 * root dense, so every other state takes the sparse path. */
static const struct nlp_ac_tune *s_tune;

static inline int s_compile(nlp_ac_t **ac, nlp_ac_builder_t **b)
{
    return s_tune ? nlp_ac_build_tuned(ac, b, s_tune, NULL)
                  : nlp_ac_build(ac, b, NULL);
}

struct term {
    const char *s;
    uint32_t id;
    unsigned flags;
};

/* Build from n terms (NUL-terminated strings). */
static inline int s_make(nlp_ac_t **ac, const struct term *terms, size_t n)
{
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    if (!b)
        return DS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int rc = nlp_ac_builder_add(b, ds_span_str(terms[i].s), terms[i].id,
                                    terms[i].flags, NULL);
        if (rc != 0) {
            nlp_ac_builder_destroy(&b);
            return rc;
        }
    }
    return s_compile(ac, &b);
}

/* Offset of the first occurrence of needle in hay (test texts only). */
static inline size_t s_at(const char *hay, const char *needle)
{
    return (size_t)(strstr(hay, needle) - hay);
}

static inline bool s_hit_is(const struct nlp_ac_hit *h, size_t b, size_t e,
                            uint32_t id)
{
    return h->begin == b && h->end == e && h->id == id;
}

#endif
