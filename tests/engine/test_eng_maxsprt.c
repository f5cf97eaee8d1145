/*
 * test_eng_maxsprt.c - the continuous Poisson MaxSPRT statistic and stopping
 * rule (eng_maxsprt.h) against hand-computed values and the reference
 * points of ../shared/reference/stats.md section 1.
 *
 * Expected numbers were computed independently of this code with awk, e.g.
 *     awk 'BEGIN{printf "%.15g\n", 0.01-2+2*log(200)}'   -> 8.60663473309607
 *     awk 'BEGIN{printf "%.15g\n", 3-9+9*log(3)}'        -> 3.88751059801299
 * and u_5 (CV 3.628123) by a 200-step awk bisection on the formula
 *     (u - 5) + 5 ln(5/u) = CV                            -> 1.11207596226849
 */
#include "devsurv/eng_maxsprt.h"
#include "../test.h"

#include <stdint.h>

#define CV_05_T20_M1 3.628123 /* stats.md 1.6: alpha .05, T = 20, M = 1 */

static const struct eng_maxsprt_params s_p20 = {CV_05_T20_M1, 1, 20.0, 0};

TEST(llr_is_zero_without_excess)
{
    CHECK_NEAR(eng_maxsprt_llr(0, 1.5), 0, 0);
    CHECK_NEAR(eng_maxsprt_llr(1, 1.5), 0, 0);   /* c < mu */
    CHECK_NEAR(eng_maxsprt_llr(3, 3), 0, 0);     /* c == mu */
    CHECK_NEAR(eng_maxsprt_llr(2.999, 3), 0, 0); /* just below */
    CHECK_NEAR(eng_maxsprt_llr(5, 0), 0, 0);     /* mu <= 0: undefined */
    CHECK_NEAR(eng_maxsprt_llr(5, -1), 0, 0);
}

TEST(llr_hand_computed)
{
    /* 0.01 - 2 + 2 ln(2 / 0.01) = 0.01 - 2 + 2 ln 200 */
    CHECK_NEAR(eng_maxsprt_llr(2, 0.01), 8.60663473309607, 1e-12);
    /* 3 - 9 + 9 ln 3 */
    CHECK_NEAR(eng_maxsprt_llr(9, 3), 3.88751059801299, 1e-12);
    /* 1 - 5 + 5 ln 5 (awk: 4.047189562) */
    CHECK_NEAR(eng_maxsprt_llr(5, 1), 4.047189562, 1e-9);
}

TEST(llr_increases_in_c_above_mu)
{
    const double mus[] = {0.05, 1.0, 2.5, 17.3};
    for (size_t i = 0; i < sizeof mus / sizeof mus[0]; i++) {
        double mu = mus[i], prev = eng_maxsprt_llr(floor(mu) + 1, mu);
        CHECK(prev > 0);
        for (double c = floor(mu) + 2; c <= mu + 60; c++) {
            double l = eng_maxsprt_llr(c, mu);
            CHECK(l > prev);
            prev = l;
        }
    }
}

TEST(llr_decreases_in_mu_below_c)
{
    const double cs[] = {1, 4, 10, 55};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        double c = cs[i], prev = eng_maxsprt_llr(c, c / 1000);
        for (double mu = c / 1000 + c / 500; mu < c; mu += c / 500) {
            double l = eng_maxsprt_llr(c, mu);
            CHECK(l < prev);
            CHECK(l > 0);
            prev = l;
        }
    }
}

TEST(verdict_undefined_without_exposure)
{
    double llr = 99;
    CHECK_INT(eng_maxsprt_test(&s_p20, 3, 0.0, &llr), ENG_MAXSPRT_UNDEFINED);
    CHECK_NEAR(llr, 0, 0);
    llr = 99;
    CHECK_INT(eng_maxsprt_test(&s_p20, 3, -2.0, &llr), ENG_MAXSPRT_UNDEFINED);
    CHECK_NEAR(llr, 0, 0);
}

TEST(verdict_ended_past_t)
{
    double llr = 99;
    /* 1000 events would signal at any mu <= T, but mu > T ends the test */
    CHECK_INT(eng_maxsprt_test(&s_p20, 1000, 20.0001, &llr), ENG_MAXSPRT_ENDED);
    CHECK_NEAR(llr, 0, 0);
    /* mu == T is still inside surveillance */
    CHECK_INT(eng_maxsprt_test(&s_p20, 1000, 20.0, &llr), ENG_MAXSPRT_SIGNAL);
    CHECK(llr > CV_05_T20_M1);
    CHECK_INT(eng_maxsprt_test(&s_p20, 20, 20.0, &llr), ENG_MAXSPRT_CONTINUE);
    CHECK_NEAR(llr, 0, 0);
}

