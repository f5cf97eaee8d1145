/*
 * fuzz_maude.c - libFuzzer target for the MAUDE reader (eng_maude.h).
 *
 * The input is up to three files separated by two NUL bytes: foitext,
 * then optionally foidev, then mdrfoi (an input without "\0\0" is foitext
 * alone). They are read through fmemopen and eng_maude_open_streams().
 *
 * Beyond "no crash, no leak" it checks the contract replay relies on:
 * every envelope returned decodes with eng_decoder_decode() as a valid
 * report whose time is the record's ts_ms and whose text is not empty;
 * json is NUL-terminated at n; every error is one of the documented codes
 * with "fuzz.txt:line" and a one-line message; the reader ends (1) within
 * one call per line, and stays ended. Seeds: tests/fuzz/corpus/fuzz_maude/
 * (the fixture files, continuation lines, quotes, latin-1, CRLF).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_maude.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static eng_decoder_t *s_dec;

/* Cut data into up to 3 parts at "\0\0". */
static size_t s_parts(const uint8_t *data, size_t size, const uint8_t *p[3],
                      size_t n[3])
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i + 1 < size && k < 2; i++) {
        if (data[i] == 0 && data[i + 1] == 0) {
            p[k] = data + start;
            n[k++] = i - start;
            start = i + 2;
            i++;
        }
    }
    p[k] = data + start;
    n[k++] = size - start;
    return k;
}

static void s_check_error(int rc, const struct ds_diag *d)
{
    if (rc != DS_EINVAL && rc != DS_EPARSE && rc != DS_ETOOBIG &&
        rc != DS_ENOMEM && rc != DS_EIO)
        abort();
    if (rc != DS_ENOMEM && (strcmp(d->file, "fuzz.txt") != 0 || d->line < 1 ||
                            !d->msg[0] || strchr(d->msg, '\n')))
        abort();
}

static void s_check_record(const struct eng_maude_rec *r)
{
    struct eng_event ev;
    struct ds_diag d;
    if (!r->json || r->json[r->n] != '\0' || strlen(r->json) != r->n)
        abort();
    if (eng_decoder_decode(s_dec, ds_span_str(ENG_CTYPE_EVENT_JSON), r->json,
                           r->n, &ev, &d) != 0 ||
        ev.kind != ENG_EV_REPORT || ev.time_ms != r->ts_ms || ev.text.n == 0)
        abort();
}

static void s_read_all(eng_maude_t *m, size_t lines)
{
    struct eng_maude_rec r;
    struct ds_diag d;
    int rc;
    size_t calls = 0;
    while ((rc = eng_maude_next(m, &r, &d)) != 1) {
        if (++calls > lines + 2)
            abort();
        if (rc == 0)
            s_check_record(&r);
        else
            s_check_error(rc, &d);
    }
    if (eng_maude_next(m, &r, &d) != 1)
        abort();
}

static FILE *s_open(const uint8_t *p, size_t n)
{
    return n ? fmemopen((void *)p, n, "r") : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p[3] = {NULL, NULL, NULL};
    size_t n[3] = {0, 0, 0}, lines = 1;
    size_t k = s_parts(data, size, p, n);
    if (!s_dec && !(s_dec = eng_decoder_new()))
        return 0;
    for (size_t i = 0; i < n[0]; i++)
        lines += p[0][i] == '\n';
    FILE *f[3] = {s_open(p[0], n[0]), k > 1 ? s_open(p[1], n[1]) : NULL,
                  k > 2 ? s_open(p[2], n[2]) : NULL};
    struct ds_diag d;
    eng_maude_t *m = NULL;
    if (f[0])
        m = eng_maude_open_streams((struct eng_maude_input){f[0], "fuzz.txt"},
                                   (struct eng_maude_input){f[1], "dev.txt"},
                                   (struct eng_maude_input){f[2], "foi.txt"},
                                   &d);
    if (m)
        s_read_all(m, lines);
    eng_maude_destroy(&m);
    for (int i = 0; i < 3; i++)
        if (f[i])
            fclose(f[i]);
    return 0;
}
