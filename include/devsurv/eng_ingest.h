/*
 * eng_ingest.h - per-source sequencing for the DSV1 ingest protocol.
 *
 * Rules (reference/reliability.md 1.3, engine side): each (source, epoch)
 * has committed (from the store at first sight) and expected = committed+1.
 * seq < expected: duplicate, ignored (counted; the source is re-ACKed so a
 * publisher resending old data learns where the engine is). seq > expected:
 * a gap: the message is not applied and the publisher is asked to RESEND
 * from expected (at most once per ENG_INGEST_RESEND_MS per expected value).
 * seq == expected: apply. A (source, epoch) first seen while the source
 * has another epoch in the store remembers it (prev_epoch): applying its
 * seq 1 is a discontinuity the caller records (eng_store_epochs). After a
 * COMMIT, every source touched since the
 * last ACK is ACKed with its committed seq, never before.
 *
 * The table is small and linear (sources are hospitals: tens, not
 * millions). Not here: sockets (eng_serve), authentication (later: the
 * source must equal the ZAP User-Id).
 */
#ifndef DEVSURV_ENG_INGEST_H
#define DEVSURV_ENG_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_wire.h"

#define ENG_INGEST_RESEND_MS 200
#define ENG_INGEST_RID_MAX   256

enum eng_ingest_verdict {
    ENG_INGEST_APPLY = 0,
    ENG_INGEST_DUP,
    ENG_INGEST_GAP
};

/* One (source, epoch) stream. */
struct eng_ingest_src {
    char source[ENG_WIRE_SOURCE_MAX + 1];
    int64_t epoch;
    int64_t committed; /* durable in the store */
    int64_t expected;  /* next seq to apply (committed + applied + 1) */
    bool need_ack;     /* ACK at the next flush */
    uint8_t rid[ENG_INGEST_RID_MAX]; /* last ZeroMQ routing id seen */
    size_t rid_len;
    int64_t resend_for;     /* expected value of the last RESEND */
    int64_t resend_ms;      /* when it was sent (monotonic ms) */
    int64_t prev_epoch;     /* the source's latest other epoch, 0 if none: a
                               new epoch after it is a discontinuity */
    int64_t prev_committed; /* prev_epoch's committed seq */
};

struct eng_ingest_stats {
    uint64_t applied, duplicates, gaps, resends;
};

typedef struct eng_ingest eng_ingest_t;

/* New table reading watermarks from store (borrowed). NULL on OOM. Caller
 * owns the result; free it with eng_ingest_destroy(). */
eng_ingest_t *eng_ingest_new(eng_store_t *store);
void eng_ingest_destroy(eng_ingest_t **self_p);

/* The stream for (source, epoch), created from the store's watermark at
 * first sight, with the routing id rid[0..rid_len) remembered for ACKs
 * (rid may be NULL when rid_len is 0; a routing id longer than
 * ENG_INGEST_RID_MAX keeps the previous one: libzmq's are 5 bytes).
 * NULL on OOM or store error. Borrowed: valid until destroy. */
struct eng_ingest_src *eng_ingest_src(eng_ingest_t *self, struct ds_span source,
                                      int64_t epoch, const void *rid,
                                      size_t rid_len);

/* Decide what to do with seq on src (see the rules above). For GAP, sets
 * *resend when a RESEND should be sent now (rate-limited at now_ms). */
enum eng_ingest_verdict eng_ingest_check(eng_ingest_t *self,
                                         struct eng_ingest_src *src,
                                         int64_t seq, int64_t now_ms,
                                         bool *resend);

/* seq was applied in the open batch. */
void eng_ingest_applied(eng_ingest_t *self, struct eng_ingest_src *src);

/* The batch committed: every applied seq is now durable. */
void eng_ingest_committed(eng_ingest_t *self);

/* The batch rolled back: forget what was applied since the last commit. */
void eng_ingest_rolled_back(eng_ingest_t *self);

/* Call fn for every stream that needs an ACK, and clear the flag. */
void eng_ingest_each_ack(eng_ingest_t *self,
                         void (*fn)(void *arg,
                                    const struct eng_ingest_src *src),
                         void *arg);

const struct eng_ingest_stats *eng_ingest_stats(const eng_ingest_t *self);

#endif
