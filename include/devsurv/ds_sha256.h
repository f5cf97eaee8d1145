/*
 * ds_sha256.h - SHA-256 (FIPS 180-4), the one hash of the audit chain, the
 * Merkle tree, mention batches and rule/plan-set digests.
 *
 * Backed by OpenSSL's libcrypto, which uses the CPU's SHA extensions when
 * present (0.7 us per 1 KB event on the development VM, against 4.7 us
 * for libsodium's portable C, which this replaced: the hash was a tenth
 * of the engine's ingest time). The digest is SHA-256 either way, so
 * chains written before and after verify alike.
 *
 * The state is held by value: no allocation, nothing can fail. One state
 * serves one thread at a time. Not here: hex encoding (sodium_bin2hex)
 * and signatures (libsodium Ed25519, eng_checkpoint.h).
 */
#ifndef DEVSURV_DS_SHA256_H
#define DEVSURV_DS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define DS_SHA256_BYTES 32

/* Opaque incremental state (large enough for libcrypto's SHA256_CTX;
 * ds_sha256.c checks that at compile time). */
struct ds_sha256 {
    _Alignas(8) unsigned char opaque[128];
};

void ds_sha256_init(struct ds_sha256 *h);
void ds_sha256_update(struct ds_sha256 *h, const void *p, size_t n);
/* Write the digest to out; h must be initialised again before reuse. */
void ds_sha256_final(struct ds_sha256 *h, uint8_t out[DS_SHA256_BYTES]);

/* One call: out = SHA-256(p[0..n)). p may be NULL when n is 0. */
void ds_sha256(uint8_t out[DS_SHA256_BYTES], const void *p, size_t n);

/* One file's record in a file-set digest (the rule set, nlp_rules.h; the
 * plan set, eng_plan.h): name and a NUL, n as 8 bytes big-endian, then
 * p[0..n), so no two file sets give the same byte stream. */
void ds_sha256_file(struct ds_sha256 *h, const char *name, const void *p,
                    size_t n);

#endif
