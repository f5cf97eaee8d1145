/*
 * nlp_udi_gs1.c - GS1 UDIs: human readable "(01)..." and element strings.
 *
 * GS1 General Specifications (GenSpecs): an element string is an
 * Application Identifier (2-4 digits) and its data; the AIs a UDI uses
 * are 01 GTIN (N14, last digit the mod-10 check digit of 7.9.1), 11
 * production date and 17 expiry date (N6 YYMMDD, DD 00 = day not given,
 * section 3.4), 10 batch/lot and 21 serial (X..20 from character set
 * 82, figure 7.11-1). In a barcode's element string the fixed-length AIs
 * need no separator and a variable-length field is ended by FNC1,
 * transmitted as GS (0x1D); which AIs are fixed is the frozen table
 * "element strings with predefined length" (7.8, keyed by the first two
 * digits). The human readable form shows each AI in parentheses.
 *
 * Not here: the rest of the AI dictionary (other AIs are skipped and
 * counted, never interpreted), GS1 Digital Link, the GS1 sliding century
 * window (7.12; two-digit years are 20YY, see nlp_udi.h), and checks that
 * belong to GUDID rather than syntax (is this GTIN a registered DI?).
 */
#include "devsurv/nlp_udi.h"
#include "devsurv/ds_err.h"
#include "nlp_udi_impl.h"

#include <stdio.h>
#include <string.h>

/* Parse state: the whole input (for offsets) and which AIs were seen. */
struct s_gs1 {
    struct ds_span s;
    struct nlp_udi *out;
    struct ds_diag *diag;
    unsigned seen;
};

/* Longest AI data field: X..90 (AIs 90-99, company internal). */
#define GS1_DATA_MAX 90

/* The AIs interpreted here, in the order of the `seen` bits. */
enum { AI_GTIN, AI_LOT, AI_PROD, AI_EXPIRY, AI_SERIAL, AI_COUNT };
static const char *const s_known[AI_COUNT] = {"01", "10", "11", "17", "21"};

/* GenSpecs 7.8: first two AI digits -> element string length with AI. */
static const struct {
    char ai[3];
    unsigned char len;
} s_predefined[] = {{"00", 20}, {"01", 16}, {"02", 16}, {"03", 16}, {"04", 18},
                    {"11", 8},  {"12", 8},  {"13", 8},  {"14", 8},  {"15", 8},
                    {"16", 8},  {"17", 8},  {"18", 8},  {"19", 8},  {"20", 4},
                    {"31", 10}, {"32", 10}, {"33", 10}, {"34", 10}, {"35", 10},
                    {"36", 10}, {"41", 16}};

static bool s_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

int nlp_gs1_check_digit(const char *digits, size_t n)
{
    unsigned sum = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)digits[n - 1 - i];
        if (!s_digit(c))
            return -1;
        sum = (sum + (unsigned)(c - '0') * (i % 2 == 0 ? 3u : 1u)) % 10;
    }
    return (int)((10 - sum) % 10);
}

bool nlp_udi_cset82(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
        (c >= 'a' && c <= 'z'))
        return true;
    return c != 0 && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL;
}

static size_t s_off(const struct s_gs1 *g, const char *p)
{
    return (size_t)(p - g->s.p);
}

/* The GTIN-14 of AI 01 with its check digit. */
static int s_gtin(struct s_gs1 *g, struct ds_span d)
{
    char b[16];
    if (d.n != 14)
        return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p),
                            "AI (01) GTIN needs 14 digits, got %zu", d.n);
    for (size_t i = 0; i < 14; i++)
        if (!s_digit((unsigned char)d.p[i]))
            return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p + i),
                                "AI (01) GTIN has %s, only digits allowed",
                                nlp_udi_show((unsigned char)d.p[i], b));
    g->out->di = d;
    g->out->check = (struct ds_span){d.p + 13, 1};
    int want = nlp_gs1_check_digit(d.p, 13);
    g->out->check_ok = d.p[13] - '0' == want;
    if (!g->out->check_ok)
        return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p + 13),
                            "GTIN check digit is %c, expected %d", d.p[13],
                            want);
    return 0;
}

/* AI 11 or 17: YYMMDD, 20YY, DD 00 = day not given. */
static int s_date(struct s_gs1 *g, const char *ai, struct ds_span d,
                  int32_t *dst, bool *day_given)
{
    char what[32], b[16];
    snprintf(what, sizeof what, "AI (%s) %s", ai,
             strcmp(ai, "17") == 0 ? "expiry date" : "production date");
    if (d.n != 6)
        return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p),
                            "%s needs 6 digits YYMMDD, got %zu", what, d.n);
    for (size_t i = 0; i < 6; i++)
        if (!s_digit((unsigned char)d.p[i]))
            return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p + i),
                                "%s has %s, only digits allowed", what,
                                nlp_udi_show((unsigned char)d.p[i], b));
    long v = nlp_udi_num(d.p, 6);
    return nlp_udi_date(g->diag, s_off(g, d.p), what, 2000 + v / 10000,
                        v / 100 % 100, v % 100, true, dst, day_given);
}

