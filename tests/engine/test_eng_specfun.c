/*
 * test_eng_specfun.c - incomplete gamma, gamma quantile, digamma, negative
 * binomial log-pmf (eng_specfun.h) against closed forms computed here by a
 * second route (libm erf/erfc/expm1, Poisson sums, recurrences) and
 * against 50-digit values.
 *
 * The 50-digit values come from mpmath 1.3 (an independent arbitrary-
 * precision library), e.g.
 *     mp.dps = 50; mp.gammainc(100, 0, 0.1, regularized=True)
 *                                              -> 9.7050348771256298e-259
 * Quantile references: qchisq(0.95, 1) = 2 qgamma(0.95, 0.5, rate 1)
 * = 3.841458820694124 (R 4.2); checked below through erf, since
 * P(1/2, x) = erf(sqrt x). qgamma(0.025, 2, 1) = 0.2422092785439649,
 * checked through P(2, x) = 1 - e^-x (1 + x). (The value 0.2422085656
 * sometimes quoted is wrong: P(2, 0.2422085656) = 0.02499986.)
 */
#include "devsurv/eng_specfun.h"
#include "../test.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

static double s_rel(double x, double ref)
{
    return ref == 0 ? fabs(x) : fabs(x - ref) / fabs(ref);
}

TEST(exponential_is_shape_one)
{
    const double xs[] = {1e-300, 1e-12, 1e-3, 0.3, 1, 1.999, 2, 7, 40, 700};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i], tol = fmax(1e-14, 5e-16 * fabs(log(x)));
        CHECK(s_rel(eng_specfun_gamma_p(1, x), -expm1(-x)) < tol);
        CHECK(s_rel(eng_specfun_gamma_q(1, x), exp(-x)) < fmax(tol, 5e-16 * x));
    }
}

TEST(half_integer_shape_is_erf)
{
    const double xs[] = {1e-20, 1e-6, 0.01, 0.25, 0.5, 1,  1.5,
                         3,     10,   30,   100,  300, 650};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double r = sqrt(xs[i]);
        CHECK(s_rel(eng_specfun_gamma_p(0.5, xs[i]), erf(r)) < 1e-14);
        CHECK(s_rel(eng_specfun_gamma_q(0.5, xs[i]), erfc(r)) < 1e-13);
    }
}

/* Poisson(x) probabilities summed over k < n (lower) or k >= n: for a
 * whole n, Q(n, x) = P(Poisson(x) < n) and P(n, x) = P(Poisson(x) >= n). */
static double s_poisson_sum(int n, double x, bool lower)
{
    long double term = expl(-(long double)x), sum = 0;
    for (int k = 0; k < n + 400; k++) {
        if ((k < n) == lower)
            sum += term;
        term *= x / (k + 1);
    }
    return (double)sum;
}

TEST(integer_shape_is_poisson_tail)
{
    const double xs[] = {0.01, 0.5, 1, 3.3, 9.5, 20, 45};
    for (int n = 1; n <= 40; n++)
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            double q = s_poisson_sum(n, xs[i], true);
            double p = s_poisson_sum(n, xs[i], false);
            double v = fmin(p, q), tol = fmax(1e-14, 5e-16 * fabs(log(v)));
            if (q < p)
                CHECK(s_rel(eng_specfun_gamma_q(n, xs[i]), q) < tol);
            else
                CHECK(s_rel(eng_specfun_gamma_p(n, xs[i]), p) < tol);
        }
}

TEST(recurrence_in_shape)
{
    /* P(a+1, x) = P(a, x) - x^a e^-x / Gamma(a+1)   (DLMF 8.8.5) */
    const double as[] = {0.3, 0.999, 2.7, 9.5, 15.5, 150.25};
    const double fs[] = {0.2, 0.9, 1, 1.1, 3};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++)
        for (size_t j = 0; j < sizeof fs / sizeof fs[0]; j++) {
            double a = as[i], x = a * fs[j];
            double step = exp(a * log(x) - x - eng_specfun_lgamma(a + 1));
            CHECK_NEAR(eng_specfun_gamma_p(a + 1, x),
                       eng_specfun_gamma_p(a, x) - step, 2e-14);
        }
}

