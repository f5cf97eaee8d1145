/*
 * eng_maxsprt.h - Poisson MaxSPRT: the statistic, the test, and the exact
 * design calculations (critical value, power, times, sample size).
 *
 * Kulldorff M, Davis RL, Kolczak M, Lewis E, Lieu T, Platt R (2011). A
 * Maximized Sequential Probability Ratio Test for Drug and Vaccine Safety
 * Surveillance. Sequential Analysis 30:58-78. Minimum events M: Kulldorff &
 * Silva (2017), REVSTAT 15(3):373-394. Formulas: ../shared/reference/stats.md
 * section 1.
 *
 * Time is on the scale of H0-expected events mu. With c observed events:
 *     LLR(c, mu) = (mu - c) + c ln(c / mu)   if c > mu, else 0
 * Signal at the first event with LLR >= CV and c >= M once mu >= D (the
 * delayed first look, at mu = D, tests the events gathered so far);
 * surveillance ends without a signal once mu exceeds T.
 *
 * The statistic and the test are pure: no I/O, no allocation, no clock.
 *
 * Exact design calculations (stats.md 1.2-1.6 and 3) follow: the boundary
 * times u_k, alpha / power / expected times by the interval recursion (no
 * simulation, no table lookup), the critical value solved for a target
 * alpha, minimum surveillance length, sample size, the group-sequential
 * variant, and a tiny fixed-size cache of critical values. They allocate
 * O(K) working memory per computation (K ~ T + O(sqrt T)) with ds_malloc;
 * none of them is on the per-event path.
 *
 * Units: T, D, mu, u_k and all times are H0-expected events; RR is the
 * relative risk under which power and times are computed (RR = 1 gives the
 * type I error). Domains, checked by every function below:
 *     T in (0, ENG_MAXSPRT_T_MAX], 0 <= D <= T, M in [1, ENG_MAXSPRT_M_MAX],
 *     alpha in [ENG_MAXSPRT_ALPHA_MIN, ENG_MAXSPRT_ALPHA_MAX],
 *     cv in [0, ENG_MAXSPRT_CV_MAX], RR in [1, ENG_MAXSPRT_RR_MAX].
 * Return codes: 0; DS_EINVAL for an argument outside its domain (a NULL
 * pointer included); DS_ERANGE when the problem has no solution (alpha not
 * attainable, power not reachable); DS_ENOMEM when working memory could not
 * be allocated. Outputs are written only on success.
 */
#ifndef DEVSURV_ENG_MAXSPRT_H
#define DEVSURV_ENG_MAXSPRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eng_maxsprt_params {
    double cv;           /* critical value for the LLR, > 0 */
    int64_t min_events;  /* M >= 1 */
    double max_expected; /* T > 0: surveillance length in expected events */
    double delay;        /* D in [0, T]: no look before mu reaches D */
};

enum eng_maxsprt_verdict {
    ENG_MAXSPRT_CONTINUE = 0, /* keep watching (also: mu < D, no look yet) */
    ENG_MAXSPRT_SIGNAL,       /* reject H0: LLR >= CV and c >= M, mu <= T */
    ENG_MAXSPRT_ENDED,        /* mu > T: surveillance over, no signal */
    ENG_MAXSPRT_UNDEFINED     /* mu <= 0: no exposure yet, nothing to test */
};

/* The log-likelihood ratio above. c >= 0; mu > 0 (returns 0 for mu <= 0 or
 * c <= mu). */
double eng_maxsprt_llr(double c, double mu);

/* Test c observed against mu expected; *llr receives the statistic (0 when
 * undefined). */
enum eng_maxsprt_verdict eng_maxsprt_test(const struct eng_maxsprt_params *p,
                                          int64_t c, double mu, double *llr);

/* "continue", "signal", "ended", "undefined". */
const char *eng_maxsprt_verdict_name(enum eng_maxsprt_verdict v);

/* ---- exact design calculations (engine/eng_maxsprt_cv.c) ---- */

/* Largest T accepted. One evaluation of alpha(cv) costs ~T^1.5 (T 200:
 * 0.4 ms, T 10000: 0.15 s); a CV solve takes 8-10 (3 ms and 1.4 s). */
#define ENG_MAXSPRT_T_MAX         10000.0
#define ENG_MAXSPRT_M_MAX         100
#define ENG_MAXSPRT_ALPHA_MIN     1e-7
#define ENG_MAXSPRT_ALPHA_MAX     0.5
#define ENG_MAXSPRT_CV_MAX        100.0
#define ENG_MAXSPRT_RR_MAX        1000.0
#define ENG_MAXSPRT_CV_SEARCH_MAX 40.0 /* the CV solver searches [0, 40] */

