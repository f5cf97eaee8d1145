/*
 * ds_json_str.c - the tokens of ds_json (ds_json.h): strings with their
 * UTF-8 and escapes, and numbers with their range checks.
 *
 * Strings: a scan eight bytes at a time stops only at '"', '\\', a
 * control byte or a byte >= 0x80 (checked as one whole UTF-8 sequence);
 * a string without escapes is then a span of the input. The first escape
 * of a document sizes the scratch buffer to the whole input, which bounds
 * the decoded text of every string in it, so the scratch never moves
 * during a parse and earlier spans into it stay valid.
 *
 * Numbers: an integer is checked against int64_t by its digits (no
 * leading zeros, so 19 digits compared with the limit); a real is given
 * to strtod (C locale: devsurv never sets LC_NUMERIC) only when its
 * digits and exponent allow a value above 1e308, and refused when strtod
 * reports overflow, as jansson does; underflow is accepted.
 * Not here: structure and errors (ds_json.c).
 */
#include "ds_json_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_utf8.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

static inline bool s_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* True for '"', '\\', controls and bytes >= 0x80. */
static inline bool s_special(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

/* First special byte of p..end, or end. Eight bytes at a time: a lane
 * below 0x20, equal to '"' or '\\', or with its top bit set, sets a top
 * bit in m; borrows can only add bits where a lane below already did. */
static const char *s_scan(const char *p, const char *end)
{
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
        uint64_t m = ((w - ONES * 0x20) | (q - ONES) | (b - ONES) | w) & HIGH;
        if (m)
            break;
        p += 8;
    }
    while (p < end && !s_special((unsigned char)*p))
        p++;
    return p;
}

static int s_bad_byte(struct ds_json_in *in, const char *p)
{
    unsigned char c = (unsigned char)*p;
    if (c == '\n')
        return ds_json_fail(in, p, "unexpected newline");
    if (c < 0x20)
        return ds_json_fail(in, p, "control character 0x%x", c);
    return ds_json_fail(in, p, "unable to decode byte 0x%x", c);
}

