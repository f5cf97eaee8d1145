/*
 * nlp_regex_valid.c - the validators a pattern row can name: a value
 * counts only when its validator accepts it.
 *
 *   gs1    nlp_udi_parse_gs1() accepts the value: GTIN-14 mod-10 check
 *          digit (GS1 General Specifications 7.9.1), AI syntax, dates;
 *   hibcc  nlp_udi_parse_hibcc() accepts it: HIBC LIC syntax and the
 *          mod-43 check character (ANSI/HIBC 2.x);
 *   date   the value is a real calendar date (Gregorian leap years):
 *          YYYY-MM-DD, M/D/Y or M-D-Y (US order), or with a month name
 *          ("MARCH 2, 2026", "2 MAR 2026", "19-JUN-2018", "JUNE 2009");
 *          a two-digit year is 20YY;
 *   none   anything.
 * A gs1 or hibcc value that fails may drop one final '.', which in text is
 * far more often a full stop than part of the UDI (both are legal data
 * characters, so the regex alone cannot tell).
 *
 * Not here: which bytes a pattern matches (the patterns are data).
 */
#include "nlp_regex_impl.h"

#include "devsurv/nlp_udi.h"

#include <ctype.h>
#include <string.h>

static const char *const s_months[12] = {
    "JANUARY", "FEBRUARY", "MARCH",     "APRIL",   "MAY",      "JUNE",
    "JULY",    "AUGUST",   "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
};

/* A date being read: numbers in order, with their digit counts. */
struct s_date {
    int num[3], digits[3], nnum;
    int month; /* from a month name, 0 if none */
};

static int s_days_in(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Month number of word w[0..n) (full name, its first three letters, or
 * SEPT), or an ordinal suffix (-1), else 0. */
static int s_word(const char *w, size_t n)
{
    char up[16];
    if (n >= sizeof up)
        return 0;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)w[i]);
    up[n] = '\0';
    if (n == 2 && strstr("ST ND RD TH", up))
        return -1; /* "2ND" */
    for (int m = 0; m < 12; m++)
        if (strcmp(up, s_months[m]) == 0 ||
            (n == 3 && strncmp(up, s_months[m], 3) == 0) ||
            (m == 8 && strcmp(up, "SEPT") == 0))
            return m + 1;
    return 0;
}

/* Split v into numbers and at most one month name; separators are
 * " ,./-". False on anything else. */
static bool s_tokens(struct ds_span v, struct s_date *d)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < v.n;) {
        size_t j = i;
        if (isdigit((unsigned char)v.p[i])) {
            while (j < v.n && isdigit((unsigned char)v.p[j]) && j - i < 5)
                j++;
            if (d->nnum == 3 || j - i > 4)
                return false;
            d->num[d->nnum] = 0;
            for (size_t k = i; k < j; k++)
                d->num[d->nnum] = d->num[d->nnum] * 10 + (v.p[k] - '0');
            d->digits[d->nnum++] = (int)(j - i);
        } else if (isalpha((unsigned char)v.p[i])) {
            while (j < v.n && isalpha((unsigned char)v.p[j]))
                j++;
            int m = s_word(v.p + i, j - i);
            if (m == 0 || (m > 0 && d->month))
                return false;
            d->month = m > 0 ? m : d->month;
        } else if (strchr(" ,./-", v.p[i]) && v.p[i] != '\0') {
            j++;
        } else {
            return false;
        }
        i = j;
    }
    return true;
}

static bool s_ymd_ok(int y, int ydigits, int m, int day)
{
    if (ydigits == 2)
        y += 2000;
    else if (ydigits != 4 || y < 1900 || y > 2099)
        return false;
    if (m < 1 || m > 12)
        return false;
    return day == 0 || (day >= 1 && day <= s_days_in(y, m));
}

static bool s_date_ok(struct ds_span v)
{
    struct s_date d;
    if (!s_tokens(v, &d))
        return false;
    if (d.month) { /* [day] year, or year alone */
        if (d.nnum == 1)
            return s_ymd_ok(d.num[0], d.digits[0], d.month, 0);
        return d.nnum == 2 && d.digits[0] <= 2 && d.num[0] >= 1 &&
               s_ymd_ok(d.num[1], d.digits[1], d.month, d.num[0]);
    }
    if (d.nnum != 3)
        return false;
    if (d.digits[0] == 4) /* ISO */
        return d.digits[1] <= 2 && d.digits[2] <= 2 && d.num[2] >= 1 &&
               s_ymd_ok(d.num[0], 4, d.num[1], d.num[2]);
    return d.digits[0] <= 2 && d.digits[1] <= 2 && d.num[1] >= 1 &&
           s_ymd_ok(d.num[2], d.digits[2], d.num[0], d.num[1]);
}

static bool s_udi_ok(enum nlp_pattern_validator v, struct ds_span s)
{
    struct nlp_udi u;
    nlp_udi_init(&u);
    return (v == NLP_VALID_GS1 ? nlp_udi_parse_gs1(s, &u, NULL)
                               : nlp_udi_parse_hibcc(s, &u, NULL)) == 0;
}

bool nlp_regex_validate(enum nlp_pattern_validator v, struct ds_span value,
                        size_t *len_out)
{
    size_t len = value.n;
    bool ok;
    switch (v) {
    case NLP_VALID_NONE: ok = true; break;
    case NLP_VALID_DATE: ok = s_date_ok(value); break;
    case NLP_VALID_GS1:
    case NLP_VALID_HIBCC:
        ok = value.n > 0 && s_udi_ok(v, value);
        if (!ok && value.n > 1 && value.p[value.n - 1] == '.') {
            len = value.n - 1;
            ok = s_udi_ok(v, (struct ds_span){value.p, len});
        }
        break;
    default: ok = false;
    }
    if (ok && len_out)
        *len_out = len;
    return ok;
}
