/*
 * eng_store_events.h - store rows for inbound messages: events, quarantine
 * and the per-source ingest watermark.
 *
 * Every message is identified by (source, epoch, seq) (DESIGN.md 4) and is
 * stored exactly once, either as an event or in quarantine: inserting the
 * same key again is a no-op that returns DS_EDUP, so a repeat after a crash
 * or a second replay of a file changes nothing. Call inside a batch
 * (eng_store_begin). All arguments are borrowed for the call.
 */
#ifndef DEVSURV_ENG_STORE_EVENTS_H
#define DEVSURV_ENG_STORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_store.h"

/* Where a message came from. seq 0 = unknown (a frame that could not be
 * parsed far enough to name it); such quarantine rows have NULL keys. */
struct eng_store_key {
    struct ds_span source;
    int64_t epoch;
    int64_t seq;
};

/* Store a decoded event with its raw payload. 0 when new, DS_EDUP when the
 * key is already stored (as an event or in quarantine), DS_ESTORE. */
int eng_store_event_put(eng_store_t *self, const struct eng_store_key *key,
                        const struct eng_event *ev, struct ds_span ctype,
                        const char *payload, size_t n);

/* Quarantine a rejected message: raw bytes, the DS_E code and the reason.
 * 0 when new, DS_EDUP when the key is already stored, DS_ESTORE. */
int eng_store_quarantine_put(eng_store_t *self, const struct eng_store_key *key,
                             int code, const char *reason, struct ds_span ctype,
                             const void *payload, size_t n);

/* Highest committed seq for (source, epoch) into *committed (0 when the
 * pair is unknown). 0 or DS_ESTORE. */
int eng_store_source_get(eng_store_t *self, struct ds_span source,
                         int64_t epoch, int64_t *committed);

/* Record the watermark for (source, epoch); never moves it backwards. */
int eng_store_source_put(eng_store_t *self, struct ds_span source,
                         int64_t epoch, int64_t committed);

#endif
