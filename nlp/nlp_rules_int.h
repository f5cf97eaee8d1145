/*
 * nlp_rules_int.h - private to nlp_rules*.c: the rule-set object, the TSV
 * reader it is parsed with, and the steps of a load.
 *
 *   nlp_rules.c        object, directory walk, file reading, SHA-256, access
 *   nlp_rules_rows.c   file kinds and their columns, one row -> one struct
 *   nlp_rules_ident.c  identifier pattern rows (identifiers/patterns.tsv)
 *   nlp_rules_check.c  checks across rows and files, the code index
 *   nlp_rules_tsv.c    bytes -> lines -> fields, UTF-8 and field checks
 *
 * Not installed; nothing outside nlp/nlp_rules*.c includes it.
 */
#ifndef DEVSURV_NLP_RULES_INT_H
#define DEVSURV_NLP_RULES_INT_H

#include "devsurv/ds_diag.h"
#include "devsurv/nlp_rules.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLP_TSV_COLS_MAX   16
#define NLP_TSV_FIELD_MAX  1024 /* bytes in one field */
#define NLP_RULES_ID_MAX   64   /* bytes in an id */
#define NLP_RULES_TERM_MAX 255  /* bytes in a term, phrase or heading */

struct nlp_rules {
    char sha256[NLP_RULES_SHA256_HEX];
    const char *version;
    bool partial; /* one file alone (parse_buffer): skip term-code checks */

    struct nlp_rules_file *files; /* path strings owned (ds_strdup) */
    char **bufs;                  /* file bytes + NUL, owned */
    size_t nfiles, cfiles, cbufs;

    struct nlp_concept *concepts;
    size_t nconcepts, cconcepts;
    struct nlp_term *terms;
    size_t nterms, cterms;
    struct nlp_trigger *triggers;
    size_t ntriggers, ctriggers;
    struct nlp_section *sections;
    size_t nsections, csections;
    struct nlp_pattern *patterns;
    size_t npatterns, cpatterns;

    uint32_t *parents; /* all parent indexes; concepts point in */
    uint32_t *by_code; /* concept indexes sorted by (axis, code) */
    size_t axis_first[NLP_AXIS_COUNT + 1]; /* axis a: by_code[first[a]..] */
};

/* ---- nlp_rules.c ---- */

/* Make room for one more element of size elem in *arr (capacity *cap,
 * count n). 0 or DS_ENOMEM. */
int nlp_rules_grow(void **arr, size_t *cap, size_t n, size_t elem);

/* ---- nlp_rules_rows.c ---- */

/* Kind and axis of the file at relative path; false when the path names no
 * known rule file. */
bool nlp_rules_kind_of(const char *path, enum nlp_rules_kind *kind,
                       enum nlp_axis *axis);

/* Parse file index file (kind and axis set, bufs[file] holding its bytes
 * plus a NUL; the bytes are modified in place) and append its rows. */
int nlp_rules_read_file(nlp_rules_t *self, uint32_t file, struct ds_diag *diag);

/* ---- nlp_rules_ident.c ---- */

struct nlp_tsv;

/* Columns of identifiers/patterns*.tsv; returns their count. */
int nlp_rules_pattern_columns(const char *const **cols);

/* The current row of a patterns file (id and licence already checked)
 * into self->patterns (room reserved). */
int nlp_rules_pattern_row(nlp_rules_t *self, uint32_t file,
                          const struct nlp_tsv *t, struct ds_diag *diag);

/* ---- nlp_rules_check.c ---- */

/* After every file: index concepts by code, resolve parents and (unless
 * partial) term codes, reject duplicates. */
int nlp_rules_finish(nlp_rules_t *self, struct ds_diag *diag);

/* ---- nlp_rules_tsv.c ---- */

/* A file being read. Fields point into p, NUL-terminated in place. */
struct nlp_tsv {
    const char *name; /* relative path, for diagnostics */
    char *p;          /* bytes, p[n] == '\0' */
    size_t n;
    size_t off; /* start of the next unread line */
    int line;   /* 1-based line of the current row */
    const char *const *cols;
    int ncols;
    uint32_t optional; /* bit i: column i may be empty */
    char *field[NLP_TSV_COLS_MAX];
};

/* Reject bytes that are not UTF-8 text: a byte-order mark, invalid or
 * overlong sequences, surrogates, C0/C1 control characters other than TAB
 * and LF (CR gets its own message). Names the line and column. */
int nlp_tsv_check_text(const char *name, const char *p, size_t n,
                       struct ds_diag *diag);

/* Start reading p[0..n) (p[n] must be '\0'). */
void nlp_tsv_init(struct nlp_tsv *t, const char *name, char *p, size_t n);

/* Read the comment header ("# source:" and "# licence:" lines required)
 * and the header row, which must be exactly cols[0..ncols). */
int nlp_tsv_header(struct nlp_tsv *t, const char *const *cols, int ncols,
                   uint32_t optional, struct ds_diag *diag);

/* Next data row into t->field (comment and blank lines skipped): 1, 0 at
 * the end, or an error (field count, empty required field, field too
 * long, leading or trailing space). */
int nlp_tsv_row(struct nlp_tsv *t, struct ds_diag *diag);

/* Fail at the current row: sets diag, returns DS_EPARSE. */
int nlp_tsv_fail(const struct nlp_tsv *t, struct ds_diag *diag, const char *fmt,
                 ...) __attribute__((format(printf, 3, 4)));

/* Field checks for column col of the current row; 0 or DS_EPARSE. */
int nlp_tsv_enum(const struct nlp_tsv *t, struct ds_diag *diag, int col,
                 const char *const *names, int count, int *out);
int nlp_tsv_int(const struct nlp_tsv *t, struct ds_diag *diag, int col, int lo,
                int hi, int *out);
int nlp_tsv_id(const struct nlp_tsv *t, struct ds_diag *diag, int col);
int nlp_tsv_licence(const struct nlp_tsv *t, struct ds_diag *diag, int col);

/* A matchable phrase: not empty, at most NLP_RULES_TERM_MAX bytes, single
 * spaces, no ASCII letter of the wrong case (upper: no lower-case letters;
 * else no upper-case ones). */
int nlp_tsv_phrase(const struct nlp_tsv *t, struct ds_diag *diag, int col,
                   bool upper);

#endif
