/*
 * nlp_udi_hibcc.c - HIBCC UDIs: HIBC LIC primary and combined data.
 *
 * ANSI/HIBC Supplier Labeling Standard (HIBC LIC, 2.x): "+", labeler
 * identification code (LIC: a letter and 3 letters or digits), product or
 * catalogue number (PCN, 1-18 letters or digits; 1-13 in editions before
 * 2.5), unit of measure (a digit, 0 = unit of use), then the mod-43 check
 * character: the sum of the HIBC values of every character from '+' on
 * (0-9 -> 0-9, A-Z -> 10-35, '-' 36, '.' 37, ' ' 38, '$' 39, '/' 40,
 * '+' 41, '%' 42), modulo 43, mapped back. The concatenated form puts the
 * secondary data (quantity, expiry date, lot or serial, flagged by "$",
 * "$$", "$$+", "$$8"/"$$9", or a leading Julian date) after a '/' and
 * supplemental data identifiers ("S" serial, "16D" production date,
 * "14D" expiry date, YYYYMMDD) after further '/'; one check character
 * closes the whole. nlp_udi.h lists the secondary forms accepted.
 *
 * Not here: the stand-alone secondary barcode ("+$$..." + link character;
 * no device identifier), HIBC PAS ("+/"), HIBC UDI via GS1-style ASC MH10
 * data identifiers in a 2D symbol ("/$$..." without '+'), and reading the
 * quantity's unit of measure.
 */
#include "devsurv/nlp_udi.h"
#include "devsurv/ds_err.h"
#include "nlp_udi_impl.h"

#include <stdio.h>
#include <string.h>

struct s_hibc {
    struct ds_span s; /* the whole input, for offsets */
    struct nlp_udi *out;
    struct ds_diag *diag;
};

/* Secondary date flags after "$$" (and after a quantity). */
static const struct {
    char flag;
    bool skip; /* the flag is not itself the first date digit */
    const char *layout;
} s_flags[] = {{'0', false, "MMYY"},    {'1', false, "MMYY"},
               {'2', true, "MMDDYY"},   {'3', true, "YYMMDD"},
               {'4', true, "YYMMDDHH"}, {'5', true, "YYJJJ"},
               {'6', true, "YYJJJHH"},  {'7', true, ""}};

static const char s_set[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

int nlp_udi_hibc_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    switch (c) {
    case '-': return 36;
    case '.': return 37;
    case ' ': return 38;
    case '$': return 39;
    case '/': return 40;
    case '+': return 41;
    case '%': return 42;
    default: return -1;
    }
}

int nlp_hibcc_check_char(const char *s, size_t n)
{
    unsigned sum = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = nlp_udi_hibc_value((unsigned char)s[i]);
        if (v < 0)
            return -1;
        sum = (sum + (unsigned)v) % 43;
    }
    return s_set[sum];
}

static bool s_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool s_alnum(unsigned char c)
{
    return s_upper(c) || (c >= '0' && c <= '9');
}

static size_t s_off(const struct s_hibc *h, const char *p)
{
    return (size_t)(p - h->s.p);
}

/* Every byte of in (check character last) in the HIBC set. */
static int s_charset(struct s_hibc *h, struct ds_span in)
{
    char b[16];
    for (size_t i = 0; i < in.n; i++) {
        unsigned char c = (unsigned char)in.p[i];
        bool last = i + 1 == in.n;
        if (nlp_udi_hibc_value(c) >= 0 || (last && c == '_'))
            continue;
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, in.p + i),
                            "%s%s is not in the HIBC character set%s",
                            last ? "check character " : "", nlp_udi_show(c, b),
                            c >= 'a' && c <= 'z' ? " (upper case only)" : "");
    }
    return 0;
}

