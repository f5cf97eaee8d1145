/*
 * eng_audit_events.h - the events_stored audit entry: the events a batch
 * stored, recorded in one entry instead of one entry each (an INSERT per
 * event into audit cost a third of the engine's CPU per 1 KB event).
 *
 * Payload (eng_audit_canon encoding): u64 count, then per event in store
 * order: str(source), i64 epoch, i64 seq, i64 ts (the event's time),
 * str(content type), bytes(SHA-256 of the stored payload). Subject:
 * "<first key>..<last key>", keys being "source/epoch/seq". ts: the last
 * event's time. At most ENG_AUDIT_EVENTS_MAX events per entry.
 *
 * Runs: the maximal stretches of one (source, epoch) in store order. Each
 * becomes a row of audit_events(source, epoch, last, first, entry)
 * (schema 7), written with the entry, so the lineage of an event finds its
 * entry by key in one index lookup; `devsurv verify` checks those rows
 * against the entry.
 *
 * Ownership: a struct eng_audit_events belongs to its eng_audit (eng_audit.h
 * fills and flushes it); items borrow their spans. Not here: the chain
 * (eng_audit), checking event rows (eng_audit_records).
 */
#ifndef DEVSURV_ENG_AUDIT_EVENTS_H
#define DEVSURV_ENG_AUDIT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/eng_audit_canon.h"
#include "devsurv/eng_store_cells.h"

#define ENG_AUDIT_EVENTS_MAX 1024
#define ENG_AUDIT_KEY_MAX    (ENG_SOURCE_MAX + 48) /* "source/epoch/seq" */

/* One event of an entry; spans and digest borrowed. */
struct eng_audit_events_item {
    struct ds_span source;
    int64_t epoch, seq, ts;
    struct ds_span ctype;
    const uint8_t *digest; /* ENG_AUDIT_HASH bytes */
};

struct eng_audit_events_run {
    char source[ENG_SOURCE_MAX];
    int64_t epoch, first, last;
};

/* Zero-initialise; free with eng_audit_events_clear(). */
struct eng_audit_events {
    struct eng_audit_buf body; /* the payload: count (set late), fields */
    size_t n;
    int64_t ts;
    struct eng_audit_events_run *runs;
    size_t nruns, cap;
};

void eng_audit_events_clear(struct eng_audit_events *b);
/* Empty it, keeping its memory. */
void eng_audit_events_reset(struct eng_audit_events *b);
/* Add one event. 0, DS_EINVAL (source longer than ENG_SOURCE_MAX - 1, or
 * the entry is full: flush first), DS_ENOMEM. */
int eng_audit_events_add(struct eng_audit_events *b,
                         const struct eng_audit_events_item *it);
/* The payload (count + fields): the count is written into the front of
 * the body, which *p then points to (valid until the next add or reset),
 * n bytes. 0 or DS_ENOMEM. */
int eng_audit_events_payload(struct eng_audit_events *b, const uint8_t **p,
                             size_t *n);
/* The subject into out (cap bytes); its span. */
struct ds_span eng_audit_events_subject(const struct eng_audit_events *b,
                                        char *out, size_t cap);

/* Reading a payload: eng_audit_events_open() gives the count (DS_EPARSE
 * when unreadable) and positions r on the first item; each
 * eng_audit_events_next() reads one item (DS_EPARSE when malformed). */
int eng_audit_events_open(struct eng_audit_rd *r, const uint8_t *payload,
                          size_t n, uint64_t *count);
int eng_audit_events_next(struct eng_audit_rd *r,
                          struct eng_audit_events_item *it);

/* "source/epoch/seq" into out (cap bytes; ENG_AUDIT_KEY_MAX holds any),
 * the source cut at ENG_SOURCE_MAX bytes; its span. Every audit subject
 * naming an event is written by this. */
struct ds_span eng_audit_events_key(char *out, size_t cap,
                                    struct ds_span source, int64_t epoch,
                                    int64_t seq);

#endif
