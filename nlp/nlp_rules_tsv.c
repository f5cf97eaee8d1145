/*
 * nlp_rules_tsv.c - the TSV reader of rule files: text checks, lines,
 * fields and field validators (see nlp_rules_int.h).
 *
 * The format is deliberately plain: LF line ends, TAB separators, no
 * quoting and no escapes (a field cannot hold a TAB or a newline, so none
 * is needed), `#` starts a comment line, blank lines are skipped. The
 * reader works in place: it writes a NUL over each TAB and LF of a data
 * row so fields are C strings that live as long as the file bytes.
 *
 * UTF-8 is checked strictly (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), and C0/C1 control characters, DEL and U+FEFF
 * are refused: a rule file is for people to read and diff.
 *
 * Not here: what the columns mean (nlp_rules_rows.c), file I/O.
 */
#include "nlp_rules_int.h"

#include "devsurv/ds_err.h"
#include "devsurv/ds_utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Licences a rule row may carry (DESIGN.md 6, reference/nlp.md 7.2). */
static const char *const s_licences[] = {
    "public-domain", "CC0-1.0", "CC-BY-4.0",   "IMDRF",
    "Apache-2.0",    "MIT",     "project-own",
};
#define S_NLICENCES (int)(sizeof s_licences / sizeof s_licences[0])

/* ---- text ---- */

static int s_text_fail(const char *name, int line, size_t col, const char *what,
                       unsigned cp, struct ds_diag *diag)
{
    return ds_diag_set_code(diag, DS_EPARSE, name, line,
                            "%s (U+%04X) at column %zu", what, cp, col);
}

int nlp_tsv_check_text(const char *name, const char *p, size_t n,
                       struct ds_diag *diag)
{
    const unsigned char *u = (const unsigned char *)p;
    int line = 1;
    size_t bol = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = u[i];
        size_t len = 1;
        if (cp == '\n') {
            line++;
            bol = ++i;
            continue;
        }
        if (cp >= 0x80 && (len = ds_utf8_decode(u + i, n - i, &cp)) == 0)
            return ds_diag_set_code(diag, DS_EPARSE, name, line,
                                    "invalid UTF-8 at column %zu", i - bol + 1);
        if (cp == '\r')
            return s_text_fail(name, line, i - bol + 1,
                               "carriage return (CRLF line ends?)", cp, diag);
        if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F))
            return s_text_fail(name, line, i - bol + 1, "control character", cp,
                               diag);
        if (cp == 0xFEFF)
            return s_text_fail(name, line, i - bol + 1, "byte-order mark", cp,
                               diag);
        i += len;
    }
    return 0;
}

/* ---- lines and fields ---- */

void nlp_tsv_init(struct nlp_tsv *t, const char *name, char *p, size_t n)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->p = p;
    t->n = n;
}

/* Next line (any kind) into *s, NUL-terminated in place; false at the end.
 * Sets t->line. */
static bool s_line(struct nlp_tsv *t, char **s)
{
    if (t->off >= t->n)
        return false;
    char *start = t->p + t->off;
    char *nl = memchr(start, '\n', t->n - t->off);
    size_t len = nl ? (size_t)(nl - start) : t->n - t->off;
    start[len] = '\0';
    t->off += len + 1;
    t->line++;
    *s = start;
    return true;
}

