/*
 * test_eng_cusum.c - Bernoulli / risk-adjusted CUSUM (eng_cusum.h): the
 * weights and lattice ARLs of ../shared/reference/stats.md section 6, the
 * event-to-event Bernoulli solver against the banded chain solver on the
 * same lattice, the naive midpoint chain's failure that section 6.3 warns
 * about, Monte Carlo runs of the streaming chart, h for a target ARL0, and
 * the allocation contract.
 *
 * Hand values by awk:
 *     R0 = 1, RA = 2, p = .2:  ln(2/1.2) = 0.510825623766,
 *                              ln(1/1.2) = -0.182321556794
 *     R0 = 1, RA = .5, p = .2: ln(.5/.9) = -0.587786664902,
 *                              -ln(.9)   =  0.105360515658
 */
#include "devsurv/eng_cusum.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>

static uint64_t s_rng = 0xc05c05u;

/* splitmix64: the tests' own seeded PRNG; uniform in [0, 1). */
static double s_unif(void)
{
    uint64_t x = (s_rng += 0x9e3779b97f4a7c15u);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return (double)((x ^ (x >> 31)) >> 11) * 0x1.0p-53;
}

TEST(weights_bernoulli_example)
{
    struct eng_cusum_params p = {1, 2, 4.5}; /* stats.md 6.1 */
    CHECK_NEAR(eng_cusum_odds_prob(0.05, 2), 0.0952381, 5e-8);
    CHECK_NEAR(eng_cusum_weight(&p, true, 0.05), 0.644357016, 5e-10);
    CHECK_NEAR(eng_cusum_weight(&p, false, 0.05), -0.048790164, 5e-10);
}

TEST(weights_risk_adjusted)
{
    struct eng_cusum_params up = {1, 2, 1}, low = {1, 0.5, 1};
    CHECK_NEAR(eng_cusum_weight(&up, true, 0.2), 0.510825623766, 1e-12);
    CHECK_NEAR(eng_cusum_weight(&up, false, 0.2), -0.182321556794, 1e-12);
    CHECK_NEAR(eng_cusum_weight(&low, true, 0.2), -0.587786664902, 1e-12);
    CHECK_NEAR(eng_cusum_weight(&low, false, 0.2), 0.105360515658, 1e-12);
    struct eng_cusum_params r0 = {1.5, 3, 1}; /* R0 != 1: W1 - W0 = ln 2 */
    CHECK_NEAR(eng_cusum_weight(&r0, true, 0.3) -
                   eng_cusum_weight(&r0, false, 0.3),
               log(2), 1e-14);
    CHECK_NEAR(eng_cusum_weight(&r0, false, 0.3), log(1.15 / 1.6), 1e-14);
}

TEST(streaming_upper_chart)
{
    struct eng_cusum_params p = {1, 2, 1.0};
    const bool y[] = {1, 0, 1, 1, 0};
    const double want[] = {0.510825623766, 0.328504066972, 0.839329690738,
                           1.350155314504, 0};
    struct eng_cusum_state st;
    double v;
    eng_cusum_init(&st);
    for (int i = 0; i < 5; i++) {
        enum eng_cusum_verdict e = eng_cusum_update(&st, &p, y[i], 0.2, &v);
        CHECK_INT(e, i == 3 ? ENG_CUSUM_SIGNAL : ENG_CUSUM_CONTINUE);
        CHECK_NEAR(v, want[i], 1e-11);
    }
    CHECK_INT(st.n, 5);
    CHECK_INT(st.signals, 1);
    CHECK_NEAR(st.s, 0, 0);
}

TEST(streaming_lower_chart)
{
    struct eng_cusum_params p = {1, 0.5, 0.3};
    const bool y[] = {0, 0, 1, 0, 0, 0};
    const double want[] = {-0.105360515658, -0.210721031316, 0,
                           -0.105360515658, -0.210721031316, -0.316081546974};
    struct eng_cusum_state st;
    double v;
    eng_cusum_init(&st);
    for (int i = 0; i < 6; i++) {
        enum eng_cusum_verdict e = eng_cusum_update(&st, &p, y[i], 0.2, &v);
        CHECK_INT(e, i == 5 ? ENG_CUSUM_SIGNAL : ENG_CUSUM_CONTINUE);
        CHECK_NEAR(v, want[i], 1e-11);
    }
    CHECK_STR(eng_cusum_verdict_name(ENG_CUSUM_SIGNAL), "signal");
}

