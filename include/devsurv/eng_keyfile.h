/*
 * eng_keyfile.h - the text key files shared by CURVE link keys
 * (eng_curve) and Ed25519 audit signing keys (eng_audit_key): reading
 * "name = value" lines and writing a key pair without ever overwriting.
 *
 * Layout: one "public-key = VALUE" and optionally one "secret-key = VALUE"
 * line, blank lines and '#' comment lines ignored, blanks around '=' and
 * at line ends ignored. The value's encoding (Z85, hex) and the key check
 * belong to the caller. A file holding a secret must not be readable by
 * group or others. Secrets are wiped (sodium_memzero) from the line
 * buffer; the caller wipes its struct with eng_keyfile_clear().
 */
#ifndef DEVSURV_ENG_KEYFILE_H
#define DEVSURV_ENG_KEYFILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "devsurv/ds_diag.h"

#define ENG_KEYFILE_VALUE_MAX 255

struct eng_keyfile {
    char pub[ENG_KEYFILE_VALUE_MAX + 1];
    char sec[ENG_KEYFILE_VALUE_MAX + 1];
    int pub_line, sec_line; /* 0 when absent */
};

/* Read path into *out. 0, DS_EIO (cannot read) or DS_ECONFIG (file:line
 * for a line that is not "public-key = V" / "secret-key = V"; no
 * public-key line; a secret readable by group or others). */
int eng_keyfile_read(struct eng_keyfile *out, const char *path,
                     struct ds_diag *diag);

/* Wipe *k. */
void eng_keyfile_clear(struct eng_keyfile *k);

/* Create path with mode, holding text, fsynced; never overwrites (O_EXCL:
 * DS_EIO with diag when it exists); removed again if the write fails. */
int eng_keyfile_create(const char *path, mode_t mode, const char *text,
                       struct ds_diag *diag);

/* Write PREFIX<key_suffix> (0600: public and secret) and
 * PREFIX<pub_suffix> (0644: public only), each with a comment naming
 * what; if the second cannot be written the first is removed. */
int eng_keyfile_create_pair(const char *prefix, const char *key_suffix,
                            const char *pub_suffix, const char *what,
                            const char *pub, const char *sec,
                            struct ds_diag *diag);

#endif