/* Data of max characters from set 82; empty is an error. */
static int s_text(struct s_gs1 *g, const char *what, struct ds_span d,
                  size_t max)
{
    char b[16];
    if (d.n == 0)
        return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p), "%s is empty",
                            what);
    if (d.n > max)
        return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p),
                            "%s has %zu characters, at most %zu", what, d.n,
                            max);
    for (size_t i = 0; i < d.n; i++)
        if (!nlp_udi_cset82((unsigned char)d.p[i]))
            return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, d.p + i),
                                "%s has %s, not in GS1 character set 82", what,
                                nlp_udi_show((unsigned char)d.p[i], b));
    return 0;
}

/* An AI not interpreted here: check its data is plausible, count it. */
static int s_unsupported(struct s_gs1 *g, struct ds_span ai, struct ds_span d,
                         struct ds_span whole)
{
    char what[48];
    snprintf(what, sizeof what, "unsupported AI (%.*s)", (int)ai.n, ai.p);
    int rc = s_text(g, what, d, GS1_DATA_MAX);
    if (rc)
        return rc;
    if (g->out->n_unsupported++ == 0)
        g->out->unsupported = whole;
    return 0;
}

static int s_known_element(struct s_gs1 *g, int k, struct ds_span d)
{
    struct nlp_udi *u = g->out;
    switch (k) {
    case AI_GTIN: return s_gtin(g, d);
    case AI_PROD:
        return s_date(g, "11", d, &u->production_yyyymmdd,
                      &u->production_day_given);
    case AI_EXPIRY:
        return s_date(g, "17", d, &u->expiry_yyyymmdd, &u->expiry_day_given);
    case AI_LOT:
        u->lot = d;
        return s_text(g, "AI (10) batch/lot", d, NLP_UDI_GS1_LOT_MAX);
    default:
        u->serial = d;
        return s_text(g, "AI (21) serial", d, NLP_UDI_GS1_LOT_MAX);
    }
}

/* One element: AI digits ai, its data d, and the whole element text. */
static int s_element(struct s_gs1 *g, struct ds_span ai, struct ds_span d,
                     struct ds_span whole)
{
    for (int k = 0; k < AI_COUNT; k++) {
        if (!ds_span_eq(ai, s_known[k]))
            continue;
        if (g->seen & 1u << k)
            return nlp_udi_fail(g->diag, DS_EINVAL, s_off(g, whole.p),
                                "AI (%s) appears twice", s_known[k]);
        g->seen |= 1u << k;
        return s_known_element(g, k, d);
    }
    return s_unsupported(g, ai, d, whole);
}

size_t nlp_udi_gs1_ai_len(struct ds_span s, size_t i)
{
    size_t j = i + 1;
    if (i >= s.n || s.p[i] != '(')
        return 0;
    while (j < s.n && j - i <= 5 && s_digit((unsigned char)s.p[j]))
        j++;
    if (j - i - 1 < 2 || j - i - 1 > 4 || j >= s.n || s.p[j] != ')')
        return 0;
    return j - i + 1;
}

static size_t s_skip_spaces(struct ds_span s, size_t i)
{
    while (i < s.n && s.p[i] == ' ')
        i++;
    return i;
}

/* "(01)00614141999996(17)261231 (10)LOT42": data runs to a space or to
 * the next "(NN)". */
static int s_hri(struct s_gs1 *g)
{
    const char *p = g->s.p;
    size_t n = g->s.n, i = 0;
    char b[16];
    if (!nlp_udi_gs1_ai_len(g->s, 0))
        return nlp_udi_fail(g->diag, DS_EPARSE, 0,
                            "'(' does not open a GS1 AI such as (01)");
    while (i < n) {
        size_t k = s_skip_spaces(g->s, i), a = nlp_udi_gs1_ai_len(g->s, k);
        if (!a && k == n)
            return nlp_udi_fail(g->diag, DS_EINVAL, i,
                                "trailing space after the last element");
        if (!a)
            return nlp_udi_fail(g->diag, DS_EINVAL, k,
                                "%s where a '(' AI was expected",
                                nlp_udi_show((unsigned char)p[k], b));
        size_t d0 = s_skip_spaces(g->s, k + a), d1 = d0;
        while (d1 < n && p[d1] != ' ' && !nlp_udi_gs1_ai_len(g->s, d1))
            d1++;
        struct ds_span ai = {p + k + 1, a - 2}, d = {p + d0, d1 - d0};
        int rc = s_element(g, ai, d, (struct ds_span){p + k, d1 - k});
        if (rc)
            return rc;
        i = d1;
    }
    return 0;
}

