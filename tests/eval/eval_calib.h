/*
 * eval_calib.h - the calibration check (`make eval` stage calibration,
 * tests/eval/calibration.sh): seeded synthetic streams driven through
 * eng_plan_stat_* exactly as the engine drives cells, against exact
 * operating characteristics.
 *
 * eval_calib_rng.c    seeded PRNG (splitmix64 -> xoshiro256**), Poisson
 *                     and Bernoulli samplers, binomial acceptance regions
 * eval_calib_sim.c    one stream per method through a design and a cell
 * eval_calib_exact.c  exact references the statistics library does not
 *                     provide: CUSUM run length within a horizon, the
 *                     disproportionality screen under a multinomial stream
 * eval_calibration.c  main: designs, runs, the report
 */
#ifndef DEVSURV_EVAL_CALIB_H
#define DEVSURV_EVAL_CALIB_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/eng_plan_stat.h"

/* ---- eval_calib_rng.c ---- */

struct ec_rng {
    uint64_t s[4];
};

/* xoshiro256** seeded by splitmix64 from (seed, stream). */
void ec_rng_seed(struct ec_rng *r, uint64_t seed, uint64_t stream);
double ec_unif(struct ec_rng *r); /* [0, 1), 53 bits */
bool ec_bern(struct ec_rng *r, double p);
/* Poisson(m) by inversion; m <= 50 (exact up to rounding of the cdf). */
int64_t ec_pois(struct ec_rng *r, double m);

/* P(Bin(n, p) <= k). */
double ec_binom_cdf(int64_t k, int64_t n, double p);
/* Central acceptance region of Bin(n, p) at level conf: smallest lo and hi
 * with P(X < lo) <= (1-conf)/2 and P(X > hi) <= (1-conf)/2. */
void ec_binom_region(int64_t n, double p, double conf, int64_t *lo,
                     int64_t *hi);

/* ---- eval_calib_sim.c ---- */

/* Parameters of the synthetic data (not in the plan). */
struct ec_world {
    double rr;       /* relative risk (1: the null) */
    double mu_step;  /* Poisson: H0-expected events per exposure */
    int64_t horizon; /* CUSUM: trials per stream */
    int64_t reports; /* disproportionality: reports per stream */
    int64_t look;    /* disproportionality: table tested every look */
    double p_dev;    /* share of reports naming the device */
    double p_event;  /* share of reports naming the event (others) */
};

struct ec_result {
    bool signal;
    double time; /* at the signal: mu, events, trials or reports */
};

/* One stream through d (whose plan has the method) with a fresh cell. */
void ec_stream(const struct eng_plan_design *d, const struct ec_world *w,
               struct ec_rng *r, struct ec_result *out);

/* ---- eval_calib_exact.c ---- */

/* Exact P(signal within the horizon), E[time | signal] and the median
 * time given a signal. */
struct ec_exact {
    double power, mean_time, median_time;
    double lost; /* probability mass outside the state bounds (disprop) */
};

/* Bernoulli CUSUM (p0, ra, h of d) over w->horizon trials with event
 * probability odds-ratio w->rr times p0. 0 or -1 (too many states). */
int ec_exact_cusum(const struct eng_plan_design *d, const struct ec_world *w,
                   struct ec_exact *out);

/* Disproportionality screen of d tested every w->look reports over
 * w->reports reports (device share p_dev; event share p_event for other
 * devices, rr * p_event for the device). 0 or -1. */
int ec_exact_disprop(const struct eng_plan_design *d, const struct ec_world *w,
                     struct ec_exact *out);

#endif