int nlp_tsv_fail(const struct nlp_tsv *t, struct ds_diag *diag, const char *fmt,
                 ...)
{
    char msg[DS_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_diag_set_code(diag, DS_EPARSE, t->name, t->line > 0 ? t->line : 1,
                            "%s", msg);
}

/* Split s at TABs into at most max fields; returns the count (max + 1 when
 * there are more). */
static int s_split(char *s, char **field, int max)
{
    int n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        field[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            return n;
        *tab = '\0';
        s = tab + 1;
    }
}

/* "# source:" / "# licence:" after '#' and spaces. */
static bool s_is_key(const char *line, const char *key)
{
    line++;
    while (*line == ' ')
        line++;
    return strncmp(line, key, strlen(key)) == 0;
}

static int s_header_row(struct nlp_tsv *t, char *s, struct ds_diag *diag)
{
    char *got[NLP_TSV_COLS_MAX];
    int n = s_split(s, got, NLP_TSV_COLS_MAX);
    for (int i = 0; i < n && i < t->ncols; i++)
        if (strcmp(got[i], t->cols[i]) != 0)
            return nlp_tsv_fail(t, diag,
                                "header column %d is '%.40s', expected '%s'",
                                i + 1, got[i], t->cols[i]);
    if (n != t->ncols)
        return nlp_tsv_fail(t, diag, "header has %s%d columns, expected %d",
                            n > NLP_TSV_COLS_MAX ? "more than " : "",
                            n > NLP_TSV_COLS_MAX ? NLP_TSV_COLS_MAX : n,
                            t->ncols);
    return 0;
}

int nlp_tsv_header(struct nlp_tsv *t, const char *const *cols, int ncols,
                   uint32_t optional, struct ds_diag *diag)
{
    bool source = false, licence = false;
    char *s;
    t->cols = cols;
    t->ncols = ncols;
    t->optional = optional;
    while (s_line(t, &s)) {
        if (s[0] == '#') {
            source = source || s_is_key(s, "source:");
            licence = licence || s_is_key(s, "licence:");
        } else if (s[0] != '\0') {
            if (!source || !licence)
                return nlp_tsv_fail(t, diag,
                                    "no '# %s' provenance line before the "
                                    "header row",
                                    source ? "licence:" : "source:");
            return s_header_row(t, s, diag);
        }
    }
    t->line++;
    return nlp_tsv_fail(t, diag, "no header row");
}

static int s_check_fields(struct nlp_tsv *t, struct ds_diag *diag)
{
    for (int i = 0; i < t->ncols; i++) {
        const char *f = t->field[i];
        size_t len = strlen(f);
        if (len == 0 && !(t->optional & (1u << i)))
            return nlp_tsv_fail(t, diag, "empty '%s'", t->cols[i]);
        if (len > NLP_TSV_FIELD_MAX)
            return nlp_tsv_fail(t, diag, "'%s' longer than %d bytes",
                                t->cols[i], NLP_TSV_FIELD_MAX);
        if (len > 0 && (f[0] == ' ' || f[len - 1] == ' '))
            return nlp_tsv_fail(t, diag,
                                "'%s' has a leading or trailing "
                                "space",
                                t->cols[i]);
    }
    return 0;
}

int nlp_tsv_row(struct nlp_tsv *t, struct ds_diag *diag)
{
    char *s;
    while (s_line(t, &s)) {
        if (s[0] == '#' || s[0] == '\0')
            continue;
        int n = s_split(s, t->field, t->ncols);
        if (n != t->ncols)
            return nlp_tsv_fail(t, diag, "%s fields, expected %d",
                                n > t->ncols ? "too many" : "too few",
                                t->ncols);
        int rc = s_check_fields(t, diag);
        return rc != 0 ? rc : 1;
    }
    return 0;
}

/* ---- field checks ---- */

int nlp_tsv_enum(const struct nlp_tsv *t, struct ds_diag *diag, int col,
                 const char *const *names, int count, int *out)
{
    for (int i = 0; i < count; i++)
        if (names[i] && strcmp(t->field[col], names[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; i < count && used < sizeof list; i++)
        if (names[i])
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     used ? "|" : "", names[i]);
    return nlp_tsv_fail(t, diag, "%s '%.40s' is not one of %s", t->cols[col],
                        t->field[col], list);
}

int nlp_tsv_int(const struct nlp_tsv *t, struct ds_diag *diag, int col, int lo,
                int hi, int *out)
{
    const char *f = t->field[col];
    long v = 0;
    size_t i = 0;
    for (; f[i] >= '0' && f[i] <= '9' && i < 6; i++)
        v = v * 10 + (f[i] - '0');
    if (i == 0 || f[i] != '\0' || v < lo || v > hi)
        return nlp_tsv_fail(t, diag, "%s '%.40s' is not an integer in %d..%d",
                            t->cols[col], f, lo, hi);
    *out = (int)v;
    return 0;
}

static bool s_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
           c == '-';
}

int nlp_tsv_id(const struct nlp_tsv *t, struct ds_diag *diag, int col)
{
    const char *f = t->field[col];
    size_t i = 0;
    while (f[i] && s_id_char(f[i]))
        i++;
    if (f[i] != '\0' || i > NLP_RULES_ID_MAX || !s_id_char(f[0]) ||
        f[0] == '.' || f[0] == '-' || f[0] == '_' || f[0] == ':')
        return nlp_tsv_fail(t, diag,
                            "%s '%.40s' is not 1-%d of [A-Za-z0-9._:-] "
                            "starting with a letter or digit",
                            t->cols[col], f, NLP_RULES_ID_MAX);
    return 0;
}

int nlp_tsv_licence(const struct nlp_tsv *t, struct ds_diag *diag, int col)
{
    int which;
    if (nlp_tsv_enum(t, NULL, col, s_licences, S_NLICENCES, &which) == 0)
        return 0;
    return nlp_tsv_fail(t, diag,
                        "licence '%.40s' is not on the allow-list "
                        "(public-domain, CC0-1.0, CC-BY-4.0, IMDRF, "
                        "Apache-2.0, MIT, project-own)",
                        t->field[col]);
}

int nlp_tsv_phrase(const struct nlp_tsv *t, struct ds_diag *diag, int col,
                   bool upper)
{
    const char *f = t->field[col];
    size_t len = strlen(f);
    if (len > NLP_RULES_TERM_MAX)
        return nlp_tsv_fail(t, diag, "%s longer than %d bytes", t->cols[col],
                            NLP_RULES_TERM_MAX);
    if (strstr(f, "  "))
        return nlp_tsv_fail(t, diag, "%s '%.60s' has a double space",
                            t->cols[col], f);
    char lo = upper ? 'a' : 'A', hi = upper ? 'z' : 'Z';
    for (size_t i = 0; i < len; i++)
        if (f[i] >= lo && f[i] <= hi)
            return nlp_tsv_fail(t, diag, "%s '%.60s' is not in %s case",
                                t->cols[col], f, upper ? "upper" : "lower");
    return 0;
}
