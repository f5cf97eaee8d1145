/*
 * test_eng_sprt.c - Wald SPRT (eng_sprt.h): Wald's boundaries and the
 * exact truncated Poisson operating characteristics of
 * ../shared/reference/stats.md section 4; the exact Bernoulli DP against
 * brute-force enumeration of every outcome sequence run through the
 * streaming test; a Monte Carlo run of the streaming Poisson test on a
 * simulated Poisson process; verdict semantics and the allocation contract.
 *
 * Hand values by awk:
 *     awk 'BEGIN{printf "%.12g\n", 5*log(2)-0.5}'  -> 2.96573590280  (>= A)
 *     awk 'BEGIN{printf "%.12g\n", log(0.2/0.95)}' -> -1.55814461804
 */
#include "devsurv/eng_sprt.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>

static uint64_t s_rng = 0x5eed5e97u;

/* splitmix64: the tests' own seeded PRNG; uniform in (0, 1). */
static double s_unif(void)
{
    uint64_t x = (s_rng += 0x9e3779b97f4a7c15u);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return ((double)((x ^ (x >> 31)) >> 11) + 0.5) * 0x1.0p-53;
}

static struct eng_sprt_poisson s_pois(double rr1, double alpha, double beta,
                                      double t)
{
    struct eng_sprt_poisson p = {rr1, 0, 0, t};
    eng_sprt_bounds(alpha, beta, &p.a, &p.b);
    return p;
}

TEST(wald_boundaries)
{
    double a, b;
    CHECK_INT(eng_sprt_bounds(0.05, 0.20, &a, &b), 0);
    CHECK_NEAR(a, 2.772588722, 5e-10);
    CHECK_NEAR(a, log(16), 1e-15);
    CHECK_NEAR(b, -1.558144618, 5e-10);
    CHECK_INT(eng_sprt_bounds(0.05, 0.10, &a, &b), 0);
    CHECK_NEAR(a, 2.890371758, 5e-10);
    CHECK_NEAR(b, -2.251291799, 5e-10);
    CHECK_INT(eng_sprt_bounds(0, 0.1, &a, &b), DS_EINVAL);
    CHECK_INT(eng_sprt_bounds(0.5, 0.5, &a, &b), DS_EINVAL);
    CHECK_INT(eng_sprt_bounds(0.05, NAN, &a, &b), DS_EINVAL);
}

/* stats.md section 4, upper boundary only, stop at T. */
static const struct {
    double rr1, beta, t, alpha_exact, power_exact;
} s_ref[] = {
    {2.0, 0.2, 10, 0.0370175635, 0.745704149},
    {2.0, 0.2, 50, 0.0495635635, 0.998230704},
    {1.5, 0.1, 50, 0.0419341853, 0.863960084},
};

TEST(poisson_exact_reference)
{
    for (size_t i = 0; i < sizeof s_ref / sizeof s_ref[0]; i++) {
        struct eng_sprt_poisson p =
            s_pois(s_ref[i].rr1, 0.05, s_ref[i].beta, s_ref[i].t);
        struct eng_sprt_oc h0, h1;
        CHECK_INT(eng_sprt_poisson_exact(&p, 1.0, &h0), 0);
        CHECK_INT(eng_sprt_poisson_exact(&p, s_ref[i].rr1, &h1), 0);
        CHECK_NEAR(h0.p_upper, s_ref[i].alpha_exact, 1e-9);
        CHECK_NEAR(h1.p_upper, s_ref[i].power_exact, 1e-9);
        CHECK_NEAR(h0.p_lower, 0, 0);
    }
}

TEST(poisson_exact_time_to_signal)
{
    struct eng_sprt_poisson p = s_pois(2.0, 0.05, 0.2, 10);
    struct eng_sprt_oc h0, h1;
    CHECK_INT(eng_sprt_poisson_exact(&p, 1.0, &h0), 0);
    CHECK_INT(eng_sprt_poisson_exact(&p, 2.0, &h1), 0);
    CHECK_NEAR(h0.signal_time, 4.6039, 5e-5);
    CHECK_NEAR(h1.signal_time, 4.6076, 5e-5);
    CHECK_NEAR(h1.sample_size,
               h1.p_upper * h1.signal_time + (1 - h1.p_upper) * 10, 1e-12);
}