/* Operating characteristics of a design at one relative risk. */
struct eng_maxsprt_perf {
    double power;       /* P(signal by T); the type I error when RR = 1 */
    double signal_time; /* E[time of signal | signal], expected events
                           under H0 (0 when power is 0) */
    double sample_size; /* E[length of surveillance] = E[min(tau, T)] */
};

/* Validate a continuous design. 0, or DS_EINVAL with *why (if why is not
 * NULL) set to a static sentence naming the offending parameter, e.g.
 * "alpha must be in [1e-07, 0.5]". alpha is not checked when < 0 (for
 * calculations that take a cv instead). */
int eng_maxsprt_check(double T, double alpha, long M, double D,
                      const char **why);

/* u_k: the latest time (expected events) at which the k-th event still
 * signals, i.e. the root u < k of LLR(k, u) = cv (stats.md 1.2). k >= 1,
 * cv >= 0; u_k is increasing in k and decreasing in cv; u_k = k at cv = 0.
 * Returns NAN for k < 1 or cv < 0 or cv not finite. */
double eng_maxsprt_boundary(long k, double cv);

/* Exact power, expected time to signal and expected surveillance length of
 * the continuous test (T, cv, M, D) at relative risk rr (stats.md 1.3-1.4;
 * with D > 0 the first look is at mu = D and signals there count at time
 * D - not R Sequential's interval end, stats.md 9). 0, DS_EINVAL or
 * DS_ENOMEM. */
int eng_maxsprt_perf(double T, double cv, long M, double D, double rr,
                     struct eng_maxsprt_perf *out);

/* *alpha = P(signal | H0) of (T, cv, M, D): eng_maxsprt_perf at rr = 1. */
int eng_maxsprt_alpha(double T, double cv, long M, double D, double *alpha);

/* Smallest T with P(Pois(T) >= M) >= alpha: below it no critical value can
 * spend alpha (stats.md 1.5; R Sequential rounds it up to 0.01). Accurate
 * to 1e-12 relative. 0 or DS_EINVAL. */
int eng_maxsprt_tmin(long M, double alpha, double *tmin);

/* The critical value for a target alpha: the smallest cv in [0, 40] with
 * alpha(cv) <= alpha. With D = 0 alpha(cv) is continuous and decreasing,
 * and the result has |alpha(cv) - alpha| <= 1e-10 alpha. With D > 0
 * alpha(cv) jumps down where the count needed at the first look changes
 * (at cv = LLR(k, D)); if alpha falls in a jump, the conservative cv
 * 1e-10 (1 + cv) above the jump is returned and *attained < alpha (T 10,
 * D 2, alpha .05: cv 2.5916737, alpha .0499834). *attained (may be NULL)
 * receives alpha(cv).
 * DS_ERANGE, "no solution", when P(Pois(T) >= M) < alpha (T below
 * eng_maxsprt_tmin(): even signalling at the M-th event whenever it comes
 * cannot spend alpha) or when even cv = 0 spends less than alpha (corner
 * cases such as D = T); DS_EINVAL, DS_ENOMEM. */
int eng_maxsprt_cv(double T, double alpha, long M, double D, double *cv,
                   double *attained);

/* Sample size (D = 0): the surveillance length T at which the test with
 * the exact cv for alpha has the given power at relative risk rr
 * (|power - target| <= 1e-9). rr in (1, ENG_MAXSPRT_RR_MAX], power in
 * (alpha, 1). *cv (may be NULL) receives that test's critical value.
 * DS_ERANGE when the power needs T > ENG_MAXSPRT_T_MAX. */
int eng_maxsprt_samplesize(double rr, double power, double alpha, long M,
                           double *T, double *cv);

/* ---- cache of critical values (engine/eng_maxsprt_cv.c) ---- */

#define ENG_MAXSPRT_CV_CACHE_SLOTS 8

/* Fixed-size, heap-free memo of eng_maxsprt_cv() results keyed by the exact
 * values of (T, alpha, M, D); round-robin replacement. Embed it and
 * zero it (or call eng_maxsprt_cv_cache_init). Not thread-safe: one per
 * thread or caller-locked. */
struct eng_maxsprt_cv_slot {
    double T, alpha, D, cv;
    long M;
    bool used;
};

struct eng_maxsprt_cv_cache {
    struct eng_maxsprt_cv_slot slot[ENG_MAXSPRT_CV_CACHE_SLOTS];
    unsigned next; /* slot replaced on the next miss */
    unsigned long hits, misses;
};

/* Empty the cache. */
void eng_maxsprt_cv_cache_init(struct eng_maxsprt_cv_cache *c);

