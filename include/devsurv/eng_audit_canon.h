/*
 * eng_audit_canon.h - canonical bytes of audit entries and tree heads.
 *
 * The audit chain hashes these bytes, so they must be the same on every
 * machine and in every replay: no text numbers, no locale, no floats as
 * text, no ambiguity between adjacent fields. Encoding (all big-endian):
 *     u64    8 bytes (int64 values as their two's-complement bits)
 *     f64    the IEEE-754 binary64 bits as a u64
 *     bytes  u32 length, then the bytes
 * An entry is
 *     bytes("devsurv.audit.v1") u64 seq  bytes(kind name)  u64 ts
 *     bytes(subject)  bytes(payload)
 * and entry_hash = SHA-256(canonical || prev_hash), prev_hash of seq 1 being
 * 32 zero bytes (reference/reliability.md section 3.2). ts is an EVENT time
 * in Unix ms, never the wall clock, so a replay reproduces the chain. The
 * payload is itself a sequence of the fields above, per kind (eng_audit.h).
 * A signed tree head (STH) is
 *     bytes("devsurv.sth.v1") u64 n  bytes(root)  bytes(head)  u64 ts
 *
 * Not here: hashing the chain (eng_audit), Merkle trees (eng_merkle).
 */
#ifndef DEVSURV_ENG_AUDIT_CANON_H
#define DEVSURV_ENG_AUDIT_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_span.h"

#define ENG_AUDIT_HASH    32 /* SHA-256 */
#define ENG_AUDIT_TAG     "devsurv.audit.v1"
#define ENG_AUDIT_STH_TAG "devsurv.sth.v1"

enum eng_audit_kind {
    ENG_AUDIT_NONE = 0,
    ENG_AUDIT_EVENT_STORED,
    ENG_AUDIT_EVENT_QUARANTINED,
    ENG_AUDIT_SIGNAL_RAISED,
    ENG_AUDIT_RULES_LOADED,
    ENG_AUDIT_CONFIG_LOADED,
    ENG_AUDIT_SOURCE_DISCONTINUITY,
    ENG_AUDIT_CHECKPOINT,
    ENG_AUDIT_ALERT_TRANSITION,
    ENG_AUDIT_PLANS_LOADED, /* surveillance plan set: SHA-256, files */
    ENG_AUDIT_MENTIONS,     /* an event's mention batch */
    ENG_AUDIT_EVENT_LATE,   /* stored, older than the watermark, not counted */
    ENG_AUDIT_EVENTS_STORED /* the events of one batch (eng_audit_events.h) */
};

/* "event_stored", ...; NULL for a value outside the enum. Static. */
const char *eng_audit_kind_name(enum eng_audit_kind k);

/* The kind named s, or ENG_AUDIT_NONE. */
enum eng_audit_kind eng_audit_kind_parse(struct ds_span s);

/* A growable byte buffer. Zero-initialise; appends never fail visibly:
 * on allocation failure oom is set and later appends are no-ops, so a
 * caller checks once at the end. Free with eng_audit_buf_clear(). */
struct eng_audit_buf {
    uint8_t *p;
    size_t n, cap;
    bool oom;
};

void eng_audit_buf_clear(struct eng_audit_buf *b);
void eng_audit_buf_u64(struct eng_audit_buf *b, uint64_t v);
void eng_audit_buf_i64(struct eng_audit_buf *b, int64_t v);
void eng_audit_buf_f64(struct eng_audit_buf *b, double v);
/* u32 length + bytes (n must fit in 32 bits, else oom is set). */
void eng_audit_buf_bytes(struct eng_audit_buf *b, const void *p, size_t n);
void eng_audit_buf_str(struct eng_audit_buf *b, struct ds_span s);

/* One entry; all pointers borrowed. */
struct eng_audit_entry {
    int64_t seq;
    enum eng_audit_kind kind;
    int64_t ts; /* event time, Unix ms */
    struct ds_span subject;
    const uint8_t *payload;
    size_t npayload;
};

/* Canonical bytes of e into out (reset first). 0, DS_EINVAL (kind out of
 * range), DS_ENOMEM. */
int eng_audit_canon_encode(struct eng_audit_buf *out,
                           const struct eng_audit_entry *e);

/* Parse canonical bytes p[0..n) into *out (subject and payload point into
 * p). DS_EPARSE unless it is exactly one well-formed entry of a known kind
 * with the current domain tag. Never reads outside p[0..n). */
int eng_audit_canon_decode(const uint8_t *p, size_t n,
                           struct eng_audit_entry *out);

/* A read cursor over fields in this encoding (an entry's payload): any
 * overrun or length past the end sets bad, and later reads return 0 /
 * an empty span. */
struct eng_audit_rd {
    const uint8_t *p;
    size_t n;
    bool bad;
};
uint64_t eng_audit_rd_u64(struct eng_audit_rd *r);
struct ds_span eng_audit_rd_bytes(struct eng_audit_rd *r);

/* Canonical signed-tree-head bytes into out (reset first). 0 or
 * DS_ENOMEM. */
int eng_audit_canon_sth(struct eng_audit_buf *out, int64_t n,
                        const uint8_t root[ENG_AUDIT_HASH],
                        const uint8_t head[ENG_AUDIT_HASH], int64_t ts);

#endif
