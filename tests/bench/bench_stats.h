/*
 * bench_stats.h - what the files of bench_stats share (not a library
 * interface): the calculation row, the random draws, and the functions
 * each file gives the others. bench_stats_main.c describes the program.
 */
#ifndef DEVSURV_BENCH_STATS_H
#define DEVSURV_BENCH_STATS_H

#include "devsurv/ds_err.h"
#include "devsurv/eng_binomial.h"
#include "devsurv/eng_cusum.h"
#include "devsurv/eng_ebgm.h"
#include "devsurv/eng_maxsprt.h"
#include "devsurv/eng_sprt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BST_CELLS    256 /* a power of two: cell = random bits & mask */
#define BST_REPS_MAX 32

/* One row of the calculation table. */
struct bst_calc {
    const char *name;
    const char *cache; /* "bypassed", "hit", "none" */
    const char *r_ref; /* stats.md 8 as printed; NULL: no reference */
    double r_lo, r_hi; /* the same, seconds */
    double target;     /* the target, seconds; 0: none */
    int reps;
    long calls;            /* calls per repetition */
    double med_ns, min_ns; /* per call */
    char value[40];        /* what the calls computed */
};
/* ---- bench_stats_draw.c: draws from bench_rng (seeded by the caller) */

/* Uniform in (0, 1) from the top 53 bits of r. */
double bst_unif_of(uint64_t r);
/* Uniform in (0, 1), standard normal, Gamma(a) with rate 1, Poisson(mu). */
double bst_unif(void);
double bst_normal(void);
double bst_gamma(double a);
double bst_poisson(double mu);

/* ---- bench_stats_table.c ---- */

/* Add row *proto with the per-repetition times ns[0..reps) (sorted here)
 * and the value computed (copied). Rows past the maximum are dropped. */
void bst_calc_add(const struct bst_calc *proto, uint64_t *ns,
                  const char *value);
/* Print every row added. */
void bst_print_calcs(void);
/* One untimed warm-up run of fn, then reps timed runs into ns[]; -1 when
 * a run fails. */
int bst_time_reps(int (*fn)(void *), void *ctx, int reps, uint64_t *ns);

/* ---- the rows: each adds its rows and checks; 0 or -1 ---- */

/* bench_stats_cv.c: Poisson MaxSPRT critical values at T = 20, 50, 200;
 * *cv200 gets the T = 200 value when it is computed. */
int bst_run_pcvs(double *cv200);
/* bench_stats_cv.c: the T = 200 value cold from a primed cv cache. */
int bst_run_hit(double cold);
/* bench_stats_cv.c: the binomial critical value into *cv. */
int bst_run_bcv(struct eng_binomial_cv *cv);
/* bench_stats_ebgm.c: EBGM fit, scoring, and both. */
int bst_run_ebgm(void);
/* bench_stats_upd.c: n events per streaming test, MaxSPRT at mx_cv, the
 * binomial test at *bcv; prints its own table. */
int bst_run_upds(size_t n, double mx_cv, const struct eng_binomial_cv *bcv);

#endif
