/*
 * eng_event.h - decode and validate one inbound event message.
 *
 * Input: the content-type frame and the payload bytes of one message
 * (DESIGN.md section 3). Output: a struct eng_event whose spans borrow from
 * the decoder and the payload (valid until the next eng_decoder_decode()
 * or destroy, and while the payload lives).
 * Accepted content types: application/vnd.devsurv.event+json (the native
 * envelope, rules below) and application/fhir+json (one FHIR R4 resource,
 * parsed by jansson with the same rules and mapped by eng_fhir_map(): see
 * eng_fhir.h; a Bundle is refused, sites split them). MAUDE is added by
 * later work; any other type is refused with DS_EUNSUPP.
 *
 * The native envelope is parsed with ds_json (ds_json.h), which accepts
 * what jansson's json_loadb(JSON_REJECT_DUPLICATES) accepted before it:
 * strict RFC 8259, UTF-8 checked, duplicate object keys rejected (decoded
 * keys compared), "\u0000" rejected, depth limited to 2048, top level must
 * be an object. (jansson 2.14 also let a raw NUL byte straight after a
 * number or literal through; ds_json refuses it.) Validation (everything
 * else is a reject with a reason that names the field path, e.g.
 * "device.product_code: expected 3 upper-case letters"):
 *   id          required string, 1..128 bytes, no control characters
 *   kind        required: "note" | "report" | "exposure" | "outcome"
 *   time        required RFC 3339 date-time with offset (eng_time_parse)
 *   patient, encounter   optional strings, 1..128 bytes, no controls
 *   device      optional object: product_code (FDA: 3 letters A-Z),
 *               udi (1..256), brand (1..256), model (1..256), all strings
 *   procedure   optional object: code (1..64), action ("implanted" |
 *               "explanted" | "revised")
 *   event       optional object: code (IMDRF adverse-event code: a letter
 *               A-G then 2, 4, 6 or 8 digits, e.g. "E0505"), term (1..256)
 *   text        optional string (any length the message allows)
 *   kind rules: note and report need non-empty text; exposure needs
 *               device.product_code; outcome needs device.product_code and
 *               event.code.
 * Unknown members are ignored (they stay in the stored raw payload), but
 * they are still JSON: an integer outside int64_t or a real that overflows
 * a double is a syntax error (DS_EPARSE) wherever it appears; a real that
 * underflows is accepted.
 *
 * What the list leaves open, as implemented:
 *   - JSON null is a value, not an absence: "patient":null is rejected
 *     ("patient: expected string, got null").
 *   - Control characters are C0 (U+0000-U+001F), DEL and C1
 *     (U+0080-U+009F). Lengths count bytes of the decoded UTF-8.
 *   - Enumerations and codes are case-sensitive ("Note", "dtb", "e05").
 *   - A top-level array is DS_EINVAL ("top level: expected object, got
 *     array"); a top-level scalar is DS_EPARSE ("'[' or '{' expected",
 *     jansson's words).
 *   - Present but empty text (allowed for exposure and outcome) is a span
 *     with n == 0 whose p may be non-NULL: test n, not p.
 *   - Fields are checked in the order listed; the first failure is the
 *     one reported.
 *   - The content type is ENG_CTYPE_EVENT_JSON (or ENG_CTYPE_FHIR_JSON)
 *     byte for byte, optionally followed by one "; charset=utf-8"
 *     parameter (name and value case-insensitive, blanks allowed around
 *     ';').
 * Diagnostics are one line of printable ASCII: quoted values are cut to 40
 * bytes (content types to 100) and bytes outside 0x20..0x7E show as \xNN.
 *
 * Never asserts on input; never logs. Not here: size limits (the caller
 * applies ingest.max_msg_size before decoding) and storage.
 */
#ifndef DEVSURV_ENG_EVENT_H
#define DEVSURV_ENG_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#define ENG_CTYPE_EVENT_JSON "application/vnd.devsurv.event+json"
#define ENG_CTYPE_FHIR_JSON  "application/fhir+json" /* eng_fhir.h */

enum eng_event_kind {
    ENG_EV_NOTE = 1,
    ENG_EV_REPORT,
    ENG_EV_EXPOSURE,
    ENG_EV_OUTCOME
};

enum eng_proc_action {
    ENG_PROC_NONE = 0,
    ENG_PROC_IMPLANTED,
    ENG_PROC_EXPLANTED,
    ENG_PROC_REVISED
};

/* One decoded event. Absent optional fields are empty spans ({NULL, 0}). */
struct eng_event {
    enum eng_event_kind kind;
    int64_t time_ms; /* event time, Unix ms UTC */
    struct ds_span id;
    struct ds_span patient;
    struct ds_span encounter;
    struct ds_span product_code; /* device.product_code */
    struct ds_span udi;          /* device.udi (syntax checked later) */
    struct ds_span brand;        /* device.brand */
    struct ds_span model;        /* device.model */
    struct ds_span proc_code;    /* procedure.code */
    enum eng_proc_action proc_action;
    struct ds_span event_code; /* event.code (IMDRF) */
    struct ds_span event_term; /* event.term */
    struct ds_span text;
};

typedef struct eng_decoder eng_decoder_t;

/* New decoder. Returns NULL on allocation failure. Caller owns the result;
 * free it with eng_decoder_destroy(). A decoder serves one thread at a
 * time. The first call switches jansson's allocator (FHIR parsing), which
 * is process-global, to ds_malloc/ds_free so counters and fault injection
 * cover parsing; every other jansson user in the process follows. A
 * decoder's buffers only grow: once it has seen a native envelope as big,
 * decoding one allocates nothing. */
eng_decoder_t *eng_decoder_new(void);

/* Free *self_p and set it to NULL. Safe on NULL and on *self_p == NULL. */
void eng_decoder_destroy(eng_decoder_t **self_p);

/* Decode payload[0..n) of content type ctype into *ev (overwritten; its
 * spans borrow from self until the next call). Returns 0; DS_EUNSUPP for an
 * unknown content type, or a FHIR resourceType that is not an event;
 * DS_EPARSE for a JSON syntax error (diag: "invalid JSON at line L column
 * C: <reason>", the reason from ds_json for the native envelope and from
 * jansson for FHIR; for the native envelope L and C are 1-based, C counts
 * characters, and they point at the offending character or just past the
 * end of the input); DS_EINVAL for a
 * valid JSON document that is not a valid event (diag names the field
 * path); DS_ENOMEM, also when a jansson allocation failed and was retried
 * (the document is then discarded: see eng_event.c). On any error *ev is
 * zeroed and nothing is kept. diag may be NULL. diag->file stays empty: the
 * caller knows the source. */
int eng_decoder_decode(eng_decoder_t *self, struct ds_span ctype,
                       const char *payload, size_t n, struct eng_event *ev,
                       struct ds_diag *diag);

/* "note", "report", "exposure", "outcome" ("?" for anything else). */
const char *eng_event_kind_name(enum eng_event_kind kind);

#endif