/* S == h signals (>=). */
TEST(streaming_signal_exactly_at_h)
{
    struct eng_cusum_params p = {1, 2, 0};
    struct eng_cusum_state st;
    double v;
    p.h = eng_cusum_weight(&p, true, 0.05);
    eng_cusum_init(&st);
    CHECK_INT(eng_cusum_update(&st, &p, true, 0.05, &v), ENG_CUSUM_SIGNAL);
    CHECK_NEAR(v, p.h, 0);
}

TEST(streaming_invalid_risk_and_no_allocation)
{
    struct eng_cusum_params p = {1, 2, 4.5};
    struct eng_cusum_state st;
    struct ds_alloc_stats a, b;
    double v;
    eng_cusum_init(&st);
    eng_cusum_update(&st, &p, true, 0.1, &v);
    double before = st.s;
    CHECK_INT(eng_cusum_update(&st, &p, true, 0.0, &v), ENG_CUSUM_INVALID);
    CHECK_INT(eng_cusum_update(&st, &p, true, 1.0, &v), ENG_CUSUM_INVALID);
    CHECK_INT(eng_cusum_update(&st, &p, true, NAN, &v), ENG_CUSUM_INVALID);
    CHECK_NEAR(st.s, before, 0);
    CHECK_NEAR(v, before, 0);
    CHECK_INT(st.n, 1);
    ds_alloc_stats(&a);
    for (int i = 0; i < 10000; i++)
        eng_cusum_update(&st, &p, i % 17 == 0, 0.01 + 0.001 * (i % 50), &v);
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs, a.allocs);
}

/* stats.md 6.3: Bernoulli, OR_A = 2, lattice delta = |W0| / 1000. */
static const struct {
    double p0, h, arl0, arl1;
} s_ref[] = {
    {0.01, 2, 2048.4, 360.72},   {0.01, 4.5, 35757, 994.70},
    {0.05, 3, 1525.5, 133.62},   {0.05, 4.5, 7730.8, 218.65},
    {0.05, 5, 12966, 247.45},    {0.10, 4, 2511.4, 106.83},
    {0.10, 4.5, 4266.1, 123.02},
};

TEST(arl_reference_table)
{
    for (size_t i = 0; i < sizeof s_ref / sizeof s_ref[0]; i++) {
        struct eng_cusum_params p = {1, 2, s_ref[i].h};
        struct eng_cusum_arl a0, a1;
        CHECK_INT(eng_cusum_arl_bernoulli(&p, s_ref[i].p0, 1, 1000, &a0), 0);
        CHECK_INT(eng_cusum_arl_bernoulli(&p, s_ref[i].p0, 2, 1000, &a1), 0);
        printf("# p0 %.2f h %.1f: ARL0 %.4f (%g) ARL1 %.4f (%g)\n", s_ref[i].p0,
               s_ref[i].h, a0.arl, s_ref[i].arl0, a1.arl, s_ref[i].arl1);
        CHECK_NEAR(a0.arl / s_ref[i].arl0, 1, 1e-4);
        CHECK_NEAR(a1.arl / s_ref[i].arl1, 1, 1e-4);
        CHECK_NEAR(a0.delta, log(1 + s_ref[i].p0) / 1000, 1e-15);
    }
}

TEST(arl_lattice_converged)
{
    /* stats.md: delta = |W0|/200 and |W0|/1000 differ by <= 0.1% */
    struct eng_cusum_params p = {1, 2, 4.5};
    struct eng_cusum_arl a, b;
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.05, 1, 200, &a), 0);
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.05, 1, 1000, &b), 0);
    CHECK_NEAR(a.arl / b.arl, 1, 1e-3);
    CHECK(a.arl != b.arl);
}

/* The event-to-event solver and the banded solver on the very same
 * lattice: a one-point mix at h = H delta with H cells. */