TEST(fifty_digit_values)
{
    /* {a, x, P or -1, Q or -1}: the smaller tail, mpmath at 50 digits */
    static const double v[][4] = {
        {0.001, 1.0, -1, 0.0002196083575855564},
        {0.01, 0.5, -1, 0.0056267561939671841},
        {0.5, 30.0, -1, 9.4857375710738484e-15},
        {2.5, 2.75, -1, 0.35794588085095846},
        {9.99, 10.989, -1, 0.34054748374879598},
        {37, 0.37, 5.3491682938883011e-60, -1},
        {100, 0.1, 9.7050348771256298e-259, -1},
        {100, 30, 7.3384686328783333e-24, -1},
        {1000, 2000, -1, 6.8473494596147532e-136},
        {1e4, 9000, 2.073299202433928e-25, -1},
        {1e4, 10100, -1, 0.15865124955282038},
        {1e6, 1e6, -1, 0.49986701923912741},
        {1e6, 1.01e6, -1, 1.0606997477586901e-23},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        bool lower = v[i][2] >= 0;
        double ref = lower ? v[i][2] : v[i][3];
        double got = lower ? eng_specfun_gamma_p(v[i][0], v[i][1])
                           : eng_specfun_gamma_q(v[i][0], v[i][1]);
        double tol = fmax(1e-14, 5e-16 * fabs(log(ref)));
        if (!(s_rel(got, ref) < tol))
            TEST_FAIL_("a=%g x=%g: %.17g, expected %.17g", v[i][0], v[i][1],
                       got, ref);
        double other = lower ? eng_specfun_gamma_q(v[i][0], v[i][1])
                             : eng_specfun_gamma_p(v[i][0], v[i][1]);
        CHECK_NEAR(other, 1 - ref, 5e-15);
    }
}

TEST(incomplete_gamma_edges)
{
    CHECK(eng_specfun_gamma_p(2, 0) == 0);
    CHECK(eng_specfun_gamma_q(2, 0) == 1);
    CHECK(eng_specfun_gamma_p(2, INFINITY) == 1);
    CHECK(eng_specfun_gamma_q(2, INFINITY) == 0);
    CHECK(isnan(eng_specfun_gamma_p(0, 1)));
    CHECK(isnan(eng_specfun_gamma_p(-1, 1)));
    CHECK(isnan(eng_specfun_gamma_q(1, -1e-300)));
    CHECK(isnan(eng_specfun_gamma_p(NAN, 1)));
    CHECK(isnan(eng_specfun_gamma_p(1, NAN)));
    CHECK(isnan(eng_specfun_gamma_p(INFINITY, 1)));
}

TEST(chi_square_quantile)
{
    double q = eng_specfun_gamma_quantile(0.95, 0.5);
    CHECK(s_rel(2 * q, 3.841458820694124) < 2e-15);
    CHECK_NEAR(erf(sqrt(q)), 0.95, 2e-16); /* second route */
    /* the z used by eng_disprop: sqrt(qchisq(0.95, 1)) */
    CHECK_NEAR(sqrt(2 * q), 1.959963984540054, 4e-16);
    CHECK_NEAR(0.5 * erfc(1.959963984540054 / sqrt(2.0)), 0.025, 5e-17);
}

TEST(gamma_shape_two_quantile)
{
    double x = eng_specfun_gamma_quantile(0.025, 2);
    CHECK(s_rel(x, 0.2422092785439649) < 4e-15);
    CHECK_NEAR(-expm1(-x) - x * exp(-x), 0.025, 1e-16);
    CHECK(fabs(x - 0.2422085656) > 7e-7); /* the misquoted value */
}

