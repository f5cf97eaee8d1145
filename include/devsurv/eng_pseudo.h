/*
 * eng_pseudo.h - keyed pseudonyms for patient and encounter identifiers,
 * computed at the hospital before anything leaves it (DESIGN.md section 3).
 *
 * pseudonym = "ps-" + hex(first 16 bytes of HMAC-SHA-256(key, domain ||
 * 0x00 || identifier)), domain "patient" or "encounter". HMAC-SHA-256 is
 * libsodium's crypto_auth_hmacsha256 (RFC 2104, FIPS 180-4): no
 * hand-written crypto. The same site key gives the same pseudonym for the
 * same identifier, so the engine can link a patient's notes and exposures
 * without ever seeing the identifier; without the key the mapping cannot
 * be inverted or recomputed by a dictionary of identifiers. Domains keep a
 * patient id and an encounter id with equal text apart. 128 bits of output:
 * collisions are negligible for any realistic population.
 *
 * Key file: one line of 64 hex digits (32 bytes), created with mode 0600
 * by eng_pseudo_key_create (ds-publish --new-pseudo-key). Not here: text
 * de-identification of free text (a site's own de-identification step
 * replaces names in notes before ds-publish reads them).
 */
#ifndef DEVSURV_ENG_PSEUDO_H
#define DEVSURV_ENG_PSEUDO_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#define ENG_PSEUDO_KEY_BYTES 32
#define ENG_PSEUDO_LEN       35 /* "ps-" + 32 hex digits */

struct eng_pseudo_key {
    uint8_t k[ENG_PSEUDO_KEY_BYTES];
};

enum eng_pseudo_domain { ENG_PSEUDO_PATIENT = 0, ENG_PSEUDO_ENCOUNTER };

/* Read the key file at path into *key. Returns 0, DS_EIO (cannot read;
 * diag says why) or DS_ECONFIG (not exactly 64 hex digits plus an
 * optional newline, or readable by group/others: diag says which). */
int eng_pseudo_key_load(struct eng_pseudo_key *key, const char *path,
                        struct ds_diag *diag);

/* Create a new random key file at path with mode 0600; refuses to
 * overwrite an existing file (DS_EIO with diag). 0 on success. */
int eng_pseudo_key_create(const char *path, struct ds_diag *diag);

/* Write the pseudonym of id in domain d to out[ENG_PSEUDO_LEN + 1]
 * (NUL-terminated). */
void eng_pseudo_id(const struct eng_pseudo_key *key, enum eng_pseudo_domain d,
                   struct ds_span id, char out[ENG_PSEUDO_LEN + 1]);

#endif
