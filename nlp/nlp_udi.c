/*
 * nlp_udi.c - UDI entry point: dispatch to the GS1 or HIBCC parser, plus
 * the helpers both share (diagnostics, digits, calendar dates).
 *
 * Which agency a string belongs to is decided by its first bytes alone:
 * '(' or a GS1 symbology identifier / GS / "01"+14 digits is GS1, '+' or
 * "*+" is HIBCC (nlp_udi.h lists the forms). Dates use the proleptic
 * Gregorian calendar; two-digit years are 20YY.
 *
 * Not here: the syntaxes themselves (nlp_udi_gs1.c, nlp_udi_hibcc.c) and
 * the free-text scanner (nlp_udi_find.c).
 */
#include "devsurv/nlp_udi.h"
#include "devsurv/ds_err.h"
#include "nlp_udi_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void nlp_udi_init(struct nlp_udi *udi)
{
    memset(udi, 0, sizeof *udi);
    udi->agency = NLP_UDI_NONE;
    udi->form = NLP_UDI_FORM_NONE;
    udi->unit_of_measure = -1;
    udi->quantity = -1;
}

const char *nlp_udi_agency_name(enum nlp_udi_agency agency)
{
    switch (agency) {
    case NLP_UDI_GS1: return "GS1";
    case NLP_UDI_HIBCC: return "HIBCC";
    default: return "none";
    }
}

int nlp_udi_parse(struct ds_span s, struct nlp_udi *out, struct ds_diag *diag)
{
    nlp_udi_init(out);
    if (s.n == 0 || !s.p)
        return nlp_udi_fail(diag, DS_EPARSE, 0, "empty input is not a UDI");
    if (nlp_udi_gs1_shaped(s))
        return nlp_udi_parse_gs1(s, out, diag);
    if (s.p[0] == '+' || (s.p[0] == '*' && s.n > 1 && s.p[1] == '+'))
        return nlp_udi_parse_hibcc(s, out, diag);
    char b[16];
    return nlp_udi_fail(diag, DS_EPARSE, 0,
                        "%s does not start a GS1 or HIBCC UDI",
                        nlp_udi_show((unsigned char)s.p[0], b));
}

int nlp_udi_fail(struct ds_diag *diag, int code, size_t off, const char *fmt,
                 ...)
{
    char msg[DS_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_diag_set_code(diag, code, "", 0, "offset %zu: %s", off, msg);
}

const char *nlp_udi_show(unsigned char c, char *buf)
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", (char)c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
    return buf;
}

long nlp_udi_num(const char *p, size_t n)
{
    long v = 0;
    if (n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static bool s_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long s_days_in_month(long y, long m)
{
    static const long days[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    return m == 2 && s_leap(y) ? 29 : days[m - 1];
}

int nlp_udi_date(struct ds_diag *diag, size_t off, const char *what, long y,
                 long m, long d, bool day00_ok, int32_t *dst, bool *day_given)
{
    if (m < 1 || m > 12)
        return nlp_udi_fail(diag, DS_EINVAL, off, "%s month %02ld is not 01-12",
                            what, m);
    long last = s_days_in_month(y, m);
    if (d == 0 && !day00_ok)
        return nlp_udi_fail(diag, DS_EINVAL, off,
                            "%s day 00 is not allowed here", what);
    if (d > last)
        return nlp_udi_fail(diag, DS_EINVAL, off,
                            "%s day %02ld is not valid in %04ld-%02ld "
                            "(it has %ld days)",
                            what, d, y, m, last);
    *day_given = d != 0;
    *dst = (int32_t)(y * 10000 + m * 100 + (d ? d : last));
    return 0;
}

int nlp_udi_julian(struct ds_diag *diag, size_t off, const char *what, long y,
                   long jjj, int32_t *dst, bool *day_given)
{
    long len = s_leap(y) ? 366 : 365, m = 1;
    if (jjj < 1 || jjj > len)
        return nlp_udi_fail(diag, DS_EINVAL, off,
                            "%s day of year %03ld is not 001-%ld in %04ld",
                            what, jjj, len, y);
    while (jjj > s_days_in_month(y, m))
        jjj -= s_days_in_month(y, m++);
    *day_given = true;
    *dst = (int32_t)(y * 10000 + m * 100 + jjj);
    return 0;
}
