/*
 * eng_audit_sth.h - signed tree heads (STH) of the audit log and their
 * one-line text form for the anchor file.
 *
 * An STH says "the audit log had n entries, Merkle root R (RFC 6962 over
 * the entry hashes 1..n), chain head H (entry_hash of seq n), at event
 * time ts", signed with Ed25519 over eng_audit_canon_sth(n, R, H, ts).
 * Unsigned STHs (no audit.signing_key) carry no signature and no key.
 *
 * Anchor line (one per checkpoint, appended to a file outside the DB):
 *     <n> <root: 64 hex> <head: 64 hex> <ts> <sig: 128 hex | -> <pub: 64 hex |
 * -> single spaces, decimal integers, lower-case hex, '\n' terminated. Lines
 * starting with '#' and blank lines are comments.
 *
 * Not here: computing the root (eng_merkle), storing and exporting
 * (eng_checkpoint), checking against the DB (eng_audit_verify).
 */
#ifndef DEVSURV_ENG_AUDIT_STH_H
#define DEVSURV_ENG_AUDIT_STH_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/ds_span.h"
#include "devsurv/eng_audit_canon.h"
#include "devsurv/eng_audit_key.h"

/* Longest anchor line, '\n' and NUL included. */
#define ENG_AUDIT_STH_LINE_MAX 400

struct eng_audit_sth {
    int64_t n;
    uint8_t root[ENG_AUDIT_HASH];
    uint8_t head[ENG_AUDIT_HASH];
    int64_t ts;
    bool is_signed;
    uint8_t sig[ENG_AUDIT_KEY_SIG];
    uint8_t pub[ENG_AUDIT_KEY_PUB];
};

/* Sign s with k (sets sig, pub, is_signed). 0, DS_EINVAL, DS_ENOMEM. */
int eng_audit_sth_sign(struct eng_audit_sth *s, const struct eng_audit_key *k);

/* True when s is signed and its signature verifies under s->pub. */
bool eng_audit_sth_check(const struct eng_audit_sth *s);

/* The anchor line of s, '\n' included, into out (ENG_AUDIT_STH_LINE_MAX). */
void eng_audit_sth_format(const struct eng_audit_sth *s, char *out);

/* Parse one anchor line (without or with its '\n') into *out. DS_EPARSE
 * when it is not exactly the format above. */
int eng_audit_sth_parse(struct ds_span line, struct eng_audit_sth *out);

#endif
