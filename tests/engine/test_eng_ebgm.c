/*
 * test_eng_ebgm.c - EBGM scoring, the zero-truncated likelihood, the
 * hyperparameter fit and the "N,E" reader (eng_ebgm.h).
 *
 * References: stats.md section 5 (openEBGM on its caers data, autoHyper
 * theta; top pair N = 16, E = 0.40644: EBGM 23.2611, EB05 15.6857, EB95
 * 33.4773). E is printed to 5 digits and EBGM moves by 29 per unit of E,
 * so the printed E itself gives 23.2610 / 15.6856 / 33.4772; every E in
 * [0.4064358, 0.4064365] (inside the rounding interval of 0.40644)
 * reproduces all three printed values - checked at E = 0.406436, with the
 * printed E to within its rounding. Negative log-likelihood reference: the
 * openEBGM testthat data (tests/testthat/testC_Likelihoods.R: N = 0 x5,
 * 1 x4, 2 x6, 3 x2, E = 1..17, theta = (0.125874, 0.13587, 1.24578,
 * 3.01587, 0.05)) evaluated with mpmath at 40 digits: 22.498175911514073.
 * The 17,000-cell fit test draws its table from the truncated mixture
 * with its own splitmix64 generator and prints the time of fit + scoring.
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_ebgm.h"
#include "devsurv/eng_specfun.h"
#include "../test.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

static const struct eng_ebgm_prior s_caers = {
    3.2537864286, 0.3998883660, 2.0261305352, 1.9080825983, 0.0653457004};
static const struct eng_ebgm_prior s_dflt = ENG_EBGM_PRIOR_DEFAULT;

TEST(caers_top_pair)
{
    struct eng_ebgm_score s;
    CHECK_INT(eng_ebgm_score(&s_caers, 16, 0.406436, &s), 0);
    CHECK_NEAR(s.ebgm, 23.2611, 5e-5);
    CHECK_NEAR(s.eb05, 15.6857, 5e-5);
    CHECK_NEAR(s.eb95, 33.4773, 5e-5);
    CHECK_NEAR(s.ebgm, 23.261110852042253, 1e-11); /* mpmath, 40 digits */
    CHECK_NEAR(s.eb05, 15.685662600635524, 1e-11);
    CHECK_NEAR(s.eb95, 33.477342894727569, 1e-11);
    CHECK_INT(eng_ebgm_score(&s_caers, 16, 0.40644, &s), 0);
    CHECK_NEAR(s.ebgm, 23.2611, 29 * 5e-6 + 5e-5);
    CHECK_NEAR(s.eb05, 15.6857, 20 * 5e-6 + 5e-5);
    CHECK_NEAR(s.eb95, 33.4773, 42 * 5e-6 + 5e-5);
}

TEST(fixed_prior_cell)
{
    /* stats.md table row (3, 97, 100, 9800): n = 3, E = 1.03 */
    struct eng_ebgm_score s;
    CHECK_INT(eng_ebgm_score(&s_dflt, 3, 1.03, &s), 0);
    CHECK_NEAR(s.ebgm, 1.45418, 5e-6);
    CHECK_NEAR(s.eb05, 0.57681, 5e-6);
    CHECK_NEAR(s.eb95, 3.35135, 5e-6);
    CHECK_NEAR(s.qn, 0.086611038001192835, 1e-15);
    CHECK_NEAR(s.eblog2, log2(s.ebgm), 1e-15);
}

TEST(qn_from_the_definition)
{
    /* Qn = P f1 / (P f1 + (1-P) f2), f_k from tgamma and pow directly */
    const double ns[] = {0, 1, 2, 5, 12};
    const double es[] = {0.01, 0.4, 3};
    const struct eng_ebgm_prior *th = &s_caers;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof es / sizeof es[0]; j++) {
            double n = ns[i], e = es[j], f[2];
            const double a[2] = {th->alpha1, th->alpha2};
            const double b[2] = {th->beta1, th->beta2};
            for (int c = 0; c < 2; c++)
                f[c] = tgamma(a[c] + n) / (tgamma(a[c]) * tgamma(n + 1)) *
                       pow(b[c] / (b[c] + e), a[c]) * pow(e / (b[c] + e), n);
            double qn = th->p * f[0] / (th->p * f[0] + (1 - th->p) * f[1]);
            struct eng_ebgm_score s;
            CHECK_INT(eng_ebgm_score(th, n, e, &s), 0);
            CHECK_NEAR(s.qn, qn, 1e-13 * qn);
        }
}

