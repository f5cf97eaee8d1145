/*
 * eng_plan.c - parse one surveillance plan file (eng_plan.h): split lines
 * into `key = value`, find the key in one table, check the value, fill the
 * defaults, then the checks between keys (method parameters).
 *
 * The first fault stops the parse with "name:line: why" (line 0 when the
 * fault is about the file as a whole: a missing id or method). Values are
 * checked for syntax only; whether a product code or IMDRF code exists is
 * the set's question (eng_plan_set.c), since that needs the rule tree.
 * Messages quote offending input through s_show(): printable ASCII only,
 * at most 40 bytes, so a diagnostic is always one safe line.
 *
 * Not here: loading directories, hashing, concept checks
 * (eng_plan_set.c), matching (eng_plan_match.c).
 */
#include "eng_plan_impl.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_utf8.h"
#include "devsurv/nlp_udi.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SHOW_MAX 48 /* s_show() buffer */

enum s_kind { S_ID, S_TEXT, S_LIST, S_ENUM, S_INT, S_REAL };

/* A list entry checker: 0 with the entry copied to out, or a diag. */
struct s_ctx {
    const char *name;
    int line;
    struct ds_diag *diag;
};
typedef int (*s_entry_fn)(const struct s_ctx *c, struct ds_span v, char *out);

struct s_key {
    const char *name;
    enum s_kind kind;
    size_t off;   /* field (list: array) */
    size_t noff;  /* list: count field */
    size_t esize; /* list: element size */
    s_entry_fn entry;
    const char *const *names; /* enum: value names, NULL-terminated */
    double lo, hi;            /* numbers: bounds */
    int lo_open;              /* numbers: lo itself refused */
    const char *range;        /* numbers: said in the message */
};

static const char *const s_methods[] = {"maxsprt-poisson", "maxsprt-binomial",
                                        "cusum-bernoulli", "disproportionality",
                                        NULL};
static const char *const s_comparators[] = {"baseline", "family", NULL};
static const char *const s_groups[] = {"product_code", "brand", "model", NULL};
static const char *const s_afters[] = {"stay", "rearm", NULL};

/* Printable ASCII rendering of v for a message. */
static const char *s_show(struct ds_span v, char buf[S_SHOW_MAX])
{
    size_t n = v.n < S_SHOW_MAX - 4 ? v.n : S_SHOW_MAX - 4, k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v.p[i];
        buf[k++] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
    }
    if (n < v.n)
        buf[k++] = '.', buf[k++] = '.', buf[k++] = '.';
    buf[k] = '\0';
    return buf;
}

static int s_bad(const struct s_ctx *c, const char *what, struct ds_span v,
                 const char *hint)
{
    char b[S_SHOW_MAX];
    return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                            "bad %s '%s' (%s)", what, s_show(v, b), hint);
}

static bool s_upper3(struct ds_span v)
{
    if (v.n != 3)
        return false;
    for (size_t i = 0; i < 3; i++)
        if (v.p[i] < 'A' || v.p[i] > 'Z')
            return false;
    return true;
}

static bool s_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return n > 0;
}

static int s_product_code(const struct s_ctx *c, struct ds_span v, char *out)
{
    if (!s_upper3(v))
        return s_bad(c, "product code", v, "3 upper-case letters, e.g. MGB");
    memcpy(out, v.p, 3);
    out[3] = '\0';
    return 0;
}

/* A 21 CFR section number: 3 digits, '.', 1 to 5 digits. */
static int s_regulation(const struct s_ctx *c, struct ds_span v, char *out)
{
    if (v.n < 5 || v.n > 9 || v.p[3] != '.' || !s_digits(v.p, 3) ||
        !s_digits(v.p + 4, v.n - 4))
        return s_bad(c, "regulation number", v,
                     "a 21 CFR section, e.g. 870.3680");
    memcpy(out, v.p, v.n);
    out[v.n] = '\0';
    return 0;
}

