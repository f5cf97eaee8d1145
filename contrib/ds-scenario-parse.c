/*
 * ds-scenario-parse.c - read a scenario file into struct dss_scenario.
 *
 * Format (INI-like, UTF-8, one setting a line):
 *   # comment               whole lines only, so phrases may hold '#'
 *   key = value             value trimmed; repeatable keys append
 *   [device NAME]           a device; NAME is [A-Za-z0-9_.-]+
 *   [outcome NAME]          an outcome
 * Top level: seed, start (YYYY-MM-DD, the first of a month), months, site,
 * followup, caps, reports (shares in [0, 1]), outcomes (yes|no),
 * uneventful (repeatable). Device: product_code, brand, model, udi_di
 * (GTIN-14, check digit verified), procedure, implants (per month), note
 * (implant note template). Outcome: code (IMDRF), term, window (days),
 * affirmed, negated, historical, family, hypothetical (repeatable phrase
 * templates), rate = DEVICE BASELINE TRUE (repeatable).
 *
 * Every error is "file:line: why"; checks that need the whole file (a
 * missing key, an unknown device in a rate, rates adding up past 1) name
 * the line of the section or rate concerned. Values may not hold control
 * characters or invalid UTF-8, so every string the generator prints is
 * valid JSON content.
 *
 * Not here: defaults for phrases (the generator's), generation.
 */
#include "ds-scenario.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum s_sect { S_TOP, S_DEVICE, S_OUTCOME };

struct s_parser {
    struct dss_scenario *sc;
    const char *name;
    int line;
    enum s_sect sect;
    bool have_seed, have_start, have_months;
    struct ds_diag *diag;
};

static int s_err(struct s_parser *p, int code, const char *why,
                 const char *what)
{
    return ds_diag_set_code(p->diag, code, p->name, p->line, "%s%s%s%s", why,
                            what ? " '" : "", what ? what : "",
                            what ? "'" : "");
}

/* Length of the valid UTF-8 sequence at s, 0 when invalid (RFC 3629:
 * no overlongs, no surrogates, at most U+10FFFF). */