TEST(quantile_inverts_p)
{
    const double as[] = {1e-3, 0.01, 0.1,  0.5, 1,   2,
                         2.5,  10,   12.5, 100, 1e4, 1e6};
    const double ps[] = {1e-300, 1e-100, 1e-20,    1e-10,     1e-5,
                         0.025,  0.05,   0.3,      0.5,       0.7,
                         0.95,   0.975,  1 - 1e-5, 1 - 1e-10, 1 - 1e-15};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++)
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            double a = as[i], p = ps[j], x = eng_specfun_gamma_quantile(p, a);
            /* ln of the true quantile is about (ln p + lgamma(a+1)) / a
             * when small: below ln DBL_MIN it must underflow to 0 */
            double lsmall = (log(p) + eng_specfun_lgamma(a + 1)) / a;
            if (x == 0 && lsmall < log(DBL_MIN))
                continue;
            double back = p > 0.5 ? 1 - eng_specfun_gamma_q(a, x)
                                  : eng_specfun_gamma_p(a, x);
            double tail = p > 0.5 ? eng_specfun_gamma_q(a, x) : back;
            if (!(fabs(back - p) <= 1e-12) ||
                !(s_rel(tail, p > 0.5 ? 1 - p : p) < 1e-10))
                TEST_FAIL_("a=%g p=%.17g: q=%.17g gives %.17g", a, p, x, back);
        }
}

TEST(quantile_edges_and_order)
{
    CHECK(eng_specfun_gamma_quantile(0, 3) == 0);
    CHECK(isinf(eng_specfun_gamma_quantile(1, 3)));
    CHECK(isnan(eng_specfun_gamma_quantile(-0.1, 3)));
    CHECK(isnan(eng_specfun_gamma_quantile(1.1, 3)));
    CHECK(isnan(eng_specfun_gamma_quantile(0.5, 0)));
    CHECK(isnan(eng_specfun_gamma_quantile(NAN, 1)));
    double prev = 0;
    for (double p = 0.001; p < 1; p += 0.001) {
        double x = eng_specfun_gamma_quantile(p, 3.7);
        CHECK(x > prev);
        prev = x;
    }
}

TEST(quantile_start_is_close)
{
    const double as[] = {1, 2.5, 10, 100, 1e4};
    const double ps[] = {0.05, 0.5, 0.95};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++)
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            double s = eng_specfun_gamma_quantile_start(ps[j], as[i]);
            double q = eng_specfun_gamma_quantile(ps[j], as[i]);
            CHECK(s_rel(s, q) < (as[i] < 10 ? 0.25 : 0.01));
        }
}

TEST(p_pdf_is_the_derivative)
{
    const double as[] = {0.4, 1, 3.5, 40};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++)
        for (double f = 0.3; f < 3; f += 0.35) {
            double a = as[i], x = a * f, h = 1e-6 * x, pdf;
            double p = eng_specfun_gamma_p_pdf(a, x, &pdf);
            double num = x < a ? (eng_specfun_gamma_p(a, x + h) -
                                  eng_specfun_gamma_p(a, x - h)) /
                                     (2 * h)
                               : (eng_specfun_gamma_q(a, x - h) -
                                  eng_specfun_gamma_q(a, x + h)) /
                                     (2 * h);
            CHECK(p == eng_specfun_gamma_p(a, x));
            CHECK(s_rel(pdf, num) < 1e-7);
            CHECK(s_rel(pdf, exp(eng_specfun_gamma_lpdf(x, a))) < 1e-14);
        }
    CHECK(eng_specfun_gamma_lpdf(0, 1) == 0);
    CHECK(isinf(eng_specfun_gamma_lpdf(0, 2)));
}

