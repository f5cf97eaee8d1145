/*
 * bench_util.h - helpers shared by the benchmark programs (bench_stages,
 * bench_stats, bench_extract): monotonic timing, nearest-rank
 * percentiles, error messages, allocation that cannot fail, the splitmix64
 * generator and the N argument. Each program is one process: the state
 * here (the program name, the generator) is per process.
 */
#ifndef DEVSURV_BENCH_UTIL_H
#define DEVSURV_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set the program name that prefixes bench_fail and bench_xrealloc
 * messages (a string literal: kept, not copied), and whether bench_fail
 * flushes stdout before writing to stderr. Call first, from main. */
void bench_init(const char *prog, bool flush_on_fail);

/* Print "<prog>: <what>: <fmt ...>\n" to stderr; returns -1. */
int bench_fail(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* realloc(p, n) (n 0 counts as 1); on failure prints "<prog>: out of
 * memory" and exits 1. The caller owns the result (free()). */
void *bench_xrealloc(void *p, size_t n);

/* CLOCK_MONOTONIC now, in ns. */
uint64_t bench_now_ns(void);

/* Mean cost of one bench_now_ns pair, in ns (the per-item overhead). */
double bench_timer_ns(void);

/* qsort comparator for uint64_t, ascending. */
int bench_cmp_u64(const void *a, const void *b);

/* Nearest-rank percentile q (0..1] of sorted v[0..n), n >= 1, in
 * microseconds (v in ns). */
double bench_pct_us(const uint64_t *v, size_t n, double q);

/* splitmix64: bench_rng_seed sets the state, bench_rng returns the next
 * value; the same seed gives the same sequence in every run and build. */
void bench_rng_seed(uint64_t seed);
uint64_t bench_rng(void);

/* The optional argument N in argv[1] (decimal, 1..max): 0 with *n set, or
 * left alone when there is no argument; -1 (the caller prints its usage)
 * when it is malformed, out of range, or followed by more arguments. */
int bench_parse_n(int argc, char **argv, unsigned long long max, size_t *n);

#endif
