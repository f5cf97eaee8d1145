/*
 * eng_disprop.h - disproportionality statistics for one 2x2 table of
 * report counts: PRR, ROR, chi-square with Yates' correction, IC (BCPNN,
 * shrinkage form) and EBGM (MGPS), each with its interval.
 *
 *                      event E   other events
 *     device D            a           b
 *     other devices       c           d          N = a + b + c + d
 *
 * E = (a+b)(a+c)/N, the count expected in a under independence.
 * PRR = [a/(a+b)] / [c/(c+d)], SE ln PRR = sqrt(1/a - 1/(a+b) + 1/c -
 *   1/(c+d)) (Evans, Waller & Davis 2001, Pharmacoepidemiol Drug Saf
 *   10:483).
 * ROR = ad/(bc), SE ln ROR = sqrt(1/a + 1/b + 1/c + 1/d) (van Puijenbroek
 *   et al. 2002, Pharmacoepidemiol Drug Saf 11:3).
 * Both 95% intervals are exp(ln R -/+ z SE) with z = ENG_DISPROP_Z975, the
 *   exact normal quantile (PhViD uses 1.96 for the ROR: 5th digit).
 * chi2 = N (max(0, |ad - bc| - N/2))^2 / ((a+b)(c+d)(a+c)(b+d)), 1 df.
 * IC = log2((a + 1/2) / (E + 1/2)); IC025 / IC975 = log2 of the 2.5% /
 *   97.5% quantiles of Gamma(shape a + 1/2, rate E + 1/2) (Noren et al.
 *   2006, Stat Med 25:3740; Noren, Hopstadius & Bate 2013, Stat Methods
 *   Med Res 22:57) - exact quantiles, not the closed-form approximation.
 * EBGM, EB05, EB95: eng_ebgm_score() with n = a, E as above and a prior
 *   (default ENG_EBGM_PRIOR_DEFAULT).
 * Formulas and reference values: ../shared/reference/stats.md section 5.
 *
 * ZERO CELLS - one policy for every statistic: no continuity correction.
 * Each value comes from the raw counts; one that is infinite or undefined
 * (a division by zero, 0/0, or an interval needing ln 0) is NaN, which the
 * JSON output prints as null. Why: in surveillance a = 0 is the common
 * case, and the Haldane-Anscombe +1/2 turns the table (0, 10, 5, 985) -
 * not a single report of the pair - into PRR 8.19 and ROR 8.53, past the
 * PRR >= 2 screen; a ratio that cannot be estimated must say so rather
 * than invent half-reports. IC and EBGM need no policy: their Bayesian
 * shrinkage is defined for a = 0. What that gives (other cells > 0):
 *     a = 0:  prr = ror = 0, their four bounds NaN (SE infinite); chi2,
 *             IC, EBGM as usual.
 *     b = 0:  ror and bounds NaN (division by 0); prr and bounds finite.
 *     c = 0:  prr, ror and all four bounds NaN.
 *     d = 0:  ror = 0, its bounds NaN; prr and bounds finite.
 *     a row or column all zero (a+b, c+d, a+c or b+d = 0): chi2 NaN (0
 *             margin), and prr/ror as the rules above give them (0/0 is
 *             NaN); E = 0 when a+b or a+c is 0, and IC and EBGM then
 *             describe the prior alone.
 *     N = 0:  rejected (DS_EINVAL): there is no table.
 *
 * Pure: no I/O, no allocation. Not here: PhViD's moment-based BCPNN,
 * signal thresholds (PRR >= 2 & chi2 >= 4 & a >= 3, IC025 > 0, EB05 >= 2
 * are for the caller), stratification.
 */
#ifndef DEVSURV_ENG_DISPROP_H
#define DEVSURV_ENG_DISPROP_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/eng_ebgm.h"

/* The 97.5% standard normal quantile, sqrt(qchisq(0.95, 1)). */
#define ENG_DISPROP_Z975 1.959963984540054

/* Largest N accepted: counts stay exact in a double. */
#define ENG_DISPROP_N_MAX 9007199254740992.0 /* 2^53 */

struct eng_disprop_table {
    int64_t a, b, c, d; /* counts as in the table above, >= 0 */
};

struct eng_disprop {
    double e;                   /* expected a under independence */
    double prr, prr_lo, prr_hi; /* PRR and its 95% interval */
    double ror, ror_lo, ror_hi; /* ROR and its 95% interval */
    double chi2;                /* Yates-corrected chi-square, 1 df */
    double ic, ic025, ic975;    /* IC and its 95% credibility interval */
    double ebgm, eb05, eb95;    /* EBGM and its 90% credibility interval */
};

/* True when every count is >= 0, N > 0 and N <= ENG_DISPROP_N_MAX. */
bool eng_disprop_valid(const struct eng_disprop_table *t);

/* Every statistic of a valid table; prior NULL means
 * ENG_EBGM_PRIOR_DEFAULT. 0, or DS_EINVAL for an invalid table or prior
 * (*out untouched). Values follow the zero-cell policy above. */
int eng_disprop_compute(const struct eng_disprop_table *t,
                        const struct eng_ebgm_prior *prior,
                        struct eng_disprop *out);

/* The single statistics, for a valid table. ci receives the 95% interval
 * (lower, upper) and may be NULL. */
double eng_disprop_expected(const struct eng_disprop_table *t);
double eng_disprop_prr(const struct eng_disprop_table *t, double ci[2]);
double eng_disprop_ror(const struct eng_disprop_table *t, double ci[2]);
double eng_disprop_chi2(const struct eng_disprop_table *t);

/* IC of n observed against e expected (n >= 0, e >= 0); ci receives
 * (IC025, IC975) and may be NULL. NaN for arguments out of domain. */
double eng_disprop_ic(double n, double e, double ci[2]);

#endif
