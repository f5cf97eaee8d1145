/*
 * eng_site_envelope.h - one native envelope line made ready to leave the
 * hospital: its event time read, and with a site key its "patient" and
 * "encounter" replaced by keyed pseudonyms (eng_pseudo.h, DESIGN.md 3).
 *
 * With a key the line is parsed with ds_json (ds_json.h: what jansson
 * accepts; duplicate keys refused and keys compared decoded, so neither a
 * second "patient" nor "p\u0061tient" can slip past) and the string
 * tokens of the top-level "patient" and "encounter" are replaced in place
 * by their quoted pseudonyms: every other byte of the line (key order,
 * spacing, escapes, numbers as written) goes out unchanged, and a line
 * with neither member goes out as it came. Anything that cannot be
 * pseudonymised for certain is refused: not JSON (a scalar at top level
 * counts as not JSON, as it did with jansson), top level not an object,
 * patient or encounter present but not a string. Without a key the line
 * is passed through byte for byte whatever it holds (the engine validates
 * and quarantines), only its time is read when it parses.
 * Not here: free-text de-identification, size limits (eng_site_input).
 */
#ifndef DEVSURV_ENG_SITE_ENVELOPE_H
#define DEVSURV_ENG_SITE_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_json.h"
#include "devsurv/eng_pseudo.h"

/* Output of eng_site_envelope_prepare: p/n is the line itself (no key,
 * or nothing to replace) or buf (the line with pseudonyms spliced in).
 * buf and the parser only grow; free them with eng_site_envelope_clear().
 * Zero it to init. */
struct eng_site_envelope {
    const char *p;
    size_t n;
    int64_t ts_ms;       /* "time" as Unix ms; 0 when absent or invalid */
    unsigned pseudonyms; /* members replaced in this line (0-2) */
    char *buf;
    size_t cap;
    struct ds_json json; /* parser, reused line after line */
};

/* Prepare line[0..n) into *out. key NULL: pass through. Returns 0,
 * DS_EPARSE (not JSON), DS_EINVAL (not an object; patient/encounter not a
 * string) with diag saying why, or DS_ENOMEM (with or without a key: the
 * parser could not grow). */
int eng_site_envelope_prepare(const char *line, size_t n,
                              const struct eng_pseudo_key *key,
                              struct eng_site_envelope *out,
                              struct ds_diag *diag);

/* Free out->buf and zero *out. */
void eng_site_envelope_clear(struct eng_site_envelope *out);

#endif
