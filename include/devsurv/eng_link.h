/*
 * eng_link.h - which plan cells one event counts in: affirmed
 * adverse-event mentions (or a coded event) linked to a device of a plan's
 * group or comparator, and implant statements found in text.
 *
 * An event mention counts only when affirmed: not negated, hypothetical,
 * historical or about family ("possible" counts: it is still a report of
 * the event). Its device is, in this order, the first that gives a device
 * of the plan's group or comparator:
 *   1. the event's structured device (envelope `device`, FHIR Device or
 *      AdverseEvent.suspectEntity, MAUDE device row): "structured", or
 *      "report-device" for kind report;
 *   2. a device the patient received (exposure events, earlier) whose risk
 *      window [ts, ts + window_days] holds the event's time:
 *      "patient-exposure" (the exposure's time is the link's anchor); a
 *      recorded implant names brand, model and UDI, which a device class
 *      named in free text ("ICD lead") cannot, so it comes first;
 *   3. a device mention (affirmed) in the same sentence: "sentence";
 *   4. a device mention elsewhere in the note: "note".
 * Within one event, a (plan, device key, plan event code) counts once.
 * De-duplication across notes of a patient (episodes) and counting belong
 * to eng_plan_run.
 *
 * Pure: no store, no clock; the caller passes the patient's devices.
 * Ownership: struct eng_links owns its array (eng_links_clear); the spans
 * in each link borrow from the event, the nlp_result or the exposures
 * passed in, for as long as those live.
 */
#ifndef DEVSURV_ENG_LINK_H
#define DEVSURV_ENG_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/eng_event.h"
#include "devsurv/eng_plan.h"
#include "devsurv/nlp_extract.h"

enum eng_link_how {
    ENG_LINK_STRUCTURED = 0,
    ENG_LINK_REPORT_DEVICE,
    ENG_LINK_SENTENCE,
    ENG_LINK_NOTE,
    ENG_LINK_EXPOSURE
};

/* A device a patient received, and when. */
struct eng_link_exposure {
    struct eng_plan_device dev;
    int64_t ts;
};

struct eng_link {
    size_t plan;           /* index in the plan set */
    struct ds_span device; /* the cell's device key */
    const char *event;     /* the plan event code (in the plan) */
    bool comparator;       /* a comparator device's event */
    int64_t mention;       /* index into nlp_result.m, -1 structured */
    enum eng_link_how how;
    int64_t anchor; /* exposure time, else the event's time */
};

struct eng_links {
    struct eng_link *v;
    size_t n, cap;
};

void eng_links_init(struct eng_links *l);
void eng_links_clear(struct eng_links *l);

/* Links of event ev (its mentions r, NULL when it has no text) under every
 * plan of set, given the patient's devices expo[0..nexpo) (any order).
 * Replaces l's contents. 0 or DS_ENOMEM. */
int eng_link_event(const eng_plan_set_t *set, const struct eng_event *ev,
                   const struct nlp_result *r,
                   const struct eng_link_exposure *expo, size_t nexpo,
                   struct eng_links *l);

/* Devices the text says were implanted, inserted, placed or deployed:
 * affirmed device mentions sharing a sentence with such a word. Writes up
 * to cap product codes (spans into r's text) into out; their number. */
size_t eng_link_implants(const struct nlp_result *r, struct ds_span *out,
                         size_t cap);

/* The event's structured device (envelope `device`, FHIR Device, MAUDE
 * device row) as a plan device; spans borrow from ev. Its UDI-DI is the
 * GTIN-14 of a GS1 UDI (a carrier "(01)...(21)..." or "01..." that
 * parses with its check digit, or a bare GTIN-14); other UDIs give none. */
void eng_link_event_device(const struct eng_event *ev,
                           struct eng_plan_device *d);

/* "structured", "report-device", "sentence", "note", "patient-exposure". */
const char *eng_link_how_name(enum eng_link_how how);

/* Does mention m count as affirmed for linking? */
bool eng_link_affirmed(const struct nlp_mention *m);

#endif