/* Value of 4 hex digits at p, -1 when there are not 4. */
static long s_hex4(const char *p, const char *end)
{
    long v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* \u escape at *pp ("\u" + 4 hex digits, a high surrogate followed by
 * a low one): its UTF-8 to *dp. */
static int s_unicode(struct ds_json_in *in, const char **pp, char **dp,
                     bool key)
{
    const char *e = *pp, *end = in->end;
    long cp = s_hex4(e + 2, end), lo = -1;
    if (cp < 0)
        return ds_json_fail(in, e, "invalid escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - e >= 12 && e[6] == '\\' && e[7] == 'u')
            lo = s_hex4(e + 8, end);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return ds_json_fail(in, e, "invalid Unicode '\\u%04lX'", cp);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *pp = e + 12;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return ds_json_fail(in, e, "invalid Unicode '\\u%04lX'", cp);
    } else if (cp == 0) {
        return ds_json_fail(in, e,
                            key ? "NUL byte in object key not supported"
                                : "\\u0000 is not allowed");
    } else {
        *pp = e + 6;
    }
    *dp += ds_utf8_encode((uint32_t)cp, *dp);
    return 0;
}

/* The escape at *pp (a backslash) decoded to *dp; both moved past it. */
static int s_escape(struct ds_json_in *in, const char **pp, char **dp, bool key)
{
    const char *e = *pp;
    char c;
    if (in->end - e < 2)
        return ds_json_fail(in, in->end, "premature end of input");
    switch (e[1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': return s_unicode(in, pp, dp, key);
    default: return ds_json_fail(in, e, "invalid escape");
    }
    *(*dp)++ = c;
    *pp = e + 2;
    return 0;
}

/* Slow path of ds_json_string: the string from start, whose first escape
 * is at p, decoded into the scratch buffer. */
static int s_decode(struct ds_json_in *in, const char *start, const char *p,
                    const char **pp, struct ds_span *out, bool key)
{
    struct ds_json *j = in->j;
    const char *end = in->end;
    size_t n = (size_t)(end - in->buf);
    if (j->scratch_cap < n &&
        ds_grow((void **)&j->scratch, &j->scratch_cap, n, 1) != 0)
        return DS_ENOMEM;
    char *d0 = j->scratch + j->scratch_n, *d = d0;
    memcpy(d, start, (size_t)(p - start));
    d += p - start;
    for (;;) {
        const char *r = s_scan(p, end);
        memcpy(d, p, (size_t)(r - p));
        d += r - p;
        p = r;
        if (p == end)
            return ds_json_fail(in, p, "premature end of input");
        unsigned char c = (unsigned char)*p;
        int rc;
        if (c == '"')
            break;
        if (c == '\\') {
            if ((rc = s_escape(in, &p, &d, key)) != 0)
                return rc;
            continue;
        }
        size_t k =
            c < 0x80 ? 0
                     : ds_utf8_seq((const unsigned char *)p, (size_t)(end - p));
        if (k == 0)
            return s_bad_byte(in, p);
        memcpy(d, p, k);
        d += k;
        p += k;
    }
    out->p = d0;
    out->n = (size_t)(d - d0);
    j->scratch_n += out->n;
    *pp = p + 1;
    return 0;
}

int ds_json_string(struct ds_json_in *in, const char **pp, struct ds_span *out,
                   bool key)
{
    const char *start = *pp + 1, *p = start, *end = in->end;
    for (;;) {
        p = s_scan(p, end);
        if (p == end)
            return ds_json_fail(in, p, "premature end of input");
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            out->p = start;
            out->n = (size_t)(p - start);
            *pp = p + 1;
            return 0;
        }
        if (c == '\\')
            return s_decode(in, start, p, pp, out, key);
        size_t k =
            c < 0x80 ? 0
                     : ds_utf8_seq((const unsigned char *)p, (size_t)(end - p));
        if (k == 0)
            return s_bad_byte(in, p);
        p += k;
    }
}

/* ---- numbers ---- */

/* Integer digits d[0..n) (no sign, no leading zero) within int64_t? */
static bool s_int_fits(const char *d, size_t n, bool neg)
{
    if (n != 19)
        return n < 19;
    return memcmp(d, neg ? "9223372036854775808" : "9223372036854775807", 19) <=
           0;
}

/* Does the real s..e overflow a double? Asks strtod (see the top). */
static int s_real_overflows(struct ds_json_in *in, const char *s, const char *e,
                            bool *over)
{
    struct ds_json *j = in->j;
    size_t n = (size_t)(e - s);
    if (ds_grow((void **)&j->num, &j->num_cap, n + 1, 1) != 0)
        return DS_ENOMEM;
    memcpy(j->num, s, n);
    j->num[n] = '\0';
    errno = 0;
    double v = strtod(j->num, NULL);
    *over = (v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE;
    return 0;
}

int ds_json_number(struct ds_json_in *in, const char **pp)
{
    const char *s = *pp, *p = s, *end = in->end;
    bool neg = *p == '-', real = false;
    long exp = 0;
    if (neg)
        p++;
    const char *d = p;
    if (!s_digit(p, end))
        return ds_json_fail(in, s, "invalid token");
    if (*p == '0') {
        if (s_digit(++p, end))
            return ds_json_fail(in, s, "invalid token (leading zero)");
    } else {
        while (s_digit(p, end))
            p++;
    }
    size_t nint = (size_t)(p - d);
    if (p < end && *p == '.') {
        real = true;
        if (!s_digit(++p, end))
            return ds_json_fail(in, s, "invalid token");
        while (s_digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        real = true;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (!s_digit(p, end))
            return ds_json_fail(in, s, "invalid token");
        for (; s_digit(p, end); p++)
            if (exp < 1000000)
                exp = exp * 10 + (*p - '0');
        exp = eneg ? -exp : exp;
    }
    *pp = p;
    if (!real)
        return s_int_fits(d, nint, neg)
                   ? 0
                   : ds_json_fail(in, s,
                                  neg ? "too big negative integer"
                                      : "too big integer");
    /* value < 10^(nint + exp) <= 1e308 < DBL_MAX: cannot overflow */
    if (nint <= 400 && (long)nint + exp <= 308)
        return 0;
    bool over;
    int rc = s_real_overflows(in, s, p, &over);
    if (rc == 0 && over)
        rc = ds_json_fail(in, s, "real number overflow");
    return rc;
}
