/*
 * test_eng_maxsprt_group.c - group-sequential Poisson MaxSPRT
 * (eng_maxsprt.h, engine/eng_maxsprt_group.c) against the reference values
 * of ../shared/reference/stats.md 3 (boundaries, attained alpha, power,
 * expected time to signal; not R's CV digits, which carry its rounding),
 * a one-look closed form, minimality of the returned step, and a seeded
 * Monte Carlo simulation of the looks.
 *
 * One look at T = 10: the test is "reject if Pois(10) >= a"; with awk
 *   P(Pois(10) >= 16) = 0.0487404033, P(Pois(10) >= 15) = 0.0834585021
 * so a = 16, alpha = 0.0487404033 and the step is (LLR(15,10), LLR(16,10)].
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_maxsprt.h"
#include "../test.h"

#include <stdint.h>

static const double s_unit[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

TEST(ten_unit_looks_reference)
{
    static const long ref[10] = {5, 6, 8, 10, 11, 13, 14, 16, 17, 18};
    long a[10];
    double cv, att;
    struct eng_maxsprt_perf p;
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 10, 0.05, 1, &cv, &att, a), 0);
    for (int i = 0; i < 10; i++)
        CHECK_INT(a[i], ref[i]);
    CHECK_NEAR(att, 0.0441447053, 1e-10);
    CHECK_NEAR(cv, 2.5451784523, 1e-5); /* R: its step end + 1e-6 */
    CHECK_INT(eng_maxsprt_group_perf(s_unit, 10, cv, 1, 1, &p), 0);
    CHECK_NEAR(p.power, att, 1e-15);
    CHECK_INT(eng_maxsprt_group_perf(s_unit, 10, cv, 1, 2, &p), 0);
    CHECK_NEAR(p.power, 0.7635210, 5e-8);
    CHECK_NEAR(p.signal_time, 4.847254, 5e-7);
    CHECK_NEAR(p.sample_size, p.power * p.signal_time + (1 - p.power) * 10,
               1e-12);
}

TEST(three_unequal_looks_reference)
{
    static const double mu[3] = {5, 15, 30}; /* increments 5, 10, 15 */
    long a[3];
    double cv, att;
    CHECK_INT(eng_maxsprt_group_cv(mu, 3, 0.05, 1, &cv, &att, a), 0);
    CHECK_INT(a[0], 11);
    CHECK_INT(a[1], 24);
    CHECK_INT(a[2], 42);
    CHECK_NEAR(att, 0.0437081456, 1e-10);
}

/* R's CVs (stats.md 3) give the same boundaries as ours. */
TEST(r_critical_values_same_boundaries)
{
    static const double mu[3] = {5, 15, 30};
    long a[10], b[10];
    double cv;
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 10, 0.05, 1, &cv, NULL, a), 0);
    CHECK_INT(eng_maxsprt_group_bounds(s_unit, 10, 2.5451784523, 1, b), 0);
    for (int i = 0; i < 10; i++)
        CHECK_INT(a[i], b[i]);
    CHECK_INT(eng_maxsprt_group_bounds(mu, 3, 1.931472806, 1, b), 0);
    CHECK(b[0] == 11 && b[1] == 24 && b[2] == 42);
}

/* The returned step is the cheapest: just below it alpha is too large. */
TEST(critical_value_is_minimal)
{
    static const double mu[3] = {5, 15, 30};
    struct eng_maxsprt_perf p;
    double cv, att;
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 10, 0.05, 1, &cv, &att, NULL), 0);
    CHECK_INT(eng_maxsprt_group_perf(s_unit, 10, cv - 2e-6, 1, 1, &p), 0);
    CHECK(p.power > 0.05);
    CHECK_INT(eng_maxsprt_group_cv(mu, 3, 0.01, 2, &cv, &att, NULL), 0);
    CHECK(att <= 0.01);
    CHECK_INT(eng_maxsprt_group_perf(mu, 3, cv - 2e-6, 2, 1, &p), 0);
    CHECK(p.power > 0.01);
}

TEST(one_look_closed_form)
{
    static const double mu[1] = {10};
    long a[1];
    double cv, att;
    CHECK_INT(eng_maxsprt_group_cv(mu, 1, 0.05, 1, &cv, &att, a), 0);
    CHECK_INT(a[0], 16);
    CHECK_NEAR(att, 0.0487404033, 1e-10);
    CHECK(cv > eng_maxsprt_llr(15, 10) && cv <= eng_maxsprt_llr(16, 10));
    /* M above the LLR boundary takes over: a = max(M, ...) */
    CHECK_INT(eng_maxsprt_group_bounds(mu, 1, cv, 20, a), 0);
    CHECK_INT(a[0], 20);
}

