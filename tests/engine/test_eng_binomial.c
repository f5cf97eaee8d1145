/*
 * test_eng_binomial.c - binomial MaxSPRT (eng_binomial.h): the reference
 * values of ../shared/reference/stats.md section 2 (R Sequential 4.5.1,
 * cross-checked by an exact re-implementation), the defining property of
 * the discrete critical value, a Monte Carlo run of the streaming test
 * against the exact alpha, refusals, and the allocation contract.
 *
 * Hand values by awk:
 *     awk 'BEGIN{printf "%.15g\n", 7*log(.7)+3*log(.3)+10*log(2)}'
 *         -> 0.822828785050517              (LLR(7, 10), z = 1)
 *     P(Bin(10, .2) >= 4, 5, 6) = 0.120874, 0.0327935, 0.00636938
 */
#include "devsurv/eng_binomial.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>
#include <time.h>

static struct eng_binomial_design s_d(int64_t n, double z, int64_t m)
{
    return (struct eng_binomial_design){n, z, m};
}

/* splitmix64 (Steele, Lea, Flood 2014): the tests' own seeded PRNG. */
static uint64_t s_rng = 0x5eed2024u;

static double s_unif(void)
{
    uint64_t x = (s_rng += 0x9e3779b97f4a7c15u);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return (double)((x ^ (x >> 31)) >> 11) * 0x1.0p-53;
}

TEST(llr_hand_values)
{
    CHECK_NEAR(eng_binomial_llr(7, 10, 1.0), 0.822828785050517, 1e-13);
    CHECK_NEAR(eng_binomial_llr(10, 10, 1.0), 6.93147180559945, 1e-13);
    CHECK_NEAR(eng_binomial_llr(5, 10, 1.0), 0, 0);  /* RR-hat == 1 */
    CHECK_NEAR(eng_binomial_llr(2, 10, 4.0), 0, 0);  /* 4*2/8 == 1 */
    CHECK(eng_binomial_llr(3, 10, 4.0) > 0);         /* 4*3/7 > 1 */
    CHECK_NEAR(eng_binomial_llr(11, 10, 1.0), 0, 0); /* out of domain */
    CHECK_NEAR(eng_binomial_llr(0, 0, 1.0), 0, 0);
}

/* stats.md section 2: package cv (5 decimals) and attained alpha. */
static const struct {
    int64_t n, m;
    double z, alpha, cv_package, attained;
} s_ref[] = {
    {20, 1, 1, 0.05, 3.09884, 0.0461368561},
    {100, 1, 1, 0.05, 3.46574, 0.0481725370},
    {200, 1, 1, 0.05, 3.68065, 0.0491322150},
    {100, 1, 4, 0.05, 3.22196, 0.0499191730},
    {200, 1, 1, 0.01, 5.51372, 0.0099973290},
};

TEST(cv_reference_values)
{
    for (size_t i = 0; i < sizeof s_ref / sizeof s_ref[0]; i++) {
        struct eng_binomial_design d = s_d(s_ref[i].n, s_ref[i].z, s_ref[i].m);
        struct eng_binomial_cv r;
        CHECK_INT(eng_binomial_cv(&d, s_ref[i].alpha, &r), 0);
        CHECK_NEAR(r.cv_package, s_ref[i].cv_package, 1e-9);
        CHECK_NEAR(r.alpha, s_ref[i].attained, 1e-9);
        CHECK(r.cv_low < r.cv_package && r.cv_package <= r.cv);
        CHECK(r.cv_package - r.cv_low < 1e-5);
    }
}

TEST(cv_reports_upper_attainable_value)
{
    struct eng_binomial_design d = s_d(20, 1, 1);
    struct eng_binomial_cv r;
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), 0);
    CHECK_NEAR(r.cv, 3.369114, 5e-7); /* stats.md: w_hi = 3.369114 */
    CHECK_INT(r.m_max, 0);
    CHECK_INT(r.n_min, 0);
}

