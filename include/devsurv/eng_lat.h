/*
 * eng_lat.h - a latency histogram: record durations in microseconds, read
 * percentiles. Used by ds-publish to report publish-to-commit latency
 * (first send of an event to the ACK that covers it).
 *
 * Buckets: 10 us wide up to 100 ms, then 1 ms wide up to 60 s; anything
 * longer counts in the last bucket. A percentile is reported as the upper
 * edge of its bucket, so it is never below the true value and at most one
 * bucket width above it. Fixed memory (about 280 KB), allocated once by
 * eng_lat_new; adding never allocates.
 */
#ifndef DEVSURV_ENG_LAT_H
#define DEVSURV_ENG_LAT_H

#include <stdint.h>

typedef struct eng_lat eng_lat_t;

/* New empty histogram, NULL on OOM. Caller owns it: eng_lat_destroy(). */
eng_lat_t *eng_lat_new(void);
void eng_lat_destroy(eng_lat_t **self_p);

/* Record one duration (negative values count as 0). */
void eng_lat_add(eng_lat_t *self, int64_t us);

uint64_t eng_lat_count(const eng_lat_t *self);

/* The p-th percentile (0 < p <= 100) in us: the upper edge of the bucket
 * holding the ceil(p/100 * count)-th smallest value; 0 when empty. */
int64_t eng_lat_percentile(const eng_lat_t *self, double p);

/* The largest value recorded, exactly. */
int64_t eng_lat_max(const eng_lat_t *self);

#endif