static int s_text(const struct s_ctx *c, struct ds_span v, char *out,
                  const char *what)
{
    if (v.n >= ENG_PLAN_TEXT_MAX)
        return s_bad(c, what, v, "longer than 127 bytes");
    if (!ds_utf8_valid(v.p, v.n))
        return s_bad(c, what, v, "not UTF-8");
    memcpy(out, v.p, v.n);
    out[v.n] = '\0';
    return 0;
}

static int s_brand(const struct s_ctx *c, struct ds_span v, char *out)
{
    int rc = s_text(c, v, out, "brand");
    for (char *p = out; rc == 0 && *p; p++)
        if (*p == '_')
            *p = ' ';
    return rc;
}

static int s_model(const struct s_ctx *c, struct ds_span v, char *out)
{
    return s_text(c, v, out, "model");
}

/* A GTIN-8/12/13/14, stored as GTIN-14 (left zero padded), check digit
 * as in GS1 General Specifications 7.9.1. */
static int s_udi_di(const struct s_ctx *c, struct ds_span v, char *out)
{
    char b[S_SHOW_MAX];
    if (!s_digits(v.p, v.n) ||
        (v.n != 8 && v.n != 12 && v.n != 13 && v.n != 14))
        return s_bad(c, "UDI-DI", v, "a GTIN: 8, 12, 13 or 14 digits");
    memset(out, '0', 14 - v.n);
    memcpy(out + 14 - v.n, v.p, v.n);
    out[14] = '\0';
    int want = nlp_gs1_check_digit(out, 13);
    if (want != out[13] - '0')
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                "UDI-DI '%s': check digit is %c, expected %d",
                                s_show(v, b), out[13], want);
    return 0;
}

/* An IMDRF code of Annex A, E, F or G: the letter and 2 to 14 digits. */
static int s_event(const struct s_ctx *c, struct ds_span v, char *out)
{
    if (v.n < 3 || v.n >= ENG_PLAN_CODE_MAX || !strchr("AEFG", v.p[0]) ||
        !s_digits(v.p + 1, v.n - 1))
        return s_bad(c, "IMDRF code", v,
                     "Annex A, E, F or G code, e.g. A0401 or E0505");
    memcpy(out, v.p, v.n);
    out[v.n] = '\0';
    return 0;
}

#define S_LIST_KEY(n, arr, cnt, fn)                                            \
    {                                                                          \
        n, S_LIST, offsetof(struct eng_plan, arr),                             \
            offsetof(struct eng_plan, cnt),                                    \
            sizeof(((struct eng_plan *)0)->arr[0]), fn, NULL, 0, 0, 0, NULL    \
    }
#define S_ENUM_KEY(n, f, names)                                                \
    {                                                                          \
        n, S_ENUM, offsetof(struct eng_plan, f), 0, 0, NULL, names, 0, 0, 0,   \
            NULL                                                               \
    }
#define S_NUM_KEY(n, k, f, lo, hi, open, range)                                \
    {                                                                          \
        n, k, offsetof(struct eng_plan, f), 0, 0, NULL, NULL, lo, hi, open,    \
            range                                                              \
    }

