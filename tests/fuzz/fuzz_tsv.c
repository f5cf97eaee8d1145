/*
 * fuzz_tsv.c - libFuzzer target for the quoted-TSV reader (eng_tsv.h).
 *
 * Any bytes must read without a crash or a sanitizer report, and the
 * contract must hold: every record has at least one field, none longer
 * than the input (unescaping only shrinks); record lines never go back
 * and never pass the input's line count; an error is one of the
 * documented codes with "fuzz.tsv:line" (line >= 1) and a one-line
 * message, and it sticks. The buffer reader and the FILE* reader
 * (over the same bytes through fmemopen) must return the same records.
 *
 * Seeds: tests/fuzz/corpus/fuzz_tsv/ (MAUDE-shaped rows, quotes, CRLF,
 * broken quotes). Not here: column meaning (the extract command).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_tsv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t s_lines(const uint8_t *p, size_t n)
{
    size_t k = 1;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

static void s_check_fields(const struct ds_span *f, size_t nf, size_t size)
{
    if (nf == 0)
        abort();
    for (size_t i = 0; i < nf; i++)
        if (f[i].n > size || (f[i].n && !f[i].p))
            abort();
}

static void s_check_error(int rc, const struct ds_diag *diag, size_t lines)
{
    if (rc != DS_EPARSE && rc != DS_ETOOBIG && rc != DS_ENOMEM)
        abort();
    if (rc == DS_EPARSE && (diag->line < 1 || (size_t)diag->line > lines ||
                            strcmp(diag->file, "fuzz.tsv") != 0 ||
                            !diag->msg[0] || strchr(diag->msg, '\n')))
        abort();
}

/* Read every record of r; returns the last code; *sum hashes the fields. */
static int s_read_all(eng_tsv_t *r, const uint8_t *data, size_t size,
                      uint64_t *sum, size_t *nrec)
{
    const struct ds_span *f;
    size_t nf, last = 0, lines = s_lines(data, size);
    struct ds_diag diag;
    int rc;
    while ((rc = eng_tsv_next(r, &f, &nf, &diag)) == 1) {
        s_check_fields(f, nf, size);
        if (eng_tsv_line(r) < last || eng_tsv_line(r) > lines)
            abort();
        last = eng_tsv_line(r);
        for (size_t i = 0; i < nf; i++)
            for (size_t k = 0; k < f[i].n; k++)
                *sum = *sum * 31 + (unsigned char)f[i].p[k] + i;
        ++*nrec;
    }
    if (rc < 0) {
        s_check_error(rc, &diag, lines);
        if (eng_tsv_next(r, &f, &nf, &diag) != rc)
            abort(); /* errors stick */
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t sum_buf = 0, sum_file = 0;
    size_t nbuf = 0, nfile = 0;
    eng_tsv_t *r = eng_tsv_new_buffer("fuzz.tsv", data, size);
    int rc_buf = r ? s_read_all(r, data, size, &sum_buf, &nbuf) : 0;
    eng_tsv_destroy(&r);
    FILE *f = size ? fmemopen((void *)data, size, "r") : NULL;
    if (!f)
        return 0;
    r = eng_tsv_new_file("fuzz.tsv", f);
    int rc_file = r ? s_read_all(r, data, size, &sum_file, &nfile) : 0;
    eng_tsv_destroy(&r);
    fclose(f);
    if (rc_buf != DS_ENOMEM && rc_file != DS_ENOMEM &&
        (rc_buf != rc_file || sum_buf != sum_file || nbuf != nfile))
        abort();
    return 0;
}
