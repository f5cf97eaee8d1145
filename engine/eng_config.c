/*
 * eng_config.c - the configuration key table, its INI reader and printers.
 *
 * s_keys[] is the one place a key exists. Each entry is written with
 * S_KEY(section, key), which derives the offset (and for strings the
 * capacity) from the struct eng_config field of the same path, so a key's
 * name cannot drift from its field. Every value, whether from the table
 * defaults, a file or --set, goes through s_apply(), which checks it against
 * its key and writes the field.
 *
 * Values are parsed without locale tricks: integers are decimal (strtoll,
 * ERANGE checked), doubles are decimal digits, sign, '.', 'e' only (strtod
 * in the C locale), so "nan", "inf" and hex floats are refused. String
 * values may not hold control characters other than tab: the file format
 * has no escape for them, and eng_config_print() must round-trip.
 *
 * Not here: cross-key rules (none yet; eng_config_validate() is the place),
 * environment variables, includes, reloading.
 */
#include "devsurv/eng_config.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_span.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define S_KEY(sec, name)                                                       \
    .section = #sec, .key = #name,                                             \
    .offset = offsetof(struct eng_config, sec.name)
#define S_STR(sec, name)                                                       \
    S_KEY(sec, name), .type = ENG_CONFIG_STR, .min = 0,                        \
                      .max = sizeof(((struct eng_config *)0)->sec.name) - 1
#define S_INT(sec, name)    S_KEY(sec, name), .type = ENG_CONFIG_INT
#define S_DOUBLE(sec, name) S_KEY(sec, name), .type = ENG_CONFIG_DOUBLE
#define S_BOOL(sec, name)   S_KEY(sec, name), .type = ENG_CONFIG_BOOL

/* [maxsprt]: the continuous Poisson MaxSPRT of Kulldorff et al.,
 * Sequential Analysis 30(1), 2011. The engine derives the exact critical
 * value from (alpha, T = max_expected, M = min_events, D = delay) at start
 * (eng_maxsprt_cv); there is no key for it, so it cannot disagree with the
 * design it claims. T is capped where the exact solve stays fast. */
