/*
 * eng_maude_rows.c - physical lines of an FDA pipe-delimited file, split
 * into trimmed fields (eng_maude_impl.h).
 *
 * FDA writes these files without quoting or escaping, so a line is a
 * record and quotes never span fields; that is why this is not the quoted
 * TSV reader (eng_tsv.h), whose RFC 4180 quotes may run across lines and
 * would swallow every record after a narrative's stray '"'. Lines only
 * resynchronise on LF, so a line that is too long is skipped to its end
 * and reading goes on.
 *
 * The buffer holds the unread bytes; a line that runs past them is read
 * again after compacting and, when the line fills the buffer, doubling it.
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_maude.h"

#include <string.h>

#define S_CHUNK (64u << 10)

void eng_maude_rows_init(struct eng_maude_rows *r, FILE *f, const char *name)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->name = name ? name : "";
    r->eof = f == NULL;
}

void eng_maude_rows_clear(struct eng_maude_rows *r)
{
    ds_free(r->buf);
    ds_free(r->fields);
    memset(r, 0, sizeof *r);
}

/* Keep the unread bytes, make room (doubling when full), read more. */
static int s_fill(struct eng_maude_rows *r, struct ds_diag *diag)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->n - r->pos);
        r->n -= r->pos;
        r->pos = 0;
    }
    if (r->n == r->cap) {
        size_t c = r->cap ? r->cap * 2 : S_CHUNK;
        char *p = ds_realloc(r->buf, c + 1);
        if (!p)
            return ds_diag_set_code(diag, DS_ENOMEM, r->name, (int)r->line,
                                    "out of memory");
        r->buf = p;
        r->cap = c;
    }
    size_t want = r->cap - r->n, got = fread(r->buf + r->n, 1, want, r->f);
    r->n += got;
    if (got < want && ferror(r->f))
        return ds_diag_set_code(diag, DS_EIO, r->name, (int)r->line + 1,
                                "read error");
    r->eof = got < want;
    return 0;
}

/* Drop the bytes up to and including the next LF (a line too long). */
static int s_skip_line(struct eng_maude_rows *r, struct ds_diag *diag)
{
    for (;;) {
        char *nl = memchr(r->buf + r->pos, '\n', r->n - r->pos);
        if (nl) {
            r->pos = (size_t)(nl - r->buf) + 1;
            return 0;
        }
        r->pos = r->n;
        if (r->eof)
            return 0;
        int rc = s_fill(r, diag);
        if (rc != 0)
            return rc;
    }
}

static int s_too_long(struct eng_maude_rows *r, struct ds_diag *diag)
{
    int rc = s_skip_line(r, diag);
    if (rc != 0)
        return rc;
    return ds_diag_set_code(diag, DS_ETOOBIG, r->name, (int)r->line,
                            "line over %u bytes skipped", ENG_MAUDE_LINE_MAX);
}

/* Make the current line of r->buf[from..end) the line returned. */
static void s_take(struct eng_maude_rows *r, size_t from, size_t end)
{
    size_t e = end;
    if (e > from && r->buf[e - 1] == '\r')
        e--;
    r->cur = r->buf + from;
    r->len = e - from;
    r->cur[r->len] = '\0';
    if (r->line == 1 && r->len >= 3 && memcmp(r->cur, "\xEF\xBB\xBF", 3) == 0)
        r->cur += 3, r->len -= 3;
}

int eng_maude_rows_next(struct eng_maude_rows *r, struct ds_diag *diag)
{
    for (;;) {
        char *nl =
            r->n > r->pos ? memchr(r->buf + r->pos, '\n', r->n - r->pos) : NULL;
        if (nl || (r->eof && r->pos < r->n)) {
            size_t from = r->pos, end = nl ? (size_t)(nl - r->buf) : r->n;
            r->line++;
            r->pos = nl ? end + 1 : end;
            s_take(r, from, end);
            return 1;
        }
        if (r->eof)
            return 0;
        if (r->n - r->pos >= ENG_MAUDE_LINE_MAX) {
            r->line++;
            return s_too_long(r, diag);
        }
        int rc = s_fill(r, diag);
        if (rc != 0)
            return rc;
    }
}

static bool s_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim, then unwrap "..." whose inside has only doubled quotes. */
static struct ds_span s_clean(char *p, size_t n)
{
    while (n > 0 && s_blank(p[0]))
        p++, n--;
    while (n > 0 && s_blank(p[n - 1]))
        n--;
    if (n < 2 || p[0] != '"' || p[n - 1] != '"')
        return (struct ds_span){p, n};
    for (size_t i = 1; i + 1 < n; i++)
        if (p[i] == '"' && (i + 2 >= n || p[++i] != '"'))
            return (struct ds_span){p, n};
    size_t k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        p[k++] = p[i];
        i += p[i] == '"';
    }
    return (struct ds_span){p, k};
}

int eng_maude_rows_split(struct eng_maude_rows *r, size_t max)
{
    char *p = r->cur, *end = r->cur + r->len;
    r->nf = 0;
    for (;;) {
        char *bar = r->nf + 1 < max ? memchr(p, '|', (size_t)(end - p)) : NULL;
        char *e = bar ? bar : end;
        if (ds_grow((void **)&r->fields, &r->capf, r->nf + 1,
                    sizeof *r->fields))
            return DS_ENOMEM;
        r->fields[r->nf++] = s_clean(p, (size_t)(e - p));
        if (!bar)
            return 0;
        p = bar + 1;
    }
}

struct ds_span eng_maude_rows_field(const struct eng_maude_rows *r, long col)
{
    if (col < 0 || (size_t)col >= r->nf)
        return (struct ds_span){NULL, 0};
    return r->fields[col];
}

static char s_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* h equals the name names[0..n) ignoring case. */
static bool s_name_eq(struct ds_span h, const char *name, size_t n)
{
    if (h.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s_lower(h.p[i]) != s_lower(name[i]))
            return false;
    return true;
}

long eng_maude_col(const struct ds_span *hdr, size_t n, const char *names)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = names;
        for (;;) {
            const char *bar = strchr(s, '|');
            size_t len = bar ? (size_t)(bar - s) : strlen(s);
            if (s_name_eq(hdr[i], s, len))
                return (long)i;
            if (!bar)
                break;
            s = bar + 1;
        }
    }
    return -1;
}
