/*
 * ds_alloc.c - counting, fault-injecting allocation wrappers (ds_alloc.h).
 *
 * malloc here is jemalloc in release builds (the Makefile links it) and libc
 * malloc under DEBUG=1 so the sanitizers see every block. Counters use C11
 * atomics so later worker threads can share them.
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_uint_fast64_t s_allocs;
static atomic_uint_fast64_t s_frees;
static atomic_uint_fast64_t s_failures;
static atomic_uint_fast64_t s_reallocs;
static atomic_uint_fast64_t s_fail_countdown; /* 0 = off */
static atomic_int s_fired;

/* True when this allocation must fail on purpose. */
static int s_inject(void)
{
    uint_fast64_t c = atomic_load(&s_fail_countdown);
    while (c > 0) {
        if (atomic_compare_exchange_weak(&s_fail_countdown, &c, c - 1)) {
            if (c == 1) {
                atomic_store(&s_fired, 1);
                return 1;
            }
            return 0;
        }
    }
    return 0;
}

static void *s_count(void *p)
{
    if (p)
        atomic_fetch_add(&s_allocs, 1);
    else
        atomic_fetch_add(&s_failures, 1);
    return p;
}

void *ds_malloc(size_t n)
{
    if (s_inject())
        return s_count(NULL);
    return s_count(malloc(n ? n : 1));
}

void *ds_calloc(size_t count, size_t size)
{
    if (s_inject())
        return s_count(NULL);
    return s_count(calloc(count ? count : 1, size ? size : 1));
}

void *ds_realloc(void *p, size_t n)
{
    if (s_inject())
        return s_count(NULL);
    void *q = realloc(p, n ? n : 1);
    if (p && q) /* the same block, resized: not a new live one */
        atomic_fetch_add(&s_reallocs, 1);
    return s_count(q);
}

void ds_free(void *p)
{
    if (!p)
        return;
    atomic_fetch_add(&s_frees, 1);
    free(p);
}

char *ds_strndup(const char *p, size_t n)
{
    char *s = ds_malloc(n + 1);
    if (!s)
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *ds_strdup(const char *s)
{
    return ds_strndup(s, strlen(s));
}

int ds_grow(void **v, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return DS_ENOMEM;
        c *= 2;
    }
    if (sz && c > SIZE_MAX / sz)
        return DS_ENOMEM;
    void *p = ds_realloc(*v, c * sz);
    if (!p)
        return DS_ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

void ds_alloc_stats(struct ds_alloc_stats *out)
{
    out->allocs = atomic_load(&s_allocs);
    out->frees = atomic_load(&s_frees);
    out->failures = atomic_load(&s_failures);
    out->reallocs = atomic_load(&s_reallocs);
}

void ds_alloc_fail_at(uint64_t nth)
{
    atomic_store(&s_fired, 0);
    atomic_store(&s_fail_countdown, nth);
}

int ds_alloc_fail_fired(void)
{
    return atomic_load(&s_fired);
}
