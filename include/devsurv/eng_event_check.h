/*
 * eng_event_check.h - byte-level checks behind the event decoder (internal).
 *
 * Pure predicates over borrowed spans, used by eng_event.c and eng_fhir*.c:
 * the content type, the syntax of coded fields, control characters, the
 * escaping that keeps a rejected value safe to put in a diagnostic, and
 * the kind rules. No JSON, no allocation, no state; nothing outside the
 * decoders should need it (the contract other modules use is eng_event.h).
 * Every span is borrowed for the call only; the escape buffer belongs to
 * the caller.
 */
#ifndef DEVSURV_ENG_EVENT_CHECK_H
#define DEVSURV_ENG_EVENT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "devsurv/ds_span.h"

/* True when ctype is ENG_CTYPE_EVENT_JSON exactly, optionally followed by
 * one parameter "; charset=utf-8" (blanks allowed around ';', parameter
 * name and value case-insensitive, value unquoted). */
bool eng_event_check_ctype(struct ds_span ctype);

/* The same rule for another media type (eng_fhir: application/fhir+json). */
bool eng_event_check_ctype_as(struct ds_span ctype, const char *type);

/* True for an FDA product code: exactly 3 upper-case letters A-Z. */
bool eng_event_check_product_code(struct ds_span s);

/* True for an IMDRF adverse-event code: an upper-case letter A-G followed
 * by 2, 4, 6 or 8 digits ("E05", "E0505", "A010203"). */
bool eng_event_check_imdrf(struct ds_span s);

/* True when s (valid UTF-8) holds no control character: C0 (0x00-0x1F),
 * DEL (0x7F) or C1 (U+0080-U+009F, bytes C2 80..C2 9F). */
bool eng_event_check_no_controls(struct ds_span s);

/* Write at most max bytes of s into buf (cap bytes, cap >= 8), NUL
 * terminated, for a diagnostic: bytes outside 0x20..0x7E become "\xNN";
 * when q is not NUL, q and '\\' are backslash-escaped too (q is the quote
 * the caller puts around the value); "..." marks a cut. The result is
 * always one line of printable ASCII. Returns buf. */
const char *eng_event_check_escape(char *buf, size_t cap, struct ds_span s,
                                   size_t max, char q);

struct eng_event;
struct ds_diag;

/* The kind rules of eng_event.h (note and report need text; exposure needs
 * a product code; outcome a product code and an event code), shared by
 * the native and the FHIR decoders. 0, or DS_EINVAL with diag naming the
 * native field ("device.product_code: required for kind exposure"). */
int eng_event_check_kind_rules(const struct eng_event *ev,
                               struct ds_diag *diag);

#endif
