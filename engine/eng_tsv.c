/*
 * eng_tsv.c - tab-separated records with CSV-style quoting (eng_tsv.h).
 *
 * One record is parsed from the start of the unread bytes into field
 * offsets (relative to the record, or into the unescape buffer); only when
 * it is complete are the offsets turned into spans, so growing a buffer
 * mid-record never leaves a dangling pointer. Over a FILE*, a record that
 * runs past the buffered bytes is parsed again after a refill; the buffer
 * doubles when the record fills it, so a record is re-parsed at most
 * log2(size / 64 KiB) times.
 */
#include "devsurv/eng_tsv.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdbool.h>
#include <string.h>

#define S_CHUNK  (64u << 10) /* first FILE* buffer size */
#define S_NEED   1           /* s_field: more bytes are needed */
#define S_RECEND 2           /* s_field: the field ended its record */

struct s_field {
    size_t off, len; /* into the record, or into esc when esc is set */
    bool esc;
};

struct eng_tsv {
    const char *name;
    FILE *f;         /* NULL for a buffer reader */
    const char *in;  /* the bytes: the caller's buffer, or buf */
    size_t n, pos;   /* valid bytes in in; start of the next record */
    bool eof;        /* no byte will follow in[n - 1] */
    char *buf;       /* FILE* reader: buffered input */
    size_t cap;      /* bytes allocated in buf */
    size_t line;     /* line of in[pos] */
    size_t rec_line; /* line of the record last returned */
    size_t nl;       /* newlines in the record being parsed */
    char *esc;       /* unescaped quoted fields of the record */
    size_t nesc, capesc;
    struct s_field *raw;
    size_t nraw, capraw;
    struct ds_span *out;
    size_t capout;
    int err; /* sticky error, 0 when none */
    struct ds_diag err_diag;
};

static eng_tsv_t *s_new(const char *name)
{
    eng_tsv_t *t = ds_calloc(1, sizeof *t);
    if (t) {
        t->name = name ? name : "";
        t->line = 1;
    }
    return t;
}

eng_tsv_t *eng_tsv_new_buffer(const char *name, const void *buf, size_t n)
{
    eng_tsv_t *t = s_new(name);
    if (t) {
        t->in = buf;
        t->n = buf ? n : 0;
        t->eof = true;
    }
    return t;
}

eng_tsv_t *eng_tsv_new_file(const char *name, FILE *f)
{
    eng_tsv_t *t = s_new(name);
    if (t)
        t->f = f;
    return t;
}

void eng_tsv_destroy(eng_tsv_t **self_p)
{
    eng_tsv_t *t = self_p ? *self_p : NULL;
    if (!t)
        return;
    ds_free(t->buf);
    ds_free(t->esc);
    ds_free(t->raw);
    ds_free(t->out);
    ds_free(t);
    *self_p = NULL;
}

size_t eng_tsv_line(const eng_tsv_t *self)
{
    return self->rec_line;
}

long eng_tsv_find(const struct ds_span *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (ds_span_eq(fields[i], name))
            return (long)i;
    return -1;
}

/* Grow *v (elements of sz bytes) to hold need; 0 or DS_ENOMEM. */
static size_t s_count_nl(const char *p, size_t n)
{
    size_t k = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p)));)
        k++, p++;
    return k;
}

static int s_push(eng_tsv_t *t, size_t off, size_t len, bool esc,
                  struct ds_diag *diag)
{
    if (t->nraw == ENG_TSV_FIELDS_MAX)
        return ds_diag_set_code(
            diag, DS_ETOOBIG, t->name, (int)(t->line + t->nl),
            "more than %u fields in a record", ENG_TSV_FIELDS_MAX);
    if (ds_grow((void **)&t->raw, &t->capraw, t->nraw + 1, sizeof *t->raw))
        return DS_ENOMEM;
    t->raw[t->nraw++] = (struct s_field){off, len, esc};
    return 0;
}

static int s_unescape(eng_tsv_t *t, const char *p, size_t n)
{
    if (ds_grow((void **)&t->esc, &t->capesc, t->nesc + n, 1))
        return DS_ENOMEM;
    memcpy(t->esc + t->nesc, p, n);
    t->nesc += n;
    return 0;
}

/* What follows the closing quote at q: S_RECEND, 0 (a TAB), S_NEED or a
 * parse error. *d gets the delimiter's index. */
static int s_after_quote(eng_tsv_t *t, size_t q, size_t *d,
                         struct ds_diag *diag)
{
    size_t i = q + 1;
    *d = i;
    if (i == t->n)
        return t->eof ? S_RECEND : S_NEED;
    if (t->in[i] == '\t')
        return 0;
    if (t->in[i] == '\n')
        return S_RECEND;
    if (t->in[i] == '\r' && i + 1 == t->n && !t->eof)
        return S_NEED;
    if (t->in[i] == '\r' && (i + 1 == t->n || t->in[i + 1] == '\n')) {
        *d = i + 1;
        return S_RECEND;
    }
    return ds_diag_set_code(diag, DS_EPARSE, t->name, (int)(t->line + t->nl),
                            "byte 0x%02x after a closing quote (expected "
                            "TAB or end of line)",
                            (unsigned char)t->in[i]);
}