/* The upper-only SPRT is not an alpha-level test by itself: with T large
 * its P(signal | H0) approaches, but stays below, e^-A = 0.0625. */
TEST(poisson_exact_bounded_by_wald)
{
    struct eng_sprt_poisson p = s_pois(2.0, 0.05, 0.2, 400);
    struct eng_sprt_oc h0;
    CHECK_INT(eng_sprt_poisson_exact(&p, 1.0, &h0), 0);
    CHECK(h0.p_upper > 0.0495635635 && h0.p_upper < 0.0625);
    p.b = 1e300; /* the accept boundary is ignored by the exact DP */
    struct eng_sprt_oc same;
    CHECK_INT(eng_sprt_poisson_exact(&p, 1.0, &same), 0);
    CHECK_NEAR(same.p_upper, h0.p_upper, 0);
}

/* A simulated Poisson process through the streaming test: one event per
 * exponential inter-arrival time, upper boundary only. */
TEST(poisson_streaming_monte_carlo)
{
    struct eng_sprt_poisson p = s_pois(2.0, 0.05, 0.2, 10);
    struct eng_sprt_oc ex;
    CHECK_INT(eng_sprt_poisson_exact(&p, 2.0, &ex), 0);
    p.b = -INFINITY;
    const int runs = 100000;
    int hits = 0;
    for (int i = 0; i < runs; i++) {
        struct eng_sprt_state st;
        enum eng_sprt_verdict v = ENG_SPRT_CONTINUE;
        eng_sprt_init(&st);
        while (v == ENG_SPRT_CONTINUE)
            v = eng_sprt_poisson_add(&st, &p, -log(s_unif()) / 2.0, 1);
        hits += v == ENG_SPRT_SIGNAL;
    }
    double est = (double)hits / runs;
    double se = sqrt(ex.p_upper * (1 - ex.p_upper) / runs);
    printf("# MC power %.5f vs exact %.5f (se %.5f)\n", est, ex.p_upper, se);
    CHECK_NEAR(est, ex.p_upper, 4 * se);
}

/* Enumerate all 2^n outcome sequences through the streaming test. */
static void s_enumerate(const struct eng_sprt_bernoulli *p, double pt,
                        struct eng_sprt_oc *o)
{
    double eup = 0, esize = 0;
    *o = (struct eng_sprt_oc){0, 0, 0, 0};
    for (uint32_t bits = 0; bits < (1u << p->n_max); bits++) {
        struct eng_sprt_state st;
        enum eng_sprt_verdict v = ENG_SPRT_CONTINUE;
        double pr = 1;
        int k = 0;
        eng_sprt_init(&st);
        for (; k < p->n_max && v == ENG_SPRT_CONTINUE; k++) {
            bool ev = bits >> k & 1;
            pr *= ev ? pt : 1 - pt;
            v = eng_sprt_bernoulli_add(&st, p, ev);
        }
        pr *= 1.0 / (double)(1u << (p->n_max - k)); /* unvisited bits */
        o->p_upper += v == ENG_SPRT_SIGNAL ? pr : 0;
        o->p_lower += v == ENG_SPRT_ACCEPT ? pr : 0;
        eup += v == ENG_SPRT_SIGNAL ? pr * k : 0;
        esize += pr * k;
    }
    o->signal_time = eup / o->p_upper;
    o->sample_size = esize;
}

