/*
 * eng_curve.h - CURVE key files for the ingest link (ZeroMQ RFC 26).
 *
 * A key pair is two Z85 strings of 40 characters (zmq_curve_keypair). Files
 * are text, one "name = value" per line, '#' comments:
 *     PREFIX.key  (mode 0600)   public-key = <Z85>
 *                               secret-key = <Z85>
 *     PREFIX.pub  (shareable)   public-key = <Z85>
 * `devsurv keygen PREFIX` writes both (refusing to overwrite); the engine
 * reads its .key (ingest.server_key), hospitals send their .pub to the
 * engine operator for the allowlist and get the engine's .pub back.
 * A file holding a secret key must not be readable by group or others.
 * Loading checks that the secret re-derives the public key
 * (zmq_curve_public), so a mismatched pair is refused, not used.
 */
#ifndef DEVSURV_ENG_CURVE_H
#define DEVSURV_ENG_CURVE_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"

#define ENG_CURVE_Z85 40 /* characters of one Z85 key */

struct eng_curve_pair {
    char pub[ENG_CURVE_Z85 + 1];
    char sec[ENG_CURVE_Z85 + 1]; /* "" when the file holds no secret */
    bool has_sec;
};

/* Read a .key or .pub file into *out. Returns 0, DS_EIO (cannot read) or
 * DS_ECONFIG (syntax with file:line, bad Z85, secret readable by others,
 * secret not matching the public key). */
int eng_curve_load(struct eng_curve_pair *out, const char *path,
                   struct ds_diag *diag);

/* Create PREFIX.key (0600) and PREFIX.pub with a new pair; refuses to
 * overwrite either (DS_EIO). 0 on success. */
int eng_curve_create(const char *prefix, struct ds_diag *diag);

/* True when s is 40 characters that Z85-decode to 32 bytes; the bytes go
 * to raw (may be NULL). */
bool eng_curve_z85_ok(const char *s, uint8_t raw[32]);

#endif