static void s_same_lattice(double p0, double ra, double true_or, double *e,
                           double *m)
{
    struct eng_cusum_params p = {1, ra, 3};
    struct eng_cusum_arl b, x;
    double w = 1;
    struct eng_cusum_mix mix = {&p0, &w, 1};
    *e = *m = -1;
    if (eng_cusum_arl_bernoulli(&p, p0, true_or, 20, &b) != 0)
        return;
    p.h = (double)b.states * b.delta;
    if (eng_cusum_arl_bernoulli(&p, p0, true_or, 20, &b) != 0 ||
        eng_cusum_arl_mix(&p, &mix, true_or, (int)b.states, &x) != 0)
        return;
    *e = b.arl;
    *m = x.arl;
}

TEST(arl_event_solver_equals_band_solver)
{
    const double cases[][3] = {{0.05, 2, 1},     {0.05, 2, 2}, {0.05, 0.5, 1},
                               {0.05, 0.5, 0.5}, {0.6, 2, 1},  {0.6, 0.5, 0.7}};
    for (int i = 0; i < 6; i++) {
        double e, m;
        s_same_lattice(cases[i][0], cases[i][1], cases[i][2], &e, &m);
        CHECK(e > 1 && m > 1);
        CHECK_NEAR(e / m, 1, 1e-9);
    }
}

/* Brook-Evans midpoints: m cells of width h/m, state i stands for
 * (i + 1/2) h/m; spcadjust's ARL_CUSUM_Markovapprox is of this kind. */
struct s_naive {
    double w, p, w1, w0;
    int64_t m;
};

static size_t s_naive_moves(void *ctx, int64_t i, struct eng_cusum_move *o,
                            size_t cap)
{
    const struct s_naive *n = ctx;
    double x = ((double)i + 0.5) * n->w;
    double j1 = floor((x + n->w1) / n->w), j0 = floor((x + n->w0) / n->w);
    (void)cap;
    o[0] = (struct eng_cusum_move){(int64_t)j1, n->p};
    o[1] = (struct eng_cusum_move){j0 > 0 ? (int64_t)j0 : 0, 1 - n->p};
    return 2;
}

static double s_naive_arl(double p0, double h, int64_t m)
{
    struct eng_cusum_params p = {1, 2, h};
    struct s_naive n = {h / (double)m, p0, eng_cusum_weight(&p, true, p0),
                        eng_cusum_weight(&p, false, p0), m};
    double arl = -1;
    int64_t kl = (int64_t)(-n.w0 / n.w) + 2, ku = (int64_t)(n.w1 / n.w) + 2;
    if (eng_cusum_chain_arl(m, kl, ku, 2, s_naive_moves, &n, &arl) != 0)
        return -1;
    return arl;
}

TEST(naive_midpoint_chain_is_wrong)
{
    /* stats.md 6.3: p0 = .01, h = 4.5, m = 2000 gives 18,156 vs 35,757,
     * and is not monotone in h */
    double naive = s_naive_arl(0.01, 4.5, 2000);
    double naive4 = s_naive_arl(0.01, 4.0, 2000);
    struct eng_cusum_params p = {1, 2, 4.5};
    struct eng_cusum_arl lat;
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.01, 1, 1000, &lat), 0);
    printf("# naive midpoint ARL0 %.1f (h 4.5), %.1f (h 4); lattice %.1f\n",
           naive, naive4, lat.arl);
    CHECK_NEAR(naive, 18156, 1);
    CHECK(naive4 > naive);
    CHECK(naive < 0.55 * lat.arl);
}

TEST(monte_carlo_arl0_bernoulli)
{
    struct eng_cusum_params p = {1, 2, 3};
    struct eng_cusum_arl a;
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.05, 1, 1000, &a), 0);
    double w1 = eng_cusum_weight(&p, true, 0.05);
    double w0 = eng_cusum_weight(&p, false, 0.05);
    const int runs = 20000;
    double sum = 0, sum2 = 0;
    for (int r = 0; r < runs; r++) {
        double s = 0;
        long n = 0;
        while (s < p.h) {
            s += s_unif() < 0.05 ? w1 : w0;
            s = s > 0 ? s : 0;
            n++;
        }
        sum += (double)n;
        sum2 += (double)n * (double)n;
    }
    double mean = sum / runs;
    double se = sqrt((sum2 / runs - mean * mean) / runs);
    printf("# MC ARL0 %.1f +- %.1f vs lattice %.1f\n", mean, se, a.arl);
    CHECK_NEAR(mean, a.arl, 4 * se);
}

