/*
 * eng_binomial.h - binomial MaxSPRT for matched and self-controlled designs:
 * the statistic, the streaming test and its exact design (critical value,
 * attained alpha, power, expected events at signal).
 *
 * Kulldorff M, Davis RL, Kolczak M, Lewis E, Lieu T, Platt R (2011). A
 * Maximized Sequential Probability Ratio Test for Drug and Vaccine Safety
 * Surveillance. Sequential Analysis 30:58-78. Exact alpha, critical value
 * and performance as R package Sequential (CV.Binomial, Performance.
 * Binomial) computes them: ../shared/reference/stats.md section 2.
 *
 * Every event is a case (exposed / risk window) or a control; z = controls
 * per case under H0 (matching ratio, or control / risk window length), so
 * an event is a case with probability 1/(1+z) under H0 and RR/(RR+z) under
 * relative risk RR. After n events of which c are cases
 *     LLR(c, n) = n ln(1+z)                                   if c == n
 *               = 0                                           if zc/(n-c) <= 1
 *               = c ln(c/n) + (n-c) ln((n-c)/n) + c ln(1+z)
 *                 - (n-c) ln(z/(1+z))                         otherwise
 * Signal at the first n <= N with LLR >= CV and c >= M.
 *
 * The critical value: alpha(CV) only changes at attainable LLR values, so
 * the exact CV is a pair of adjacent attainable values w_lo < w_hi with
 * alpha(w_lo) > target >= alpha(w_hi); every CV in (w_lo, w_hi] is the
 * same test. We report w_hi; Sequential reports the smallest 5-decimal
 * number above w_lo (kept as cv_package for comparison).
 *
 * Not here: the p (instead of z) parametrisation (p = 1/(1+z)); group-
 * sequential looks; Sequential's early stop inside its alpha loop.
 */
#ifndef DEVSURV_ENG_BINOMIAL_H
#define DEVSURV_ENG_BINOMIAL_H

#include <stdbool.h>
#include <stdint.h>

/* Largest N the exact computations accept (the DP is O(N^2) per alpha). */
#define ENG_BINOMIAL_N_MAX 20000

struct eng_binomial_design {
    int64_t n_max;     /* N >= 1: surveillance length in events */
    double z;          /* z > 0: controls per case under H0 */
    int64_t min_cases; /* M, 1 <= M <= N */
};

struct eng_binomial_perf {
    double power;         /* P(signal) at the given RR (alpha at RR = 1) */
    double signal_events; /* E[events at signal | signal]; NaN if power 0 */
    double sample_size;   /* E[events when surveillance stops] */
};

struct eng_binomial_cv {
    double cv;         /* w_hi: the smallest attainable CV with alpha ok */
    double cv_low;     /* w_lo (0 when every attainable CV is ok) */
    double cv_package; /* Sequential's rounding: 5 decimals above w_lo */
    double alpha;      /* attained alpha = alpha(cv) <= target */
    int64_t m_max;     /* refusal "M must be <= m_max", else 0 */
    int64_t n_min;     /* refusal "use N of at least n_min", else 0 */
    double refused_p;  /* the refusal's P(Bin(N, p) >= M) or p^N */
};

/* LLR(c, n) above; 0 when n < 1, c < 0 or c > n. */
double eng_binomial_llr(int64_t c, int64_t n, double z);

/* Power, expected events at signal and expected events at stop of the
 * test (d, cv) when the true relative risk is rr (> 0; 1 gives alpha).
 * 0, DS_EINVAL (d, cv or rr out of domain), DS_ERANGE (N too large) or
 * DS_ENOMEM. */
int eng_binomial_perf(const struct eng_binomial_design *d, double cv, double rr,
                      struct eng_binomial_perf *out);

/* Exact critical value for alpha in (0, 0.5]. Returns 0; DS_EINVAL for
 * arguments out of domain; DS_ERANGE when N is too large or, as Sequential
 * refuses, when P(Bin(N, 1/(1+z)) >= M) < alpha (out->m_max set) or
 * (1/(1+z))^N > alpha (out->n_min set); DS_ENOMEM. Allocates O(N) for the
 * duration of the call. */
int eng_binomial_cv(const struct eng_binomial_design *d, double alpha,
                    struct eng_binomial_cv *out);

/* Streaming test: a fixed-size state per surveillance cell. */
struct eng_binomial_params {
    double cv;         /* critical value, > 0 */
    double z;          /* controls per case under H0, > 0 */
    int64_t min_cases; /* M >= 1 */
    int64_t n_max;     /* N >= 1 */
};

struct eng_binomial_state {
    int64_t n;     /* events counted */
    int64_t cases; /* of which cases */
    bool over;     /* signalled, or N events seen */
};

enum eng_binomial_verdict {
    ENG_BINOMIAL_CONTINUE = 0, /* counted; no signal; keep watching */
    ENG_BINOMIAL_SIGNAL,       /* counted; LLR >= CV and c >= M: reject H0 */
    ENG_BINOMIAL_ENDED         /* the N-th event without a signal, or the
                                  test was already over (not counted) */
};

/* Zero state: no events. */
void eng_binomial_init(struct eng_binomial_state *st);

/* Count one event (a case when is_case) and test. O(1), no allocation.
 * *llr receives LLR(c, n) after the event (0 when not counted). */
enum eng_binomial_verdict eng_binomial_add(struct eng_binomial_state *st,
                                           const struct eng_binomial_params *p,
                                           bool is_case, double *llr);

/* "continue", "signal", "ended". */
const char *eng_binomial_verdict_name(enum eng_binomial_verdict v);

#endif