TEST(digamma_values)
{
    const double euler = 0.57721566490153286;
    CHECK_NEAR(eng_specfun_digamma(1), -euler, 1e-15);
    CHECK_NEAR(eng_specfun_digamma(0.5), -euler - 2 * log(2.0), 1e-15);
    double h = 0; /* psi(n) = H_{n-1} - gamma */
    for (int n = 1; n <= 60; n++) {
        CHECK(s_rel(eng_specfun_digamma(n), h - euler) < 1e-15 ||
              fabs(eng_specfun_digamma(n) - (h - euler)) < 1e-16);
        h += 1.0 / n;
    }
    const double xs[] = {1e-8, 0.01, 0.37, 1.4616, 7.25, 19.5, 1e3};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        double big = fmax(1 / x, fabs(eng_specfun_digamma(x + 1)));
        CHECK_NEAR(eng_specfun_digamma(x + 1) - eng_specfun_digamma(x), 1 / x,
                   2e-15 * big);
    }
    CHECK(isnan(eng_specfun_digamma(0)));
    CHECK(isnan(eng_specfun_digamma(-2.5)));
}

TEST(nbinom_lpmf_is_a_distribution)
{
    const double sizes[] = {0.2, 1.4, 3.25, 40};
    const double probs[] = {0.02, 0.3, 0.9};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof probs / sizeof probs[0]; j++) {
            double r = sizes[i], p = probs[j], sum = 0, mean = 0;
            for (int n = 0; n < 20000; n++) {
                double f = exp(eng_specfun_nbinom_lpmf(n, r, p));
                sum += f;
                mean += n * f;
            }
            CHECK_NEAR(sum, 1, 1e-12);
            CHECK(s_rel(mean, r * (1 - p) / p) < 1e-11);
        }
    /* direct: Gamma(2.5 + 3) / (Gamma(2.5) 3!) 0.4^2.5 0.6^3 */
    double direct = tgamma(5.5) / (tgamma(2.5) * 6) * pow(0.4, 2.5) * 0.216;
    CHECK(s_rel(exp(eng_specfun_nbinom_lpmf(3, 2.5, 0.4)), direct) < 1e-14);
    CHECK_NEAR(eng_specfun_nbinom_lpmf(0, 2.5, 0.4), 2.5 * log(0.4), 1e-15);
    CHECK(isinf(eng_specfun_nbinom_lpmf(2, 2.5, 1)));
    CHECK(isnan(eng_specfun_nbinom_lpmf(1.5, 2.5, 0.4)));
    CHECK(isnan(eng_specfun_nbinom_lpmf(1, 0, 0.4)));
    CHECK(isnan(eng_specfun_nbinom_lpmf(1, 1, 0)));
}

TEST(log1mexp_both_regimes)
{
    CHECK(s_rel(eng_specfun_log1mexp(-1e-20), log(1e-20)) < 1e-15);
    CHECK(s_rel(eng_specfun_log1mexp(-50), -exp(-50.0)) < 1e-15);
    CHECK(s_rel(eng_specfun_log1mexp(-1), log(1 - exp(-1.0))) < 1e-15);
    CHECK(isinf(eng_specfun_log1mexp(0)));
    CHECK(isnan(eng_specfun_log1mexp(0.1)));
}

TEST(lgamma_wrapper)
{
    CHECK_NEAR(eng_specfun_lgamma(0.5), 0.5 * log(M_PI), 1e-15);
    CHECK_NEAR(eng_specfun_lgamma(10), log(362880.0), 1e-14);
}

int main(void)
{
    RUN(exponential_is_shape_one);
    RUN(half_integer_shape_is_erf);
    RUN(integer_shape_is_poisson_tail);
    RUN(recurrence_in_shape);
    RUN(fifty_digit_values);
    RUN(incomplete_gamma_edges);
    RUN(chi_square_quantile);
    RUN(gamma_shape_two_quantile);
    RUN(quantile_inverts_p);
    RUN(quantile_edges_and_order);
    RUN(quantile_start_is_close);
    RUN(p_pdf_is_the_derivative);
    RUN(digamma_values);
    RUN(nbinom_lpmf_is_a_distribution);
    RUN(log1mexp_both_regimes);
    RUN(lgamma_wrapper);
    return test_report();
}