static const struct eng_config_key s_keys[] = {
    {S_STR(log, level), .def = "info", .choices = "error|warn|info|debug",
     .desc = "least severe log record written to stderr"},
    {S_STR(ingest, endpoint), .def = "ipc:///tmp/devsurv-ingest.ipc",
     .desc = "ZeroMQ ROUTER endpoint the engine binds (ipc:// or tcp://)"},
    {S_BOOL(ingest, insecure), .def = "false",
     .desc = "accept plaintext links without CURVE (local demos only)"},
    {S_INT(ingest, max_msg_size), .def = "1048576", .min = 1024,
     .max = 67108864, .desc = "largest message accepted, in bytes"},
    {S_INT(ingest, credit), .def = "4000", .min = 1, .max = 1000000,
     .desc = "events a publisher may have in flight un-ACKed (keep it at "
             "least 2 x store.batch_events)"},
    {S_STR(ingest, server_key), .def = "",
     .desc = "CURVE secret key file of the engine (devsurv keygen)"},
    {S_STR(ingest, allowlist), .def = "",
     .desc = "allowlist file: source id and Z85 public key per line"},
    {S_STR(publish, endpoint), .def = "",
     .desc = "ZeroMQ PUB endpoint for signal/stats/health fan-out (off if "
             "empty)"},
    {S_STR(publish, snapshot), .def = "",
     .desc = "ZeroMQ ROUTER endpoint answering late joiners' snapshot "
             "requests"},
    {S_INT(publish, health_ms), .def = "1000", .min = 100, .max = 3600000,
     .desc = "period of the health message on the fan-out, in ms"},
    {S_STR(store, path), .def = "devsurv.db", .desc = "SQLite database file"},
    {S_INT(store, batch_ms), .def = "5", .min = 0, .max = 60000,
     .desc = "group commit: longest an open batch waits, in ms"},
    {S_INT(store, batch_events), .def = "1000", .min = 1, .max = 1000000,
     .desc = "group commit: most events in one batch"},
    {S_DOUBLE(maxsprt, alpha), .def = "0.05", .min = 1e-7, .max = 0.5,
     .desc = "type I error spent over the whole surveillance"},
    {S_INT(maxsprt, min_events), .def = "1", .min = 1, .max = 100,
     .desc = "M: fewest observed events that may signal"},
    {S_DOUBLE(maxsprt, baseline_rate), .def = "0.01", .min = 1e-12, .max = 1e6,
     .desc = "expected outcomes per exposure under H0"},
    {S_DOUBLE(maxsprt, max_expected), .def = "20", .min = 1e-6, .max = 10000,
     .desc = "T: surveillance length, in events expected under H0"},
    {S_DOUBLE(maxsprt, delay), .def = "0", .min = 0, .max = 10000,
     .desc = "D: expected events before the first look (0 <= D <= T)"},
    /* [audit]: the hash chain and its checkpoints (eng_checkpoint.h) */
    {S_INT(audit, checkpoint_every), .def = "10000", .min = 1,
     .max = 1000000000,
     .desc = "audit entries between signed Merkle checkpoints"},
    {S_STR(audit, signing_key), .def = "",
     .desc = "Ed25519 key signing checkpoints (keygen --signing); "
             "unsigned if empty"},
    {S_STR(audit, anchors), .def = "",
     .desc = "file outside the DB that each checkpoint line is appended "
             "to"},
    /* [rules], [plans]: extraction and surveillance plans (eng_plan.h) */
    {S_STR(rules, dir), .def = "",
     .desc = "rule tree; empty: $DEVSURV_RULES, ./rules, or the installed "
             "one"},
    {S_BOOL(plans, enabled), .def = "true",
     .desc = "extract mentions from text, link them and test the plans"},
    {S_STR(plans, dir), .def = "",
     .desc = "surveillance plan files (*.plan); empty: <rules dir>/plans"},
    {S_INT(plans, lateness_hours), .def = "168", .min = 0, .max = 87600,
     .desc = "allowed lateness of event time behind the newest event, in "
             "hours; older events are stored and audited as late, not "
             "counted"},
    /* [http]: the read-only API and dashboard (eng_http.h) */
    {S_STR(http, listen), .def = "",
     .desc = "HTTP address:port for the API and dashboard (off if empty), "
             "e.g. 127.0.0.1:8080"},
    {S_STR(http, token_file), .def = "",
     .desc = "file holding the bearer token required by the API (none if "
             "empty; required when listen is not loopback)"},
    {S_STR(http, static_dir), .def = "",
     .desc = "dashboard files; empty: ./contrib/dashboard or the installed "
             "ones"},
};

#define S_NKEYS     (sizeof s_keys / sizeof s_keys[0])
#define S_VALUE_MAX (ENG_CONFIG_STR_MAX - 1) /* longest value of any type */
#define S_FILE_MAX  (1 << 20)                /* larger is not a config */
#define S_SHOW_MAX  48                       /* input quoted in messages */

/* Where a value came from, for diagnostics. */
struct s_where {
    const char *file;
    int line;
    struct ds_diag *diag;
};

struct s_parser {
    struct eng_config *cfg;
    struct s_where at;
    const char *section;          /* table name of the open section */
    int seen[S_NKEYS];            /* line that set each key, 0 = not yet */
    char val[ENG_CONFIG_STR_MAX]; /* decoded quoted value */
};

const struct eng_config_key *eng_config_keys(size_t *n)
{
    *n = S_NKEYS;
    return s_keys;
}