/* LIC (4) + PCN (1-18) + U/M (1 digit). */
static int s_primary(struct s_hibc *h, struct ds_span s)
{
    char b[16];
    if (s.n < 6)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p),
                            "HIBC primary data has %zu characters: LIC (4), "
                            "PCN (1-18) and U/M (1) need at least 6",
                            s.n);
    if (s.n - 5 > NLP_UDI_HIBC_PCN_MAX)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p + 4),
                            "HIBC PCN has %zu characters, at most %d", s.n - 5,
                            NLP_UDI_HIBC_PCN_MAX);
    for (size_t i = 0; i + 1 < s.n; i++)
        if (!s_alnum((unsigned char)s.p[i]))
            return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p + i),
                                "HIBC %s has %s, letters and digits only",
                                i < 4 ? "LIC" : "PCN",
                                nlp_udi_show((unsigned char)s.p[i], b));
    if (s.p[s.n - 1] < '0' || s.p[s.n - 1] > '9')
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p + s.n - 1),
                            "HIBC unit of measure %s is not a digit 0-9",
                            nlp_udi_show((unsigned char)s.p[s.n - 1], b));
    h->out->di = s;
    h->out->labeler = (struct ds_span){s.p, 4};
    h->out->product = (struct ds_span){s.p + 4, s.n - 5};
    h->out->unit_of_measure = s.p[s.n - 1] - '0';
    return 0;
}

static bool s_lot_char(unsigned char c)
{
    return s_alnum(c) || c == '-' || c == '.' || c == ' ' || c == '%';
}

/* Lot or serial: 0-18 of letters, digits, '-', '.', ' ', '%'. */
static int s_field(struct s_hibc *h, struct ds_span f, bool serial,
                   bool may_be_empty)
{
    const char *what = serial ? "HIBC serial" : "HIBC lot/batch";
    struct ds_span *dst = serial ? &h->out->serial : &h->out->lot;
    char b[16];
    if (f.n == 0 && !may_be_empty)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, f.p), "%s is empty",
                            what);
    if (f.n > NLP_UDI_HIBC_LOT_MAX)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, f.p),
                            "%s has %zu characters, at most %d", what, f.n,
                            NLP_UDI_HIBC_LOT_MAX);
    for (size_t i = 0; i < f.n; i++)
        if (!s_lot_char((unsigned char)f.p[i]))
            return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, f.p + i),
                                "%s has %s", what,
                                nlp_udi_show((unsigned char)f.p[i], b));
    if (dst->n > 0 && f.n > 0)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, f.p), "%s given twice",
                            what);
    if (f.n > 0)
        *dst = f;
    return 0;
}

/* The digits of p laid out as layout that carry letter, or -1. */
static long s_pick(const char *layout, const char *p, char letter)
{
    long v = -1;
    for (size_t i = 0; layout[i]; i++)
        if (layout[i] == letter)
            v = (v < 0 ? 0 : v * 10) + (p[i] - '0');
    return v;
}

/* A date laid out as layout ("YYMMDD", "YYJJJHH", "YYYYMMDD", ...) at
 * p, with avail bytes there; stored in *dst unless one is set already. */
static int s_date(struct s_hibc *h, const char *p, size_t avail,
                  const char *layout, const char *what, int32_t *dst,
                  bool *given)
{
    size_t len = strlen(layout), off = s_off(h, p);
    if (avail < len || nlp_udi_num(p, len) < 0)
        return nlp_udi_fail(h->diag, DS_EINVAL, off, "%s needs %zu digits %s",
                            what, len, layout);
    if (*dst != 0)
        return nlp_udi_fail(h->diag, DS_EINVAL, off, "%s given twice", what);
    long y = s_pick(layout, p, 'Y'), hh = s_pick(layout, p, 'H');
    long jjj = s_pick(layout, p, 'J'), d = s_pick(layout, p, 'D');
    y += strncmp(layout, "YYYY", 4) == 0 ? 0 : 2000;
    if (hh > 23)
        return nlp_udi_fail(h->diag, DS_EINVAL, off,
                            "%s hour %02ld is not 00-23", what, hh);
    if (jjj >= 0)
        return nlp_udi_julian(h->diag, off, what, y, jjj, dst, given);
    return nlp_udi_date(h->diag, off, what, y, s_pick(layout, p, 'M'),
                        d < 0 ? 0 : d, d < 0, dst, given);
}

