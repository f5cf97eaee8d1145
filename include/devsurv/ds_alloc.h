/*
 * ds_alloc.h - allocation wrappers with counting and fault injection.
 *
 * All devsurv code allocates through these. In release builds malloc is
 * jemalloc (linked in by the Makefile); DEBUG=1 builds use libc malloc so
 * ASan sees every block. The wrappers count calls so tests can assert an
 * allocation budget ("0 allocations per note after warm-up"), and can fail
 * the Nth allocation on purpose so tests can prove every failure path
 * returns DS_ENOMEM cleanly (curl/SQLite-style torture testing).
 *
 * Counters are process-wide and atomic. ds_free(NULL) is a no-op.
 */
#ifndef DEVSURV_DS_ALLOC_H
#define DEVSURV_DS_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *ds_malloc(size_t n);
void *ds_calloc(size_t count, size_t size);
void *ds_realloc(void *p, size_t n);
void ds_free(void *p);

/* Copy of s (NUL-terminated). Caller owns the result; free with ds_free().
 * Returns NULL on allocation failure. */
char *ds_strdup(const char *s);

/* Copy of the first n bytes of p plus a NUL. Caller owns; ds_free(). */
char *ds_strndup(const char *p, size_t n);

/* Make the array *v (elements of sz bytes, *cap allocated) hold at least
 * need elements, doubling from 16; *v and *cap change only on success.
 * Returns 0, or DS_ENOMEM (also when the size would overflow). For arrays
 * that only grow, so steady-state use allocates nothing. */
int ds_grow(void **v, size_t *cap, size_t need, size_t sz);

struct ds_alloc_stats {
    uint64_t allocs;   /* successful malloc/calloc/realloc/strdup calls */
    uint64_t frees;    /* ds_free calls with a non-NULL pointer */
    uint64_t failures; /* allocations that returned NULL (real or injected) */
    uint64_t reallocs; /* of allocs, ds_realloc calls that resized a
                          non-NULL block: live blocks = allocs - frees -
                          reallocs */
};

/* Snapshot of the counters. */
void ds_alloc_stats(struct ds_alloc_stats *out);

/* Make the nth allocation from now fail (1 = the next one); 0 disables.
 * Only that one fails; later ones succeed again. For tests. */
void ds_alloc_fail_at(uint64_t nth);

/* Nonzero once an injected failure has been delivered since the last
 * ds_alloc_fail_at() call. For torture loops: run with fail_at = 1, 2, ...
 * until an operation succeeds with no injected failure. */
int ds_alloc_fail_fired(void);

#endif
