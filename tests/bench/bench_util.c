/*
 * bench_util.c - helpers shared by the benchmark programs: timing,
 * percentiles, error messages, splitmix64, the N argument
 * (bench_util.h).
 */
#include "bench_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *s_prog = "bench";
static bool s_flush_on_fail;
static uint64_t s_rng_state;

void bench_init(const char *prog, bool flush_on_fail)
{
    s_prog = prog;
    s_flush_on_fail = flush_on_fail;
}

int bench_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    if (s_flush_on_fail)
        fflush(stdout);
    fprintf(stderr, "%s: %s: ", s_prog, what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

void *bench_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "%s: out of memory\n", s_prog);
        exit(1);
    }
    return q;
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_timer_ns(void)
{
    enum { K = 100000 };
    uint64_t t0 = bench_now_ns(), sink = 0;
    for (int i = 0; i < K; i++)
        sink += bench_now_ns() - bench_now_ns();
    (void)sink;
    return (double)(bench_now_ns() - t0) / K;
}

int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

double bench_pct_us(const uint64_t *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n);
    k = (double)k < q * (double)n ? k + 1 : k;
    k = k < 1 ? 1 : k > n ? n : k;
    return (double)v[k - 1] / 1000.0;
}

void bench_rng_seed(uint64_t seed)
{
    s_rng_state = seed;
}

uint64_t bench_rng(void)
{
    uint64_t z = (s_rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int bench_parse_n(int argc, char **argv, unsigned long long max, size_t *n)
{
    char *end;
    if (argc == 1)
        return 0;
    errno = 0;
    unsigned long long v = strtoull(argv[1], &end, 10);
    if (argc > 2 || errno || *end || v < 1 || v > max)
        return -1;
    *n = (size_t)v;
    return 0;
}