/* After "$$" (and optional '+', quantity): flag + date at s[*i]. */
static int s_flag_date(struct s_hibc *h, struct ds_span s, size_t *i)
{
    char b[16];
    struct nlp_udi *u = h->out;
    for (size_t k = 0; *i < s.n && k < sizeof s_flags / sizeof s_flags[0];
         k++) {
        if (s.p[*i] != s_flags[k].flag)
            continue;
        size_t at = *i + (s_flags[k].skip ? 1 : 0);
        *i = at + strlen(s_flags[k].layout);
        if (!s_flags[k].layout[0])
            return 0;
        return s_date(h, s.p + at, s.n - at, s_flags[k].layout,
                      "HIBC expiry date", &u->expiry_yyyymmdd,
                      &u->expiry_day_given);
    }
    if (*i >= s.n)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p + *i),
                            "HIBC date flag missing after \"$$\"");
    return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p + *i),
                        "%s is not an HIBC date flag 0-7",
                        nlp_udi_show((unsigned char)s.p[*i], b));
}

/* s after "$$": [+][8QQ|9QQQQQ] flag date, then lot or serial. */
static int s_double_dollar(struct s_hibc *h, struct ds_span s)
{
    size_t i = 0, qn;
    bool serial = s.n > 0 && s.p[0] == '+';
    i += serial ? 1 : 0;
    qn = i < s.n && s.p[i] == '8' ? 2 : i < s.n && s.p[i] == '9' ? 5 : 0;
    if (qn) {
        long q = s.n - i - 1 >= qn ? nlp_udi_num(s.p + i + 1, qn) : -1;
        if (q < 0)
            return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p + i + 1),
                                "HIBC quantity needs %zu digits", qn);
        h->out->quantity = (int32_t)q;
        i += 1 + qn;
    }
    int rc = s_flag_date(h, s, &i);
    if (rc)
        return rc;
    struct ds_span f = {s.p + i, s.n - i};
    return s_field(h, f, serial, true);
}

/* The segment after the first '/'. */
static int s_secondary(struct s_hibc *h, struct ds_span s)
{
    char b[16];
    if (s.n == 0)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p),
                            "empty HIBC secondary data after '/'");
    if (s.p[0] >= '0' && s.p[0] <= '9') {
        struct nlp_udi *u = h->out;
        int rc = s_date(h, s.p, s.n, "YYJJJ", "HIBC expiry date",
                        &u->expiry_yyyymmdd, &u->expiry_day_given);
        if (rc)
            return rc;
        return s_field(h, (struct ds_span){s.p + 5, s.n - 5}, false, true);
    }
    if (s.n >= 2 && s.p[0] == '$' && s.p[1] == '$')
        return s_double_dollar(h, (struct ds_span){s.p + 2, s.n - 2});
    if (s.p[0] == '$') {
        bool serial = s.n >= 2 && s.p[1] == '+';
        size_t k = serial ? 2 : 1;
        return s_field(h, (struct ds_span){s.p + k, s.n - k}, serial, false);
    }
    if (s_upper((unsigned char)s.p[0]))
        return s_field(h, s, false, false);
    return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p),
                        "%s cannot start HIBC secondary data",
                        nlp_udi_show((unsigned char)s.p[0], b));
}

/* A segment after the second or later '/': a data identifier field. */
static int s_supplemental(struct s_hibc *h, struct ds_span s)
{
    struct nlp_udi *u = h->out;
    if (s.n == 0)
        return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, s.p),
                            "empty HIBC supplemental field between '/'");
    if (s.p[0] == 'S')
        return s_field(h, (struct ds_span){s.p + 1, s.n - 1}, true, false);
    if (s.n >= 3 && memcmp(s.p, "16D", 3) == 0)
        return s_date(h, s.p + 3, s.n - 3, "YYYYMMDD",
                      "HIBC production date (16D)", &u->production_yyyymmdd,
                      &u->production_day_given);
    if (s.n >= 3 && memcmp(s.p, "14D", 3) == 0)
        return s_date(h, s.p + 3, s.n - 3, "YYYYMMDD", "HIBC expiry date (14D)",
                      &u->expiry_yyyymmdd, &u->expiry_day_given);
    if (u->n_unsupported++ == 0)
        u->unsupported = s;
    return 0;
}

/* p up to the next '/' or end. */
static struct ds_span s_upto_slash(const char *p, const char *end)
{
    const char *slash = memchr(p, '/', (size_t)(end - p));
    return (struct ds_span){p, (size_t)((slash ? slash : end) - p)};
}

