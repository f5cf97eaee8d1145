/*
 * eng_cmd_eval_maude_foi.c - the FDA Product Classification table
 * (foiclass.txt, eval/fda/README.md) as `devsurv eval-maude` needs it:
 * device name -> product codes and their regulation numbers.
 *
 * The file is pipe-delimited with a header row, CRLF, Latin-1 (its few
 * Windows-1252 quote and dash bytes are outside DEVICENAME). A field may
 * hold a line break (eval/fda/README.md counts one DEFINITION that does),
 * so a record ends at the first LF after as many fields as the header has;
 * a record with more or fewer is malformed. Names are keyed with
 * eng_evm_key() after Latin-1 -> UTF-8, so they compare with MAUDE's UTF-8
 * DEVICE values; one name may have several codes (3 in the 2019 table).
 *
 * Not here: the other columns (device class, panel, flags are in the rule
 * tree's concepts/device_class.tsv), name variants for matching text.
 */
#include "devsurv/ds_alloc.h"
#include "eng_cmd_eval_maude_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define S_FOI_MAX  (64u << 20) /* largest foiclass file read */
#define S_FOI_COLS 256         /* most foiclass columns accepted */

size_t eng_evm_key(const char *in, size_t n, char *out)
{
    size_t k = 0;
    bool gap = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i], d = i + 1 < n ? in[i + 1] : 0;
        if (isspace(c)) {
            gap = k > 0;
            continue;
        }
        if (gap && c != ',' && out[k - 1] != ',')
            out[k++] = ' ';
        gap = false;
        out[k++] = (char)toupper(c);
        if (c == 0xc3 && d >= 0xa0 && d <= 0xbe && d != 0xb7)
            out[k++] = (char)(d - 0x20), i++;
    }
    return k;
}

/* Latin-1 s as UTF-8 at out (room for 2 bytes per byte); the length. */
static size_t s_latin1(const char *s, char *out)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            out[k++] = (char)(0xc0 | *p >> 6);
            out[k++] = (char)(0x80 | (*p & 0x3f));
        } else {
            out[k++] = (char)*p;
        }
    }
    return k;
}

static int s_keycmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

static int s_class_cmp(const void *a, const void *b)
{
    const struct eng_evm_class *x = a, *y = b;
    int c = s_keycmp(x->key, x->nkey, y->key, y->nkey);
    return c ? c : strcmp(x->code, y->code);
}

/* All of path into *buf (NUL-terminated); *n bytes. 0 or an exit code. */
static int s_slurp(const char *path, char **buf, size_t *n)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 0, got = 1;
    int rc = 0;
    if (!f)
        return eng_evm_bad(EX_NOINPUT, path, 0, "%s", strerror(errno));
    for (*n = 0; rc == 0 && got > 0;) {
        if (*n + 1 >= cap && cap >= S_FOI_MAX)
            rc = eng_evm_bad(EX_DATAERR, path, 0, "over %u bytes", S_FOI_MAX);
        else if (eng_evm_grow((void **)buf, &cap, *n + 2, 1))
            rc = eng_evm_bad(EX_OSERR, path, 0, "out of memory");
        else
            *n += got = fread(*buf + *n, 1, cap - *n - 1, f);
    }
    if (rc == 0 && ferror(f))
        rc = eng_evm_bad(EX_IOERR, path, 0, "read error");
    fclose(f);
    if (rc == 0)
        (*buf)[*n] = '\0';
    return rc;
}

/* Cut the record at *pos into fld[0..ncols) (NUL-terminated in place):
 * '|' between fields, and a LF once ncols fields are seen, so a LF inside
 * a field is data. Returns the fields found; *lines += LFs consumed. */
static size_t s_foi_split(char *b, size_t n, size_t *pos, char **fld,
                          size_t ncols, size_t *lines)
{
    size_t k = 1, i = *pos;
    fld[0] = b + i;
    for (; i < n && !(b[i] == '\n' && k >= ncols); i++) {
        *lines += b[i] == '\n';
        if (b[i] != '|')
            continue;
        b[i] = '\0';
        if (k < ncols)
            fld[k] = b + i + 1;
        k++;
    }
    if (i > *pos && b[i - 1] == '\r')
        b[i - 1] = '\0';
    if (i < n) {
        b[i] = '\0';
        ++*lines;
    }
    *pos = i < n ? i + 1 : n;
    return k;
}