TEST(bernoulli_exact_matches_enumeration)
{
    struct eng_sprt_bernoulli p = {0.2, 0.5, 0, 0, 14};
    eng_sprt_bounds(0.05, 0.2, &p.a, &p.b);
    const double pts[] = {0.2, 0.5, 0.35};
    for (int i = 0; i < 3; i++) {
        struct eng_sprt_oc ex, en;
        CHECK_INT(eng_sprt_bernoulli_exact(&p, pts[i], &ex), 0);
        s_enumerate(&p, pts[i], &en);
        CHECK_NEAR(ex.p_upper, en.p_upper, 1e-12);
        CHECK_NEAR(ex.p_lower, en.p_lower, 1e-12);
        CHECK_NEAR(ex.signal_time, en.signal_time, 1e-10);
        CHECK_NEAR(ex.sample_size, en.sample_size, 1e-10);
        CHECK(ex.p_upper > 0.01 && ex.p_lower > 0.01);
    }
    p.p1 = 0.05; /* lower alternative: few events signal */
    struct eng_sprt_oc ex, en;
    CHECK_INT(eng_sprt_bernoulli_exact(&p, 0.1, &ex), 0);
    s_enumerate(&p, 0.1, &en);
    CHECK_NEAR(ex.p_upper, en.p_upper, 1e-12);
    CHECK_NEAR(ex.sample_size, en.sample_size, 1e-10);
}

/* Nearly untruncated: a decision is certain and the true alpha stays
 * below Wald's bound e^-A = alpha / (1 - beta). */
TEST(bernoulli_long_run_wald_bound)
{
    struct eng_sprt_bernoulli p = {0.1, 0.2, 0, 0, 100000};
    struct eng_sprt_oc h0, h1;
    eng_sprt_bounds(0.05, 0.2, &p.a, &p.b);
    CHECK_INT(eng_sprt_bernoulli_exact(&p, 0.1, &h0), 0);
    CHECK_INT(eng_sprt_bernoulli_exact(&p, 0.2, &h1), 0);
    CHECK_NEAR(h0.p_upper + h0.p_lower, 1, 1e-12);
    CHECK(h0.p_upper < 0.05 / 0.8);
    CHECK(h1.p_lower < 0.2 / 0.95);
    CHECK(h1.p_upper > 0.7);
}

TEST(poisson_streaming_verdicts)
{
    struct eng_sprt_poisson p = s_pois(2.0, 0.05, 0.2, 10);
    struct eng_sprt_state st;
    eng_sprt_init(&st);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 0.5, 4), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 0.0, 1), ENG_SPRT_SIGNAL);
    CHECK_NEAR(st.llr, 2.96573590280, 1e-10);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 0.1, 1), ENG_SPRT_ENDED);
    CHECK_INT(st.count, 5);
    eng_sprt_init(&st); /* LLR = -mu reaches B = -1.558 at mu 1.6 */
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 1.5, 0), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 0.1, 9), ENG_SPRT_ACCEPT);
    CHECK_INT(st.count, 0); /* events after the decision are not counted */
    eng_sprt_init(&st);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, -1, 0), ENG_SPRT_INVALID);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, NAN, 0), ENG_SPRT_INVALID);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 1, -2), ENG_SPRT_INVALID);
    p.b = -INFINITY;
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 10, 0), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 1e-9, 0), ENG_SPRT_ENDED);
    CHECK_STR(eng_sprt_verdict_name(ENG_SPRT_ACCEPT), "accept");
}

TEST(bernoulli_streaming_verdicts)
{
    struct eng_sprt_bernoulli p = {0.1, 0.5, 0, 0, 3};
    struct eng_sprt_state st;
    eng_sprt_bounds(0.05, 0.2, &p.a, &p.b);
    eng_sprt_init(&st); /* ln 5 = 1.609 per event: 2 events signal */
    CHECK_INT(eng_sprt_bernoulli_add(&st, &p, true), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_bernoulli_add(&st, &p, true), ENG_SPRT_SIGNAL);
    eng_sprt_init(&st); /* ln(.5/.9) = -0.588 per non-event */
    CHECK_INT(eng_sprt_bernoulli_add(&st, &p, false), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_bernoulli_add(&st, &p, true), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_bernoulli_add(&st, &p, false), ENG_SPRT_ENDED);
    CHECK_INT(eng_sprt_bernoulli_add(&st, &p, true), ENG_SPRT_ENDED);
    CHECK_INT(st.n, 3);
}

