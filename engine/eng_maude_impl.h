/*
 * eng_maude_impl.h - private to engine/eng_maude*.c: the line reader, the
 * value conversions, the device/master index, the envelope builder and
 * the reader's state that eng_maude.c puts together. Not installed; the
 * contract for everyone else is include/devsurv/eng_maude.h (which also states
 * the file facts these pieces implement).
 */
#ifndef DEVSURV_ENG_MAUDE_IMPL_H
#define DEVSURV_ENG_MAUDE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/eng_maude.h"

/* ---- eng_maude_rows.c: physical lines of a pipe-delimited file ---- */

/* Embedded; zero it, then eng_maude_rows_init(); eng_maude_rows_clear(). */
struct eng_maude_rows {
    FILE *f;          /* borrowed */
    const char *name; /* borrowed, for diagnostics */
    char *buf;        /* buffered input; the current line lives here */
    size_t cap, pos, n;
    bool eof;
    size_t line; /* 1-based number of the current line */
    char *cur;   /* current line (no LF, no CR before it), writable */
    size_t len;  /* its length */
    struct ds_span *fields; /* after eng_maude_rows_split() */
    size_t nf, capf;
};

void eng_maude_rows_init(struct eng_maude_rows *r, FILE *f, const char *name);
void eng_maude_rows_clear(struct eng_maude_rows *r);

/* Read the next line into r->cur/r->len. Returns 1, 0 at the end, or
 * DS_ETOOBIG (the line was longer than ENG_MAUDE_LINE_MAX and has been
 * skipped: calling again goes on), DS_EIO or DS_ENOMEM, with diag
 * "name:line: why". The first line loses a UTF-8 byte-order mark. */
int eng_maude_rows_next(struct eng_maude_rows *r, struct ds_diag *diag);

/* Split the current line on '|' into at most max (>= 1) fields, the last
 * taking the rest of the line; each field is trimmed of blanks and, when
 * wrapped in quotes with only doubled quotes inside, unwrapped in place.
 * Fields borrow from the line. 0 or DS_ENOMEM. */
int eng_maude_rows_split(struct eng_maude_rows *r, size_t max);

/* Field col of the split line; empty when col < 0 or past the last. */
struct ds_span eng_maude_rows_field(const struct eng_maude_rows *r, long col);

/* Index of the first of hdr[0..n) equal, case-insensitively, to one of the
 * '|'-separated names ("foi_text|text"); -1 when none is. */
long eng_maude_col(const struct ds_span *hdr, size_t n, const char *names);

/* ---- eng_maude_value.c: keys, dates, text encoding ---- */

/* Parse a report key or sequence number: digits (at most 19), optionally
 * followed by ".0"/".00"..., blanks around. 0 or DS_EPARSE. */
int eng_maude_key(struct ds_span s, uint64_t *out);

/* Parse an FDA date (MM/DD/YYYY, YYYY/MM/DD[ time], YYYYMMDD, YYYY-MM-DD)
 * as midnight UTC into *ms. 0, DS_EPARSE (form) or DS_ERANGE (a day that
 * does not exist, a year outside 1900-9999). */
int eng_maude_date(struct ds_span s, int64_t *ms);

/* Append s to (*buf, *cap, *len) as valid UTF-8 (eng_maude.h "Encoding"),
 * at most max bytes of output, cut at a character boundary; keeps the
 * buffer NUL-terminated. 0 or DS_ENOMEM. */
int eng_maude_utf8(struct ds_span s, size_t max, char **buf, size_t *cap,
                   size_t *len);

/* ---- eng_maude_index.c: foidev / mdrfoi rows by report key ---- */

#define ENG_MAUDE_FIELD_MAX 256 /* bytes kept of an index field (UTF-8) */

struct eng_maude_ixrow {
    uint64_t key;
    uint32_t seq;   /* seq column value (0 when none / unreadable) */
    uint32_t order; /* line order, low 32 bits: keeps the sort stable */
    size_t off;     /* arena offset of the fields: [u16 len][bytes] each */
};

struct eng_maude_index {
    struct eng_maude_ixrow *rows;
    size_t n, cap;
    char *arena;
    size_t an, acap;
    size_t ncols;
    uint64_t skipped;    /* lines without a key */
    uint64_t duplicates; /* rows whose (key, seq) came before */
};

/* Read all of f (name for diagnostics): the header must have a
 * mdr_report_key column; cols[0..ncols) (each "name|alias") are kept,
 * converted to UTF-8 and cut to ENG_MAUDE_FIELD_MAX bytes, missing
 * columns as empty; seq_col (may be NULL) orders rows of one key. Rows
 * are sorted by (key, seq, line). 0, or DS_EINVAL (no header / key
 * column), DS_EIO, DS_ENOMEM with diag. Clear with
 * eng_maude_index_clear() in every case. */
int eng_maude_index_load(struct eng_maude_index *ix, FILE *f, const char *name,
                         const char *const *cols, size_t ncols,
                         const char *seq_col, struct ds_diag *diag);

void eng_maude_index_clear(struct eng_maude_index *ix);

/* Rows of key: index of the first in *first and their number (0 when
 * none). */
size_t eng_maude_index_find(const struct eng_maude_index *ix, uint64_t key,
                            size_t *first);

