/*
 * ds_clock.h - the monotonic clock, in milliseconds, for timers and
 * timeouts (poll deadlines, batch age, rate limits). Never for data: event
 * times come from the events (eng_time), so replays stay deterministic.
 */
#ifndef DEVSURV_DS_CLOCK_H
#define DEVSURV_DS_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds since an arbitrary fixed origin (CLOCK_MONOTONIC). */
static inline int64_t ds_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Microseconds on the same clock. */
static inline int64_t ds_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
