/*
 * eng_audit_key.h - Ed25519 key files for signing audit checkpoints.
 *
 * Same text layout as the CURVE files (eng_curve.h): one "name = value"
 * per line, '#' comments, values in lower-case hex:
 *     PREFIX.sign.key  (mode 0600)  public-key = <64 hex: 32 bytes>
 *                                   secret-key = <128 hex: libsodium's
 *                                                 64-byte seed || public>
 *     PREFIX.sign.pub  (shareable)  public-key = <64 hex>
 * `devsurv keygen --signing PREFIX` writes both, refusing to overwrite.
 * The engine reads the .key (audit.signing_key); an auditor keeps the .pub
 * and passes it to `devsurv verify --pubkey`. A file holding a secret must
 * not be readable by group or others, and the secret must re-derive the
 * public key (crypto_sign_ed25519_sk_to_pk), else the file is refused.
 * Signatures are libsodium's crypto_sign_detached (RFC 8032 Ed25519).
 *
 * Not here: what is signed (eng_audit_canon_sth), where keys live in
 * production (an HSM or a separate service user: reliability.md 3.2).
 */
#ifndef DEVSURV_ENG_AUDIT_KEY_H
#define DEVSURV_ENG_AUDIT_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"

#define ENG_AUDIT_KEY_PUB 32
#define ENG_AUDIT_KEY_SEC 64
#define ENG_AUDIT_KEY_SIG 64

struct eng_audit_key {
    uint8_t pub[ENG_AUDIT_KEY_PUB];
    uint8_t sec[ENG_AUDIT_KEY_SEC];
    bool has_sec;
};

/* Read a .sign.key or .sign.pub file. 0, DS_EIO (cannot read) or
 * DS_ECONFIG (syntax with file:line, bad hex, no public key, secret
 * readable by others, secret not matching the public key). */
int eng_audit_key_load(struct eng_audit_key *out, const char *path,
                       struct ds_diag *diag);

/* Create PREFIX.sign.key (0600) and PREFIX.sign.pub; never overwrites
 * (DS_EIO). On success *out holds the new pair (may be NULL). */
int eng_audit_key_create(const char *prefix, struct eng_audit_key *out,
                         struct ds_diag *diag);

/* Wipe the secret. */
void eng_audit_key_clear(struct eng_audit_key *k);

/* Detached signature of msg[0..n) with k's secret. 0 or DS_EINVAL (no
 * secret). */
int eng_audit_key_sign(const struct eng_audit_key *k, const void *msg, size_t n,
                       uint8_t sig[ENG_AUDIT_KEY_SIG]);

/* True when sig is a valid signature of msg by pub. */
bool eng_audit_key_check(const uint8_t pub[ENG_AUDIT_KEY_PUB], const void *msg,
                         size_t n, const uint8_t sig[ENG_AUDIT_KEY_SIG]);

/* Lower-case hex of p[0..n) into out (2n+1 bytes). Returns out. */
char *eng_audit_hex(const uint8_t *p, size_t n, char *out);

/* Decode exactly 2n hex digits of s into out[0..n). */
bool eng_audit_unhex(const char *s, size_t len, uint8_t *out, size_t n);

#endif