/* *cv = eng_maxsprt_cv(T, alpha, M, D) from the cache, computing and
 * storing it on a miss. A hit costs a scan of 8 slots and no allocation.
 * Errors are returned as by eng_maxsprt_cv() and never cached. */
int eng_maxsprt_cv_cached(struct eng_maxsprt_cv_cache *c, double T,
                          double alpha, long M, double D, double *cv);

/* ---- the interval recursion itself (engine/eng_maxsprt_cv.c) ----
 *
 * Exact first-passage probabilities of a Poisson process with rate rr (per
 * H0-expected event) against a threshold that is constant on consecutive
 * intervals (t, t1]: the k-th event signals if k >= thr of its interval.
 * State: p[j] = P(no signal yet, j events at time t). Used by the
 * continuous test (thresholds i on (u_{i-1}, u_i]), by the group-sequential
 * test (looks) and usable for any such boundary (a truncated Wald SPRT,
 * stats.md 4). Each step costs O(states x kernel width); state and kernel
 * probabilities below 1e-30 are dropped (effect on results < 1e-20). */
struct eng_maxsprt_dp {
    double rr;     /* rate multiplier, > 0 */
    double t;      /* current time */
    double power;  /* accumulated P(signal) */
    double tsum;   /* accumulated E[signal time; signal] */
    double *mem;   /* the one block holding the four arrays below */
    double *p, *q; /* states and scratch, cap each */
    double *pmf;   /* kernel dpois(n, rr dt), n <= thr */
    double *tail;  /* tail[r] = P(Pois(rr dt) >= r), r <= thr + 1 */
    size_t cap;    /* thresholds must be < cap - 1 */
    long lo, hi;   /* p[j] may be non-zero only for lo <= j < hi */
};

/* Start at t = 0 with no events. Allocates 4 cap doubles; DS_ENOMEM. */
int eng_maxsprt_dp_init(struct eng_maxsprt_dp *dp, size_t cap, double rr);

/* Back to t = 0, no events, nothing accumulated; a new rr. */
void eng_maxsprt_dp_reset(struct eng_maxsprt_dp *dp, double rr);

/* Free the working memory. Safe twice and after a failed init (not on a
 * struct that never went through init). */
void eng_maxsprt_dp_clear(struct eng_maxsprt_dp *dp);

/* Advance to t1 >= t with threshold thr (1 <= thr < cap - 1, not below
 * the previous step's). look = false: a signal happens at the arrival of
 * the thr-th event (continuous monitoring); look = true: at t1 if the count
 * at t1 is >= thr (group-sequential look). Adds to power and tsum. */
void eng_maxsprt_dp_step(struct eng_maxsprt_dp *dp, double t1, long thr,
                         bool look);

/* ---- group-sequential test (engine/eng_maxsprt_group.c, stats.md 3) ----
 *
 * Looks at cumulative H0-expected counts mu[0] < mu[1] < ... < mu[n-1] = T
 * (n >= 1, mu[0] > 0, T <= ENG_MAXSPRT_T_MAX). At look i the test rejects
 * when the cumulative count reaches
 *     a_i = max(M, min{c : LLR(c, mu_i) >= cv}).
 * alpha(cv) is a step function: it only changes where cv crosses a value
 * LLR(c, mu_i). */

/* a[0..n) = the rejection boundaries a_i above for cv in [0,
 * ENG_MAXSPRT_CV_MAX]. 0 or DS_EINVAL. */
int eng_maxsprt_group_bounds(const double *mu, size_t n, double cv, long M,
                             long *a);

/* Exact power, expected time to signal (signal time = the look) and
 * expected surveillance length at relative risk rr. 0, DS_EINVAL,
 * DS_ENOMEM. */
int eng_maxsprt_group_perf(const double *mu, size_t n, double cv, long M,
                           double rr, struct eng_maxsprt_perf *out);

/* The critical value for a target alpha: the cheapest step of alpha(cv)
 * with alpha(cv) <= alpha. Every cv in an interval (w_lo, w_hi] between two
 * consecutive attainable LLR values is the same test; the result is w_lo +
 * min(1e-6, (w_hi - w_lo) / 2), so that rounding in a recomputed LLR
 * cannot move a boundary. *attained (may be NULL) = alpha(cv) <= alpha;
 * a (may be NULL) receives the n boundaries. DS_ERANGE when P(Pois(T) >=
 * M) < alpha; DS_EINVAL, DS_ENOMEM. */
int eng_maxsprt_group_cv(const double *mu, size_t n, double alpha, long M,
                         double *cv, double *attained, long *a);

#endif