TEST(cv_min_cases_three_only_matters_for_z4)
{
    struct eng_binomial_design d1 = s_d(10, 4, 1), d3 = s_d(10, 4, 3);
    struct eng_binomial_cv r1, r3;
    CHECK_INT(eng_binomial_cv(&d1, 0.05, &r1), 0);
    CHECK_INT(eng_binomial_cv(&d3, 0.05, &r3), 0);
    CHECK_NEAR(r1.cv_package, 3.06496, 1e-9);
    CHECK_NEAR(r3.cv_package, 2.32683, 1e-9);
    struct eng_binomial_design e1 = s_d(100, 1, 1), e3 = s_d(100, 1, 3);
    CHECK_INT(eng_binomial_cv(&e1, 0.05, &r1), 0);
    CHECK_INT(eng_binomial_cv(&e3, 0.05, &r3), 0);
    CHECK_NEAR(r3.cv, r1.cv, 0);
    CHECK_NEAR(r3.alpha, r1.alpha, 1e-15);
}

/* The discrete CV: alpha(w_lo) > target >= alpha(w_hi), and nothing
 * attainable lies strictly between them (brute force over all c, n). */
TEST(cv_between_adjacent_attainable_values)
{
    const double zs[] = {1.0, 4.0, 0.5};
    for (size_t k = 0; k < 3; k++) {
        struct eng_binomial_design d = s_d(60, zs[k], 2);
        struct eng_binomial_cv r;
        struct eng_binomial_perf lo, hi, pkg;
        CHECK_INT(eng_binomial_cv(&d, 0.05, &r), 0);
        CHECK_INT(eng_binomial_perf(&d, r.cv_low, 1.0, &lo), 0);
        CHECK_INT(eng_binomial_perf(&d, r.cv, 1.0, &hi), 0);
        CHECK_INT(eng_binomial_perf(&d, r.cv_package, 1.0, &pkg), 0);
        CHECK(lo.power > 0.05 && hi.power <= 0.05);
        CHECK_NEAR(hi.power, r.alpha, 0);
        CHECK_NEAR(pkg.power, r.alpha, 0); /* same test */
        for (int64_t n = 1; n <= 60; n++)
            for (int64_t c = 0; c <= n; c++) {
                double v = eng_binomial_llr(c, n, zs[k]);
                CHECK(!(v > r.cv_low && v < r.cv));
            }
    }
}

TEST(power_and_events_at_signal)
{
    struct eng_binomial_design d = s_d(100, 1, 1);
    struct eng_binomial_perf p;
    CHECK_INT(eng_binomial_perf(&d, 3.46574, 2.0, &p), 0);
    CHECK_NEAR(p.power, 0.8648276, 5e-8);
    CHECK_NEAR(p.signal_events, 41.30, 0.005);
    CHECK_NEAR(p.sample_size, p.power * p.signal_events + 100 * (1 - p.power),
               1e-9);
    CHECK(p.sample_size < 100 && p.sample_size > p.signal_events);
}

/* Enumerate all 2^n case/control sequences through the streaming test. */
static void s_enumerate(const struct eng_binomial_params *p, double pi,
                        struct eng_binomial_perf *o)
{
    double power = 0, esum = 0;
    for (uint32_t bits = 0; bits < (1u << p->n_max); bits++) {
        struct eng_binomial_state st;
        enum eng_binomial_verdict v = ENG_BINOMIAL_CONTINUE;
        double pr = 1, llr;
        int k = 0;
        eng_binomial_init(&st);
        for (; k < p->n_max && v == ENG_BINOMIAL_CONTINUE; k++) {
            bool c = bits >> k & 1;
            pr *= c ? pi : 1 - pi;
            v = eng_binomial_add(&st, p, c, &llr);
        }
        pr /= (double)(1u << (p->n_max - k)); /* bits never looked at */
        power += v == ENG_BINOMIAL_SIGNAL ? pr : 0;
        esum += v == ENG_BINOMIAL_SIGNAL ? pr * k : 0;
    }
    o->power = power;
    o->signal_events = esum / power;
}