/* In enum eng_plan_key order. */
static const struct s_key s_keys[ENG_PLAN_K_COUNT] = {
    {"id", S_ID, offsetof(struct eng_plan, id), 0, 0, NULL, NULL, 0, 0, 0,
     NULL},
    {"title", S_TEXT, offsetof(struct eng_plan, title), 0, 0, NULL, NULL, 0, 0,
     0, NULL},
    S_LIST_KEY("devices.product_codes", product_codes, n_product_codes,
               s_product_code),
    S_LIST_KEY("devices.regulations", regulations, n_regulations, s_regulation),
    S_LIST_KEY("devices.brands", brands, n_brands, s_brand),
    S_LIST_KEY("devices.models", models, n_models, s_model),
    S_LIST_KEY("devices.udi_di", udi_di, n_udi_di, s_udi_di),
    S_ENUM_KEY("group_by", group_by, s_groups),
    S_LIST_KEY("events", events, n_events, s_event),
    S_ENUM_KEY("comparator", comparator, s_comparators),
    S_NUM_KEY("window_days", S_INT, window_days, 1, 36500, 0,
              "whole days, 1 to 36500"),
    S_ENUM_KEY("method", method, s_methods),
    S_NUM_KEY("alpha", S_REAL, alpha, 0, 0.5, 1, "in (0, 0.5]"),
    S_NUM_KEY("max_expected", S_REAL, max_expected, 0, 1e9, 1, "> 0"),
    S_NUM_KEY("min_events", S_INT, min_events, 1, 1e6, 0, "1 to 1000000"),
    S_NUM_KEY("delay", S_REAL, delay, 0, 1e9, 0, ">= 0"),
    S_NUM_KEY("baseline_rate", S_REAL, baseline_rate, 0, 1e6, 1, "> 0"),
    S_NUM_KEY("max_events", S_INT, max_events, 1, 1e6, 0, "1 to 1000000"),
    S_NUM_KEY("z", S_REAL, z, 0, 1e6, 1, "> 0"),
    S_NUM_KEY("odds_ratio", S_REAL, odds_ratio, 0, 1e6, 1, "> 0, not 1"),
    S_NUM_KEY("h", S_REAL, h, 0, 1e6, 1, "> 0"),
    S_NUM_KEY("prr_min", S_REAL, prr_min, 0, 1e9, 0, ">= 0"),
    S_NUM_KEY("chi2_min", S_REAL, chi2_min, 0, 1e9, 0, ">= 0"),
    S_NUM_KEY("a_min", S_REAL, a_min, 0, 1e9, 0, ">= 0"),
    S_NUM_KEY("ic025_min", S_REAL, ic025_min, -1e9, 1e9, 0, "a number"),
    S_NUM_KEY("eb05_min", S_REAL, eb05_min, 0, 1e9, 0, ">= 0"),
    S_ENUM_KEY("after_signal", after, s_afters),
};

static void s_defaults(struct eng_plan *p)
{
    memset(p, 0, sizeof *p);
    p->window_days = 365;
    p->alpha = 0.05;
    p->max_expected = 20;
    p->min_events = 1;
    p->max_events = 100;
    p->z = 1;
    p->odds_ratio = 2;
    p->prr_min = p->chi2_min = p->a_min = p->ic025_min = p->eb05_min = NAN;
}

static int s_id(const struct s_ctx *c, struct ds_span v, char *out)
{
    bool ok = v.n >= 1 && v.n < ENG_PLAN_ID_MAX;
    for (size_t i = 0; ok && i < v.n; i++)
        ok = (v.p[i] >= 'a' && v.p[i] <= 'z') ||
             (v.p[i] >= '0' && v.p[i] <= '9') || v.p[i] == '-';
    if (!ok)
        return s_bad(c, "id", v, "1 to 63 of a-z, 0-9 and '-'");
    memcpy(out, v.p, v.n);
    out[v.n] = '\0';
    return 0;
}

static bool s_sep(char ch)
{
    return ch == ' ' || ch == '\t' || ch == ',';
}

static int s_list(const struct s_ctx *c, const struct s_key *k,
                  struct eng_plan *p, struct ds_span v)
{
    char *arr = (char *)p + k->off, b[S_SHOW_MAX];
    size_t *n = (size_t *)((char *)p + k->noff);
    for (size_t i = 0; i < v.n;) {
        while (i < v.n && s_sep(v.p[i]))
            i++;
        size_t s = i;
        while (i < v.n && !s_sep(v.p[i]))
            i++;
        if (i == s)
            break;
        if (*n == ENG_PLAN_LIST_MAX)
            return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                    "%s: more than %d entries", k->name,
                                    ENG_PLAN_LIST_MAX);
        struct ds_span e = {v.p + s, i - s};
        char *out = arr + *n * k->esize;
        int rc = k->entry(c, e, out);
        if (rc)
            return rc;
        for (size_t j = 0; j < *n; j++)
            if (strcmp(arr + j * k->esize, out) == 0)
                return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                        "%s: '%s' listed twice", k->name,
                                        s_show(e, b));
        (*n)++;
    }
    return 0;
}