/* data: '+' through the last data character (check character excluded). */
static int s_structure(struct s_hibc *h, struct ds_span data)
{
    const char *end = data.p + data.n;
    struct ds_span f = s_upto_slash(data.p + 1, end);
    int rc = s_primary(h, f);
    bool more = f.p + f.n < end;
    h->out->form = more ? NLP_UDI_HIBCC_COMBINED : NLP_UDI_HIBCC_PRIMARY;
    for (int seg = 1; rc == 0 && more; seg++) {
        f = s_upto_slash(f.p + f.n + 1, end);
        more = f.p + f.n < end;
        rc = seg == 1 ? s_secondary(h, f) : s_supplemental(h, f);
    }
    return rc;
}

/* Is in (delimiters removed) HIBC LIC primary-shaped? 0 or DS_EPARSE. */
static int s_shape(struct s_hibc *h, struct ds_span in)
{
    unsigned char c = in.n >= 2 ? (unsigned char)in.p[1] : 0;
    if (in.n == 0 || in.p[0] != '+')
        return nlp_udi_fail(h->diag, DS_EPARSE, s_off(h, in.p),
                            "an HIBC UDI starts with '+'");
    if (s_upper(c) || (c >= 'a' && c <= 'z'))
        return 0;
    if ((c >= '0' && c <= '9') || c == '$')
        return nlp_udi_fail(h->diag, DS_EPARSE, s_off(h, in.p),
                            "HIBC secondary data alone carries no device "
                            "identifier");
    return nlp_udi_fail(h->diag, DS_EPARSE, s_off(h, in.p),
                        "'+' is not followed by an HIBC labeler code");
}

static int s_check(struct s_hibc *h, struct ds_span in)
{
    char got = in.p[in.n - 1] == '_' ? ' ' : in.p[in.n - 1];
    int want = nlp_hibcc_check_char(in.p, in.n - 1);
    h->out->check = (struct ds_span){in.p + in.n - 1, 1};
    h->out->check_ok = got == want;
    if (h->out->check_ok)
        return 0;
    return nlp_udi_fail(h->diag, DS_EINVAL, s_off(h, in.p + in.n - 1),
                        "HIBC check character is '%c', expected '%c'%s", got,
                        want, want == ' ' ? " (a space, printed '_')" : "");
}

/* in = the input without its "*...*" Code 39 start/stop characters. */
static int s_unwrap(struct s_hibc *h, struct ds_span *in)
{
    struct ds_span s = h->s;
    bool plus = s.n > 1 && s.p[1] == '+';
    *in = s;
    if (s.p[0] != '*')
        return 0;
    if (s.n >= 2 && s.p[s.n - 1] == '*') {
        *in = (struct ds_span){s.p + 1, s.n - 2};
        return 0;
    }
    if (plus)
        h->out->agency = NLP_UDI_HIBCC;
    return nlp_udi_fail(h->diag, plus ? DS_EINVAL : DS_EPARSE, 0,
                        "'*' start character without a closing '*'");
}

int nlp_udi_parse_hibcc(struct ds_span s, struct nlp_udi *out,
                        struct ds_diag *diag)
{
    struct s_hibc h = {s, out, diag};
    struct ds_span in;
    nlp_udi_init(out);
    if (!s.p || s.n == 0)
        return nlp_udi_fail(diag, DS_EPARSE, 0, "empty input is not a UDI");
    int rc = s_unwrap(&h, &in);
    if (rc)
        return rc;
    if ((rc = s_shape(&h, in)) != 0) {
        nlp_udi_init(out);
        return rc;
    }
    out->agency = NLP_UDI_HIBCC;
    if (in.n < 8)
        return nlp_udi_fail(diag, DS_EINVAL, s_off(&h, in.p),
                            "HIBC UDI has %zu characters, at least 8 needed "
                            "('+', LIC, PCN, U/M, check character)",
                            in.n);
    rc = s_charset(&h, in);
    if (rc == 0)
        rc = s_structure(&h, (struct ds_span){in.p, in.n - 1});
    return rc ? rc : s_check(&h, in);
}