/* The posterior CDF at x, from its definition. */
static double s_post_cdf(const struct eng_ebgm_prior *th, double n, double e,
                         double qn, double x)
{
    return qn * eng_specfun_gamma_p(th->alpha1 + n, x * (th->beta1 + e)) +
           (1 - qn) * eng_specfun_gamma_p(th->alpha2 + n, x * (th->beta2 + e));
}

TEST(quantiles_solve_the_cdf)
{
    const double ns[] = {0, 1, 3, 16, 200};
    const double es[] = {0.001, 0.4, 5, 150};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof es / sizeof es[0]; j++) {
            struct eng_ebgm_score s;
            double n = ns[i], e = es[j];
            CHECK_INT(eng_ebgm_score(&s_caers, n, e, &s), 0);
            CHECK_NEAR(s_post_cdf(&s_caers, n, e, s.qn, s.eb05), 0.05, 1e-13);
            CHECK_NEAR(s_post_cdf(&s_caers, n, e, s.qn, s.eb95), 0.95, 1e-13);
            CHECK(s.eb05 < s.ebgm && s.ebgm < s.eb95);
            double q50 = eng_ebgm_quantile(&s_caers, n, e, s.qn, 0.5);
            CHECK(s.eb05 < q50 && q50 < s.eb95);
        }
}

TEST(pure_component_quantile)
{
    /* qn = 1: the posterior is Gamma(a1 + n, b1 + E) alone */
    double x = eng_ebgm_quantile(&s_dflt, 4, 2, 1.0, 0.05);
    CHECK_NEAR(x, eng_specfun_gamma_quantile(0.05, 4.2) / 2.06, 1e-14);
    CHECK(isnan(eng_ebgm_quantile(&s_dflt, 4, 2, 1.5, 0.05)));
    CHECK(isnan(eng_ebgm_quantile(&s_dflt, 4, 2, 0.5, 1)));
}

TEST(score_rejects_bad_input)
{
    struct eng_ebgm_score s = {0};
    struct eng_ebgm_prior bad = s_dflt;
    CHECK_INT(eng_ebgm_score(&s_dflt, -1, 1, &s), DS_EINVAL);
    CHECK_INT(eng_ebgm_score(&s_dflt, 1.5, 1, &s), DS_EINVAL);
    CHECK_INT(eng_ebgm_score(&s_dflt, 1, 0, &s), DS_EINVAL);
    CHECK_INT(eng_ebgm_score(&s_dflt, 1, NAN, &s), DS_EINVAL);
    bad.p = 0;
    CHECK_INT(eng_ebgm_score(&bad, 1, 1, &s), DS_EINVAL);
    bad = s_dflt;
    bad.beta2 = INFINITY;
    CHECK_INT(eng_ebgm_score(&bad, 1, 1, &s), DS_EINVAL);
    CHECK(s.ebgm == 0); /* untouched */
    /* E = 0 with n = 0: the prior itself; its geometric mean */
    CHECK_INT(eng_ebgm_score(&s_dflt, 0, 0, &s), 0);
    CHECK_NEAR(s.qn, 0.1, 1e-15);
    double elog = 0.1 * (eng_specfun_digamma(0.2) - log(0.06)) +
                  0.9 * (eng_specfun_digamma(1.4) - log(1.8));
    CHECK_NEAR(s.ebgm, exp(elog), 1e-14);
}

TEST(negll_openebgm_testthat_data)
{
    const double n[17] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3};
    double e[17];
    for (int i = 0; i < 17; i++)
        e[i] = i + 1;
    const struct eng_ebgm_prior th = {0.125874, 0.13587, 1.24578, 3.01587,
                                      0.05};
    CHECK_NEAR(eng_ebgm_negll(&th, n, e, 17), 22.498175911514073, 1e-12);
    /* the same cells without the zeros: zeros do not count */
    CHECK_NEAR(eng_ebgm_negll(&th, n + 5, e + 5, 12), 22.498175911514073,
               1e-12);
    /* label switching leaves it unchanged */
    const struct eng_ebgm_prior sw = {1.24578, 3.01587, 0.125874, 0.13587,
                                      0.95};
    CHECK_NEAR(eng_ebgm_negll(&sw, n, e, 17), 22.498175911514073, 1e-12);
    struct eng_ebgm_prior bad = th;
    bad.alpha1 = -1;
    CHECK(isinf(eng_ebgm_negll(&bad, n, e, 17)));
    e[6] = 0;
    CHECK(isnan(eng_ebgm_negll(&th, n, e, 17)));
}

