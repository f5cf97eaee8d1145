/*
 * eng_sprt.h - Wald's sequential probability ratio test with a simple
 * alternative, Poisson and Bernoulli: boundaries, streaming test, and the
 * exact operating characteristics of the truncated test.
 *
 * Wald A (1945). Sequential tests of statistical hypotheses. Ann Math
 * Statist 16:117-186. Formulas: ../shared/reference/stats.md section 4.
 *     Poisson  (H0 RR = 1 vs RR1):  LLR = c ln RR1 - (RR1 - 1) mu
 *     Bernoulli (p0 vs p1):         LLR = c ln(p1/p0)
 *                                         + (n - c) ln((1-p1)/(1-p0))
 * Reject H0 (signal) when LLR >= A = ln((1-beta)/alpha); accept H0 when
 * LLR <= B = ln(beta/(1-alpha)). A and B are Wald's approximations: the
 * true error rates differ, which is why the exact ones are computed here.
 *
 * Exact Poisson (upper boundary only, stop at T): the k-th event signals
 * iff it arrives at mu <= u_k = (k ln RR1 - A)/(RR1 - 1), so the interval
 * DP of stats.md 1.3 applies with these u_k. Exact Bernoulli: the binomial
 * DP over the continuation region B < LLR < A, truncated at N.
 *
 * Not here: the Poisson test with an accept boundary computed exactly (the
 * streaming test does apply B), composite alternatives (that is MaxSPRT,
 * eng_maxsprt.h / eng_binomial.h), group-sequential looks.
 */
#ifndef DEVSURV_ENG_SPRT_H
#define DEVSURV_ENG_SPRT_H

#include <stdbool.h>
#include <stdint.h>

/* Largest number of boundary events the exact Poisson DP accepts. */
#define ENG_SPRT_K_MAX 20000
/* Largest N the exact Bernoulli DP accepts. */
#define ENG_SPRT_N_MAX 10000000

/* A = ln((1-beta)/alpha), B = ln(beta/(1-alpha)). 0, or DS_EINVAL unless
 * 0 < alpha, 0 < beta and alpha + beta < 1. */
int eng_sprt_bounds(double alpha, double beta, double *a, double *b);

struct eng_sprt_poisson {
    double rr1;   /* alternative relative risk, > 0, != 1 */
    double a;     /* upper (signal) boundary, > 0 */
    double b;     /* lower (accept H0) boundary, < 0; -INFINITY: none */
    double t_max; /* T > 0: surveillance length in H0-expected events */
};

struct eng_sprt_bernoulli {
    double p0, p1; /* H0 and alternative event probability, in (0, 1) */
    double a, b;   /* boundaries as above */
    int64_t n_max; /* N >= 1: surveillance length in observations */
};

/* Exact operating characteristics at one true parameter. */
struct eng_sprt_oc {
    double p_upper;     /* P(signal): alpha under H0, power under H1 */
    double p_lower;     /* P(accept H0) (0 for the upper-only test) */
    double signal_time; /* E[time at signal | signal] (mu or n); NaN if
                           p_upper is 0 */
    double sample_size; /* E[time when surveillance stops] */
};

/* Exact P(signal), expected time to signal and expected length of
 * surveillance of the upper-boundary-only Poisson SPRT (p->b ignored)
 * truncated at T, when the true relative risk is rr (> 0). Needs rr1 > 1.
 * 0, DS_EINVAL, DS_ERANGE (more than ENG_SPRT_K_MAX boundary events) or
 * DS_ENOMEM; allocates O(K) for the call. */
int eng_sprt_poisson_exact(const struct eng_sprt_poisson *p, double rr,
                           struct eng_sprt_oc *out);

/* Exact operating characteristics of the two-boundary Bernoulli SPRT
 * truncated at N when the true event probability is pt (in [0, 1]).
 * sample_size counts observations up to a decision or N. 0, DS_EINVAL,
 * DS_ERANGE (N too large) or DS_ENOMEM. */
int eng_sprt_bernoulli_exact(const struct eng_sprt_bernoulli *p, double pt,
                             struct eng_sprt_oc *out);

/* Streaming test: a fixed-size state per surveillance cell. */
struct eng_sprt_state {
    double llr;    /* the statistic now */
    double mu;     /* Poisson: H0-expected events so far */
    int64_t n;     /* Bernoulli: observations so far */
    int64_t count; /* events (Poisson) or cases (Bernoulli) so far */
    bool over;     /* decided (signal or accept) or past T / N */
};

enum eng_sprt_verdict {
    ENG_SPRT_CONTINUE = 0, /* keep watching */
    ENG_SPRT_SIGNAL,       /* LLR >= A: reject H0 */
    ENG_SPRT_ACCEPT,       /* LLR <= B: accept H0, stop */
    ENG_SPRT_ENDED,        /* past T / the N-th observation without a
                              decision, or already over (not counted) */
    ENG_SPRT_INVALID       /* bad input (negative, NaN): state unchanged */
};

/* Zero state. */
void eng_sprt_init(struct eng_sprt_state *st);

/* Poisson: add `expected` H0-expected events of exposure, then `events`
 * observed events at its end. The accept boundary is checked after the
 * exposure (LLR only falls during exposure), the signal boundary after
 * the events; exposure that takes mu past T ends the test untested. O(1),
 * no allocation. */
enum eng_sprt_verdict eng_sprt_poisson_add(struct eng_sprt_state *st,
                                           const struct eng_sprt_poisson *p,
                                           double expected, int64_t events);

/* Bernoulli: add one observation (event or not). O(1), no allocation. */
enum eng_sprt_verdict eng_sprt_bernoulli_add(struct eng_sprt_state *st,
                                             const struct eng_sprt_bernoulli *p,
                                             bool event);

/* "continue", "signal", "accept", "ended", "invalid". */
const char *eng_sprt_verdict_name(enum eng_sprt_verdict v);

#endif