__attribute__((format(printf, 3, 4))) static int
s_fail(const struct s_where *w, int code, const char *fmt, ...)
{
    char msg[DS_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_diag_set_code(w->diag, code, w->file, w->line, "%s", msg);
}

/* A bad value for key k: "section.key: why", DS_ECONFIG. */
__attribute__((format(printf, 3, 4))) static int
s_bad(const struct s_where *w, const struct eng_config_key *k, const char *fmt,
      ...)
{
    char msg[DS_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return s_fail(w, DS_ECONFIG, "%s.%s: %s", k->section, k->key, msg);
}

/* s as it may appear in a one-line message: printable ASCII, shortened. */
static const char *s_show(char out[S_SHOW_MAX], struct ds_span s)
{
    size_t n = s.n < S_SHOW_MAX - 4 ? s.n : S_SHOW_MAX - 4;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    strcpy(out + n, s.n > n ? "..." : "");
    return out;
}

static bool s_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the [a-z0-9_] name at the start of s. */
static size_t s_name_len(struct ds_span s)
{
    size_t i = 0;
    while (i < s.n && ((s.p[i] >= 'a' && s.p[i] <= 'z') ||
                       (s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '_'))
        i++;
    return i;
}

static struct ds_span s_trim(struct ds_span s)
{
    while (s.n > 0 && s_blank(s.p[0]))
        s.p++, s.n--;
    while (s.n > 0 && s_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

static bool s_is_choice(const char *choices, struct ds_span v)
{
    for (const char *c = choices;; c++) {
        size_t len = strcspn(c, "|");
        if (len == v.n && memcmp(c, v.p, len) == 0)
            return true;
        if (!c[len])
            return false;
        c += len;
    }
}

static int s_set_str(char *dst, const struct eng_config_key *k,
                     struct ds_span v, const struct s_where *w)
{
    char shown[S_SHOW_MAX];
    if (k->choices && !s_is_choice(k->choices, v))
        return s_bad(w, k, "'%s' is not one of %s", s_show(shown, v),
                     k->choices);
    if (v.n > (size_t)k->max)
        return s_bad(w, k, "value too long (max %.0f bytes)", k->max);
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return s_bad(w, k, "control character in value");
    }
    memcpy(dst, v.p, v.n);
    dst[v.n] = '\0';
    return 0;
}

static int s_set_int(int64_t *dst, const struct eng_config_key *k,
                     struct ds_span v, const struct s_where *w)
{
    char tmp[ENG_CONFIG_STR_MAX], shown[S_SHOW_MAX];
    size_t sign = v.n > 0 && (v.p[0] == '+' || v.p[0] == '-');
    memcpy(tmp, v.p, v.n);
    tmp[v.n] = '\0';
    if (v.n == sign || strspn(tmp + sign, "0123456789") != v.n - sign)
        return s_bad(w, k, "'%s' is not a decimal integer", s_show(shown, v));
    errno = 0;
    long long x = strtoll(tmp, NULL, 10);
    if (errno == ERANGE || x < k->min || x > k->max)
        return s_bad(w, k, "%s is out of range %lld..%lld", s_show(shown, v),
                     (long long)k->min, (long long)k->max);
    *dst = x;
    return 0;
}

static int s_set_double(double *dst, const struct eng_config_key *k,
                        struct ds_span v, const struct s_where *w)
{
    char tmp[ENG_CONFIG_STR_MAX], shown[S_SHOW_MAX], *end;
    memcpy(tmp, v.p, v.n);
    tmp[v.n] = '\0';
    double x = strtod(tmp, &end);
    if (v.n == 0 || strspn(tmp, "0123456789+-.eE") != v.n || end != tmp + v.n)
        return s_bad(w, k, "'%s' is not a finite decimal number",
                     s_show(shown, v));
    if (!isfinite(x) || x < k->min || x > k->max)
        return s_bad(w, k, "%s is out of range %g..%g", s_show(shown, v),
                     k->min, k->max);
    *dst = x;
    return 0;
}

static int s_set_bool(bool *dst, const struct eng_config_key *k,
                      struct ds_span v, const struct s_where *w)
{
    static const char *const words[] = {"false", "true", "no", "yes",
                                        "off",   "on",   "0",  "1"};
    char shown[S_SHOW_MAX];
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (ds_span_eq(v, words[i])) {
            *dst = i % 2 == 1;
            return 0;
        }
    }
    return s_bad(w, k, "'%s' is not true/false, yes/no, on/off or 1/0",
                 s_show(shown, v));
}

/* Check v against key k and store it in cfg: the only writer of fields. */
static int s_apply(struct eng_config *cfg, const struct eng_config_key *k,
                   struct ds_span v, const struct s_where *w)
{
    void *field = (char *)cfg + k->offset;
    if (v.n > S_VALUE_MAX)
        return s_bad(w, k, "value too long (max %d bytes)", S_VALUE_MAX);
    switch (k->type) {
    case ENG_CONFIG_STR: return s_set_str(field, k, v, w);
    case ENG_CONFIG_INT: return s_set_int(field, k, v, w);
    case ENG_CONFIG_DOUBLE: return s_set_double(field, k, v, w);
    case ENG_CONFIG_BOOL: return s_set_bool(field, k, v, w);
    }
    return s_bad(w, k, "key has no type"); /* table error; not reached */
}

/* The table's name for section sec, or NULL when there is no such. */
static const char *s_find_section(struct ds_span sec)
{
    for (size_t i = 0; i < S_NKEYS; i++)
        if (ds_span_eq(sec, s_keys[i].section))
            return s_keys[i].section;
    return NULL;
}

/* Index of sec.key in s_keys, or a diagnostic naming what is unknown. */
static int s_lookup(struct ds_span sec, struct ds_span key,
                    const struct s_where *w, size_t *idx)
{
    char s1[S_SHOW_MAX], s2[S_SHOW_MAX];
    for (size_t i = 0; i < S_NKEYS; i++) {
        if (ds_span_eq(sec, s_keys[i].section) &&
            ds_span_eq(key, s_keys[i].key)) {
            *idx = i;
            return 0;
        }
    }
    if (!s_find_section(sec))
        return s_fail(w, DS_ECONFIG, "unknown section [%s]", s_show(s1, sec));
    return s_fail(w, DS_ECONFIG, "unknown key '%s' in section [%s]",
                  s_show(s1, key), s_show(s2, sec));
}

void eng_config_defaults(struct eng_config *cfg)
{
    struct s_where w = {"defaults", 0, NULL};
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < S_NKEYS; i++) {
        int rc = s_apply(cfg, &s_keys[i], ds_span_str(s_keys[i].def), &w);
        assert(rc == 0 && "bad default in the key table");
        (void)rc;
    }
}

static int s_section(struct s_parser *ps, struct ds_span line)
{
    char shown[S_SHOW_MAX];
    struct ds_span name = {line.p + 1, 0};
    name.n = s_name_len((struct ds_span){line.p + 1, line.n - 1});
    if (name.n == 0 || name.n + 2 != line.n || line.p[line.n - 1] != ']')
        return s_fail(&ps->at, DS_EPARSE,
                      "malformed section header: expected [name], name "
                      "in [a-z0-9_]");
    if (!(ps->section = s_find_section(name)))
        return s_fail(&ps->at, DS_ECONFIG, "unknown section [%s]",
                      s_show(shown, name));
    return 0;
}

/* Decode "..." (the whole of v) into ps->val. A value longer than any
 * field keeps S_VALUE_MAX + 1 bytes so s_apply() reports it too long. */
static int s_unquote(struct s_parser *ps, struct ds_span *v)
{
    size_t i = 1, o = 0;
    for (; i < v->n && v->p[i] != '"'; i++) {
        if (v->p[i] == '\\') {
            if (i + 1 == v->n || (v->p[i + 1] != '"' && v->p[i + 1] != '\\'))
                return s_fail(&ps->at, DS_EPARSE,
                              "bad escape in quoted value (only \\\" and "
                              "\\\\)");
            i++;
        }
        if (o < sizeof ps->val)
            ps->val[o++] = v->p[i];
    }
    if (i == v->n)
        return s_fail(&ps->at, DS_EPARSE, "unterminated quoted value");
    if (i + 1 != v->n)
        return s_fail(&ps->at, DS_EPARSE,
                      "unexpected text after closing quote");
    v->p = ps->val;
    v->n = o;
    return 0;
}

/* key = v in the open section: a known key, not yet set, a valid value. */
static int s_set_key(struct s_parser *ps, struct ds_span key, struct ds_span v)
{
    char shown[S_SHOW_MAX];
    size_t idx;
    if (!ps->section)
        return s_fail(&ps->at, DS_ECONFIG, "key '%s' outside any [section]",
                      s_show(shown, key));
    int rc = s_lookup(ds_span_str(ps->section), key, &ps->at, &idx);
    if (rc != 0)
        return rc;
    if (ps->seen[idx])
        return s_fail(&ps->at, DS_ECONFIG,
                      "duplicate key '%s' in section [%s] (first set on "
                      "line %d)",
                      s_keys[idx].key, ps->section, ps->seen[idx]);
    ps->seen[idx] = ps->at.line;
    return s_apply(ps->cfg, &s_keys[idx], v, &ps->at);
}

static int s_assignment(struct s_parser *ps, struct ds_span line)
{
    struct ds_span key = {line.p, s_name_len(line)}, v;
    size_t i = key.n;
    while (i < line.n && s_blank(line.p[i]))
        i++;
    if (key.n == 0 || i == line.n || line.p[i] != '=')
        return s_fail(&ps->at, DS_EPARSE,
                      "expected [section], key = value or a comment "
                      "(names in [a-z0-9_])");
    v = s_trim((struct ds_span){line.p + i + 1, line.n - i - 1});
    if (v.n > 0 && v.p[0] == '"') {
        int rc = s_unquote(ps, &v);
        if (rc != 0)
            return rc;
    }
    return s_set_key(ps, key, v);
}

static int s_line(struct s_parser *ps, struct ds_span line)
{
    if (line.n > 0 && line.p[line.n - 1] == '\r')
        line.n--;
    line = s_trim(line);
    if (line.n == 0 || line.p[0] == '#' || line.p[0] == ';')
        return 0;
    if (line.p[0] == '[')
        return s_section(ps, line);
    return s_assignment(ps, line);
}

int eng_config_parse(struct eng_config *cfg, const char *buf, size_t n,
                     const char *name, struct ds_diag *diag)
{
    struct s_parser ps = {.cfg = cfg, .at = {name, 0, diag}};
    ds_diag_clear(diag);
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(buf + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (buf + at)) : n - at;
        ps.at.line++;
        int rc = s_line(&ps, (struct ds_span){buf + at, len});
        if (rc != 0)
            return rc;
        at += len + 1;
    }
    return 0;
}

int eng_config_load(struct eng_config *cfg, const char *path,
                    struct ds_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    char *buf = ds_malloc(S_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, S_FILE_MAX + 1, f) : 0;
    int rc = !buf ? DS_ENOMEM : ferror(f) ? DS_EIO : 0, err = errno;
    fclose(f);
    if (rc == DS_EIO)
        ds_diag_set_code(diag, rc, path, 0, "%s", strerror(err));
    else if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, path, 0, "out of memory");
    else if (n > S_FILE_MAX)
        rc = ds_diag_set_code(diag, DS_ETOOBIG, path, 0,
                              "over %d bytes; not a config file?", S_FILE_MAX);
    else
        rc = eng_config_parse(cfg, buf, n, path, diag);
    ds_free(buf);
    return rc;
}

