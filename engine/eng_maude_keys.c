/*
 * eng_maude_keys.c - how many records each MAUDE report key has given so
 * far (eng_maude_impl.h), so a key met again after other keys is known.
 *
 * Open addressing with linear probing over a power-of-two table kept at
 * most half full: 12 bytes a slot, so about 24-48 bytes per distinct key.
 * Keys are stored + 1 so that 0 marks an empty slot (keys have at most 19
 * digits, so key + 1 never wraps). The hash is the 64-bit finaliser of
 * MurmurHash3 (Appleby), which spreads the dense FDA key sequence.
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <string.h>

static size_t s_hash(uint64_t x, size_t mask)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (size_t)x & mask;
}

/* Slot of k + 1 in (slot, cap): where it is, or the empty one to use. */
static size_t s_probe(const uint64_t *slot, size_t cap, uint64_t k1)
{
    size_t i = s_hash(k1, cap - 1);
    while (slot[i] != 0 && slot[i] != k1)
        i = (i + 1) & (cap - 1);
    return i;
}

static int s_rehash(struct eng_maude_keys *k)
{
    size_t cap = k->cap ? k->cap * 2 : 1024;
    uint64_t *slot = ds_calloc(cap, sizeof *slot);
    uint32_t *count = ds_calloc(cap, sizeof *count);
    if (!slot || !count) {
        ds_free(slot);
        ds_free(count);
        return DS_ENOMEM;
    }
    for (size_t i = 0; i < k->cap; i++) {
        if (k->slot[i] == 0)
            continue;
        size_t j = s_probe(slot, cap, k->slot[i]);
        slot[j] = k->slot[i];
        count[j] = k->count[i];
    }
    ds_free(k->slot);
    ds_free(k->count);
    k->slot = slot;
    k->count = count;
    k->cap = cap;
    return 0;
}

int eng_maude_keys_add(struct eng_maude_keys *k, uint64_t key, uint32_t *seen)
{
    if ((k->n + 1) * 2 > k->cap && s_rehash(k) != 0)
        return DS_ENOMEM;
    size_t i = s_probe(k->slot, k->cap, key + 1);
    if (k->slot[i] == 0) {
        k->slot[i] = key + 1;
        k->n++;
    }
    *seen = k->count[i];
    if (k->count[i] < UINT32_MAX)
        k->count[i]++;
    return 0;
}

void eng_maude_keys_clear(struct eng_maude_keys *k)
{
    ds_free(k->slot);
    ds_free(k->count);
    memset(k, 0, sizeof *k);
}
