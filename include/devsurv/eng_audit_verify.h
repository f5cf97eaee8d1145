/*
 * eng_audit_verify.h - check the audit chain, its checkpoints and the
 * external anchors (`devsurv verify`).
 *
 * In one pass over audit by seq (reliability.md 3.2 "verify"):
 *   - seq is dense from 1; prev_hash is the previous entry_hash (zeros for
 *     seq 1); entry_hash = SHA-256(canonical || prev_hash): catches any
 *     edited row;
 *   - canonical decodes, and its seq, kind, ts and subject equal the
 *     columns; an event_stored entry's payload digest equals the SHA-256
 *     of its events row (eng_audit_records.h): catches an edited record;
 *   - at each checkpoint's n: the recomputed RFC 6962 root and the head
 *     equal the row, and the row's signature holds; entry n+1 is the
 *     row's "checkpoint/<n>" entry naming the same root, and every such
 *     entry has its row: catches a deleted checkpoint;
 *   - at each anchor line's n: the same against the anchor, which must
 *     also equal the checkpoint row of that n: catches a wholly re-hashed
 *     history and a deleted checkpoint even when the database was
 *     rewritten consistently;
 *   - no checkpoint or anchor is larger than the log: catches a truncated
 *     tail.
 * With a trusted public key every checkpoint and anchor must be signed by
 * it. Without one, signatures are checked against the key stored next to
 * them, which proves nothing against an insider: the report says so.
 * The first problem found is reported; checking stops there.
 *
 * Not here: repairing anything, inclusion/consistency proofs.
 */
#ifndef DEVSURV_ENG_AUDIT_VERIFY_H
#define DEVSURV_ENG_AUDIT_VERIFY_H

#include <sqlite3.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_audit_key.h"

struct eng_audit_verify_opts {
    const char *anchors; /* anchor file, or NULL */
    const uint8_t *pub;  /* trusted key (32 bytes), or NULL */
};

struct eng_audit_verify_report {
    int64_t entries;     /* entries checked */
    int64_t checkpoints; /* rows checked */
    int64_t anchors;     /* anchor lines checked */
    int64_t unsigned_cp; /* checkpoints without a signature */
    int64_t unanchored;  /* checkpoints with no anchor line (anchors given) */
    int64_t bad_seq;     /* first broken seq or tree size, 0 = none */
    char what[384];      /* the problem, "" when all holds */
};

/* Verify the audit of db (read-only use). 0 when everything holds;
 * DS_EINVAL when something does not (report->what, report->bad_seq);
 * DS_ESTORE, DS_EIO, DS_EPARSE (malformed anchor file), DS_ENOMEM with diag
 * set when the inputs cannot be read. */
int eng_audit_verify(sqlite3 *db, const struct eng_audit_verify_opts *o,
                     struct eng_audit_verify_report *report,
                     struct ds_diag *diag);

#endif