/* LLR == A signals (>=), for both tests. */
TEST(signal_exactly_at_a)
{
    struct eng_sprt_poisson p = {2.0, 4 * log(2.0), -1, 10};
    struct eng_sprt_bernoulli b = {0.25, 0.5, 4 * log(2.0), -10, 10};
    struct eng_sprt_state st;
    eng_sprt_init(&st);
    CHECK_INT(eng_sprt_poisson_add(&st, &p, 0.0, 4), ENG_SPRT_SIGNAL);
    CHECK_NEAR(st.llr, p.a, 0);
    eng_sprt_init(&st);
    for (int i = 0; i < 3; i++)
        CHECK_INT(eng_sprt_bernoulli_add(&st, &b, true), ENG_SPRT_CONTINUE);
    CHECK_INT(eng_sprt_bernoulli_add(&st, &b, true), ENG_SPRT_SIGNAL);
    CHECK_NEAR(st.llr, b.a, 0);
}

TEST(invalid_designs)
{
    struct eng_sprt_oc o;
    struct eng_sprt_poisson p = s_pois(2.0, 0.05, 0.2, 10);
    CHECK_INT(eng_sprt_poisson_exact(&p, 0, &o), DS_EINVAL);
    p.rr1 = 0.5;
    CHECK_INT(eng_sprt_poisson_exact(&p, 1, &o), DS_EINVAL);
    p = s_pois(2.0, 0.05, 0.2, 0);
    CHECK_INT(eng_sprt_poisson_exact(&p, 1, &o), DS_EINVAL);
    p = s_pois(1.0001, 0.05, 0.2, 1e9);
    CHECK_INT(eng_sprt_poisson_exact(&p, 1, &o), DS_ERANGE);
    struct eng_sprt_bernoulli b = {0.1, 0.1, 2, -2, 10};
    CHECK_INT(eng_sprt_bernoulli_exact(&b, 0.1, &o), DS_EINVAL);
    b.p1 = 0.2;
    CHECK_INT(eng_sprt_bernoulli_exact(&b, 1.5, &o), DS_EINVAL);
    b.n_max = 0;
    CHECK_INT(eng_sprt_bernoulli_exact(&b, 0.1, &o), DS_EINVAL);
}

TEST(streaming_does_not_allocate)
{
    struct eng_sprt_poisson p = s_pois(1.2, 0.05, 0.2, 1e12);
    struct eng_sprt_bernoulli b = {0.01, 0.02, 50, -50, 1000000};
    struct eng_sprt_state s1, s2;
    struct ds_alloc_stats a0, a1;
    eng_sprt_init(&s1);
    eng_sprt_init(&s2);
    p.b = -INFINITY;
    ds_alloc_stats(&a0);
    for (int i = 0; i < 10000; i++) {
        eng_sprt_poisson_add(&s1, &p, 1.0, 1);
        eng_sprt_bernoulli_add(&s2, &b, i % 50 == 0);
    }
    ds_alloc_stats(&a1);
    CHECK_INT(a1.allocs, a0.allocs);
    CHECK_INT(s2.n, 10000);
}

TEST(out_of_memory_is_clean)
{
    struct eng_sprt_poisson p = s_pois(2.0, 0.05, 0.2, 10);
    struct eng_sprt_bernoulli b = {0.1, 0.2, 2, -2, 100};
    struct eng_sprt_oc o;
    for (uint64_t k = 1; k <= 4; k++) {
        ds_alloc_fail_at(k);
        CHECK_INT(eng_sprt_poisson_exact(&p, 1, &o), DS_ENOMEM);
    }
    ds_alloc_fail_at(1);
    CHECK_INT(eng_sprt_bernoulli_exact(&b, 0.1, &o), DS_ENOMEM);
    ds_alloc_fail_at(0);
    CHECK_INT(eng_sprt_poisson_exact(&p, 1, &o), 0);
}

int main(void)
{
    RUN(wald_boundaries);
    RUN(poisson_exact_reference);
    RUN(poisson_exact_time_to_signal);
    RUN(poisson_exact_bounded_by_wald);
    RUN(poisson_streaming_monte_carlo);
    RUN(bernoulli_exact_matches_enumeration);
    RUN(bernoulli_long_run_wald_bound);
    RUN(poisson_streaming_verdicts);
    RUN(bernoulli_streaming_verdicts);
    RUN(signal_exactly_at_a);
    RUN(invalid_designs);
    RUN(streaming_does_not_allocate);
    RUN(out_of_memory_is_clean);
    return test_report();
}