/* splitmix64 (Steele, Lea & Flood 2014) and the draws built on it. */
static uint64_t s_rng;

static double s_unif(void)
{
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return ((double)((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53;
}

static double s_normal(void)
{
    return sqrt(-2 * log(s_unif())) * cos(2 * M_PI * s_unif());
}

/* Marsaglia & Tsang (2000), rate 1; below shape 1 through
 * Gamma(a) = Gamma(a + 1) U^(1/a). */
static double s_gamma(double a)
{
    if (a < 1)
        return s_gamma(a + 1) * pow(s_unif(), 1 / a);
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = s_normal(), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        if (log(s_unif()) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

static double s_poisson(double mu)
{
    if (mu > 500)
        return s_poisson(mu / 2) + s_poisson(mu - mu / 2);
    double k = 0, p = exp(-mu), s = p, u = s_unif();
    while (u > s && p > 0) {
        k++;
        p *= mu / k;
        s += p;
    }
    return k;
}

/* count cells from the zero-truncated mixture (openEBGM's model): the
 * component first, then lambda and N ~ Poisson(lambda E) until N >= 1. */
static void s_synth(struct eng_ebgm_table *t, const struct eng_ebgm_prior *th,
                    size_t count, uint64_t seed)
{
    s_rng = seed;
    while (t->count < count) {
        double e = exp(log(0.01) + s_unif() * log(1000.0)), n = 0;
        bool first = s_unif() < th->p;
        while (n < 1)
            n = s_poisson(e * (first ? s_gamma(th->alpha1) / th->beta1
                                     : s_gamma(th->alpha2) / th->beta2));
        if (eng_ebgm_table_add(t, n, e) != 0)
            return;
    }
}

static double s_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double s_score_all(const struct eng_ebgm_prior *th,
                          const struct eng_ebgm_table *t, int *bad)
{
    double sum = 0;
    for (size_t i = 0; i < t->count; i++) {
        struct eng_ebgm_score s;
        if (eng_ebgm_score(th, t->n[i], t->e[i], &s) != 0 ||
            !(s.eb05 < s.ebgm && s.ebgm < s.eb95))
            (*bad)++;
        sum += s.ebgm;
    }
    return sum;
}

/* No coordinate step of +-1e-4 (relative) lowers the negLL. */
static bool s_is_minimum(const struct eng_ebgm_fit *f,
                         const struct eng_ebgm_table *t)
{
    double *v = (double *)&f->theta, f0 = f->neg_log_lik;
    for (int i = 0; i < 5; i++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            struct eng_ebgm_fit g = *f;
            double *w = (double *)&g.theta;
            w[i] = v[i] * (1 + sgn * 1e-4);
            if (eng_ebgm_negll(&g.theta, t->n, t->e, t->count) < f0 - 1e-7)
                return false;
        }
    return true;
}

TEST(fit_17000_cells)
{
    const struct eng_ebgm_prior gen = {3.25, 0.40, 2.03, 1.91, 0.065};
    struct eng_ebgm_table t;
    struct eng_ebgm_fit f;
    int bad = 0;
    eng_ebgm_table_init(&t);
    s_synth(&t, &gen, 17000, 20240601);
    CHECK_INT(t.count, 17000);
    double t0 = s_seconds();
    int rc = eng_ebgm_fit(&t, &f);
    double t1 = s_seconds();
    s_score_all(&f.theta, &t, &bad);
    double t2 = s_seconds();
    printf("# 17000 cells: fit %.3f s (%d evaluations, %d/%d starts agree),"
           " scoring %.3f s, total %.3f s\n",
           t1 - t0, f.evaluations, f.starts_agree, f.starts, t2 - t1, t2 - t0);
    double gen_nll = eng_ebgm_negll(&gen, t.n, t.e, t.count);
    printf("# theta (%.6g, %.6g, %.6g, %.6g, %.6g) negLL %.10f; generating "
           "theta %.10f\n",
           f.theta.alpha1, f.theta.beta1, f.theta.alpha2, f.theta.beta2,
           f.theta.p, f.neg_log_lik, gen_nll);
    CHECK_INT(rc, 0);
    CHECK_INT(bad, 0);
    CHECK(f.neg_log_lik <= gen_nll);
    CHECK(s_is_minimum(&f, &t));
    CHECK(f.theta.p <= 0.5 && f.starts_agree >= 1);
    /* the component means are well determined: within 3% */
    CHECK_NEAR(f.theta.alpha1 / f.theta.beta1, gen.alpha1 / gen.beta1,
               0.03 * gen.alpha1 / gen.beta1);
    CHECK_NEAR(f.theta.alpha2 / f.theta.beta2, gen.alpha2 / gen.beta2,
               0.03 * gen.alpha2 / gen.beta2);
    CHECK_NEAR(f.theta.p, gen.p, 0.01);
    eng_ebgm_table_clear(&t);
}

TEST(fit_small_table_every_start)
{
    /* below the subsampling size every start runs on all cells */
    const struct eng_ebgm_prior gen = {0.2, 0.06, 1.4, 1.8, 0.1};
    struct eng_ebgm_table t;
    struct eng_ebgm_fit f;
    eng_ebgm_table_init(&t);
    s_synth(&t, &gen, 1500, 77);
    CHECK_INT(eng_ebgm_fit(&t, &f), 0);
    CHECK(f.neg_log_lik <= eng_ebgm_negll(&gen, t.n, t.e, t.count));
    CHECK(s_is_minimum(&f, &t));
    CHECK_INT(f.starts, 5);
    eng_ebgm_table_clear(&t);
}

TEST(fit_needs_five_cells)
{
    struct eng_ebgm_table t;
    struct eng_ebgm_fit f;
    eng_ebgm_table_init(&t);
    for (int i = 0; i < 4; i++)
        CHECK_INT(eng_ebgm_table_add(&t, i + 1, 0.5), 0);
    for (int i = 0; i < 10; i++)
        CHECK_INT(eng_ebgm_table_add(&t, 0, 0.5), 0); /* zeros do not count */
    CHECK_INT(eng_ebgm_fit(&t, &f), DS_EINVAL);
    CHECK_INT(eng_ebgm_table_add(&t, 1.5, 0.5), DS_EINVAL);
    CHECK_INT(eng_ebgm_table_add(&t, 1, 0), DS_EINVAL);
    CHECK_INT(eng_ebgm_table_add(&t, 1, INFINITY), DS_EINVAL);
    CHECK_INT(eng_ebgm_table_add(&t, -1, 1), DS_EINVAL);
    CHECK_INT(t.count, 14);
    eng_ebgm_table_clear(&t);
    CHECK(t.count == 0 && t.n == NULL);
}

TEST(fit_survives_allocation_failures)
{
    const struct eng_ebgm_prior gen = {3.25, 0.40, 2.03, 1.91, 0.065};
    struct eng_ebgm_table t;
    struct eng_ebgm_fit f;
    eng_ebgm_table_init(&t);
    s_synth(&t, &gen, 300, 5);
    int rc = DS_ENOMEM;
    for (uint64_t k = 1; k < 100 && rc == DS_ENOMEM; k++) {
        ds_alloc_fail_at(k);
        rc = eng_ebgm_fit(&t, &f);
        CHECK(rc == 0 || rc == DS_ENOMEM);
        if (rc == 0)
            CHECK(!ds_alloc_fail_fired());
    }
    ds_alloc_fail_at(0);
    CHECK_INT(rc, 0);
    eng_ebgm_table_clear(&t);
}

static int s_parse(const char *text, struct eng_ebgm_table *t,
                   struct ds_diag *d)
{
    eng_ebgm_table_clear(t);
    return eng_ebgm_csv_parse(text, strlen(text), "cells.csv", t, d);
}

TEST(csv_accepts)
{
    struct eng_ebgm_table t;
    struct ds_diag d;
    eng_ebgm_table_init(&t);
    CHECK_INT(s_parse("N,E\n3,1.03\n0,0.5\n16,4.0644e-1\n", &t, &d), 0);
    CHECK_INT(t.count, 3);
    CHECK(t.n[2] == 16 && t.e[2] == 0.40644 && t.n[1] == 0);
    CHECK_INT(s_parse("\xEF\xBB\xBFn , e\r\n\r\n 1 ,\t2.5 \r\n7,.5", &t, &d),
              0);
    CHECK_INT(t.count, 2);
    CHECK(t.e[0] == 2.5 && t.n[1] == 7 && t.e[1] == 0.5);
    CHECK_INT(s_parse("N,E\n", &t, &d), 0);
    CHECK_INT(t.count, 0);
    CHECK_INT(s_parse("N,E\n999999999999999,1e-300\n", &t, &d), 0);
    eng_ebgm_table_clear(&t);
}

TEST(csv_rejects_naming_the_line)
{
    static const struct {
        const char *text;
        int line;
        const char *why;
    } bad[] = {
        {"", 0, "no header"},
        {"\n\n", 0, "no header"},
        {"N;E\n1;2\n", 1, "header"},
        {"N,E,X\n", 1, "header"},
        {"N,E\n1,2\n\n3\n", 4, "two fields"},
        {"N,E\n1,2,3\n", 2, "two fields"},
        {"N,E\n1.5,2\n", 2, "whole number"},
        {"N,E\n-1,2\n", 2, "whole number"},
        {"N,E\n1e3,2\n", 2, "whole number"},
        {"N,E\n1000000000000000,2\n", 2, "whole number"},
        {"N,E\n,2\n", 2, "whole number"},
        {"N,E\n1,\n", 2, "decimal"},
        {"N,E\n1,inf\n", 2, "decimal"},
        {"N,E\n1,nan\n", 2, "decimal"},
        {"N,E\n1,0x10\n", 2, "decimal"},
        {"N,E\n1,1e999\n", 2, "decimal"},
        {"N,E\n1,1e\n", 2, "decimal"},
        {"N,E\n1,.\n", 2, "decimal"},
        {"N,E\n1,0\n", 2, "> 0"},
        {"N,E\n1,-2\n", 2, "> 0"},
        {"N,E\n1,1e-400\n", 2, "> 0"},
        {"N,E\n1,2\n2,3\n3,1 2\n", 4, "decimal"},
    };
    struct eng_ebgm_table t;
    struct ds_diag d;
    eng_ebgm_table_init(&t);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (s_parse(bad[i].text, &t, &d) != DS_EPARSE)
            TEST_FAIL_("case %zu: accepted \"%s\"", i, bad[i].text);
        CHECK_INT(d.line, bad[i].line);
        CHECK_HAS(d.msg, bad[i].why);
        CHECK_STR(d.file, "cells.csv");
    }
    /* a NUL byte is just a bad character, and len is respected */
    CHECK_INT(eng_ebgm_csv_parse("N,E\n1,2\0\n", 9, NULL, &t, &d), DS_EPARSE);
    CHECK_INT(eng_ebgm_csv_parse("N,E\n1,2\n3,4", 8, NULL, &t, &d), 0);
    eng_ebgm_table_clear(&t);
}

TEST(csv_survives_allocation_failures)
{
    char text[4096] = "N,E\n";
    for (int i = 0; i < 300; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,0.%d\n",
                 i % 7, i + 1);
    struct eng_ebgm_table t;
    struct ds_diag d;
    int rc = DS_ENOMEM;
    eng_ebgm_table_init(&t);
    for (uint64_t k = 1; k < 20 && rc == DS_ENOMEM; k++) {
        eng_ebgm_table_clear(&t);
        ds_alloc_fail_at(k);
        rc = eng_ebgm_csv_parse(text, strlen(text), NULL, &t, &d);
        CHECK(rc == 0 || rc == DS_ENOMEM);
    }
    ds_alloc_fail_at(0);
    CHECK_INT(rc, 0);
    CHECK_INT(t.count, 300);
    eng_ebgm_table_clear(&t);
}

int main(void)
{
    RUN(caers_top_pair);
    RUN(fixed_prior_cell);
    RUN(qn_from_the_definition);
    RUN(quantiles_solve_the_cdf);
    RUN(pure_component_quantile);
    RUN(score_rejects_bad_input);
    RUN(negll_openebgm_testthat_data);
    RUN(fit_17000_cells);
    RUN(fit_small_table_every_start);
    RUN(fit_needs_five_cells);
    RUN(fit_survives_allocation_failures);
    RUN(csv_accepts);
    RUN(csv_rejects_naming_the_line);
    RUN(csv_survives_allocation_failures);
    return test_report();
}