int eng_config_set(struct eng_config *cfg, const char *assignment,
                   struct ds_diag *diag)
{
    struct s_where w = {"--set", 0, diag};
    struct ds_span a = ds_span_str(assignment), sec, key;
    char shown[S_SHOW_MAX];
    size_t idx;
    ds_diag_clear(diag);
    sec = (struct ds_span){a.p, s_name_len(a)};
    key.p = sec.p + sec.n + 1;
    key.n = sec.n < a.n && sec.p[sec.n] == '.'
                ? s_name_len((struct ds_span){key.p, a.n - sec.n - 1})
                : 0;
    if (sec.n == 0 || key.n == 0 || key.p[key.n] != '=')
        return s_fail(&w, DS_EPARSE, "expected section.key=value, got '%s'",
                      s_show(shown, a));
    int rc = s_lookup(sec, key, &w, &idx);
    if (rc != 0)
        return rc;
    const char *v = key.p + key.n + 1;
    return s_apply(cfg, &s_keys[idx], ds_span_str(v), &w);
}

/* Field of key k as text the setter accepts (strings unquoted). */
static void s_format(const struct eng_config *cfg,
                     const struct eng_config_key *k, char *out, size_t cap)
{
    const void *f = (const char *)cfg + k->offset;
    if (k->type == ENG_CONFIG_BOOL)
        snprintf(out, cap, "%s", *(const bool *)f ? "true" : "false");
    else if (k->type == ENG_CONFIG_INT)
        snprintf(out, cap, "%lld", (long long)*(const int64_t *)f);
    else if (k->type == ENG_CONFIG_DOUBLE)
        snprintf(out, cap, "%.17g", *(const double *)f);
    else
        snprintf(out, cap, "%.*s", (int)strnlen(f, (size_t)k->max + 1),
                 (const char *)f);
}

