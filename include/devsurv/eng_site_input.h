/*
 * eng_site_input.h - what a hospital publisher reads: one reader over the
 * site formats (native JSONL envelopes, FHIR NDJSON, FDA MAUDE files) that
 * hands out ready-to-send records (content type, bytes, event time) with
 * patient and encounter identifiers already pseudonymised, and reports the
 * input it cannot accept.
 *
 * Facts a caller relies on:
 *   - Input is read in units: one line (envelope, FHIR) or one MAUDE
 *     report. A unit gives zero or more records (a FHIR Bundle gives one
 *     per event resource) or one reject, never both, and all of a unit's
 *     records are emitted inside one eng_site_input_step() call. The
 *     position after each unit (eng_site_input_pos: a byte offset for
 *     lines, a report count for MAUDE) can be stored with the records and
 *     given back to eng_site_input_seek() after a restart.
 *   - envelope: with a key, each line is parsed with jansson and the
 *     string members "patient" and "encounter" are replaced by their
 *     keyed pseudonyms (eng_pseudo.h); every other member is kept (the
 *     line is re-serialised compactly). A line that is not a JSON object,
 *     or whose patient/encounter is not a string, cannot be pseudonymised
 *     and is rejected: it never leaves the site. Without a key, lines go
 *     out byte for byte, invalid ones included (the engine quarantines
 *     them with a reason).
 *   - fhir: eng_fhir_site_prepare() (pseudonymises references, strips
 *     identifiers and narrative); a line it refuses is rejected.
 *   - maude: eng_maude_open/next over foitext (+ foidev, mdrfoi); a report
 *     it cannot build is rejected. MAUDE is public data: no pseudonyms.
 *   - A record over ENG_SITE_RECORD_MAX bytes is rejected (the engine's
 *     default ingest.max_msg_size; larger messages would be cut off by
 *     its socket limit and never ACKed).
 *   - Blank lines are skipped. A last line without a newline counts.
 * Not here: the journal (eng_journal.h), directory tailing (ds-publish),
 * de-identification of free text.
 */
#ifndef DEVSURV_ENG_SITE_INPUT_H
#define DEVSURV_ENG_SITE_INPUT_H

#include <stdint.h>
#include <stdio.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_pseudo.h"

#define ENG_SITE_RECORD_MAX (1024 * 1024)
#define ENG_SITE_ID_MAX     4200 /* identity: path + "@dev:ino" */

enum eng_site_format { ENG_SITE_ENVELOPE = 0, ENG_SITE_FHIR, ENG_SITE_MAUDE };

typedef struct eng_site_input eng_site_input_t;

/* A record ready to journal and send; bytes borrowed for the call. Return
 * 0 to go on; nonzero stops the step and is returned by it. */
typedef int(eng_site_emit_fn)(void *arg, const char *ctype, const char *p,
                              size_t n, int64_t ts_ms);

/* Input that cannot be accepted: where (byte offset of the line, or the
 * MAUDE report count; line is 1-based, 0 for MAUDE) and why. */
struct eng_site_reject {
    uint64_t pos;
    uint64_t line;
    const char *reason;
};
typedef int(eng_site_reject_fn)(void *arg, const struct eng_site_reject *r);

struct eng_site_input_cfg {
    enum eng_site_format format;
    const char *path;   /* file to read ("-" is stdin); foitext for MAUDE */
    FILE *stream;       /* line formats: read this instead (borrowed); path
                           then only names it; not resumable */
    const char *foidev; /* MAUDE, optional */
    const char *mdrfoi; /* MAUDE, optional */
    const struct eng_pseudo_key *key; /* NULL: no pseudonymisation */
    eng_site_emit_fn *emit;
    eng_site_reject_fn *reject;
    void *arg;
};

struct eng_site_input_stats {
    uint64_t units;      /* lines or reports consumed (blank lines too) */
    uint64_t records;    /* records emitted */
    uint64_t rejected;   /* units rejected */
    uint64_t pseudonyms; /* identifiers replaced (envelope, FHIR) */
};

/* Open the input (cfg borrowed; its key, callbacks and strings must
 * outlive the reader). Returns NULL with diag when a file cannot be opened
 * or a MAUDE header is wrong. Caller owns the result; free it with
 * eng_site_input_destroy(). */
eng_site_input_t *eng_site_input_open(const struct eng_site_input_cfg *cfg,
                                      struct ds_diag *diag);

void eng_site_input_destroy(eng_site_input_t **self_p);

/* Identity of the input for resuming: "<real path>@<dev>:<inode>", so a
 * new file under the same name starts from 0. "" when the input cannot be
 * resumed (stdin, a stream). */
const char *eng_site_input_identity(const eng_site_input_t *self);

/* The identity eng_site_input_identity() would give for path, into
 * out[ENG_SITE_ID_MAX]; "" when path cannot be resolved. Returns out. */
const char *eng_site_input_identity_of(const char *path,
                                       char out[ENG_SITE_ID_MAX]);

/* Skip to pos (a value eng_site_input_pos() gave for the same identity).
 * DS_ERANGE when the input is shorter (it changed). Only before the first
 * step. */
int eng_site_input_seek(eng_site_input_t *self, uint64_t pos,
                        struct ds_diag *diag);

/* Consume one unit: 1 when one was consumed, 0 at the end of the input,
 * or an error (DS_EIO, DS_ENOMEM, or the callbacks' nonzero return). */
int eng_site_input_step(eng_site_input_t *self, struct ds_diag *diag);

/* Position after the last consumed unit. */
uint64_t eng_site_input_pos(const eng_site_input_t *self);

const struct eng_site_input_stats *
eng_site_input_stats(const eng_site_input_t *self);

/* "envelope", "fhir", "maude" -> *out. 0 or DS_EINVAL. */
int eng_site_format_parse(const char *name, enum eng_site_format *out);

/* Paths (dir/name) of the regular files in dir whose names do not start
 * with '.', sorted by name: the inputs a watched directory offers now
 * (write a file under a '.' name, then rename it in). *n gets the count.
 * Caller frees each path and the array with ds_free(). NULL with *n 0
 * when dir cannot be read or nothing is there. */
char **eng_site_dir_list(const char *dir, size_t *n);

#endif
