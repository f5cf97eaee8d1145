/*
 * eng_maude_value.c - the values of FDA MAUDE fields (eng_maude_impl.h):
 * report keys, dates, and text bytes to valid UTF-8.
 *
 * Keys: FDA's device files pad keys with a blank and print them as
 * decimals (" 1234.0"), so a zero fraction is accepted. Dates: FDA writes
 * MM/DD/YYYY; openFDA's loader also meets YYYY/MM/DD with a time, YYYYMMDD
 * and ISO dates, so those are read too; the calendar check is
 * eng_time_parse()'s. Text: valid UTF-8 sequences (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF) are kept; any other byte is
 * Windows-1252 (WHATWG Encoding Standard index, of which latin-1 is the
 * 0xA0-0xFF part). Not here: which field means what (eng_maude.c).
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_utf8.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <stdio.h>
#include <string.h>

static bool s_digit(char c)
{
    return c >= '0' && c <= '9';
}

int eng_maude_key(struct ds_span s, uint64_t *out)
{
    size_t i = 0, n = s.n;
    while (i < n && s.p[i] == ' ')
        i++;
    while (n > i && s.p[n - 1] == ' ')
        n--;
    uint64_t v = 0;
    size_t d = i;
    while (d < n && s_digit(s.p[d]) && d - i < 19)
        v = v * 10 + (uint64_t)(s.p[d++] - '0');
    if (d == i)
        return DS_EPARSE;
    if (d < n && s.p[d] == '.' && d + 1 < n) {
        for (d++; d < n && s.p[d] == '0';)
            d++;
    }
    if (d != n)
        return DS_EPARSE;
    *out = v;
    return 0;
}

/* Read exactly w digits at s.p[*i]; advance. */
static bool s_num(struct ds_span s, size_t *i, size_t w, int *out)
{
    int v = 0;
    if (s.n - *i < w)
        return false;
    for (size_t k = 0; k < w; k++) {
        if (!s_digit(s.p[*i + k]))
            return false;
        v = v * 10 + (s.p[*i + k] - '0');
    }
    *i += w;
    *out = v;
    return true;
}

/* One or two digits (the month or day of MM/DD/YYYY). */
static bool s_num12(struct ds_span s, size_t *i, int *out)
{
    size_t w = *i + 1 < s.n && s_digit(s.p[*i + 1]) ? 2 : 1;
    return s_num(s, i, w, out);
}

static bool s_eat(struct ds_span s, size_t *i, char c)
{
    if (*i >= s.n || s.p[*i] != c)
        return false;
    (*i)++;
    return true;
}

/* y, m, d from one of the accepted forms (the whole span), or false. */
static bool s_ymd(struct ds_span s, int *y, int *m, int *d)
{
    size_t i = 0;
    if (s.n == 8 && s_num(s, &i, 4, y) && s_num(s, &i, 2, m) &&
        s_num(s, &i, 2, d))
        return true;
    i = 0;
    if (s_num12(s, &i, m) && s_eat(s, &i, '/') && s_num12(s, &i, d) &&
        s_eat(s, &i, '/') && s_num(s, &i, 4, y))
        return i == s.n;
    i = 0;
    if (!s_num(s, &i, 4, y) || i == s.n)
        return false;
    char sep = s.p[i];
    if ((sep != '/' && sep != '-') || !s_eat(s, &i, sep) ||
        !s_num(s, &i, 2, m) || !s_eat(s, &i, sep) || !s_num(s, &i, 2, d))
        return false;
    return i == s.n || (sep == '/' && s.p[i] == ' ');
}

int eng_maude_date(struct ds_span s, int64_t *ms)
{
    int y, m, d;
    while (s.n > 0 && s.p[0] == ' ')
        s.p++, s.n--;
    while (s.n > 0 && s.p[s.n - 1] == ' ')
        s.n--;
    if (!s_ymd(s, &y, &m, &d))
        return DS_EPARSE;
    char iso[ENG_TIME_STR_MAX];
    int w = snprintf(iso, sizeof iso, "%04d-%02d-%02dT00:00:00Z", y, m, d);
    return eng_time_parse(iso, (size_t)w, ms) == 0 ? 0 : DS_ERANGE;
}

/* Windows-1252 0x80-0x9F; 0 where 1252 defines nothing (-> U+FFFD). */
static const unsigned short s_cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* UTF-8 of one byte that is not part of a valid sequence, into o. */
static size_t s_from_1252(unsigned char b, char o[4])
{
    unsigned cp = b < 0xA0 ? s_cp1252[b - 0x80] : b;
    return ds_utf8_encode(cp ? cp : 0xFFFD, o);
}

/* The UTF-8 for s.p[*i] (a whole sequence or one byte) into o; advance. */
static size_t s_char(struct ds_span s, size_t *i, char o[4])
{
    const unsigned char *p = (const unsigned char *)s.p + *i;
    size_t len = ds_utf8_seq(p, s.n - *i);
    if (len == 0) {
        (*i)++;
        return s_from_1252(p[0], o);
    }
    memcpy(o, p, len);
    if (len == 1 &&
        ((p[0] < 0x20 && p[0] != '\t' && p[0] != '\n') || p[0] == 0x7F))
        o[0] = ' ';
    *i += len;
    return len;
}

int eng_maude_utf8(struct ds_span s, size_t max, char **buf, size_t *cap,
                   size_t *len)
{
    size_t start = *len;
    if (ds_grow((void **)buf, cap, *len + s.n + 1, 1))
        return DS_ENOMEM;
    for (size_t i = 0; i < s.n;) {
        char o[4];
        size_t k = s_char(s, &i, o);
        if (*len - start + k > max)
            break;
        if (ds_grow((void **)buf, cap, *len + k + 1, 1))
            return DS_ENOMEM;
        memcpy(*buf + *len, o, k);
        *len += k;
    }
    (*buf)[*len] = '\0';
    return 0;
}
