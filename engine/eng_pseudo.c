/*
 * eng_pseudo.c - keyed pseudonyms with libsodium's HMAC-SHA-256 (see
 * eng_pseudo.h).
 */
#include "devsurv/eng_pseudo.h"
#include "devsurv/eng_keyfile.h"
#include "devsurv/ds_err.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const s_domain[] = {"patient", "encounter"};

static int s_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int s_parse(struct eng_pseudo_key *key, const char *buf, size_t n,
                   const char *path, struct ds_diag *diag)
{
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (n != 2 * ENG_PSEUDO_KEY_BYTES)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 1,
                                "expected 64 hex digits, got %zu bytes", n);
    for (size_t i = 0; i < ENG_PSEUDO_KEY_BYTES; i++) {
        int hi = s_hexval((unsigned char)buf[2 * i]);
        int lo = s_hexval((unsigned char)buf[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ds_diag_set_code(diag, DS_ECONFIG, path, 1,
                                    "not a hex digit at byte %zu", 2 * i + 1);
        key->k[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int eng_pseudo_key_load(struct eng_pseudo_key *key, const char *path,
                        struct ds_diag *diag)
{
    char buf[2 * ENG_PSEUDO_KEY_BYTES + 8];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(errno));
    if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
        close(fd);
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "key file must not be readable by group or "
                                "others (chmod 600)");
    }
    ssize_t n = read(fd, buf, sizeof buf);
    int err = errno;
    close(fd);
    if (n < 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "%s", strerror(err));
    int rc = s_parse(key, buf, (size_t)n, path, diag);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int eng_pseudo_key_create(const char *path, struct ds_diag *diag)
{
    uint8_t k[ENG_PSEUDO_KEY_BYTES];
    char hex[2 * ENG_PSEUDO_KEY_BYTES + 2];
    if (sodium_init() < 0)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "libsodium init failed");
    randombytes_buf(k, sizeof k);
    sodium_bin2hex(hex, sizeof hex, k, sizeof k);
    strcat(hex, "\n");
    int rc = eng_keyfile_create(path, 0600, hex, diag);
    sodium_memzero(k, sizeof k);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

void eng_pseudo_id(const struct eng_pseudo_key *key, enum eng_pseudo_domain d,
                   struct ds_span id, char out[ENG_PSEUDO_LEN + 1])
{
    crypto_auth_hmacsha256_state st;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    const char *dom = s_domain[d == ENG_PSEUDO_ENCOUNTER];
    crypto_auth_hmacsha256_init(&st, key->k, sizeof key->k);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)dom, strlen(dom) + 1);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)id.p, id.n);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "ps-", 3);
    sodium_bin2hex(out + 3, ENG_PSEUDO_LEN - 3 + 1, mac, 16);
    sodium_memzero(&st, sizeof st);
}
