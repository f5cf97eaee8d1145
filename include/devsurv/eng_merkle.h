/*
 * eng_merkle.h - RFC 6962 Merkle Tree Hash (Certificate Transparency).
 *
 * RFC 6962 section 2.1, over SHA-256:
 *     MTH({})       = SHA-256()
 *     leaf(d)       = SHA-256(0x00 || d)
 *     node(l, r)    = SHA-256(0x01 || l || r)
 *     MTH(D[0..n))  = node(MTH(D[0..k)), MTH(D[k..n))), k the largest
 *                     power of two < n
 * The incremental form keeps only the roots of the perfect subtrees that
 * make up the tree (one per set bit of n, largest first, at most 64); the
 * root folds them right to left. That is the same tree as the recursive
 * definition, so appending is O(log n) and memory is constant. The audit
 * log uses entry hashes as leaf data d.
 *
 * Not here: inclusion and consistency proofs (RFC 6962 2.1.1, 2.1.2).
 */
#ifndef DEVSURV_ENG_MERKLE_H
#define DEVSURV_ENG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define ENG_MERKLE_HASH 32

/* An append-only tree; embed and eng_merkle_init(). No heap. */
struct eng_merkle {
    uint64_t n;                         /* leaves so far */
    uint8_t peaks[64][ENG_MERKLE_HASH]; /* perfect subtree roots */
};

void eng_merkle_init(struct eng_merkle *m);

/* leaf(d) = SHA-256(0x00 || d[0..n)). */
void eng_merkle_leaf(const void *d, size_t n, uint8_t out[ENG_MERKLE_HASH]);

/* node(l, r) = SHA-256(0x01 || l || r); out may alias l or r. */
void eng_merkle_node(const uint8_t l[ENG_MERKLE_HASH],
                     const uint8_t r[ENG_MERKLE_HASH],
                     uint8_t out[ENG_MERKLE_HASH]);

/* Append the leaf with data d[0..n). */
void eng_merkle_push(struct eng_merkle *m, const void *d, size_t n);

/* MTH of the leaves pushed so far. */
void eng_merkle_root(const struct eng_merkle *m, uint8_t out[ENG_MERKLE_HASH]);

/* MTH by the recursive definition over n leaf hashes (already leaf()ed):
 * the oracle the incremental form is tested against. */
void eng_merkle_root_of(const uint8_t (*leaves)[ENG_MERKLE_HASH], size_t n,
                        uint8_t out[ENG_MERKLE_HASH]);

#endif
