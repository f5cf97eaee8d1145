/*
 * eng_maude.h - FDA MAUDE raw files to native report envelopes.
 *
 * Input: FDA's pipe-delimited MAUDE downloads ("MAUDE file layout", FDA
 * MDR data files page): foitext (narratives, required), foidev (devices,
 * optional) and mdrfoi (the master event record, optional). Output: one
 * native envelope (DESIGN.md section 3) per report, kind "report":
 *
 *   {"id":"maude-1511544","kind":"report","time":"2009-09-08T00:00:00Z",
 *    "device":{"product_code":"GXI","brand":"...","model":"...",
 *              "generic":"...","manufacturer":"..."},
 *    "devices":[{"seq":2,"product_code":"...",...}],  (2+ devices)
 *    "text":"EVENT DESCRIPTION: ...\n\nMANUFACTURER NARRATIVE: ...",
 *    "maude":{"report_key":"1511544","event_key":"...","report_number":
 *             "...","report_source_code":"M","event_type":"IN",
 *             "time_source":"date_of_event"}}
 *
 * Built with jansson, so escaping is right; members that would be empty
 * are left out. "devices" lists the device rows other than the primary one
 * (kept by the engine in the raw payload, ignored by the decoder).
 *
 * The facts the reader relies on (FDA files, checked on openFDA's copies):
 *   - Every file starts with a header line; columns are found by name,
 *     case-insensitively (FDA spells them upper case, openFDA lower case),
 *     so column order and count may change across years. foitext needs
 *     mdr_report_key and the text column (FOI_TEXT, or text); other
 *     columns may be missing (read as empty). A file without the key
 *     column in its first line is refused at open.
 *   - Fields are separated by '|' and are NOT quoted or escaped by FDA:
 *     a narrative may hold '|' and unbalanced '"' (O"REILLY). So a line is
 *     split into at most as many fields as the header has, the last field
 *     taking the rest of the line (the text is the last foitext column),
 *     and quotes are never looked for across fields or lines. A field
 *     that starts and ends with '"' and has only doubled '""' inside is
 *     unwrapped CSV-style: foidev's `"""TC 410, 20 GAUGE"` reads as
 *     `"TC 410, 20 GAUGE`. Fields are trimmed of blanks; keys like
 *     " 1234.0" (device files) read as 1234. CR before LF is dropped.
 *   - A foitext line whose key column holds no key ("<digits>|" when the
 *     key is the first column, as in FDA's files) continues the text of
 *     the line before (a line break FDA left unescaped); a blank line
 *     inside a report is a line break of its text.
 *   - Text rows of one report are adjacent (FDA files are sorted by
 *     report); rows are grouped while the key repeats. A key met again
 *     after other keys starts a second record with the same key and id;
 *     its "maude" object then has "part": 2 (3, ...), and it is counted
 *     in stats.duplicate_keys.
 *   - Text is joined by type: D (description of event) first, then N
 *     (additional manufacturer narrative), then E (manufacturer
 *     evaluation summary), then any other type, in file order within a
 *     type; each part is prefixed "EVENT DESCRIPTION: ", "MANUFACTURER
 *     NARRATIVE: ", "MANUFACTURER EVALUATION: " or "TEXT (<type>): " and
 *     parts are separated by a blank line. Empty rows are left out.
 *   - Encoding: bytes that form valid UTF-8 are kept; every other byte is
 *     read as Windows-1252 (the superset of latin-1 FDA's files carry:
 *     0x92 is a right quote, 0xE9 is e-acute), and the five bytes 1252
 *     leaves undefined become U+FFFD. Control bytes other than TAB and LF
 *     become a space. So text is always valid UTF-8.
 *   - Device: the foidev row with device_sequence_number (FDA's newer
 *     files: DEVICE_SEQUENCE_NO) 1, else the lowest number, gives
 *     device.product_code (only when it is 3 upper-case letters; any other
 *     value goes to device.product_code_invalid, which the decoder
 *     ignores), brand (brand_name), model (model_number), generic
 *     (generic_name), manufacturer (manufacturer_d_name); each cut to 256
 *     bytes at a character boundary. No foidev row: no device member.
 *   - Time, first usable of: mdrfoi DATE_OF_EVENT, mdrfoi DATE_RECEIVED,
 *     foitext date_report (first row that has one), foidev date_received
 *     (primary device); "maude.time_source" names the one used. Dates
 *     are MM/DD/YYYY (also YYYY/MM/DD with an ignored time, YYYYMMDD,
 *     YYYY-MM-DD), taken as midnight UTC, years 1900-9999.
 *
 * Errors: a report without any usable date, or without text, is an error
 * record (DS_EINVAL, diag "FILE:LINE: report K: why", LINE = its first
 * text line); so is a non-blank line that continues nothing (DS_EPARSE)
 * and a line over ENG_MAUDE_LINE_MAX bytes (DS_ETOOBIG; the line is
 * dropped, so the rest of its report, if any, may come out without it).
 * The caller counts the error and calls eng_maude_next() again.
 *
 * Memory: foitext is streamed (one report plus one line at a time);
 * foidev and mdrfoi are read whole at open and kept as an index sorted by
 * key holding only the fields used: per row 24 bytes + 2 per field + the
 * bytes of its 6 fields, i.e. about 140 bytes for a typical foidev row
 * (product code, brand, model, generic name, manufacturer, date) and
 * about 90 for an mdrfoi row (event key, report number, source, event
 * type, two dates). Arrays grow by doubling, so the peak can be twice
 * that. A year of FDA files (about 2 M reports and devices) takes some
 * 460 MB, 920 MB at peak. Duplicate detection keeps 12 bytes per slot of a
 * hash table at most half full: 24-48 bytes per distinct report key.
 *
 * Not here: the patient and problem-code files, the FDA enumerations
 * (event_type stays a code: eval/fda/maude_enums.csv), headerless files,
 * storage.
 */