/* The quoted field whose '"' is at in[b]; *d gets the delimiter index. */
static int s_quoted(eng_tsv_t *t, size_t b, size_t *d, struct ds_diag *diag)
{
    size_t open_line = t->line + t->nl, k = b + 1, seg = k, start = 0;
    bool esc = false;
    for (;;) {
        const char *q = memchr(t->in + k, '"', t->n - k);
        if (!q && !t->eof)
            return S_NEED;
        if (!q)
            return ds_diag_set_code(diag, DS_EPARSE, t->name, (int)open_line,
                                    "quoted field never closed");
        size_t i = (size_t)(q - t->in);
        t->nl += s_count_nl(t->in + k, i - k);
        if (i + 1 == t->n && !t->eof)
            return S_NEED;
        if (i + 1 < t->n && t->in[i + 1] == '"') {
            if (!esc)
                start = t->nesc;
            esc = true;
            if (s_unescape(t, t->in + seg, i + 1 - seg))
                return DS_ENOMEM;
            k = seg = i + 2;
            continue;
        }
        if (esc && s_unescape(t, t->in + seg, i - seg))
            return DS_ENOMEM;
        int rc = esc ? s_push(t, start, t->nesc - start, true, diag)
                     : s_push(t, seg - t->pos, i - seg, false, diag);
        return rc ? rc : s_after_quote(t, i, d, diag);
    }
}

/* The unquoted field at in[b]; *d gets the delimiter index. */
static int s_plain(eng_tsv_t *t, size_t b, size_t *d, struct ds_diag *diag)
{
    size_t i = b;
    while (i < t->n && t->in[i] != '\t' && t->in[i] != '\n')
        i++;
    if (i == t->n && !t->eof)
        return S_NEED;
    *d = i;
    bool end = i == t->n || t->in[i] == '\n';
    size_t e = end && i > b && t->in[i - 1] == '\r' ? i - 1 : i;
    int rc = s_push(t, b - t->pos, e - b, false, diag);
    return rc ? rc : end ? S_RECEND : 0;
}

/* Parse the record at pos: S_RECEND with *next set, S_NEED, or an error. */
static int s_record(eng_tsv_t *t, size_t *next, struct ds_diag *diag)
{
    size_t i = t->pos, d = i;
    t->nraw = t->nesc = t->nl = 0;
    for (;;) {
        int rc = i < t->n && t->in[i] == '"' ? s_quoted(t, i, &d, diag)
                                             : s_plain(t, i, &d, diag);
        if (rc < 0 || rc == S_NEED)
            return rc;
        if (rc == S_RECEND) {
            t->nl += d < t->n;
            *next = d < t->n ? d + 1 : d;
            return S_RECEND;
        }
        i = d + 1;
    }
}

/* Keep the unread bytes, make room, read more; 0 or an error. */
static int s_fill(eng_tsv_t *t, struct ds_diag *diag)
{
    if (t->pos > 0) {
        memmove(t->buf, t->buf + t->pos, t->n - t->pos);
        t->n -= t->pos;
        t->pos = 0;
    }
    if (t->n == t->cap) {
        if (t->cap >= ENG_TSV_RECORD_MAX)
            return ds_diag_set_code(diag, DS_ETOOBIG, t->name, (int)t->line,
                                    "record over %u bytes", ENG_TSV_RECORD_MAX);
        size_t c = t->cap ? t->cap * 2 : S_CHUNK;
        char *p = ds_realloc(t->buf, c);
        if (!p)
            return DS_ENOMEM;
        t->buf = p;
        t->cap = c;
    }
    t->in = t->buf;
    size_t want = t->cap - t->n, got = fread(t->buf + t->n, 1, want, t->f);
    t->n += got;
    if (got < want && ferror(t->f))
        return ds_diag_set_code(diag, DS_EIO, t->name, (int)t->line,
                                "read error");
    t->eof = got < want;
    return 0;
}

static void s_spans(eng_tsv_t *t)
{
    for (size_t k = 0; k < t->nraw; k++) {
        const struct s_field *r = &t->raw[k];
        t->out[k].p = r->esc ? t->esc + r->off : t->in + t->pos + r->off;
        t->out[k].n = r->len;
    }
}

static int s_fail(eng_tsv_t *t, int rc, struct ds_diag *diag)
{
    if (rc == DS_ENOMEM)
        ds_diag_set_code(&t->err_diag, rc, t->name, (int)t->line,
                         "out of memory");
    t->err = rc;
    if (diag)
        *diag = t->err_diag;
    return rc;
}

int eng_tsv_next(eng_tsv_t *self, const struct ds_span **fields,
                 size_t *nfields, struct ds_diag *diag)
{
    eng_tsv_t *t = self;
    size_t next = 0;
    int rc = 0;
    if (t->err)
        return s_fail(t, t->err, diag);
    for (;;) {
        if (t->pos == t->n && t->eof)
            return 0;
        rc = s_record(t, &next, &t->err_diag);
        if (rc < 0 || rc == S_RECEND)
            break;
        if ((rc = s_fill(t, &t->err_diag)) != 0)
            break;
    }
    if (rc < 0 || (rc = ds_grow((void **)&t->out, &t->capout, t->nraw,
                                sizeof *t->out)) != 0)
        return s_fail(t, rc, diag);
    s_spans(t);
    t->rec_line = t->line;
    t->line += t->nl;
    t->pos = next;
    *fields = t->out;
    *nfields = t->nraw;
    return 1;
}
