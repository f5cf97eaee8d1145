/*
 * ds_utf8.h - well-formed UTF-8 (RFC 3629; Unicode table 3-7): the one
 * decoder behind every text check in devsurv (JSON strings, FHIR notes,
 * rule files, plan files, alert reasons, MAUDE repair, JSON written by the
 * API and `devsurv extract`), and the one encoder (JSON \u escapes,
 * MAUDE's Windows-1252 repair). Rejected: lead bytes 0x80-0xC1 and
 * 0xF5-0xFF, missing continuation bytes, overlong forms, surrogates
 * (U+D800-U+DFFF) and code points above U+10FFFF.
 *
 * Header-only (static inline): the JSON parser calls it for each non-ASCII
 * character. No state, no allocation.
 */
#ifndef DEVSURV_DS_UTF8_H
#define DEVSURV_DS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the well-formed sequence at p[0..n), with its code point
 * in *cp (cp may be NULL); 0 when there is none (also when n is 0). */
static inline size_t ds_utf8_decode(const unsigned char *p, size_t n,
                                    uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = p[0];
    if (c < 0x80) {
        if (cp)
            *cp = c;
        return 1;
    }
    size_t len = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    /* the second byte's range rules out overlongs, surrogates, > 10FFFF */
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi)
        return 0;
    uint32_t v = (uint32_t)(c & (0x7Fu >> len)) << 6 | (p[1] & 0x3Fu);
    for (size_t i = 2; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3Fu);
    }
    if (cp)
        *cp = v;
    return len;
}

/* The UTF-8 of scalar value cp (not a surrogate, <= U+10FFFF) into
 * out; its length, 1-4. */
static inline size_t ds_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    size_t len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = len - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3F));
    out[0] = (char)(lead[len] | cp);
    return len;
}

/* ds_utf8_decode() without the code point. */
static inline size_t ds_utf8_seq(const unsigned char *p, size_t n)
{
    return ds_utf8_decode(p, n, NULL);
}

/* Is s[0..n) well-formed UTF-8 throughout (NUL bytes included)? */
static inline bool ds_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0, k; i < n; i += k)
        if ((k = ds_utf8_seq(u + i, n - i)) == 0)
            return false;
    return true;
}

#endif
