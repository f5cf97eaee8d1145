/*
 * eng_fhir.h - FHIR R4 input: one resource mapped into a struct eng_event,
 * and the site-side preparation that turns an NDJSON line (a resource or
 * a Bundle) into self-contained, pseudonymised single-resource messages.
 *
 * Content type ENG_CTYPE_FHIR_JSON ("application/fhir+json", eng_event.h):
 * one message carries ONE event-bearing resource. Shapes follow
 * reference/reliability.md 7.1 (validated R4 examples).
 *
 * Mapping (eng_fhir_map). Common to every resource: resourceType and id
 * are required; id is a FHIR id ([A-Za-z0-9.-], 1..64); the event id is
 * "<resourceType>/<id>" ("Procedure/p1"). A patient is the id part of a
 * reference "Patient/x" (an absolute base URL before it and a trailing
 * "/_history/n" are accepted and dropped); an encounter likewise from
 * "Encounter/x". Times are FHIR instants: RFC 3339 with a time zone
 * (eng_time_parse); a date-only value is refused with the path.
 *   DocumentReference -> note. text = base64 content[i].attachment.data of
 *     the first content whose attachment has data (whitespace in the
 *     base64 is ignored); it must decode to non-empty UTF-8 without NUL.
 *     attachment.contentType, when present, must be text/plain (charset,
 *     if given, utf-8 or us-ascii). An attachment with only a url is an
 *     error: the engine never fetches. time = date, else
 *     context.period.start. patient = subject (optional); encounter = the
 *     first "Encounter/x" of context.encounter[].
 *   Procedure -> exposure. status must be "completed". subject required.
 *     time = performedDateTime, else performedPeriod.start. encounter =
 *     encounter. procedure code = code.coding[0].code. focalDevice[0] is
 *     the device: its action coding (any system, usually
 *     http://hl7.org/fhir/device-action) "implanted" -> implanted;
 *     "explanted" or "removed" -> explanted; "revised", "replaced" or
 *     "manipulated" (R4's third device-action code: the device was
 *     adjusted in place) -> revised; another code is an error; no action
 *     -> none. focalDevice[0].manipulated must be "#id" of a Device in
 *     contained (the engine resolves nothing outside the message). text =
 *     note[].text joined by "\n".
 *   AdverseEvent -> outcome or report. actuality must be "actual"
 *     ("potential" is refused: it is not an event). subject required.
 *     time = date, else detected, else recordedDate. encounter = encounter.
 *     Device = suspectEntity[0].instance, which must be "#id" of a
 *     contained Device (optional for a report). If event.coding has a
 *     coding whose system contains "imdrf" (any case) its code must be an
 *     IMDRF code and the kind is outcome: event code = that code, event
 *     term = coding display, else event.text (left empty when over 256
 *     bytes). Otherwise the kind is report. text = event.text, then
 *     description (a non-R4 element some senders add), joined by "\n";
 *     a report needs one of them.
 *   Device (contained, for Procedure and AdverseEvent): product code = the
 *     code of the first type.coding whose system contains "fda" (any case,
 *     e.g. "http://www.accessdata.fda.gov/productcode"; there is no HL7
 *     URI for FDA product codes) and which is 3 upper-case letters; a
 *     coding from such a system with another code is an error. udi =
 *     udiCarrier[0].carrierHRF; brand = deviceName[].name of type
 *     udi-label-name, else manufacturer-name; model = modelNumber.
 *     An exposure or outcome without a product code is refused, as for
 *     native envelopes; the result then passes the native kind rules
 *     (eng_event_check_kind_rules).
 *   Device alone: DS_EINVAL (no event time; send it in a Bundle with the
 *     resource that references it). Bundle: DS_EINVAL (split at the site).
 *   Any other resourceType: DS_EUNSUPP naming it.
 * Every reject is DS_EINVAL with a diag naming the FHIR path, e.g.
 * "Procedure.subject: required", "DocumentReference.content[0].attachment
 * .data: not valid base64". Values shown are escaped and cut as for native
 * envelopes. Unknown elements are ignored (the raw payload is stored).
 *
 * Site preparation (eng_fhir_site_prepare), run by ds-publish before
 * anything leaves the hospital, is described at its declaration.
 *
 * Not here: fetching attachment URLs, terminology validation, R5/STU3,
 * XML, FHIR search, de-identification of free text.
 */
#ifndef DEVSURV_ENG_FHIR_H
#define DEVSURV_ENG_FHIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_pseudo.h"

/* Bytes the mapping produces itself (the event id, decoded note text,
 * joined notes); the event's spans point into it. Embedded: zero it to
 * init, eng_fhir_scratch_clear() to free. Grows only, so a long-lived
 * scratch stops allocating once it has seen the largest message. */
struct eng_fhir_scratch {
    char *p;
    size_t n, cap;
};

/* Free the scratch buffer and zero *s. Safe on a zeroed scratch. */
void eng_fhir_scratch_clear(struct eng_fhir_scratch *s);