TEST(verdict_signal_at_first_crossing)
{
    /* mu = 1: LLR(4, 1) = 2.545 < CV <= LLR(5, 1) = 4.047 (awk) */
    double llr;
    for (int64_t c = 0; c <= 4; c++) {
        CHECK_INT(eng_maxsprt_test(&s_p20, c, 1.0, &llr), ENG_MAXSPRT_CONTINUE);
        CHECK_NEAR(llr, eng_maxsprt_llr((double)c, 1.0), 0);
        CHECK(llr < CV_05_T20_M1);
    }
    CHECK_INT(eng_maxsprt_test(&s_p20, 5, 1.0, &llr), ENG_MAXSPRT_SIGNAL);
    CHECK_NEAR(llr, 4.047189562, 1e-9);
}

TEST(verdict_signal_exactly_at_cv)
{
    /* LLR >= CV signals, so CV == LLR itself must signal */
    struct eng_maxsprt_params p = {eng_maxsprt_llr(9, 3), 1, 20.0, 0};
    double llr;
    CHECK_INT(eng_maxsprt_test(&p, 9, 3.0, &llr), ENG_MAXSPRT_SIGNAL);
    p.cv = nextafter(p.cv, 100.0);
    CHECK_INT(eng_maxsprt_test(&p, 9, 3.0, &llr), ENG_MAXSPRT_CONTINUE);
}

TEST(min_events_blocks_an_early_signal)
{
    /* mu = 0.1: LLR(1) = 1.40 < CV, LLR(2) = 4.09 >= CV (awk) */
    struct eng_maxsprt_params m1 = s_p20, m4 = s_p20;
    double llr;
    m4.min_events = 4;
    CHECK_INT(eng_maxsprt_test(&m1, 1, 0.1, &llr), ENG_MAXSPRT_CONTINUE);
    CHECK_INT(eng_maxsprt_test(&m1, 2, 0.1, &llr), ENG_MAXSPRT_SIGNAL);
    CHECK_NEAR(llr, 4.091464547, 1e-9);
    CHECK_INT(eng_maxsprt_test(&m4, 2, 0.1, &llr), ENG_MAXSPRT_CONTINUE);
    CHECK(llr >= CV_05_T20_M1); /* the statistic is reported all the same */
    CHECK_INT(eng_maxsprt_test(&m4, 3, 0.1, &llr), ENG_MAXSPRT_CONTINUE);
    CHECK_INT(eng_maxsprt_test(&m4, 4, 0.1, &llr), ENG_MAXSPRT_SIGNAL);
}

/* u_k: the largest mu at which k events still signal (LLR(k, u) == cv),
 * by bisection on (0, k) where LLR(k, .) is decreasing. */
static double s_boundary(double k, double cv)
{
    double lo = 1e-12, hi = k;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (eng_maxsprt_llr(k, mid) >= cv)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

TEST(boundary_u5_for_alpha05_t20)
{
    double u5 = s_boundary(5, CV_05_T20_M1), llr;
    CHECK(eng_maxsprt_llr(5, u5 - 1e-9) >= CV_05_T20_M1);
    CHECK(CV_05_T20_M1 > eng_maxsprt_llr(5, u5 + 1e-9));
    CHECK_NEAR(u5, 1.11207596226849, 1e-9); /* awk bisection, see top */
    CHECK_INT(eng_maxsprt_test(&s_p20, 5, u5 - 1e-9, &llr), ENG_MAXSPRT_SIGNAL);
    CHECK_INT(eng_maxsprt_test(&s_p20, 5, u5 + 1e-9, &llr),
              ENG_MAXSPRT_CONTINUE);
}

TEST(boundaries_increase_in_k)
{
    /* stats.md 1.2: u_k is increasing in k; u_k < k */
    double prev = 0;
    for (int k = 1; k <= 40; k++) {
        double u = s_boundary(k, CV_05_T20_M1);
        CHECK(u > prev);
        CHECK(u < k);
        CHECK_NEAR(eng_maxsprt_llr(k, u), CV_05_T20_M1, 1e-9);
        prev = u;
    }
}

TEST(verdict_names)
{
    CHECK_STR(eng_maxsprt_verdict_name(ENG_MAXSPRT_CONTINUE), "continue");
    CHECK_STR(eng_maxsprt_verdict_name(ENG_MAXSPRT_SIGNAL), "signal");
    CHECK_STR(eng_maxsprt_verdict_name(ENG_MAXSPRT_ENDED), "ended");
    CHECK_STR(eng_maxsprt_verdict_name(ENG_MAXSPRT_UNDEFINED), "undefined");
}

int main(void)
{
    RUN(llr_is_zero_without_excess);
    RUN(llr_hand_computed);
    RUN(llr_increases_in_c_above_mu);
    RUN(llr_decreases_in_mu_below_c);
    RUN(verdict_undefined_without_exposure);
    RUN(verdict_ended_past_t);
    RUN(verdict_signal_at_first_crossing);
    RUN(verdict_signal_exactly_at_cv);
    RUN(min_events_blocks_an_early_signal);
    RUN(boundary_u5_for_alpha05_t20);
    RUN(boundaries_increase_in_k);
    RUN(verdict_names);
    return test_report();
}