/* Symbology identifier or leading GS (FNC1 in first position). */
static size_t s_prefix_len(struct ds_span s)
{
    static const char *const ids[] = {"]C1", "]d2", "]Q3", "]e0"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (s.n >= 3 && memcmp(s.p, ids[i], 3) == 0)
            return 3;
    return s.n >= 1 && (unsigned char)s.p[0] == NLP_UDI_GS ? 1 : 0;
}

static size_t s_to_gs(struct ds_span s, size_t i)
{
    while (i < s.n && (unsigned char)s.p[i] != NLP_UDI_GS)
        i++;
    return i;
}

/* Extent of the element at s[i] (two bytes at least): sets the AI
 * length (which may run past the end; the caller checks its digits) and
 * returns the element's end, at most s.n. */
static size_t s_extent(struct ds_span s, size_t i, size_t *ai_len)
{
    const char *p = s.p + i;
    *ai_len = 2;
    if (memcmp(p, "10", 2) == 0 || memcmp(p, "21", 2) == 0)
        return s_to_gs(s, i + 2);
    for (size_t k = 0; k < sizeof s_predefined / sizeof s_predefined[0]; k++) {
        if (memcmp(p, s_predefined[k].ai, 2) != 0)
            continue;
        *ai_len = p[0] == '3' ? 4 : p[0] == '4' ? 3 : 2;
        return i + s_predefined[k].len < s.n ? i + s_predefined[k].len : s.n;
    }
    return s_to_gs(s, i + 2);
}

bool nlp_udi_gs1_shaped(struct ds_span s)
{
    if (s.n == 0 || !s.p)
        return false;
    if (s.p[0] == '(' || s_prefix_len(s) > 0)
        return true;
    if (s.n < 16 || memcmp(s.p, "01", 2) != 0)
        return false;
    return nlp_udi_num(s.p + 2, 7) >= 0 && nlp_udi_num(s.p + 9, 7) >= 0;
}

/* "]d2" "01" GTIN "17" YYMMDD "10" lot GS "21" serial. */
static int s_element_string(struct s_gs1 *g)
{
    const char *p = g->s.p;
    size_t n = g->s.n, i = s_prefix_len(g->s);
    char b[16];
    if (i == 3 && i < n && (unsigned char)p[i] == NLP_UDI_GS)
        i++;
    if (n - i < 2 || memcmp(p + i, "01", 2) != 0)
        return nlp_udi_fail(g->diag, DS_EINVAL, i,
                            "a GS1 UDI element string starts with AI 01");
    while (i < n) {
        if ((unsigned char)p[i] == NLP_UDI_GS && ++i == n)
            break;
        size_t ai_len = 2, end = i + 2 <= n ? s_extent(g->s, i, &ai_len) : n;
        for (size_t k = i; k < i + ai_len; k++)
            if (k >= n || !s_digit((unsigned char)p[k]))
                return nlp_udi_fail(
                    g->diag, DS_EINVAL, k, "%s where an AI digit was expected",
                    k < n ? nlp_udi_show((unsigned char)p[k], b) : "end");
        struct ds_span ai = {p + i, ai_len};
        struct ds_span d = {p + i + ai_len, end - i - ai_len};
        int rc = s_element(g, ai, d, (struct ds_span){p + i, end - i});
        if (rc)
            return rc;
        i = end;
    }
    return 0;
}

int nlp_udi_parse_gs1(struct ds_span s, struct nlp_udi *out,
                      struct ds_diag *diag)
{
    struct s_gs1 g = {s, out, diag, 0};
    nlp_udi_init(out);
    if (!nlp_udi_gs1_shaped(s))
        return nlp_udi_fail(diag, DS_EPARSE, 0,
                            "not a GS1 UDI: no '(', symbology identifier, "
                            "GS or \"01\" + 14 digits at the start");
    out->agency = NLP_UDI_GS1;
    out->form = s.p[0] == '(' ? NLP_UDI_GS1_HRI : NLP_UDI_GS1_ELEMENT;
    int rc = out->form == NLP_UDI_GS1_HRI ? s_hri(&g) : s_element_string(&g);
    if (rc == DS_EPARSE)
        nlp_udi_init(out);
    if (rc)
        return rc;
    if (!(g.seen & 1u << AI_GTIN))
        return nlp_udi_fail(diag, DS_EINVAL, 0,
                            "no AI (01): a GS1 UDI needs its GTIN");
    return 0;
}