#ifndef DEVSURV_ENG_MAUDE_H
#define DEVSURV_ENG_MAUDE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devsurv/ds_diag.h"

#define ENG_MAUDE_LINE_MAX (64u << 20) /* bytes in one physical line */

/* One report as an envelope. json is owned by the reader and valid until
 * the next eng_maude_next() or eng_maude_destroy(); it is NUL-terminated
 * and n bytes long (valid UTF-8, one line). */
struct eng_maude_rec {
    uint64_t report_key; /* MDR_REPORT_KEY */
    const char *json;
    size_t n;
    int64_t ts_ms; /* the envelope's time, Unix ms UTC */
};

struct eng_maude_stats {
    uint64_t records;        /* envelopes returned */
    uint64_t errors;         /* error records returned */
    uint64_t rows;           /* foitext text rows (not header, not blank) */
    uint64_t continuations;  /* foitext lines that continued a row */
    uint64_t duplicate_keys; /* records whose key was a record before */
    uint64_t dev_rows;       /* foidev rows indexed */
    uint64_t dev_skipped;    /* foidev lines without a report key */
    uint64_t foi_rows;       /* mdrfoi rows indexed */
    uint64_t foi_skipped;    /* mdrfoi lines without a report key */
    uint64_t foi_duplicates; /* mdrfoi rows whose key came before (unused) */
    uint64_t no_device;      /* records with no foidev row (foidev given) */
    uint64_t no_master;      /* records with no mdrfoi row (mdrfoi given) */
};

/* One input: a stream (borrowed, read from its position, never closed)
 * and its name for diagnostics (borrowed; must outlive the reader). */
struct eng_maude_input {
    FILE *f;
    const char *name;
};

typedef struct eng_maude eng_maude_t;

/* A reader over the files at these paths; foidev and mdrfoi may be NULL.
 * foidev and mdrfoi are read and indexed now. Returns NULL with diag set
 * ("FILE: why" or "FILE:1: why") when a file cannot be opened or read,
 * has no header with the needed columns, or memory runs out. Caller owns
 * the result; free it with eng_maude_destroy(). */
eng_maude_t *eng_maude_open(const char *foitext, const char *foidev,
                            const char *mdrfoi, struct ds_diag *diag);

/* As eng_maude_open() over streams; dev.f and foi.f may be NULL. The
 * streams are borrowed: text.f must stay open while the reader is used;
 * dev.f and foi.f are read to their end before this returns. */
eng_maude_t *eng_maude_open_streams(struct eng_maude_input text,
                                    struct eng_maude_input dev,
                                    struct eng_maude_input foi,
                                    struct ds_diag *diag);

/* Free the reader (closing the files eng_maude_open() opened) and NULL
 * *self_p. Safe on NULL and on *self_p == NULL. */
void eng_maude_destroy(eng_maude_t **self_p);

/* The next report. Returns 0 with *out filled; 1 at the end of foitext
 * (and on every later call); DS_EINVAL, DS_EPARSE or DS_ETOOBIG for a
 * record that cannot be made into an envelope (diag says "FILE:LINE:
 * why"; call again for the next record); DS_ENOMEM (the report is lost;
 * calling again goes on) or DS_EIO (a read failed; every later call
 * returns 1). diag may be NULL. */
int eng_maude_next(eng_maude_t *self, struct eng_maude_rec *out,
                   struct ds_diag *diag);

/* Counters so far. */
const struct eng_maude_stats *eng_maude_stats(const eng_maude_t *self);

#endif
