/*
 * ds_span.h - borrowed byte ranges.
 *
 * A span never owns its bytes: it points into a buffer owned by someone else
 * (a received message, a file mapping, a rule set) and is valid only while
 * that buffer lives. Spans are not NUL-terminated.
 */
#ifndef DEVSURV_DS_SPAN_H
#define DEVSURV_DS_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct ds_span {
    const char *p; /* first byte (may be NULL only when n == 0) */
    size_t n;      /* length in bytes */
};

/* Span over a NUL-terminated string s (borrowed). */
static inline struct ds_span ds_span_str(const char *s)
{
    struct ds_span sp = {s, s ? strlen(s) : 0};
    return sp;
}

/* True when span a holds exactly the bytes of NUL-terminated string s. */
static inline bool ds_span_eq(struct ds_span a, const char *s)
{
    size_t n = strlen(s);
    return a.n == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

/* strcmp(s, the span's bytes) as a sign (-1, 0, 1), without strlen: a
 * NUL-terminated key against a span in a sorted table's binary search. */
static inline int ds_str_cmp_span(const char *s, struct ds_span sp)
{
    for (size_t i = 0; i < sp.n; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)sp.p[i];
        if (a == 0)
            return -1; /* s ended first */
        if (a != b)
            return a < b ? -1 : 1;
    }
    return s[sp.n] ? 1 : 0;
}

/* True when spans a and b hold the same bytes. */
static inline bool ds_span_same(struct ds_span a, struct ds_span b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

#endif