/* The DP against brute force, including CVs low enough that M binds. */
TEST(perf_matches_enumeration)
{
    const struct {
        double z, cv, rr;
        int64_t m;
    } c[] = {{4, 1.0, 1, 3}, {4, 1.0, 2, 3},   {1, 0.3, 1, 4},
             {1, 2.0, 3, 1}, {0.5, 0.8, 1, 2}, {4, 2.32683, 1, 3}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct eng_binomial_design d = s_d(12, c[i].z, c[i].m);
        struct eng_binomial_params p = {c[i].cv, c[i].z, c[i].m, 12};
        struct eng_binomial_perf dp, en;
        CHECK_INT(eng_binomial_perf(&d, c[i].cv, c[i].rr, &dp), 0);
        s_enumerate(&p, c[i].rr / (c[i].rr + c[i].z), &en);
        CHECK_NEAR(dp.power, en.power, 1e-13);
        CHECK_NEAR(dp.signal_events, en.signal_events, 1e-11);
    }
}

/* The streaming test run on simulated H0 data signals at the exact rate. */
TEST(monte_carlo_alpha_streaming)
{
    struct eng_binomial_design d = s_d(20, 1, 1);
    struct eng_binomial_cv r;
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), 0);
    struct eng_binomial_params p = {r.cv, 1.0, 1, 20};
    const int runs = 400000;
    int hits = 0;
    for (int i = 0; i < runs; i++) {
        struct eng_binomial_state st;
        enum eng_binomial_verdict v = ENG_BINOMIAL_CONTINUE;
        double llr;
        eng_binomial_init(&st);
        while (v == ENG_BINOMIAL_CONTINUE)
            v = eng_binomial_add(&st, &p, s_unif() < 0.5, &llr);
        hits += v == ENG_BINOMIAL_SIGNAL;
    }
    double est = (double)hits / runs;
    double se = sqrt(r.alpha * (1 - r.alpha) / runs);
    printf("# MC alpha %.6f vs exact %.6f (se %.6f)\n", est, r.alpha, se);
    CHECK_NEAR(est, r.alpha, 4 * se);
}

TEST(timing_n200)
{
    struct eng_binomial_design d = s_d(200, 1, 1);
    struct eng_binomial_cv r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("# binomial CV N=200 z=1 alpha=.05: %.3f ms (target < 10 ms)\n", ms);
    CHECK_NEAR(r.cv_package, 3.68065, 1e-9);
}

TEST(refusals_as_the_package)
{
    struct eng_binomial_design d = s_d(10, 4, 6); /* P(Bin>=6) = .0064 */
    struct eng_binomial_cv r;
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), DS_ERANGE);
    CHECK_INT(r.m_max, 4); /* P(Bin>=5) = .033 < .05 <= P(Bin>=4) */
    CHECK_INT(r.n_min, 0);
    CHECK_NEAR(r.refused_p, 0.00636938, 5e-9);
    d = s_d(1, 4, 1); /* 0.2^1 > .01; 0.2^2 = .04; 0.2^3 = .008 */
    CHECK_INT(eng_binomial_cv(&d, 0.01, &r), DS_ERANGE);
    CHECK_INT(r.n_min, 3);
    CHECK_INT(r.m_max, 0);
    CHECK_NEAR(r.refused_p, 0.2, 1e-15);
}

