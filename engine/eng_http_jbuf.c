/*
 * eng_http_jbuf.c - JSON text written straight into a growing buffer, for
 * the API's large pages (a thousand signals), where building a jansson
 * tree and dumping it cost ten times the SQL: 24,000 small objects and
 * hash tables, and a printf for every number.
 *
 * The text is byte for byte what jansson's compact dump (JSON_COMPACT,
 * insertion order) gives for the same values, so a page looks the same
 * whichever way it was built: integers as %lld; reals as %.17g with ".0"
 * added when there is no '.' or 'e' and the exponent's '+' and leading
 * zeros removed (jansson's jsonp_dtostr), non-finite reals as null;
 * strings must be UTF-8 (jansson's rules: no overlong forms, surrogates
 * or code points above U+10FFFF) and escape '"', '\\' and control
 * characters (\b \f \n \r \t, otherwise \u00XX in upper case), nothing
 * else. tests/engine/test_eng_http_jbuf.c checks this against jansson.
 *
 * Errors are sticky: after a failed allocation every call is a no-op and
 * b->oom is set; the caller checks once at the end.
 *
 * Not here: pretty printing, parsing, keys that need escaping (keys are
 * the caller's literals).
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_utf8.h"
#include "devsurv/eng_time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S_REAL_MAX 40 /* "%.17g" of any double, plus ".0" */

void eng_http_jbuf_clear(struct eng_http_jbuf *b)
{
    ds_free(b->p);
    memset(b, 0, sizeof *b);
}

bool eng_http_jbuf_reserve(struct eng_http_jbuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (more > SIZE_MAX - b->n ||
        ds_grow((void **)&b->p, &b->cap, b->n + more, 1) != 0) {
        b->oom = true;
        return false;
    }
    return true;
}

void eng_http_jbuf_raw(struct eng_http_jbuf *b, const char *s, size_t n)
{
    if (!eng_http_jbuf_reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

void eng_http_jbuf_lit(struct eng_http_jbuf *b, const char *s)
{
    eng_http_jbuf_raw(b, s, strlen(s));
}

void eng_http_jbuf_sep(struct eng_http_jbuf *b)
{
    if (b->n > 0 && b->p[b->n - 1] != '{' && b->p[b->n - 1] != '[')
        eng_http_jbuf_raw(b, ",", 1);
}

void eng_http_jbuf_key(struct eng_http_jbuf *b, const char *key)
{
    eng_http_jbuf_sep(b);
    if (!eng_http_jbuf_reserve(b, strlen(key) + 3))
        return;
    b->p[b->n++] = '"';
    eng_http_jbuf_lit(b, key);
    eng_http_jbuf_raw(b, "\":", 2);
}

/* Digits of v backwards from end; returns the first character. */
static char *s_itoa(char *end, int64_t v)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--end = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--end = '-';
    return end;
}

void eng_http_jbuf_int(struct eng_http_jbuf *b, int64_t v)
{
    char buf[24], *p = s_itoa(buf + sizeof buf, v);
    eng_http_jbuf_raw(b, p, (size_t)(buf + sizeof buf - p));
}

/* jansson's jsonp_dtostr fix-ups of a "%.17g" text of n bytes. */
static size_t s_real_fix(char *s, size_t n)
{
    if (!strchr(s, '.') && !strchr(s, 'e')) {
        memcpy(s + n, ".0", 3);
        return n + 2;
    }
    char *start = strchr(s, 'e');
    if (!start)
        return n;
    start++;
    char *end = start + 1;
    if (*start == '-')
        start++;
    while (*end == '0')
        end++;
    if (end != start) {
        memmove(start, end, n - (size_t)(end - s) + 1);
        n -= (size_t)(end - start);
    }
    return n;
}

void eng_http_jbuf_real(struct eng_http_jbuf *b, double v)
{
    char buf[S_REAL_MAX];
    if (!isfinite(v)) {
        eng_http_jbuf_raw(b, "null", 4);
        return;
    }
    /* An integral value below 1e17 prints as its digits under %.17g. */
    if (v > -1e17 && v < 1e17 && v == (double)(int64_t)v &&
        (v != 0 || !signbit(v))) {
        eng_http_jbuf_int(b, (int64_t)v);
        eng_http_jbuf_raw(b, ".0", 2);
        return;
    }
    int n = snprintf(buf, sizeof buf - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 3) {
        eng_http_jbuf_raw(b, "null", 4);
        return;
    }
    eng_http_jbuf_raw(b, buf, s_real_fix(buf, (size_t)n));
}

static void s_escape(struct eng_http_jbuf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    switch (c) {
    case '"': eng_http_jbuf_raw(b, "\\\"", 2); return;
    case '\\': eng_http_jbuf_raw(b, "\\\\", 2); return;
    case '\b': eng_http_jbuf_raw(b, "\\b", 2); return;
    case '\f': eng_http_jbuf_raw(b, "\\f", 2); return;
    case '\n': eng_http_jbuf_raw(b, "\\n", 2); return;
    case '\r': eng_http_jbuf_raw(b, "\\r", 2); return;
    case '\t': eng_http_jbuf_raw(b, "\\t", 2); return;
    default: eng_http_jbuf_raw(b, e, 6);
    }
}

bool eng_http_jbuf_str(struct eng_http_jbuf *b, const char *s, size_t n)
{
    if (!ds_utf8_valid(s, n))
        return false;
    eng_http_jbuf_raw(b, "\"", 1);
    size_t run = 0; /* bytes copied as they are, not yet written */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        eng_http_jbuf_raw(b, s + run, i - run);
        s_escape(b, c);
        run = i + 1;
    }
    eng_http_jbuf_raw(b, s + run, n - run);
    eng_http_jbuf_raw(b, "\"", 1);
    return true;
}

void eng_http_jbuf_col(struct eng_http_jbuf *b, sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        eng_http_jbuf_int(b, sqlite3_column_int64(st, col));
        return;
    case SQLITE_FLOAT:
        eng_http_jbuf_real(b, sqlite3_column_double(st, col));
        return;
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_column_text(st, col);
        if (s && eng_http_jbuf_str(b, s, (size_t)sqlite3_column_bytes(st, col)))
            return;
        break;
    }
    default: break;
    }
    eng_http_jbuf_raw(b, "null", 4);
}

void eng_http_jbuf_time(struct eng_http_jbuf *b, const char *ts_key,
                        const char *time_key, sqlite3_stmt *st, int col)
{
    char buf[ENG_TIME_STR_MAX];
    eng_http_jbuf_key(b, ts_key);
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER) {
        eng_http_jbuf_raw(b, "null", 4);
        eng_http_jbuf_key(b, time_key);
        eng_http_jbuf_raw(b, "null", 4);
        return;
    }
    int64_t ms = sqlite3_column_int64(st, col);
    eng_http_jbuf_int(b, ms);
    eng_http_jbuf_key(b, time_key);
    const char *t = eng_time_format(ms, buf);
    if (!eng_http_jbuf_str(b, t, strlen(t)))
        eng_http_jbuf_raw(b, "null", 4);
}
