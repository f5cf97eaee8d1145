/*
 * eng_allow.h - the ingest allowlist: which CURVE public key may publish
 * as which source.
 *
 * File (ingest.allowlist), one entry per line, blank lines ignored:
 *     <source-id>  <Z85 public key, 40 characters>  [# comment]
 * '#' starts a comment only as the first non-blank byte of a line or of a
 * third field ('#' is also a Z85 character, so it can occur in a key).
 * A source may have at most ENG_ALLOW_KEYS_PER_SOURCE keys at once (key
 * rotation: add the new key, let the site switch, remove the old one). A
 * key may belong to one source only. Any bad line fails the whole load with
 * file:line, so a typo never silently drops or admits a hospital; the
 * engine keeps the list it had (eng_zap reloads on SIGHUP).
 *
 * Lookups compare the raw 32-byte keys the ZAP request carries. The table
 * is linear: sites are tens, not millions.
 */
#ifndef DEVSURV_ENG_ALLOW_H
#define DEVSURV_ENG_ALLOW_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/eng_wire.h"

#define ENG_ALLOW_KEYS_PER_SOURCE 2

struct eng_allow_entry {
    char source[ENG_WIRE_SOURCE_MAX + 1];
    uint8_t key[32];
    int line; /* where it was read, for messages */
};

typedef struct eng_allow eng_allow_t;

/* Load path into a new table. NULL with diag (file:line) on any error.
 * Caller owns the result; free it with eng_allow_destroy(). */
eng_allow_t *eng_allow_load(const char *path, struct ds_diag *diag);

void eng_allow_destroy(eng_allow_t **self_p);

/* The entry for raw key key[32], or NULL. Borrowed from self. */
const struct eng_allow_entry *eng_allow_find(const eng_allow_t *self,
                                             const uint8_t key[32]);

/* True when (source, key) is currently allowed. */
bool eng_allow_has(const eng_allow_t *self, struct ds_span source,
                   const uint8_t key[32]);

/* Number of entries. */
size_t eng_allow_count(const eng_allow_t *self);

#endif
