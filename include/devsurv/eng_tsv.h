/*
 * eng_tsv.h - a streaming reader of tab-separated records with CSV-style
 * quoting, as in the FDA MAUDE extracts of eval/maude (a header row, TAB
 * between fields, LF or CRLF between records).
 *
 * Quoting follows RFC 4180 with TAB for comma: a field whose first byte is
 * '"' is quoted; inside it '""' stands for one '"', and TAB, CR and LF are
 * data; the closing '"' must be followed by TAB, the record end or the end
 * of the input. A '"' anywhere else in an unquoted field is data. A CR
 * just before the LF that ends a record is dropped. An empty line is a
 * record of one empty field; the end of the input ends the last record
 * whether or not a newline precedes it.
 *
 * Fields are spans: an unquoted field, or a quoted one without '""', points
 * into the input; a quoted field with '""' is unescaped into a buffer the
 * reader owns and reuses. The reader over a FILE* keeps one input buffer
 * holding at least the current record. Buffers only grow, so after warm-up
 * reading a record allocates nothing.
 *
 * Errors name "name:line" (the physical line where the fault was found):
 * an unterminated quoted field (the line it opened on is in the message),
 * a byte other than TAB or a record end after a closing quote, a record
 * over ENG_TSV_RECORD_MAX bytes or ENG_TSV_FIELDS_MAX fields. Errors are
 * sticky: after one, every call returns it again, since no resynchronising
 * after a broken quote can be trusted.
 *
 * Not here: column meaning (the caller finds its columns by header name
 * with eng_tsv_find()), the MAUDE pipe-delimited raw files, writing TSV.
 */
#ifndef DEVSURV_ENG_TSV_H
#define DEVSURV_ENG_TSV_H

#include <stddef.h>
#include <stdio.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#define ENG_TSV_RECORD_MAX (64u << 20) /* bytes in one record */
#define ENG_TSV_FIELDS_MAX 65536       /* fields in one record */

typedef struct eng_tsv eng_tsv_t;

/* A reader over buf[0..n). name (borrowed) is used in diagnostics; buf is
 * borrowed and must outlive the reader. Returns NULL when out of memory.
 * Caller owns the result; free it with eng_tsv_destroy(). */
eng_tsv_t *eng_tsv_new_buffer(const char *name, const void *buf, size_t n);

/* A reader over f (borrowed: read from its current position, never
 * closed). name as above. Returns NULL when out of memory. Caller owns the
 * result; free it with eng_tsv_destroy(). */
eng_tsv_t *eng_tsv_new_file(const char *name, FILE *f);

/* Free the reader and NULL *self_p. Safe on NULL and on *self_p == NULL. */
void eng_tsv_destroy(eng_tsv_t **self_p);

/* Read the next record. Returns 1 with *fields pointing to *nfields >= 1
 * spans (borrowed from the reader and the input, valid until the next call
 * or eng_tsv_destroy()), 0 at the end of the input, or DS_EPARSE,
 * DS_ETOOBIG, DS_EIO (a read failed) or DS_ENOMEM with diag (may be NULL)
 * saying "name:line: why". */
int eng_tsv_next(eng_tsv_t *self, const struct ds_span **fields,
                 size_t *nfields, struct ds_diag *diag);

/* The 1-based line on which the record last returned began (0 before the
 * first). */
size_t eng_tsv_line(const eng_tsv_t *self);

/* Index of the first field of fields[0..n) equal to name (exactly, bytes),
 * or -1: find a column by its header. */
long eng_tsv_find(const struct ds_span *fields, size_t n, const char *name);

#endif