TEST(refuses_when_m_events_are_too_rare)
{
    static const double mu[2] = {0.5, 1};
    double cv = -1;
    CHECK_INT(eng_maxsprt_group_cv(mu, 2, 0.05, 4, &cv, NULL, NULL),
              DS_ERANGE); /* P(Pois(1) >= 4) = 0.019 */
    CHECK_NEAR(cv, -1, 0);
}

TEST(rejects_bad_looks)
{
    static const double dec[3] = {1, 3, 2}, zero[2] = {0, 1};
    static const double big[1] = {2e4};
    struct eng_maxsprt_perf p;
    long a[3];
    double cv;
    CHECK_INT(eng_maxsprt_group_cv(dec, 3, 0.05, 1, &cv, NULL, a), DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_cv(zero, 2, 0.05, 1, &cv, NULL, a), DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_cv(big, 1, 0.05, 1, &cv, NULL, a), DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 0, 0.05, 1, &cv, NULL, a),
              DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 3, 0.51, 1, &cv, NULL, a),
              DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 3, 0.05, 0, &cv, NULL, a),
              DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_perf(s_unit, 3, 2, 1, 0.5, &p), DS_EINVAL);
    CHECK_INT(eng_maxsprt_group_bounds(s_unit, 3, -1, 1, a), DS_EINVAL);
}

/* ---- Monte Carlo oracle: Poisson increments between looks ---- */

static uint64_t s_rng = 0x6e0c0ffeeULL;

static uint64_t s_splitmix64(void)
{
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Knuth's product-of-uniforms Poisson sampler (small means). */
static long s_poisson(double m)
{
    double lim = exp(-m), prod = 1;
    long n = -1;
    do {
        prod *= ((double)(s_splitmix64() >> 11) + 0.5) * 0x1p-53;
        n++;
    } while (prod > lim);
    return n;
}

TEST(monte_carlo_power)
{
    const long n = 200000;
    long a[10], hits = 0;
    double cv, att, st = 0, st2 = 0;
    struct eng_maxsprt_perf p;
    CHECK_INT(eng_maxsprt_group_cv(s_unit, 10, 0.05, 1, &cv, &att, a), 0);
    CHECK_INT(eng_maxsprt_group_perf(s_unit, 10, cv, 1, 2, &p), 0);
    for (long r = 0; r < n; r++) {
        long c = 0;
        for (int i = 0; i < 10; i++) {
            c += s_poisson(2.0); /* RR 2, one expected event per look */
            if (c >= a[i]) {
                hits++;
                st += s_unit[i];
                st2 += s_unit[i] * s_unit[i];
                break;
            }
        }
    }
    double h = (double)hits, ph = h / (double)n, mt = st / h;
    double se = sqrt(p.power * (1 - p.power) / (double)n);
    double se_t = sqrt((st2 / h - mt * mt) / h);
    printf("# monte carlo power %.5f +- %.5f (exact %.7f), E[t | signal] "
           "%.4f +- %.4f (exact %.6f)\n",
           ph, se, p.power, mt, se_t, p.signal_time);
    CHECK_NEAR(ph, p.power, 4 * se);
    CHECK_NEAR(mt, p.signal_time, 4 * se_t);
}

TEST(allocation_failures_are_clean)
{
    int rc = -1;
    for (uint64_t k = 1; k < 100; k++) {
        double cv = -1;
        struct eng_maxsprt_perf p = {-1, -1, -1};
        ds_alloc_fail_at(k);
        rc = eng_maxsprt_group_cv(s_unit, 10, 0.05, 1, &cv, NULL, NULL);
        if (rc == 0)
            rc = eng_maxsprt_group_perf(s_unit, 10, cv, 1, 2, &p);
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (!fired)
            break;
        CHECK_INT(rc, DS_ENOMEM);
        CHECK(p.power == -1);
    }
    CHECK_INT(rc, 0);
}

int main(void)
{
    RUN(ten_unit_looks_reference);
    RUN(three_unequal_looks_reference);
    RUN(r_critical_values_same_boundaries);
    RUN(critical_value_is_minimal);
    RUN(one_look_closed_form);
    RUN(refuses_when_m_events_are_too_rare);
    RUN(rejects_bad_looks);
    RUN(monte_carlo_power);
    RUN(allocation_failures_are_clean);
    return test_report();
}