int eng_config_validate(const struct eng_config *cfg, struct ds_diag *diag)
{
    struct s_where w = {"", 0, diag};
    struct eng_config scratch;
    char text[ENG_CONFIG_STR_MAX + 1];
    ds_diag_clear(diag);
    for (size_t i = 0; i < S_NKEYS; i++) {
        s_format(cfg, &s_keys[i], text, sizeof text);
        int rc = s_apply(&scratch, &s_keys[i], ds_span_str(text), &w);
        if (rc != 0)
            return rc;
    }
    if (cfg->maxsprt.delay > cfg->maxsprt.max_expected)
        return ds_diag_set_code(diag, DS_ECONFIG, "", 0,
                                "maxsprt.delay (D = %g) must not exceed "
                                "maxsprt.max_expected (T = %g)",
                                cfg->maxsprt.delay, cfg->maxsprt.max_expected);
    return 0;
}

static void s_print_section(FILE *out, size_t i)
{
    if (i == 0 || strcmp(s_keys[i].section, s_keys[i - 1].section) != 0)
        fprintf(out, "%s[%s]\n", i ? "\n" : "", s_keys[i].section);
}

static void s_print_kind(FILE *out, const struct eng_config_key *k)
{
    if (k->type == ENG_CONFIG_BOOL)
        fputs("boolean", out);
    else if (k->type == ENG_CONFIG_INT)
        fprintf(out, "integer, %lld..%lld", (long long)k->min,
                (long long)k->max);
    else if (k->type == ENG_CONFIG_DOUBLE)
        fprintf(out, "number, %g..%g", k->min, k->max);
    else if (k->choices)
        fprintf(out, "string, one of %s", k->choices);
    else
        fprintf(out, "string, up to %.0f bytes", k->max);
}

void eng_config_print_help(FILE *out)
{
    for (size_t i = 0; i < S_NKEYS; i++) {
        s_print_section(out, i);
        fprintf(out, "  %s = %s  (", s_keys[i].key, s_keys[i].def);
        s_print_kind(out, &s_keys[i]);
        fprintf(out, ")\n      %s\n", s_keys[i].desc);
    }
}

/* s in double quotes when a bare value would read back differently. */
static void s_print_str(FILE *out, const char *s)
{
    size_t n = strlen(s);
    if (n > 0 && !s_blank(s[0]) && !s_blank(s[n - 1]) && s[0] != '"') {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void eng_config_print(const struct eng_config *cfg, FILE *out)
{
    char text[ENG_CONFIG_STR_MAX + 1];
    for (size_t i = 0; i < S_NKEYS; i++) {
        s_print_section(out, i);
        s_format(cfg, &s_keys[i], text, sizeof text);
        fprintf(out, "%s = ", s_keys[i].key);
        if (s_keys[i].type == ENG_CONFIG_STR)
            s_print_str(out, text);
        else
            fputs(text, out);
        fputc('\n', out);
    }
}