/* True when ctype is ENG_CTYPE_FHIR_JSON, optionally followed by one
 * "; charset=utf-8" parameter (the rule of the native content type). */
bool eng_fhir_ctype_ok(struct ds_span ctype);

/* Map the FHIR R4 resource res (borrowed) into *ev (overwritten). Spans
 * borrow from res and from *scratch (reused: earlier spans into it become
 * invalid). Returns 0, DS_EINVAL (diag names the FHIR path), DS_EUNSUPP
 * (a resourceType that is not an event) or DS_ENOMEM. On error *ev is
 * zeroed. diag may be NULL. */
int eng_fhir_map(const json_t *res, struct eng_fhir_scratch *scratch,
                 struct eng_event *ev, struct ds_diag *diag);

/* Event time of res by the mapping's rules for its resourceType into *ms.
 * Returns 0, or DS_ENOTFOUND when there is none that parses (a Device, a
 * missing or malformed date). */
int eng_fhir_event_time(const json_t *res, int64_t *ms);

/* Counters of eng_fhir_site_prepare(), added to (zero them once). */
struct eng_fhir_site_stats {
    uint64_t lines;       /* lines prepared without error */
    uint64_t emitted;     /* resources handed to emit */
    uint64_t skipped;     /* non-event resources not sent (Patient...) */
    uint64_t unsupported; /* other resource types, kept at the site */
    uint64_t contained;   /* Bundle Devices copied into a resource */
    uint64_t pseudonyms;  /* Patient/Encounter references pseudonymised */
    uint64_t removed;     /* identifier, narrative, display, contained
                             person resources removed */
};

/* Receives one prepared message: json[0..n) (not NUL-terminated for the
 * callee's purposes, borrowed for the call) of content type
 * ENG_CTYPE_FHIR_JSON, with its event time (0 when none parses). Return 0
 * to go on; anything else stops preparation and is returned. */
typedef int(eng_fhir_emit_fn)(void *arg, const char *json, size_t n,
                              int64_t ts_ms);

/* Prepare one NDJSON line line[0..n) holding a FHIR resource or a Bundle
 * (type collection, transaction, message, batch or searchset) for
 * sending, and call emit once per message, in entry order.
 *
 * Bundle: a Device entry referenced from another entry (by "Device/x",
 * by its fullUrl such as "urn:uuid:...", or by an absolute URL ending in
 * "Device/x") is deep-copied into the referencing resource's contained
 * array and the reference becomes "#x" (x = the Device's id, or "dev<i>"
 * for entry i when it has none), so each message is self-contained.
 * References to Patient and Encounter entries by fullUrl become
 * "Patient/x" / "Encounter/x". Non-event resources (Patient, Encounter,
 * Practitioner, PractitionerRole, RelatedPerson, Organization, Location,
 * MessageHeader, OperationOutcome, Provenance) and entries without a
 * resource (a transaction DELETE) are not sent (st->skipped). A Device
 * nobody references is sent alone (the engine quarantines it with its
 * reason: nothing is silently lost). DocumentReference, Procedure and
 * AdverseEvent are sent as they are (the engine checks them, not this
 * function). Any other type is never sent: the engine would only
 * quarantine it and this function does not know how to pseudonymise it;
 * it is counted in st->unsupported, and a line holding only such a
 * resource returns DS_EUNSUPP so the publisher keeps it with the reason.
 * A Bundle inside a Bundle is DS_EINVAL.
 *
 * Pseudonymisation (key != NULL), in every sent resource including its
 * contained resources: each reference "Patient/x" (also with a base URL
 * or "/_history/n") becomes "Patient/" + eng_pseudo_id(key,
 * ENG_PSEUDO_PATIENT, x), "Encounter/x" likewise with ENG_PSEUDO_ENCOUNTER;
 * removed: every "identifier" member (array or Reference.identifier),
 * every narrative ("text" whose value is an object), every "display" of a
 * Reference (an object with a "reference" string), and every contained
 * Patient, RelatedPerson, Practitioner or PractitionerRole. A conditional
 * reference ("Patient?identifier=...") cannot be pseudonymised: the line
 * is refused. Not removed: free text (notes, event.text: de-identified by
 * the site beforehand), extensions, device serial and lot numbers.
 *
 * Output is compact JSON (json_dumps JSON_COMPACT). Returns 0; DS_EPARSE
 * (not JSON; diag says where), DS_EINVAL (not a FHIR resource, a bad
 * Bundle, a conditional reference under pseudonymisation) with nothing
 * emitted: the whole line is checked before the first emit. DS_EUNSUPP
 * (see above), DS_ENOMEM, or emit's own nonzero return (messages emitted
 * before it stand). st and diag may be NULL. */
int eng_fhir_site_prepare(const char *line, size_t n,
                          const struct eng_pseudo_key *key,
                          eng_fhir_emit_fn *emit, void *arg,
                          struct eng_fhir_site_stats *st, struct ds_diag *diag);

#endif
