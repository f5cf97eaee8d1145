/*
 * eng_ebgm_csv.c - the "N,E" table reader for the EBGM fit (format in
 * eng_ebgm.h).
 *
 * A parser of untrusted text: it works on (pointer, length) spans, never
 * reads past len, copies a number into a bounded NUL-terminated buffer
 * only after its syntax has been checked (so strtod() sees no "inf",
 * "nan", hex or locale surprises), and names the line of the first
 * problem. Not here: quoting, other columns, other separators.
 */
#include "devsurv/ds_err.h"
#include "devsurv/ds_span.h"
#include "devsurv/eng_ebgm.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_FIELD_MAX 64 /* longest number accepted, in bytes */
#define S_N_DIGITS  15 /* N below 10^15: exact in a double */

static struct ds_span s_trim(struct ds_span s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' ||
                   s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

/* Split line at the first comma: *first before it, rest after it. false
 * when there is none. */
static bool s_split(struct ds_span line, struct ds_span *first,
                    struct ds_span *rest)
{
    const char *comma = memchr(line.p, ',', line.n);
    if (!comma)
        return false;
    *first = s_trim((struct ds_span){line.p, (size_t)(comma - line.p)});
    *rest = (struct ds_span){comma + 1, line.n - (size_t)(comma + 1 - line.p)};
    return true;
}

static bool s_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Skip digits from *i; how many there were. */
static size_t s_digits(struct ds_span s, size_t *i)
{
    size_t start = *i;
    while (*i < s.n && s_digit(s.p[*i]))
        (*i)++;
    return *i - start;
}

/* [+-] digits [. digits] [(e|E) [+-] digits], at least one mantissa digit */
static bool s_decimal_syntax(struct ds_span s)
{
    size_t i = 0, mant;
    if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
        i++;
    mant = s_digits(s, &i);
    if (i < s.n && s.p[i] == '.') {
        i++;
        mant += s_digits(s, &i);
    }
    if (mant == 0)
        return false;
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        i++;
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
            i++;
        if (s_digits(s, &i) == 0)
            return false;
    }
    return i == s.n;
}

static bool s_parse_n(struct ds_span s, double *out)
{
    size_t i = 0;
    if (s.n == 0 || s.n > S_N_DIGITS || s_digits(s, &i) != s.n)
        return false;
    double v = 0;
    for (i = 0; i < s.n; i++)
        v = v * 10 + (s.p[i] - '0');
    *out = v;
    return true;
}

static bool s_parse_e(struct ds_span s, double *out)
{
    char buf[S_FIELD_MAX + 1];
    if (s.n == 0 || s.n > S_FIELD_MAX || !s_decimal_syntax(s))
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    *out = strtod(buf, NULL); /* underflow gives 0 or a subnormal: fine */
    return isfinite(*out);
}

static bool s_is_header(struct ds_span line)
{
    struct ds_span n, e;
    if (line.n >= 3 && memcmp(line.p, "\xEF\xBB\xBF", 3) == 0) {
        line.p += 3; /* UTF-8 byte order mark */
        line.n -= 3;
    }
    if (!s_split(line, &n, &e))
        return false;
    e = s_trim(e);
    return n.n == 1 && e.n == 1 && (n.p[0] == 'N' || n.p[0] == 'n') &&
           (e.p[0] == 'E' || e.p[0] == 'e');
}

static int s_bad(const char **why, const char *msg, int code)
{
    *why = msg;
    return code;
}

/* One data line: appended to t, or a DS_* code with *why set. */
static int s_cell(struct eng_ebgm_table *t, struct ds_span line,
                  const char **why)
{
    struct ds_span fn, fe, extra;
    double n, e;
    if (!s_split(line, &fn, &fe) || s_split(fe, &fe, &extra))
        return s_bad(why, "expected two fields, \"N,E\"", DS_EPARSE);
    if (!s_parse_n(fn, &n))
        return s_bad(why, "N must be a whole number (at most 15 digits)",
                     DS_EPARSE);
    if (!s_parse_e(s_trim(fe), &e))
        return s_bad(why, "E must be a finite decimal number", DS_EPARSE);
    if (!(e > 0))
        return s_bad(why, "E must be > 0", DS_EPARSE);
    if (t->count >= ENG_EBGM_CSV_MAX_CELLS)
        return s_bad(why, "too many cells", DS_ETOOBIG);
    return s_bad(why, "out of memory", eng_ebgm_table_add(t, n, e));
}

/* The line starting at *pos, trimmed, without its newline; advances *pos
 * past the newline. */
static struct ds_span s_next_line(const char *buf, size_t len, size_t *pos)
{
    const char *nl = memchr(buf + *pos, '\n', len - *pos);
    size_t end = nl ? (size_t)(nl - buf) : len;
    struct ds_span l = {buf + *pos, end - *pos};
    *pos = end + 1;
    return s_trim(l);
}

int eng_ebgm_csv_parse(const char *buf, size_t len, const char *name,
                       struct eng_ebgm_table *t, struct ds_diag *diag)
{
    bool header = false;
    long line = 0;
    ds_diag_clear(diag);
    for (size_t pos = 0; pos < len;) {
        struct ds_span l = s_next_line(buf, len, &pos);
        const char *why;
        if (++line > INT_MAX)
            return ds_diag_set_code(diag, DS_ETOOBIG, name, 0,
                                    "too many lines");
        if (l.n == 0)
            continue;
        if (!header) {
            if (!s_is_header(l))
                return ds_diag_set_code(diag, DS_EPARSE, name, (int)line,
                                        "expected the header \"N,E\"");
            header = true;
            continue;
        }
        int rc = s_cell(t, l, &why);
        if (rc != 0)
            return ds_diag_set_code(diag, rc, name, (int)line, "%s", why);
    }
    return header ? 0
                  : ds_diag_set_code(diag, DS_EPARSE, name, 0,
                                     "no header \"N,E\": empty input");
}