static int s_enum(const struct s_ctx *c, const struct s_key *k,
                  struct eng_plan *p, struct ds_span v)
{
    char list[160] = "", b[S_SHOW_MAX];
    for (int i = 0; k->names[i]; i++) {
        if (ds_span_eq(v, k->names[i])) {
            *(int *)(void *)((char *)p + k->off) = i;
            return 0;
        }
        strcat(list, i ? ", " : "");
        strcat(list, k->names[i]);
    }
    return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                            "bad value '%s' for %s (%s)", s_show(v, b), k->name,
                            list);
}

/* A decimal number: digits, '.', exponent; no hex, inf or nan. */
static bool s_number(struct ds_span v, double *out)
{
    char buf[64], *end = NULL;
    if (v.n == 0 || v.n >= sizeof buf)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if (!strchr("0123456789.eE+-", v.p[i]) || v.p[i] == '\0')
            return false;
    memcpy(buf, v.p, v.n);
    buf[v.n] = '\0';
    *out = strtod(buf, &end);
    return end == buf + v.n && isfinite(*out);
}

static int s_num(const struct s_ctx *c, const struct s_key *k,
                 struct eng_plan *p, struct ds_span v)
{
    char b[S_SHOW_MAX];
    double x = 0;
    bool ok = s_number(v, &x) && x <= k->hi &&
              (k->lo_open ? x > k->lo : x >= k->lo) &&
              (k->kind == S_REAL || x == floor(x)) &&
              !(k->off == offsetof(struct eng_plan, odds_ratio) && x == 1);
    if (!ok)
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                "bad value '%s' for %s (%s)", s_show(v, b),
                                k->name, k->range);
    if (k->kind == S_INT)
        *(int64_t *)(void *)((char *)p + k->off) = (int64_t)x;
    else
        *(double *)(void *)((char *)p + k->off) = x;
    return 0;
}

static int s_value(const struct s_ctx *c, const struct s_key *k,
                   struct eng_plan *p, struct ds_span v)
{
    switch (k->kind) {
    case S_ID: return s_id(c, v, p->id);
    case S_TEXT: return s_text(c, v, p->title, "title");
    case S_LIST: return s_list(c, k, p, v);
    case S_ENUM: return s_enum(c, k, p, v);
    default: return s_num(c, k, p, v);
    }
}

static bool s_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static struct ds_span s_trim(struct ds_span v)
{
    while (v.n && s_blank(v.p[0]))
        v.p++, v.n--;
    while (v.n && s_blank(v.p[v.n - 1]))
        v.n--;
    return v;
}

/* The value without its comment: '#' at its start or after a blank. */
static struct ds_span s_uncomment(struct ds_span v)
{
    for (size_t i = 0; i < v.n; i++)
        if (v.p[i] == '#' && (i == 0 || s_blank(v.p[i - 1])))
            return s_trim((struct ds_span){v.p, i});
    return v;
}

static int s_line(const struct s_ctx *c, struct eng_plan *p, int *lines,
                  struct ds_span l)
{
    char b[S_SHOW_MAX];
    for (size_t i = 0; i < l.n; i++)
        if (((unsigned char)l.p[i] < 0x20 && l.p[i] != '\t') || l.p[i] == 0x7F)
            return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                    "control byte 0x%02x",
                                    (unsigned char)l.p[i]);
    l = s_trim(l);
    if (l.n == 0 || l.p[0] == '#')
        return 0;
    const char *eq = memchr(l.p, '=', l.n);
    if (!eq)
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                "expected 'key = value', got '%s'",
                                s_show(l, b));
    struct ds_span key = s_trim((struct ds_span){l.p, (size_t)(eq - l.p)});
    struct ds_span v = s_uncomment(
        s_trim((struct ds_span){eq + 1, (size_t)(l.p + l.n - eq - 1)}));
    size_t k = 0;
    while (k < ENG_PLAN_K_COUNT && !ds_span_eq(key, s_keys[k].name))
        k++;
    if (k == ENG_PLAN_K_COUNT)
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                "unknown key '%s'", s_show(key, b));
    if (lines[k])
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                "duplicate key '%s' (first on line %d)",
                                s_keys[k].name, lines[k]);
    lines[k] = c->line;
    if (v.n == 0)
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                "key '%s' has no value", s_keys[k].name);
    return s_value(c, &s_keys[k], p, v);
}