/* Run the streaming chart until a signal; patients drawn from the mix. */
static double s_run_length(const struct eng_cusum_params *p,
                           const struct eng_cusum_mix *mix, double true_or)
{
    struct eng_cusum_state st;
    double v;
    eng_cusum_init(&st);
    for (;;) {
        double r = mix->risk[(size_t)(s_unif() * (double)mix->n)];
        bool y = s_unif() < eng_cusum_odds_prob(r, true_or);
        if (eng_cusum_update(&st, p, y, r, &v) == ENG_CUSUM_SIGNAL)
            return (double)st.n;
    }
}

static void s_mc_vs_lattice(const struct eng_cusum_params *p,
                            const struct eng_cusum_mix *mix, double true_or,
                            int runs, double *mean, double *se, double *lat)
{
    struct eng_cusum_arl a;
    double sum = 0, sum2 = 0;
    *lat = eng_cusum_arl_mix(p, mix, true_or, 2000, &a) == 0 ? a.arl : -1;
    for (int r = 0; r < runs; r++) {
        double n = s_run_length(p, mix, true_or);
        sum += n;
        sum2 += n * n;
    }
    *mean = sum / runs;
    *se = sqrt((sum2 / runs - *mean * *mean) / runs);
}

TEST(monte_carlo_risk_adjusted_streaming)
{
    const double risk[] = {0.02, 0.08, 0.3}, w[] = {1, 1, 1};
    struct eng_cusum_mix mix = {risk, w, 3};
    struct eng_cusum_params up = {1, 2, 3.5}, low = {1, 0.5, 3};
    double mean, se, lat;
    s_mc_vs_lattice(&up, &mix, 2, 10000, &mean, &se, &lat);
    printf("# MC RA upper ARL1 %.2f +- %.2f vs lattice %.2f\n", mean, se, lat);
    CHECK_NEAR(mean, lat, 4 * se);
    s_mc_vs_lattice(&low, &mix, 0.5, 10000, &mean, &se, &lat);
    printf("# MC RA lower ARL1 %.2f +- %.2f vs lattice %.2f\n", mean, se, lat);
    CHECK_NEAR(mean, lat, 4 * se);
}

TEST(h_for_target_arl0)
{
    struct eng_cusum_params p = {1, 2, 0};
    struct eng_cusum_arl a, below;
    double h;
    CHECK_INT(eng_cusum_h_bernoulli(&p, 0.05, 7730.8, 0, &h, &a), 0);
    printf("# h(ARL0 7730.8, p0 .05) = %.6f, ARL0 %.3f\n", h, a.arl);
    CHECK_NEAR(h, 4.5, 1e-3);
    CHECK(a.arl >= 7730.8);
    p.h = h - 2 * a.delta;
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.05, 1, 0, &below), 0);
    CHECK(below.arl < 7730.8);
    CHECK_INT(eng_cusum_h_bernoulli(&p, 0.01, 2048.4, 0, &h, &a), 0);
    CHECK_NEAR(h, 2, 5e-3);
}

TEST(h_for_target_arl0_mix)
{
    const double risk[] = {0.02, 0.05, 0.1, 0.2}, w[] = {4, 3, 2, 1};
    struct eng_cusum_mix mix = {risk, w, 4};
    struct eng_cusum_params p = {1, 2, 0};
    struct eng_cusum_arl a, b;
    double h;
    CHECK_INT(eng_cusum_h_mix(&p, &mix, 5000, 0, &h, &a), 0);
    CHECK(a.arl >= 5000 && a.arl < 5000 * 1.01);
    p.h = h;
    CHECK_INT(eng_cusum_arl_mix(&p, &mix, 1, 0, &b), 0);
    CHECK_NEAR(b.arl, a.arl, 1e-9 * a.arl);
}

static size_t s_geometric(void *ctx, int64_t from, struct eng_cusum_move *o,
                          size_t cap)
{
    (void)cap;
    o[0] = (struct eng_cusum_move){from, *(const double *)ctx};
    return 1;
}