/* Column indexes of the header (the first line) into col: code, name,
 * regulation; *pos moves past it. 0 with *ncols set, or an exit code. */
static int s_foi_header(char *b, size_t n, size_t *pos, size_t *ncols,
                        long col[3], const char *path)
{
    static const char *const want[] = {"PRODUCTCODE", "DEVICENAME",
                                       "REGULATIONNUMBER"};
    char *e = memchr(b, '\n', n);
    *pos = e ? (size_t)(e - b) + 1 : n;
    if (e)
        *e = '\0';
    if (e && e > b && e[-1] == '\r')
        e[-1] = '\0';
    col[0] = col[1] = col[2] = -1;
    *ncols = 0;
    for (char *p = b, *bar; p; p = bar ? bar + 1 : NULL, ++*ncols) {
        if ((bar = strchr(p, '|')) != NULL)
            *bar = '\0';
        for (int j = 0; j < 3; j++)
            if (col[j] < 0 && strcmp(p, want[j]) == 0)
                col[j] = (long)*ncols;
    }
    for (int j = 0; j < 3; j++)
        if (col[j] < 0)
            return eng_evm_bad(EX_DATAERR, path, 1,
                               "no %s column in the header", want[j]);
    if (*ncols > S_FOI_COLS)
        return eng_evm_bad(EX_DATAERR, path, 1, "more than %d columns",
                           S_FOI_COLS);
    return 0;
}

/* Append one record's class; 0 or an exit code. */
static int s_foi_add(struct eng_evm_foi *f, char **fld, const long col[3],
                     const char *path)
{
    if (eng_evm_grow((void **)&f->v, &f->cap, f->n + 1, sizeof *f->v))
        return eng_evm_bad(EX_OSERR, path, 0, "out of memory");
    char *k = f->keys + f->nkeys;
    size_t nk = eng_evm_key(k, s_latin1(fld[col[1]], k), k);
    f->v[f->n++] =
        (struct eng_evm_class){k, nk, fld[col[0]], fld[col[2]], false};
    f->nkeys += nk;
    return 0;
}

int eng_evm_foi_load(struct eng_evm_foi *f, const char *path)
{
    size_t n = 0, pos = 0, line = 2, ncols = 0;
    long col[3];
    char *fld[S_FOI_COLS];
    int rc = s_slurp(path, &f->buf, &n);
    if (rc == 0 && !(f->keys = ds_malloc(2 * n + 1)))
        rc = eng_evm_bad(EX_OSERR, path, 0, "out of memory");
    if (rc == 0)
        rc = s_foi_header(f->buf, n, &pos, &ncols, col, path);
    while (rc == 0 && pos < n) {
        size_t at = line;
        if (f->buf[pos] == '\n' || strncmp(f->buf + pos, "\r\n", 2) == 0) {
            pos += f->buf[pos] == '\n' ? 1 : 2;
            line++;
            continue; /* a blank line */
        }
        size_t k = s_foi_split(f->buf, n, &pos, fld, ncols, &line);
        if (k != ncols)
            return eng_evm_bad(EX_DATAERR, path, at,
                               "%zu fields, the header has %zu", k, ncols);
        rc = s_foi_add(f, fld, col, path);
    }
    if (rc == 0)
        qsort(f->v, f->n, sizeof *f->v, s_class_cmp);
    return rc;
}

struct eng_evm_class *eng_evm_foi_find(struct eng_evm_foi *f, const char *key,
                                       size_t nk, size_t *nc)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_keycmp(f->v[mid].key, f->v[mid].nkey, key, nk) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (hi = lo; hi < f->n && !s_keycmp(f->v[hi].key, f->v[hi].nkey, key, nk);)
        hi++;
    *nc = hi - lo;
    return *nc ? f->v + lo : NULL;
}

void eng_evm_foi_clear(struct eng_evm_foi *f)
{
    ds_free(f->v);
    ds_free(f->keys);
    ds_free(f->buf);
    *f = (struct eng_evm_foi){0};
}
