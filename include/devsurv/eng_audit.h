/*
 * eng_audit.h - the tamper-evident audit chain: append inside the caller's
 * transaction, keep the head in memory.
 *
 * Table audit(seq, kind, ts, subject, canonical, prev_hash, entry_hash)
 * (migration 3): seq is dense from 1, canonical is eng_audit_canon_encode()
 * of the entry, entry_hash = SHA-256(canonical || prev_hash) with prev_hash
 * of seq 1 = 32 zero bytes (reliability.md 3.2, "hash chain"). kind, ts and
 * subject repeat fields of canonical for SQL readers; verify checks they
 * agree. Triggers refuse UPDATE and DELETE; verify refuses a gap in seq.
 *
 * Transactions: eng_audit_append() writes into the transaction the caller
 * has open (the pipeline's batch), so an entry commits or rolls back with
 * the rows it describes. The in-memory head follows: call
 * eng_audit_committed() after a successful COMMIT and eng_audit_rollback()
 * after a ROLLBACK, and the head is again the last committed entry.
 *
 * One engine per database, as for the store; other processes that append
 * (`devsurv alert`) do so inside BEGIN IMMEDIATE after eng_audit_reload(),
 * and so does the engine at the start of each batch. Not here: what each
 * kind's payload holds (eng_audit_log.h), checkpoints (eng_checkpoint.h),
 * verification (eng_audit_verify.h).
 */
#ifndef DEVSURV_ENG_AUDIT_H
#define DEVSURV_ENG_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_audit_canon.h"
#include "devsurv/eng_store.h"

typedef struct eng_audit eng_audit_t;

/* Open the chain of store (borrowed: must outlive it) and load its head.
 * NULL with diag set on a store error or allocation failure. Caller owns
 * the result; free it with eng_audit_destroy(). */
eng_audit_t *eng_audit_new(eng_store_t *store, struct ds_diag *diag);

void eng_audit_destroy(eng_audit_t **self_p);

/* entry_hash = SHA-256(canon[0..n) || prev). */
void eng_audit_hash(const uint8_t *canon, size_t n,
                    const uint8_t prev[ENG_AUDIT_HASH],
                    uint8_t out[ENG_AUDIT_HASH]);

/* A scratch buffer, emptied, for building the next entry's payload; owned
 * by self, valid until the next eng_audit_payload() or append. */
struct eng_audit_buf *eng_audit_payload(eng_audit_t *self);

/* Append entry (seq = head + 1) inside the open transaction. 0,
 * DS_ESTORE, DS_ENOMEM or DS_EINVAL (bad kind); on error the caller rolls
 * back. payload may be the eng_audit_payload() buffer's bytes. */
int eng_audit_append(eng_audit_t *self, enum eng_audit_kind kind, int64_t ts,
                     struct ds_span subject, const uint8_t *payload, size_t n);

/* Stored events are not appended one entry each: eng_audit_add_event()
 * queues one, and the queue becomes one events_stored entry
 * (eng_audit_events.h) when an entry of another kind is appended (so the
 * chain keeps store order: an event's entry precedes its mentions and
 * signals), when ENG_AUDIT_EVENTS_MAX are queued, or at
 * eng_audit_flush(), which the pipeline calls before COMMIT. 0 or
 * eng_audit_append()'s errors; DS_EINVAL for a source too long. */
struct eng_audit_events_item;
int eng_audit_add_event(eng_audit_t *self,
                        const struct eng_audit_events_item *it);
int eng_audit_flush(eng_audit_t *self);
/* Re-read the head (last seq, entry_hash, ts) from the database, for
 * when another connection may have appended since this object last looked
 * (`devsurv alert` appends while the engine runs). Call it inside the
 * write transaction (BEGIN IMMEDIATE) that will append, so nobody can
 * append in between; uncommitted appends of self are forgotten. 0 or
 * DS_ESTORE (the head is then empty: roll back, do not append). */
int eng_audit_reload(eng_audit_t *self);

/* The transaction holding the appended entries committed (after
 * eng_audit_flush()) / rolled back; either forgets queued events. */
void eng_audit_committed(eng_audit_t *self);
void eng_audit_rollback(eng_audit_t *self);

/* The head: seq of the last entry (0 when empty), its entry_hash (zeros
 * when empty) and its ts (0 when empty; the last queued event's time
 * while events are queued). Uncommitted appends included. */
int64_t eng_audit_seq(const eng_audit_t *self);
const uint8_t *eng_audit_head(const eng_audit_t *self);
int64_t eng_audit_ts(const eng_audit_t *self);

#endif