static size_t s_utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        unsigned lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        unsigned hi = s[0] == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        unsigned lo = s[0] == 0xF0 ? 0x90 : 0x80;
        unsigned hi = s[0] == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
                       (s[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

/* A value: no control characters (C0, DEL; C1 never appears in valid
 * UTF-8 as a byte, and U+0080-U+009F is refused too), valid UTF-8. */
static bool s_text_ok(const char *v)
{
    const unsigned char *s = (const unsigned char *)v;
    while (*s) {
        if (*s < 0x20 || *s == 0x7F)
            return false;
        size_t n = s_utf8_len(s);
        if (n == 0 || (n == 2 && s[0] == 0xC2 && s[1] < 0xA0))
            return false;
        s += n;
    }
    return true;
}

static int s_copy(struct s_parser *p, char *dst, size_t cap, const char *v,
                  const char *key)
{
    size_t n = strlen(v);
    if (n == 0)
        return s_err(p, DS_EINVAL, "empty value for", key);
    if (n >= cap)
        return s_err(p, DS_ERANGE, "value too long for", key);
    memcpy(dst, v, n + 1);
    return 0;
}

static int s_long(struct s_parser *p, const char *v, long min, long max,
                  long *out, const char *key)
{
    char *end;
    if (*v < '0' || *v > '9')
        return s_err(p, DS_EINVAL, "expected a whole number for", key);
    errno = 0;
    long x = strtol(v, &end, 10);
    if (*end || errno || x < min || x > max) {
        char why[96];
        snprintf(why, sizeof why, "expected a whole number %ld..%ld for", min,
                 max);
        return s_err(p, DS_ERANGE, why, key);
    }
    *out = x;
    return 0;
}

/* A probability as written: digits with at most one '.', in [0, 1]. */
static int s_share(struct s_parser *p, const char *v, double *out, char *text,
                   size_t cap, const char *key)
{
    size_t digits = 0, dots = 0, n = strlen(v);
    for (const char *c = v; *c; c++) {
        digits += *c >= '0' && *c <= '9';
        dots += *c == '.';
    }
    if (digits == 0 || digits + dots != n || dots > 1 || n >= 20)
        return s_err(p, DS_EINVAL, "expected a number 0..1 for", key);
    double x = strtod(v, NULL); /* C locale: setlocale() is never called */
    if (!(x >= 0.0 && x <= 1.0))
        return s_err(p, DS_ERANGE, "expected a number 0..1 for", key);
    *out = x;
    if (text && cap > n)
        memcpy(text, v, n + 1);
    return 0;
}

static int s_phrase(struct s_parser *p, struct dss_phrases *ph, const char *v,
                    const char *key)
{
    const char *bad;
    if (!*v)
        return s_err(p, DS_EINVAL, "empty value for", key);
    if (strlen(v) > DSS_TEXT_MAX)
        return s_err(p, DS_ERANGE, "phrase too long for", key);
    if (!dss_template_ok(v, &bad))
        return s_err(p, DS_EINVAL,
                     "unknown placeholder (use {day} {brand} {model}) at", bad);
    if (ph->n == DSS_PHRASES_MAX)
        return s_err(p, DS_ERANGE, "too many phrases for", key);
    if (!(ph->v[ph->n] = ds_strdup(v)))
        return DS_ENOMEM;
    ph->n++;
    return 0;
}

static bool s_upper3(const char *v)
{
    if (strlen(v) != 3)
        return false;
    for (int i = 0; i < 3; i++)
        if (v[i] < 'A' || v[i] > 'Z')
            return false;
    return true;
}

/* IMDRF code: a letter A-G then 2, 4, 6 or 8 digits (eng_event.h). */
static bool s_imdrf(const char *v)
{
    size_t n = strlen(v);
    if (v[0] < 'A' || v[0] > 'G' || n < 3 || n > 9 || (n - 1) % 2)
        return false;
    for (size_t i = 1; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

static int s_start(struct s_parser *p, const char *v)
{
    char buf[40];
    int64_t ms;
    if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
        return s_err(p, DS_EINVAL, "expected start = YYYY-MM-01, got", v);
    snprintf(buf, sizeof buf, "%sT00:00:00Z", v);
    if (eng_time_parse(buf, strlen(buf), &ms) != 0)
        return s_err(p, DS_EINVAL, "not a date (YYYY-MM-01):", v);
    if (strcmp(v + 8, "01") != 0)
        return s_err(p, DS_EINVAL, "start must be the first of a month:", v);
    p->sc->start_ms = ms;
    p->sc->year = atoi(v);
    p->sc->month = atoi(v + 5);
    p->have_start = true;
    return 0;
}

static int s_top(struct s_parser *p, const char *k, const char *v)
{
    struct dss_scenario *sc = p->sc;
    long x;
    int rc;
    if (strcmp(k, "seed") == 0) {
        char *end;
        if (*v < '0' || *v > '9')
            return s_err(p, DS_EINVAL, "expected a whole number for", k);
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (*end || errno)
            return s_err(p, DS_ERANGE, "expected 0..2^64-1 for", k);
        sc->seed = s;
        p->have_seed = true;
        return 0;
    }
    if (strcmp(k, "start") == 0)
        return s_start(p, v);
    if (strcmp(k, "months") == 0) {
        if ((rc = s_long(p, v, 1, DSS_MONTHS_MAX, &x, k)) == 0)
            sc->months = x;
        p->have_months = rc == 0;
        return rc;
    }
    if (strcmp(k, "site") == 0)
        return s_copy(p, sc->site, sizeof sc->site, v, k);
    if (strcmp(k, "followup") == 0)
        return s_share(p, v, &sc->followup, NULL, 0, k);
    if (strcmp(k, "caps") == 0)
        return s_share(p, v, &sc->caps, NULL, 0, k);
    if (strcmp(k, "reports") == 0)
        return s_share(p, v, &sc->reports, NULL, 0, k);
    if (strcmp(k, "outcomes") == 0) {
        if (strcmp(v, "yes") && strcmp(v, "no"))
            return s_err(p, DS_EINVAL, "expected yes or no for", k);
        sc->outcomes = strcmp(v, "yes") == 0;
        return 0;
    }
    if (strcmp(k, "uneventful") == 0)
        return s_phrase(p, &sc->uneventful, v, k);
    return s_err(p, DS_EINVAL, "unknown top-level key", k);
}

static int s_gtin(struct s_parser *p, struct dss_device *d, const char *v)
{
    char want;
    if (strlen(v) != 14 || !(want = dss_gtin_check(v)))
        return s_err(p, DS_EINVAL,
                     "udi_di: expected a GTIN-14 (14 digits):", v);
    if (v[13] != want) {
        char why[80];
        snprintf(why, sizeof why, "udi_di: check digit should be %c in", want);
        return s_err(p, DS_EINVAL, why, v);
    }
    memcpy(d->gtin, v, 15);
    return 0;
}

static int s_device(struct s_parser *p, const char *k, const char *v)
{
    struct dss_device *d = &p->sc->dev[p->sc->ndev - 1];
    if (strcmp(k, "product_code") == 0) {
        if (!s_upper3(v))
            return s_err(p, DS_EINVAL,
                         "product_code: expected 3 letters A-Z (FDA), got", v);
        memcpy(d->product_code, v, 4);
        return 0;
    }
    if (strcmp(k, "brand") == 0)
        return s_copy(p, d->brand, sizeof d->brand, v, k);
    if (strcmp(k, "model") == 0)
        return s_copy(p, d->model, sizeof d->model, v, k);
    if (strcmp(k, "procedure") == 0)
        return s_copy(p, d->procedure, sizeof d->procedure, v, k);
    if (strcmp(k, "udi_di") == 0)
        return s_gtin(p, d, v);
    if (strcmp(k, "implants") == 0)
        return s_long(p, v, 0, DSS_IMPLANTS_MAX, &d->implants, k);
    if (strcmp(k, "note") == 0) {
        const char *bad;
        if (!dss_template_ok(v, &bad))
            return s_err(p, DS_EINVAL, "unknown placeholder at", bad);
        return s_copy(p, d->note, sizeof d->note, v, k);
    }
    return s_err(p, DS_EINVAL, "unknown device key", k);
}

/* rate = DEVICE BASELINE TRUE */
static int s_rate(struct s_parser *p, struct dss_outcome *o, char *v)
{
    char *f[4], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(v, " \t", &save); t;
         t = strtok_r(NULL, " \t", &save))
        if (n < 4)
            f[n++] = t;
        else
            n = 5;
    if (n != 3)
        return s_err(p, DS_EINVAL, "expected rate = DEVICE BASELINE TRUE",
                     NULL);
    if (o->nrates == DSS_DEVICES_MAX)
        return s_err(p, DS_ERANGE, "too many rate lines", NULL);
    struct dss_rate *r = &o->rates[o->nrates];
    int rc = s_copy(p, r->device_name, sizeof r->device_name, f[0], "rate");
    if (rc == 0)
        rc = s_share(p, f[1], &r->baseline, r->baseline_s, sizeof r->baseline_s,
                     "rate baseline");
    if (rc == 0)
        rc = s_share(p, f[2], &r->rate, r->rate_s, sizeof r->rate_s,
                     "rate true");
    if (rc)
        return rc;
    r->line = p->line;
    o->nrates++;
    return 0;
}

static int s_outcome(struct s_parser *p, const char *k, char *v)
{
    static const char *const ctx[DSS_NCTX] = {
        "affirmed", "negated", "historical", "family", "hypothetical"};
    struct dss_outcome *o = &p->sc->out[p->sc->nout - 1];
    if (strcmp(k, "code") == 0) {
        if (!s_imdrf(v))
            return s_err(p, DS_EINVAL,
                         "code: expected an IMDRF code (A-G + 2/4/6/8 "
                         "digits), got",
                         v);
        memcpy(o->code, v, strlen(v) + 1);
        return 0;
    }
    if (strcmp(k, "term") == 0)
        return s_copy(p, o->term, sizeof o->term, v, k);
    if (strcmp(k, "window") == 0)
        return s_long(p, v, 1, DSS_WINDOW_MAX, &o->window, k);
    if (strcmp(k, "rate") == 0)
        return s_rate(p, o, v);
    for (int i = 0; i < DSS_NCTX; i++)
        if (strcmp(k, ctx[i]) == 0)
            return s_phrase(p, &o->ph[i], v, k);
    return s_err(p, DS_EINVAL, "unknown outcome key", k);
}

static bool s_name_ok(const char *s)
{
    if (!*s || strlen(s) > DSS_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

static int s_section(struct s_parser *p, char *s)
{
    struct dss_scenario *sc = p->sc;
    size_t n = strlen(s);
    if (s[n - 1] != ']')
        return s_err(p, DS_EPARSE, "expected ']' at the end of", s);
    s[n - 1] = '\0';
    char *name = strchr(s, ' ');
    if (!name)
        return s_err(p, DS_EPARSE,
                     "expected [device NAME] or [outcome NAME], got", s);
    *name++ = '\0';
    while (*name == ' ' || *name == '\t')
        name++;
    if (!s_name_ok(name))
        return s_err(
            p, DS_EINVAL,
            "section name: expected [A-Za-z0-9_.-], 1..64 bytes:", name);
    if (strcmp(s + 1, "device") == 0) {
        for (size_t i = 0; i < sc->ndev; i++)
            if (strcmp(sc->dev[i].name, name) == 0)
                return s_err(p, DS_EINVAL, "duplicate device", name);
        if (sc->ndev == DSS_DEVICES_MAX)
            return s_err(p, DS_ERANGE, "too many devices at", name);
        struct dss_device *d = &sc->dev[sc->ndev++];
        memcpy(d->name, name, strlen(name) + 1);
        d->key = dss_fnv1a(name);
        d->implants = -1;
        d->line = p->line;
        p->sect = S_DEVICE;
        return 0;
    }
    if (strcmp(s + 1, "outcome") == 0) {
        for (size_t i = 0; i < sc->nout; i++)
            if (strcmp(sc->out[i].name, name) == 0)
                return s_err(p, DS_EINVAL, "duplicate outcome", name);
        if (sc->nout == DSS_OUTCOMES_MAX)
            return s_err(p, DS_ERANGE, "too many outcomes at", name);
        struct dss_outcome *o = &sc->out[sc->nout++];
        memcpy(o->name, name, strlen(name) + 1);
        o->line = p->line;
        p->sect = S_OUTCOME;
        return 0;
    }
    return s_err(p, DS_EPARSE, "unknown section kind", s + 1);
}

static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int s_line(struct s_parser *p, char *raw)
{
    char *s = s_trim(raw);
    if (!*s || *s == '#')
        return 0;
    if (!s_text_ok(s))
        return s_err(p, DS_EPARSE, "control character or invalid UTF-8 in line",
                     NULL);
    if (*s == '[')
        return s_section(p, s);
    char *eq = strchr(s, '=');
    if (!eq)
        return s_err(p, DS_EPARSE, "expected key = value, got", s);
    *eq = '\0';
    char *k = s_trim(s), *v = s_trim(eq + 1);
    if (!*k)
        return s_err(p, DS_EPARSE, "missing key before '='", NULL);
    if (p->sect == S_DEVICE)
        return s_device(p, k, v);
    if (p->sect == S_OUTCOME)
        return s_outcome(p, k, v);
    return s_top(p, k, v);
}

static int s_at(struct s_parser *p, int line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An error found after reading the file, at the line given. */
static int s_at(struct s_parser *p, int line, int code, const char *fmt, ...)
{
    char msg[DS_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_diag_set_code(p->diag, code, p->name, line, "%s", msg);
}

static int s_check_device(struct s_parser *p, const struct dss_device *d)
{
    const char *miss = !d->product_code[0] ? "product_code"
                       : !d->brand[0]      ? "brand"
                       : !d->model[0]      ? "model"
                       : d->implants < 0   ? "implants"
                                           : NULL;
    if (miss)
        return s_at(p, d->line, DS_EINVAL, "device %s: missing key %s", d->name,
                    miss);
    return 0;
}

static int s_check_rates(struct s_parser *p, struct dss_outcome *o)
{
    struct dss_scenario *sc = p->sc;
    for (size_t i = 0; i < o->nrates; i++) {
        struct dss_rate *r = &o->rates[i];
        r->device = -1;
        for (size_t d = 0; d < sc->ndev; d++)
            if (strcmp(sc->dev[d].name, r->device_name) == 0)
                r->device = (int)d;
        if (r->device < 0)
            return s_at(p, r->line, DS_EINVAL,
                        "rate: no device %s (declare it with [device NAME])",
                        r->device_name);
        for (size_t j = 0; j < i; j++)
            if (o->rates[j].device == r->device)
                return s_at(p, r->line, DS_EINVAL,
                            "rate: device %s listed twice for outcome %s",
                            r->device_name, o->name);
    }
    return 0;
}

static int s_check_outcome(struct s_parser *p, struct dss_outcome *o)
{
    const char *miss = !o->code[0]                  ? "code"
                       : !o->term[0]                ? "term"
                       : o->window == 0             ? "window"
                       : o->ph[DSS_AFFIRMED].n == 0 ? "affirmed"
                       : o->nrates == 0             ? "rate"
                                                    : NULL;
    if (miss)
        return s_at(p, o->line, DS_EINVAL, "outcome %s: missing key %s",
                    o->name, miss);
    return s_check_rates(p, o);
}

/* A patient develops at most one outcome: a device's true rates must add
 * up to 1 at most. */
static int s_check_sums(struct s_parser *p)
{
    struct dss_scenario *sc = p->sc;
    for (size_t d = 0; d < sc->ndev; d++) {
        double sum = 0;
        int line = 0;
        for (size_t i = 0; i < sc->nout; i++)
            for (size_t j = 0; j < sc->out[i].nrates; j++)
                if (sc->out[i].rates[j].device == (int)d) {
                    sum += sc->out[i].rates[j].rate;
                    line = sc->out[i].rates[j].line;
                }
        if (sum > 1.0)
            return s_at(p, line, DS_ERANGE,
                        "device %s: true rates add up past 1 (a patient "
                        "develops one outcome at most)",
                        sc->dev[d].name);
    }
    return 0;
}

static int s_check(struct s_parser *p)
{
    struct dss_scenario *sc = p->sc;
    const char *miss = !p->have_seed     ? "seed"
                       : !p->have_start  ? "start"
                       : !p->have_months ? "months"
                                         : NULL;
    int rc;
    if (miss)
        return s_at(p, 0, DS_EINVAL, "missing top-level key %s", miss);
    if (sc->year + (sc->month - 1 + sc->months) / 12 > DSS_YEAR_MAX)
        return s_at(p, 0, DS_ERANGE,
                    "start + months ends after %d (notes run up to ten "
                    "years past it; RFC 3339 stops at 9999)",
                    DSS_YEAR_MAX);
    if (sc->ndev == 0)
        return s_at(p, 0, DS_EINVAL, "no [device NAME] section");
    for (size_t i = 0; i < sc->ndev; i++)
        if ((rc = s_check_device(p, &sc->dev[i])))
            return rc;
    for (size_t i = 0; i < sc->nout; i++)
        if ((rc = s_check_outcome(p, &sc->out[i])))
            return rc;
    return s_check_sums(p);
}

static void s_defaults(struct dss_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    memcpy(sc->site, "scn", 4);
    sc->followup = 0.3;
    sc->caps = 0.1;
    sc->reports = 0.25;
}

int dss_parse(struct dss_scenario *sc, const char *name, const char *text,
              size_t n, struct ds_diag *diag)
{
    struct s_parser p = {.sc = sc, .name = name, .diag = diag};
    char buf[DSS_TEXT_MAX + 256];
    s_defaults(sc);
    ds_diag_clear(diag);
    if (n > DSS_FILE_MAX)
        return s_at(&p, 0, DS_ETOOBIG, "file larger than 1 MiB");
    for (size_t at = 0; at < n; at++) {
        const char *nl = memchr(text + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : n - at;
        p.line++;
        if (len >= sizeof buf || memchr(text + at, '\0', len))
            return s_err(
                &p, len >= sizeof buf ? DS_ERANGE : DS_EPARSE,
                len >= sizeof buf ? "line too long" : "NUL byte in line", NULL);
        memcpy(buf, text + at, len);
        buf[len] = '\0';
        int rc = s_line(&p, buf);
        if (rc)
            return rc;
        at += len;
    }
    return s_check(&p);
}

void dss_clear(struct dss_scenario *sc)
{
    for (size_t i = 0; i < sc->uneventful.n; i++)
        ds_free(sc->uneventful.v[i]);
    for (size_t o = 0; o < DSS_OUTCOMES_MAX; o++)
        for (int c = 0; c < DSS_NCTX; c++)
            for (size_t i = 0; i < sc->out[o].ph[c].n; i++)
                ds_free(sc->out[o].ph[c].v[i]);
    memset(sc, 0, sizeof *sc);
}
