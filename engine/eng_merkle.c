/*
 * eng_merkle.c - RFC 6962 Merkle Tree Hash, incremental and recursive (see
 * eng_merkle.h). SHA-256 is ds_sha256.h (libcrypto).
 */
#include "devsurv/eng_merkle.h"
#include "devsurv/ds_sha256.h"

#include <string.h>

void eng_merkle_init(struct eng_merkle *m)
{
    m->n = 0;
}

void eng_merkle_leaf(const void *d, size_t n, uint8_t out[ENG_MERKLE_HASH])
{
    static const uint8_t zero = 0x00;
    struct ds_sha256 st;
    ds_sha256_init(&st);
    ds_sha256_update(&st, &zero, 1);
    ds_sha256_update(&st, d, n);
    ds_sha256_final(&st, out);
}

void eng_merkle_node(const uint8_t l[ENG_MERKLE_HASH],
                     const uint8_t r[ENG_MERKLE_HASH],
                     uint8_t out[ENG_MERKLE_HASH])
{
    uint8_t buf[1 + 2 * ENG_MERKLE_HASH];
    buf[0] = 0x01;
    memcpy(buf + 1, l, ENG_MERKLE_HASH);
    memcpy(buf + 1 + ENG_MERKLE_HASH, r, ENG_MERKLE_HASH);
    ds_sha256(out, buf, sizeof buf);
}

/* Peaks in use: one per set bit of n. */
static int s_npeaks(uint64_t n)
{
    return __builtin_popcountll(n);
}

void eng_merkle_push(struct eng_merkle *m, const void *d, size_t n)
{
    uint8_t h[ENG_MERKLE_HASH];
    int k = s_npeaks(m->n);
    eng_merkle_leaf(d, n, h);
    /* each trailing 1 bit of n is a peak of the same size: merge it */
    for (uint64_t c = m->n; c & 1; c >>= 1)
        eng_merkle_node(m->peaks[--k], h, h);
    memcpy(m->peaks[k], h, ENG_MERKLE_HASH);
    m->n++;
}

void eng_merkle_root(const struct eng_merkle *m, uint8_t out[ENG_MERKLE_HASH])
{
    int k = s_npeaks(m->n);
    if (k == 0) {
        ds_sha256(out, NULL, 0);
        return;
    }
    memcpy(out, m->peaks[k - 1], ENG_MERKLE_HASH);
    for (int i = k - 2; i >= 0; i--)
        eng_merkle_node(m->peaks[i], out, out);
}

void eng_merkle_root_of(const uint8_t (*leaves)[ENG_MERKLE_HASH], size_t n,
                        uint8_t out[ENG_MERKLE_HASH])
{
    uint8_t l[ENG_MERKLE_HASH], r[ENG_MERKLE_HASH];
    if (n == 0) {
        ds_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], ENG_MERKLE_HASH);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    eng_merkle_root_of(leaves, k, l);
    eng_merkle_root_of(leaves + k, n - k, r);
    eng_merkle_node(l, r, out);
}
