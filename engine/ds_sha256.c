/*
 * ds_sha256.c - SHA-256 over libcrypto's by-value SHA256_CTX (see
 * ds_sha256.h).
 *
 * SHA256_Init/Update/Final are deprecated in OpenSSL 3.0 in favour of
 * EVP, which allocates a context per digest and can fail; they are still
 * shipped (Debian 12 has 3.0) and compute the same digest with the same
 * assembler. OPENSSL_API_COMPAT asks the 1.1.1 API of the headers so the
 * build stays warning-free. If a later OpenSSL drops them, EVP_Q_digest
 * and a cached EVP_MD_CTX are the replacement; nothing outside this file
 * would change.
 */
#define OPENSSL_API_COMPAT 10101
#include "devsurv/ds_sha256.h"

#include <openssl/sha.h>
#include <string.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct ds_sha256),
               "struct ds_sha256 too small for SHA256_CTX");
_Static_assert(_Alignof(SHA256_CTX) <= 8, "SHA256_CTX alignment");

void ds_sha256_init(struct ds_sha256 *h)
{
    SHA256_Init((SHA256_CTX *)(void *)h->opaque);
}

void ds_sha256_update(struct ds_sha256 *h, const void *p, size_t n)
{
    if (n)
        SHA256_Update((SHA256_CTX *)(void *)h->opaque, p, n);
}

void ds_sha256_final(struct ds_sha256 *h, uint8_t out[DS_SHA256_BYTES])
{
    SHA256_Final(out, (SHA256_CTX *)(void *)h->opaque);
}

void ds_sha256(uint8_t out[DS_SHA256_BYTES], const void *p, size_t n)
{
    struct ds_sha256 h;
    ds_sha256_init(&h);
    ds_sha256_update(&h, p, n);
    ds_sha256_final(&h, out);
}

void ds_sha256_file(struct ds_sha256 *h, const char *name, const void *p,
                    size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    ds_sha256_update(h, name, strlen(name) + 1);
    ds_sha256_update(h, len, sizeof len);
    ds_sha256_update(h, p, n);
}
