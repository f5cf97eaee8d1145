/*
 * eng_maxsprt.h - continuous Poisson MaxSPRT: the statistic and the test.
 *
 * Kulldorff M, Davis RL, Kolczak M, Lewis E, Lieu T, Platt R (2011). A
 * Maximized Sequential Probability Ratio Test for Drug and Vaccine Safety
 * Surveillance. Sequential Analysis 30:58-78. Minimum events M: Kulldorff &
 * Silva (2017), REVSTAT 15(3):373-394. Formulas: ../shared/reference/stats.md
 * section 1.
 *
 * Time is on the scale of H0-expected events mu. With c observed events:
 *     LLR(c, mu) = (mu - c) + c ln(c / mu)   if c > mu, else 0
 * Signal at the first event with LLR >= CV and c >= M; surveillance ends
 * without a signal once mu exceeds T.
 *
 * Pure: no I/O, no allocation, no clock. Not here (yet): the exact critical
 * value for (T, alpha, M, D); the engine takes CV from configuration.
 */
#ifndef DEVSURV_ENG_MAXSPRT_H
#define DEVSURV_ENG_MAXSPRT_H

#include <stdint.h>

struct eng_maxsprt_params {
    double cv;           /* critical value for the LLR, > 0 */
    int64_t min_events;  /* M >= 1 */
    double max_expected; /* T > 0: surveillance length in expected events */
};

enum eng_maxsprt_verdict {
    ENG_MAXSPRT_CONTINUE = 0, /* keep watching */
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

#endif