TEST(invalid_arguments)
{
    struct eng_binomial_cv r;
    struct eng_binomial_perf p;
    struct eng_binomial_design d = s_d(20, 1, 1);
    CHECK_INT(eng_binomial_cv(&d, 0.0, &r), DS_EINVAL);
    CHECK_INT(eng_binomial_cv(&d, 0.51, &r), DS_EINVAL);
    CHECK_INT(eng_binomial_cv(&d, NAN, &r), DS_EINVAL);
    d.z = 0;
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), DS_EINVAL);
    d = s_d(0, 1, 1);
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), DS_EINVAL);
    d = s_d(5, 1, 6);
    CHECK_INT(eng_binomial_perf(&d, 2, 1, &p), DS_EINVAL);
    d = s_d(ENG_BINOMIAL_N_MAX + 1, 1, 1);
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), DS_ERANGE);
    d = s_d(20, 1, 1);
    CHECK_INT(eng_binomial_perf(&d, 0, 1, &p), DS_EINVAL);
    CHECK_INT(eng_binomial_perf(&d, 3, 0, &p), DS_EINVAL);
    CHECK_INT(eng_binomial_perf(&d, 3, INFINITY, &p), DS_EINVAL);
}

TEST(streaming_verdicts)
{
    /* z = 1, CV = 2 ln 2 = LLR(2, 2): two cases in a row signal */
    struct eng_binomial_params p = {eng_binomial_llr(2, 2, 1), 1, 1, 4};
    struct eng_binomial_state st;
    double llr;
    eng_binomial_init(&st);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_CONTINUE);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_SIGNAL);
    CHECK_NEAR(llr, 2 * log(2), 1e-15);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_ENDED);
    CHECK_INT(st.n, 2); /* not counted after the signal */
    CHECK_NEAR(llr, 0, 0);
    eng_binomial_init(&st);
    for (int i = 0; i < 3; i++)
        CHECK_INT(eng_binomial_add(&st, &p, false, &llr),
                  ENG_BINOMIAL_CONTINUE);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_ENDED);
    CHECK_INT(st.cases, 1);
    CHECK_STR(eng_binomial_verdict_name(ENG_BINOMIAL_SIGNAL), "signal");
}

TEST(streaming_respects_min_cases)
{
    struct eng_binomial_params p = {0.1, 1, 3, 100};
    struct eng_binomial_state st;
    double llr;
    eng_binomial_init(&st);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_CONTINUE);
    CHECK(llr > p.cv);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_CONTINUE);
    CHECK_INT(eng_binomial_add(&st, &p, true, &llr), ENG_BINOMIAL_SIGNAL);
}

TEST(streaming_does_not_allocate)
{
    struct eng_binomial_params p = {5.0, 2.0, 2, 1000000};
    struct eng_binomial_state st;
    struct ds_alloc_stats a, b;
    double llr;
    eng_binomial_init(&st);
    ds_alloc_stats(&a);
    for (int i = 0; i < 10000; i++)
        eng_binomial_add(&st, &p, i % 3 == 0, &llr);
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs, a.allocs);
}

TEST(out_of_memory_is_clean)
{
    struct eng_binomial_design d = s_d(50, 1, 1);
    struct eng_binomial_cv r;
    struct eng_binomial_perf p;
    ds_alloc_fail_at(1);
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), DS_ENOMEM);
    ds_alloc_fail_at(1);
    CHECK_INT(eng_binomial_perf(&d, 3, 1, &p), DS_ENOMEM);
    ds_alloc_fail_at(0);
    CHECK_INT(eng_binomial_cv(&d, 0.05, &r), 0);
}

int main(void)
{
    RUN(llr_hand_values);
    RUN(cv_reference_values);
    RUN(cv_reports_upper_attainable_value);
    RUN(cv_min_cases_three_only_matters_for_z4);
    RUN(cv_between_adjacent_attainable_values);
    RUN(power_and_events_at_signal);
    RUN(perf_matches_enumeration);
    RUN(monte_carlo_alpha_streaming);
    RUN(timing_n200);
    RUN(refusals_as_the_package);
    RUN(invalid_arguments);
    RUN(streaming_verdicts);
    RUN(streaming_respects_min_cases);
    RUN(streaming_does_not_allocate);
    RUN(out_of_memory_is_clean);
    return test_report();
}
