/*
 * eng_lat.c - fixed-bucket latency histogram (see eng_lat.h).
 */
#include "devsurv/eng_lat.h"
#include "devsurv/ds_alloc.h"

#include <math.h>

#define S_FINE_US   10                          /* fine bucket width */
#define S_FINE_N    10000                       /* fine buckets: up to 100 ms */
#define S_COARSE_US 1000                        /* coarse bucket width */
#define S_COARSE_N  59900                       /* coarse: 100 ms .. 60 s */
#define S_N         (S_FINE_N + S_COARSE_N + 1) /* + overflow */

struct eng_lat {
    uint32_t b[S_N];
    uint64_t count;
    int64_t max;
};

eng_lat_t *eng_lat_new(void)
{
    return ds_calloc(1, sizeof(eng_lat_t));
}

void eng_lat_destroy(eng_lat_t **self_p)
{
    if (self_p && *self_p) {
        ds_free(*self_p);
        *self_p = NULL;
    }
}

static size_t s_bucket(int64_t us)
{
    if (us < (int64_t)S_FINE_US * S_FINE_N)
        return (size_t)(us / S_FINE_US);
    int64_t c = (us - (int64_t)S_FINE_US * S_FINE_N) / S_COARSE_US;
    return c < S_COARSE_N ? S_FINE_N + (size_t)c : S_N - 1;
}

/* Upper edge of bucket i, in us (the overflow bucket reports max). */
static int64_t s_edge(const eng_lat_t *self, size_t i)
{
    if (i < S_FINE_N)
        return (int64_t)(i + 1) * S_FINE_US;
    if (i < S_N - 1)
        return (int64_t)S_FINE_US * S_FINE_N +
               (int64_t)(i - S_FINE_N + 1) * S_COARSE_US;
    return self->max;
}

void eng_lat_add(eng_lat_t *self, int64_t us)
{
    if (us < 0)
        us = 0;
    size_t i = s_bucket(us);
    if (self->b[i] < UINT32_MAX)
        self->b[i]++;
    self->count++;
    if (us > self->max)
        self->max = us;
}

uint64_t eng_lat_count(const eng_lat_t *self)
{
    return self->count;
}

int64_t eng_lat_percentile(const eng_lat_t *self, double p)
{
    if (self->count == 0 || !(p > 0))
        return 0;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)self->count), seen = 0;
    if (rank < 1)
        rank = 1;
    for (size_t i = 0; i < S_N; i++) {
        seen += self->b[i];
        if (seen >= rank) {
            int64_t e = s_edge(self, i);
            return e < self->max ? e : self->max;
        }
    }
    return self->max;
}

int64_t eng_lat_max(const eng_lat_t *self)
{
    return self->max;
}
