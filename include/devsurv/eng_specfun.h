/*
 * eng_specfun.h - special functions for the signal statistics: regularized
 * incomplete gamma P(a, x) / Q(a, x), the gamma quantile, digamma, the
 * negative binomial log-pmf and log(1 - e^x).
 *
 * Own code from the mathematical definitions (DLMF = NIST Digital Library
 * of Mathematical Functions, https://dlmf.nist.gov):
 *   P(a, x) = gamma(a, x) / Gamma(a), Q = 1 - P          DLMF 8.2.4
 *   series  gamma*(a, x) = e^-x sum_k x^k / Gamma(a+k+1)  DLMF 8.7.1
 *   continued fraction for Gamma(a, x)                    DLMF 8.9.2
 *   the prefactor x^a e^-x / Gamma(a) for a >= 10 through
 *   a (ln(1+t) - t), t = (x - a)/a, and Stirling's series  DLMF 5.11.1
 *   digamma: recurrence to x >= 10, asymptotic series       DLMF 5.15.8,
 *                                                           5.11.2
 * log-gamma itself is libm's lgamma().
 *
 * Accuracy for 1e-3 <= a <= 1e6 (measured against 50-digit mpmath values
 * on a grid of a and x / a; tests/engine/test_eng_specfun.c checks closed
 * forms and a sample): the smaller of P and Q to a relative error below
 * max(1e-14, 5e-16 |ln value|) - 3e-13 at 1e-300, the cost of
 * exponentiating a large logarithm - and the larger to 5e-15 absolute.
 * Beyond a = 1e6 series and fraction still converge, in O(sqrt(a)) terms.
 * The quantile satisfies P(a, q(p)) = p to 1e-13 absolute and 1e-10
 * relative in the tail it was asked for, for p in [1e-300, 1 - 1e-15]
 * whenever q(p) is a normal double (it returns 0 when the true quantile
 * underflows, e.g. p < 0.3 for a = 1e-3). Digamma to 1e-15 relative for
 * x >= 0.5 (absolute near its zero x = 1.4616...).
 *
 * Pure: no I/O, no allocation. Not here: the incomplete beta function,
 * the normal CDF (libm erfc suffices), negative or complex arguments.
 */
#ifndef DEVSURV_ENG_SPECFUN_H
#define DEVSURV_ENG_SPECFUN_H

/* Regularized lower incomplete gamma P(a, x) for a > 0, x >= 0 (x may be
 * +inf). NaN for a <= 0, x < 0 or NaN arguments. */
double eng_specfun_gamma_p(double a, double x);

/* Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), computed
 * directly so that small tails keep their relative accuracy. Same
 * domain as eng_specfun_gamma_p(). */
double eng_specfun_gamma_q(double a, double x);

/* P(a, x) as eng_specfun_gamma_p(), and *pdf = the Gamma(a, 1) density
 * at x, sharing the work: what a Newton step on P needs. */
double eng_specfun_gamma_p_pdf(double a, double x, double *pdf);

/* ln of the Gamma(shape a, rate 1) density at x > 0,
 * (a - 1) ln x - x - lgamma(a), with the accuracy of the prefactor
 * above. At x = 0: -inf for a > 1, 0 for a = 1, +inf for a < 1; NaN
 * outside a > 0, x >= 0. */
double eng_specfun_gamma_lpdf(double x, double a);

/* The p-quantile of Gamma(shape a, rate 1): the x >= 0 with P(a, x) = p.
 * Divide by the rate for another rate (qgamma(p, a, rate = r) is this / r).
 * p = 0 gives 0, p = 1 gives +inf; NaN for a <= 0 or p outside [0, 1].
 * Newton-Halley steps on P (on Q above the median) inside a bracket that
 * every step keeps, with bisection when a step would leave it. */
double eng_specfun_gamma_quantile(double p, double a);

/* ln Gamma(x) for x > 0: libm's lgamma_r(), which unlike lgamma() writes
 * no global (safe from several threads). */
double eng_specfun_lgamma(double x);

/* A cheap approximation of eng_specfun_gamma_quantile(p, a) (Wilson-
 * Hilferty for a >= 1, the small-x form x^a / Gamma(a+1) below): for p in
 * [0.05, 0.95] within 25% at a = 1 and 1% from a = 10 on. A starting
 * point for iterative solvers; 0 < p < 1, NaN outside the domain. */
double eng_specfun_gamma_quantile_start(double p, double a);

/* Digamma psi(x) = d/dx ln Gamma(x) for x > 0; NaN for x <= 0. */
double eng_specfun_digamma(double x);

/* ln of the negative binomial pmf
 *     Gamma(size + n) / (Gamma(size) n!) prob^size (1 - prob)^n
 * (R's dnbinom(n, size, prob, log = TRUE)) for a whole number n >= 0,
 * size > 0, 0 < prob <= 1. -inf when prob = 1 and n > 0; NaN outside the
 * domain. */
double eng_specfun_nbinom_lpmf(double n, double size, double prob);

/* ln(1 - e^x) for x <= 0 without cancellation (-inf at x = 0); NaN for
 * x > 0. */
double eng_specfun_log1mexp(double x);

#endif