/* Checks between keys, at the method's line. */
static int s_method(struct s_ctx *c, const struct eng_plan *p, const int *lines)
{
    const char *m = eng_plan_method_name(p->method);
    c->line = lines[ENG_PLAN_K_METHOD];
    int rc = 0;
    switch (p->method) {
    case ENG_PLAN_MAXSPRT_POISSON:
        if (p->comparator == ENG_PLAN_BASELINE && !(p->baseline_rate > 0))
            rc = ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                  "method %s with comparator baseline needs "
                                  "baseline_rate",
                                  m);
        break;
    case ENG_PLAN_MAXSPRT_BINOMIAL:
        if (p->comparator != ENG_PLAN_FAMILY)
            rc = ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                  "method %s needs comparator = family", m);
        break;
    case ENG_PLAN_CUSUM_BERNOULLI:
        if (!(p->baseline_rate > 0 && p->h > 0))
            rc = ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                  "method %s needs %s", m,
                                  p->baseline_rate > 0 ? "h" : "baseline_rate");
        else if (p->baseline_rate >= 1)
            rc = ds_diag_set_code(
                c->diag, DS_ECONFIG, c->name, lines[ENG_PLAN_K_BASELINE_RATE],
                "method %s: baseline_rate is a probability, must be < 1", m);
        break;
    default:
        if (isnan(p->prr_min) && isnan(p->chi2_min) && isnan(p->a_min) &&
            isnan(p->ic025_min) && isnan(p->eb05_min))
            rc = ds_diag_set_code(c->diag, DS_ECONFIG, c->name, c->line,
                                  "method %s needs at least one of prr_min, "
                                  "chi2_min, a_min, ic025_min, eb05_min",
                                  m);
    }
    return rc;
}

static int s_parse(struct eng_plan *p, int *lines, const char *buf, size_t n,
                   struct s_ctx *c)
{
    for (size_t pos = 0; pos < n;) {
        const char *nl = memchr(buf + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - buf) : n;
        struct ds_span l = {buf + pos, end - pos};
        if (l.n && l.p[l.n - 1] == '\r')
            l.n--;
        c->line++;
        int rc = s_line(c, p, lines, l);
        if (rc)
            return rc;
        pos = end + 1;
    }
    c->line = 0;
    if (!lines[ENG_PLAN_K_ID])
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, 0, "missing id");
    if (!lines[ENG_PLAN_K_METHOD])
        return ds_diag_set_code(c->diag, DS_ECONFIG, c->name, 0,
                                "missing method");
    return s_method(c, p, lines);
}

int eng_plan_parse_lines(struct eng_plan *p, int lines[ENG_PLAN_K_COUNT],
                         const char *buf, size_t n, const char *name,
                         struct ds_diag *diag)
{
    struct ds_diag local;
    struct s_ctx c = {name ? name : "", 0, diag ? diag : &local};
    s_defaults(p);
    memset(lines, 0, ENG_PLAN_K_COUNT * sizeof *lines);
    ds_diag_clear(c.diag);
    snprintf(p->file, sizeof p->file, "%s", c.name);
    int rc = s_parse(p, lines, buf ? buf : "", buf ? n : 0, &c);
    if (rc)
        s_defaults(p);
    return rc;
}

int eng_plan_parse(struct eng_plan *p, const char *buf, size_t n,
                   const char *name, struct ds_diag *diag)
{
    int lines[ENG_PLAN_K_COUNT];
    return eng_plan_parse_lines(p, lines, buf, n, name, diag);
}

const char *eng_plan_method_name(enum eng_plan_method m)
{
    return (unsigned)m < 4 ? s_methods[m] : "?";
}

const char *eng_plan_comparator_name(enum eng_plan_comparator c)
{
    return (unsigned)c < 2 ? s_comparators[c] : "?";
}

const char *eng_plan_group_name(enum eng_plan_group g)
{
    return (unsigned)g < 3 ? s_groups[g] : "?";
}

const char *eng_plan_after_name(enum eng_plan_after a)
{
    return (unsigned)a < 2 ? s_afters[a] : "?";
}
