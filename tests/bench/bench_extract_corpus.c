/*
 * bench_extract_corpus.c - bench_extract's corpora: notes appended to one
 * buffer (bx_put, bx_printf, bx_note_end), a note as a span, and the
 * MAUDE sample's foi_text column read with eng_tsv.
 */
#include "bench_extract.h"
#include "bench_util.h"

static void s_reserve(struct bx_corpus *c, size_t more)
{
    if (c->len + more <= c->cap)
        return;
    size_t cap = c->cap ? c->cap : 1u << 20;
    while (cap < c->len + more)
        cap *= 2;
    c->buf = bench_xrealloc(c->buf, cap);
    c->cap = cap;
}

void bx_put(struct bx_corpus *c, const char *p, size_t n)
{
    s_reserve(c, n);
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

void bx_puts(struct bx_corpus *c, const char *s)
{
    bx_put(c, s, strlen(s));
}

void bx_printf(struct bx_corpus *c, const char *fmt, ...)
{
    va_list ap;
    s_reserve(c, 256);
    va_start(ap, fmt);
    int k = vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
    va_end(ap);
    if (k > 0 && (size_t)k >= c->cap - c->len) {
        s_reserve(c, (size_t)k + 1);
        va_start(ap, fmt);
        k = vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
        va_end(ap);
    }
    c->len += k > 0 ? (size_t)k : 0;
}

/* The bytes from begin to the end of the buffer are one note. */
void bx_note_end(struct bx_corpus *c, size_t begin)
{
    size_t n = c->len - begin;
    if (c->count == c->ncap) {
        c->ncap = c->ncap ? 2 * c->ncap : 1024;
        c->off = bench_xrealloc(c->off, c->ncap * sizeof *c->off);
        c->n = bench_xrealloc(c->n, c->ncap * sizeof *c->n);
    }
    c->off[c->count] = begin;
    c->n[c->count++] = n;
    c->min_n = c->count == 1 || n < c->min_n ? n : c->min_n;
    c->max_n = n > c->max_n ? n : c->max_n;
}

struct ds_span bx_text(const struct bx_corpus *c, size_t i)
{
    return (struct ds_span){c->buf + c->off[i], c->n[i]};
}

void bx_corpus_free(struct bx_corpus *c)
{
    free(c->buf);
    free(c->off);
    free(c->n);
}

/* The foi_text of every record (empty ones left out). Absent file: 0
 * notes and a message. */
int bx_load_maude(struct bx_corpus *c, const char *path)
{
    const struct ds_span *f;
    size_t nf, empty = 0;
    struct ds_diag diag;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        printf("maude: skipped: cannot open %s (%s); the shared evaluation "
               "data is not next to the repository\n\n",
               path, strerror(errno));
        return 0;
    }
    eng_tsv_t *tsv = eng_tsv_new_file(path, fp);
    ds_diag_clear(&diag);
    int rc = tsv ? eng_tsv_next(tsv, &f, &nf, &diag) : DS_ENOMEM;
    long col = rc == 1 ? eng_tsv_find(f, nf, "foi_text") : -1;
    while (col >= 0 && (rc = eng_tsv_next(tsv, &f, &nf, &diag)) == 1) {
        if ((size_t)col >= nf || f[col].n == 0) {
            empty++;
            continue;
        }
        size_t begin = c->len;
        bx_put(c, f[col].p, f[col].n);
        bx_note_end(c, begin);
    }
    eng_tsv_destroy(&tsv);
    fclose(fp);
    if (rc < 0)
        rc =
            bench_fail("maude", "%s", diag.msg[0] ? diag.msg : ds_strerror(rc));
    else if (col < 0)
        rc = bench_fail("maude", "%s: no foi_text column", path);
    else if (c->count == 0)
        rc = bench_fail("maude", "%s: no foi_text read", path);
    if (rc == 0 && empty)
        printf("maude: %zu records with an empty foi_text left out\n", empty);
    return rc;
}