TEST(chain_solver_contract)
{
    double stay = 0.75, arl = 0;
    CHECK_INT(eng_cusum_chain_arl(1, 0, 0, 1, s_geometric, &stay, &arl), 0);
    CHECK_NEAR(arl, 4, 1e-12);
    stay = 1.0; /* never absorbed */
    CHECK_INT(eng_cusum_chain_arl(1, 0, 0, 1, s_geometric, &stay, &arl),
              DS_ERANGE);
    CHECK_INT(eng_cusum_chain_arl(0, 0, 0, 1, s_geometric, &stay, &arl),
              DS_EINVAL);
    /* a move outside the declared band */
    struct s_naive n = {4.5 / 2000, 0.01, 0.68, -0.00995, 2000};
    CHECK_INT(eng_cusum_chain_arl(2000, 8, 100, 2, s_naive_moves, &n, &arl),
              DS_EINVAL);
}

TEST(invalid_inputs)
{
    struct eng_cusum_params p = {1, 2, 4.5};
    struct eng_cusum_arl a;
    double h, bad = 1.5, w = 1;
    struct eng_cusum_mix mix = {&bad, &w, 1};
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0, 1, 0, &a), DS_EINVAL);
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 1, 1, 0, &a), DS_EINVAL);
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.1, 0, 0, &a), DS_EINVAL);
    CHECK_INT(eng_cusum_arl_mix(&p, &mix, 1, 0, &a), DS_EINVAL);
    p.h = 0;
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.1, 1, 0, &a), DS_EINVAL);
    p = (struct eng_cusum_params){1, 1, 4.5};
    CHECK_INT(eng_cusum_check(&p), DS_EINVAL);
    p = (struct eng_cusum_params){1, -2, 4.5};
    CHECK_INT(eng_cusum_check(&p), DS_EINVAL);
    p = (struct eng_cusum_params){1, 2, 4.5};
    CHECK_INT(eng_cusum_h_bernoulli(&p, 0.05, 1.0, 0, &h, &a), DS_EINVAL);
    p.h = 1e6; /* lattice far too large even at 50 cells */
    CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.05, 1, 0, &a), DS_ERANGE);
}

TEST(out_of_memory_is_clean)
{
    struct eng_cusum_params p = {1, 2, 3};
    struct eng_cusum_arl a;
    double r = 0.1, w = 1, h;
    struct eng_cusum_mix mix = {&r, &w, 1};
    for (uint64_t k = 1; k <= 2; k++) {
        ds_alloc_fail_at(k);
        CHECK_INT(eng_cusum_arl_bernoulli(&p, 0.05, 1, 100, &a), DS_ENOMEM);
    }
    for (uint64_t k = 1; k <= 4; k++) {
        ds_alloc_fail_at(k);
        CHECK_INT(eng_cusum_arl_mix(&p, &mix, 1, 100, &a), DS_ENOMEM);
    }
    ds_alloc_fail_at(3);
    CHECK_INT(eng_cusum_h_bernoulli(&p, 0.05, 1000, 100, &h, &a), DS_ENOMEM);
    ds_alloc_fail_at(0);
    CHECK_INT(eng_cusum_arl_mix(&p, &mix, 1, 100, &a), 0);
}

int main(void)
{
    RUN(weights_bernoulli_example);
    RUN(weights_risk_adjusted);
    RUN(streaming_upper_chart);
    RUN(streaming_lower_chart);
    RUN(streaming_signal_exactly_at_h);
    RUN(streaming_invalid_risk_and_no_allocation);
    RUN(arl_reference_table);
    RUN(arl_lattice_converged);
    RUN(arl_event_solver_equals_band_solver);
    RUN(naive_midpoint_chain_is_wrong);
    RUN(monte_carlo_arl0_bernoulli);
    RUN(monte_carlo_risk_adjusted_streaming);
    RUN(h_for_target_arl0);
    RUN(h_for_target_arl0_mix);
    RUN(chain_solver_contract);
    RUN(invalid_inputs);
    RUN(out_of_memory_is_clean);
    return test_report();
}