/* Column c (0-based, in cols order) of row i. */
struct ds_span eng_maude_index_get(const struct eng_maude_index *ix, size_t i,
                                   size_t c);

/* ---- eng_maude_json.c: the envelope ---- */

/* foidev columns kept, in this order (ENG_MAUDE_DEV_*). */
enum {
    ENG_MAUDE_DEV_CODE,
    ENG_MAUDE_DEV_BRAND,
    ENG_MAUDE_DEV_MODEL,
    ENG_MAUDE_DEV_GENERIC,
    ENG_MAUDE_DEV_MANUF,
    ENG_MAUDE_DEV_RECEIVED,
    ENG_MAUDE_DEV_NCOLS
};

/* mdrfoi columns kept, in this order (ENG_MAUDE_FOI_*). */
enum {
    ENG_MAUDE_FOI_EVENT_KEY,
    ENG_MAUDE_FOI_REPORT_NUMBER,
    ENG_MAUDE_FOI_SOURCE,
    ENG_MAUDE_FOI_EVENT_TYPE,
    ENG_MAUDE_FOI_DATE_EVENT,
    ENG_MAUDE_FOI_DATE_RECEIVED,
    ENG_MAUDE_FOI_NCOLS
};

extern const char *const eng_maude_dev_cols[ENG_MAUDE_DEV_NCOLS];
extern const char *const eng_maude_foi_cols[ENG_MAUDE_FOI_NCOLS];

/* What one envelope is made of; everything borrowed. */
struct eng_maude_env {
    uint64_t key;
    unsigned part; /* 1, or 2... for a key met again */
    int64_t ts_ms;
    const char *time_source;              /* "date_of_event", ... */
    struct ds_span text;                  /* joined, valid UTF-8 */
    const struct eng_maude_index *dev;    /* NULL when no foidev */
    size_t dev_first, dev_n, dev_primary; /* rows of this key; primary */
    const struct eng_maude_index *foi;    /* NULL when no mdrfoi */
    size_t foi_row, foi_n;                /* foi_n 0 when no row */
};

/* Serialise e into (*buf, *cap) as one line of JSON, NUL-terminated;
 * *len gets its length. 0 or DS_ENOMEM. */
int eng_maude_json(const struct eng_maude_env *e, char **buf, size_t *cap,
                   size_t *len);

/* ---- eng_maude_text.c: a report's text rows joined into one text ---- */

#define ENG_MAUDE_TYPE_MAX 8 /* bytes kept of a text_type_code, with NUL */

/* One foitext row of a report: its raw text and its type code. */
struct eng_maude_part {
    size_t off, len; /* raw bytes in the report's arena */
    char type[ENG_MAUDE_TYPE_MAX];
};

/* Join parts[0..n) (text at raw + off) into (*buf, *cap, *len) as valid
 * UTF-8, NUL-terminated: types D, N, E, then others, file order within a
 * type, each trimmed, labelled and separated by a blank line (eng_maude.h);
 * empty parts are left out, so *len may be 0. 0 or DS_ENOMEM. */
int eng_maude_join(const struct eng_maude_part *parts, size_t n,
                   const char *raw, char **buf, size_t *cap, size_t *len);

/* ---- eng_maude_keys.c: how often each report key has been a record ---- */

struct eng_maude_keys {
    uint64_t *slot; /* key + 1 (0 = empty) */
    uint32_t *count;
    size_t cap, n;
};

/* Count one more record of key; *seen gets the count before. 0 or
 * DS_ENOMEM (nothing counted). */
int eng_maude_keys_add(struct eng_maude_keys *k, uint64_t key, uint32_t *seen);

void eng_maude_keys_clear(struct eng_maude_keys *k);

/* ---- eng_maude.c / eng_maude_emit.c: the reader ---- */

#define ENG_MAUDE_DATE_MAX 32 /* bytes kept of a date_report, with NUL */

/* The reader (eng_maude_t of eng_maude.h). */
struct eng_maude {
    FILE *own[3];  /* files eng_maude_open() opened */
    char *name[3]; /* copies of the names */
    struct eng_maude_rows rows;
    long c_key, c_type, c_date, c_text;
    size_t nhdr;
    struct eng_maude_index dev, foi;
    bool has_dev, has_foi;
    struct eng_maude_keys keys;
    bool open, pending, done; /* a report is being read; a line waits */
    uint64_t key;             /* of the report being read */
    size_t line;              /* its first line */
    struct eng_maude_part *g;
    size_t ng, capg;
    char *raw;
    size_t nraw, capraw;
    char date[ENG_MAUDE_DATE_MAX]; /* first usable (else first) date_report */
    bool date_ok;
    char *text, *json;
    size_t ntext, captext, njson, capjson;
    struct eng_maude_stats st;
};

/* The report read so far (self->key, rows self->g) as *out, or an error
 * record (DS_EINVAL: no text, no usable date; DS_ENOMEM) with diag. Closes
 * the report (self->open = false) either way. */
int eng_maude_emit(eng_maude_t *self, struct eng_maude_rec *out,
                   struct ds_diag *diag);

/* diag "FILE:LINE: report K: out of memory" for the open report;
 * returns DS_ENOMEM. */
int eng_maude_fail_nomem(eng_maude_t *self, struct ds_diag *diag);

#endif
