/*
 * eng_audit_key.c - Ed25519 signing key files: parse, check, create, sign
 * (see eng_audit_key.h). All cryptography is libsodium's.
 */
#include "devsurv/eng_audit_key.h"
#include "devsurv/eng_keyfile.h"
#include "devsurv/ds_err.h"

#include <sodium.h>
#include <string.h>

char *eng_audit_hex(const uint8_t *p, size_t n, char *out)
{
    return sodium_bin2hex(out, 2 * n + 1, p, n);
}

bool eng_audit_unhex(const char *s, size_t len, uint8_t *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    if (len != 2 * n)
        return false;
    return sodium_hex2bin(out, n, s, len, NULL, &got, &end) == 0 && got == n &&
           end == s + len;
}

/* Decode one hex value read at line of path into out[n]. */
static int s_value(uint8_t *out, size_t n, const char *val, const char *name,
                   const char *path, int line, struct ds_diag *diag)
{
    if (!eng_audit_unhex(val, strlen(val), out, n))
        return ds_diag_set_code(diag, DS_ECONFIG, path, line,
                                "%s is not %zu hex digits", name, 2 * n);
    return 0;
}

int eng_audit_key_load(struct eng_audit_key *out, const char *path,
                       struct ds_diag *diag)
{
    struct eng_keyfile kf;
    uint8_t derived[ENG_AUDIT_KEY_PUB];
    memset(out, 0, sizeof *out);
    int rc = eng_keyfile_read(&kf, path, diag);
    if (rc == 0)
        rc = s_value(out->pub, sizeof out->pub, kf.pub, "public-key", path,
                     kf.pub_line, diag);
    if (rc == 0 && kf.sec_line) {
        out->has_sec = true;
        rc = s_value(out->sec, sizeof out->sec, kf.sec, "secret-key", path,
                     kf.sec_line, diag);
    }
    if (rc == 0 && out->has_sec &&
        (crypto_sign_ed25519_sk_to_pk(derived, out->sec) != 0 ||
         sodium_memcmp(derived, out->pub, sizeof derived) != 0))
        rc = ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                              "secret-key does not match public-key");
    eng_keyfile_clear(&kf);
    if (rc != 0)
        eng_audit_key_clear(out);
    return rc;
}

void eng_audit_key_clear(struct eng_audit_key *k)
{
    sodium_memzero(k, sizeof *k);
}

int eng_audit_key_create(const char *prefix, struct eng_audit_key *out,
                         struct ds_diag *diag)
{
    struct eng_audit_key k = {.has_sec = true};
    char pub[2 * ENG_AUDIT_KEY_PUB + 1], sec[2 * ENG_AUDIT_KEY_SEC + 1];
    if (sodium_init() < 0 || crypto_sign_keypair(k.pub, k.sec) != 0)
        return ds_diag_set_code(diag, DS_EIO, prefix, 0,
                                "libsodium cannot make a key pair");
    int rc = eng_keyfile_create_pair(
        prefix, ".sign.key", ".sign.pub", "Ed25519 audit signing",
        eng_audit_hex(k.pub, sizeof k.pub, pub),
        eng_audit_hex(k.sec, sizeof k.sec, sec), diag);
    sodium_memzero(sec, sizeof sec);
    if (rc == 0 && out)
        *out = k;
    eng_audit_key_clear(&k);
    return rc;
}

int eng_audit_key_sign(const struct eng_audit_key *k, const void *msg, size_t n,
                       uint8_t sig[ENG_AUDIT_KEY_SIG])
{
    if (!k->has_sec)
        return DS_EINVAL;
    return crypto_sign_detached(sig, NULL, msg, n, k->sec) == 0 ? 0 : DS_EINVAL;
}

bool eng_audit_key_check(const uint8_t pub[ENG_AUDIT_KEY_PUB], const void *msg,
                         size_t n, const uint8_t sig[ENG_AUDIT_KEY_SIG])
{
    return crypto_sign_verify_detached(sig, msg, n, pub) == 0;
}
