/*
 * eng_audit_key.c - Ed25519 signing key files: parse, check, create, sign
 * (see eng_audit_key.h). All cryptography is libsodium's.
 */
#include "devsurv/eng_audit_key.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_LINE_MAX 512

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

static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One "name = value" line; *have gets bit 1 (public) or 2 (secret). */
static int s_line(struct eng_audit_key *out, int *have, char *line,
                  const char *path, int lineno, struct ds_diag *diag)
{
    char *t = s_trim(line), *eq = strchr(t, '=');
    if (*t == '\0' || *t == '#')
        return 0;
    if (!eq)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "expected 'public-key = HEX' or "
                                "'secret-key = HEX'");
    *eq = '\0';
    char *name = s_trim(t), *val = s_trim(eq + 1);
    bool pub = strcmp(name, "public-key") == 0;
    if (!pub && strcmp(name, "secret-key") != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, path, lineno,
                                "unknown name '%.32s'", name);
    if (!eng_audit_unhex(val, strlen(val), pub ? out->pub : out->sec,
                         pub ? ENG_AUDIT_KEY_PUB : ENG_AUDIT_KEY_SEC))
        return ds_diag_set_code(
            diag, DS_ECONFIG, path, lineno, "%s is not %d hex digits", name,
            pub ? 2 * ENG_AUDIT_KEY_PUB : 2 * ENG_AUDIT_KEY_SEC);
    *have |= pub ? 1 : 2;
    return 0;
}

static int s_check(const struct eng_audit_key *k, int have,
                   const struct stat *st, const char *path,
                   struct ds_diag *diag)
{
    uint8_t derived[ENG_AUDIT_KEY_PUB];
    if (!(have & 1))
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "no public-key line");
    if (!(have & 2))
        return 0;
    if (st->st_mode & 077)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "holds a secret key but is readable by "
                                "group or others (chmod 600)");
    if (crypto_sign_ed25519_sk_to_pk(derived, k->sec) != 0 ||
        sodium_memcmp(derived, k->pub, sizeof derived) != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "secret-key does not match public-key");
    return 0;
}

int eng_audit_key_load(struct eng_audit_key *out, const char *path,
                       struct ds_diag *diag)
{
    char line[S_LINE_MAX];
    struct stat st;
    int have = 0;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "re");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    int rc = fstat(fileno(f), &st) == 0
                 ? 0
                 : ds_diag_set_code(diag, DS_EIO, path, 0, "cannot stat");
    for (int n = 1; rc == 0 && fgets(line, sizeof line, f); n++)
        rc = s_line(out, &have, line, path, n, diag);
    fclose(f);
    sodium_memzero(line, sizeof line);
    if (rc == 0)
        rc = s_check(out, have, &st, path, diag);
    out->has_sec = rc == 0 && (have & 2);
    if (rc != 0)
        eng_audit_key_clear(out);
    return rc;
}

void eng_audit_key_clear(struct eng_audit_key *k)
{
    sodium_memzero(k, sizeof *k);
}

static int s_write(const char *path, mode_t mode, const char *text,
                   struct ds_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    int err = errno;
    close(fd);
    if (ok)
        return 0;
    unlink(path);
    return ds_diag_set_code(diag, DS_EIO, path, 0, "write: %s", strerror(err));
}

/* PREFIX + suffix into out; DS_EINVAL when it does not fit. */
static int s_path(char *out, size_t cap, const char *prefix, const char *suffix,
                  struct ds_diag *diag)
{
    if (snprintf(out, cap, "%s%s", prefix, suffix) >= (int)cap)
        return ds_diag_set_code(diag, DS_EINVAL, prefix, 0, "path too long");
    return 0;
}

int eng_audit_key_create(const char *prefix, struct eng_audit_key *out,
                         struct ds_diag *diag)
{
    struct eng_audit_key k = {.has_sec = true};
    char kpath[4096], ppath[4096], text[512];
    char pub[2 * ENG_AUDIT_KEY_PUB + 1], sec[2 * ENG_AUDIT_KEY_SEC + 1];
    if (s_path(kpath, sizeof kpath, prefix, ".sign.key", diag) != 0 ||
        s_path(ppath, sizeof ppath, prefix, ".sign.pub", diag) != 0)
        return DS_EINVAL;
    if (sodium_init() < 0 || crypto_sign_keypair(k.pub, k.sec) != 0)
        return ds_diag_set_code(diag, DS_EIO, prefix, 0,
                                "libsodium cannot make a key pair");
    eng_audit_hex(k.pub, sizeof k.pub, pub);
    snprintf(text, sizeof text,
             "# devsurv Ed25519 audit signing key: keep secret (mode 0600)\n"
             "public-key = %s\nsecret-key = %s\n",
             pub, eng_audit_hex(k.sec, sizeof k.sec, sec));
    int rc = s_write(kpath, 0600, text, diag);
    sodium_memzero(sec, sizeof sec);
    sodium_memzero(text, sizeof text);
    if (rc == 0) {
        snprintf(text, sizeof text,
                 "# devsurv Ed25519 audit public key: give it to auditors\n"
                 "public-key = %s\n",
                 pub);
        if ((rc = s_write(ppath, 0644, text, diag)) != 0)
            unlink(kpath);
    }
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
