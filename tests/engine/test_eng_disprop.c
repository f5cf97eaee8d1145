/*
 * test_eng_disprop.c - PRR, ROR, Yates chi-square, IC and EBGM of a 2x2
 * table (eng_disprop.h): the reference tables of
 * ../shared/reference/stats.md section 5 to their printed digits, the
 * same tables to 1e-12 against an independent 40-digit evaluation, the
 * zero-cell policy case by case, and identities that hold for any table.
 *
 * The 17-digit values were computed with mpmath (dps 40) straight from
 * the formulas in eng_disprop.h: quantiles by 400-step bisection on
 * mp.gammainc, EB05/EB95 by bisection on the posterior mixture CDF, e.g.
 *     PRR lower (3,97,100,9800): 2.97 exp(-z sqrt(1/3-1/100+1/100-1/9900))
 *                                          -> 0.95805286880799493
 * (z = sqrt(qchisq(.95, 1)), see test_eng_specfun.c). EBGM uses the
 * fixed prior of stats.md: (0.2, 0.06, 1.4, 1.8, 0.1), the default.
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_disprop.h"
#include "../test.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NSTAT 14

/* E, prr, lo, hi, ror, lo, hi, chi2, ic, ic025, ic975, ebgm, eb05, eb95 */
static double s_vec(const struct eng_disprop *r, int i)
{
    const double v[NSTAT] = {
        r->e,    r->prr, r->prr_lo, r->prr_hi, r->ror,  r->ror_lo, r->ror_hi,
        r->chi2, r->ic,  r->ic025,  r->ic975,  r->ebgm, r->eb05,   r->eb95};
    return v[i];
}

static const char *const s_names[NSTAT] = {
    "E",    "prr", "prr_lo", "prr_hi", "ror",  "ror_lo", "ror_hi",
    "chi2", "ic",  "ic025",  "ic975",  "ebgm", "eb05",   "eb95"};

/* Each table with the values stats.md prints (same order as s_vec; the
 * decimals printed set the tolerance) and the 17-digit values. */
static const struct {
    struct eng_disprop_table t;
    const char *printed;
    double full[NSTAT];
} s_ref[] = {
    {{3, 97, 100, 9800},
     "1.03 2.970 0.9581 9.2071 3.0309 0.9447 9.7239 2.1412 "
     "1.19382 -0.85662 2.38762 1.45418 0.57681 3.35135",
     {1.03, 2.97, 0.95805286880799493, 9.2071119321159427, 3.0309278350515464,
      0.94473770564451771, 9.7238878965067198, 2.1412071253594281,
      1.193823269139677, -0.85662008670224101, 2.3876188229688893,
      1.4541834433898102, 0.57680647878648258, 3.3513464612608687}},
    {{10, 190, 500, 49300},
     "2.04 4.980 2.7049 9.1687 5.1895 2.7310 9.8611 27.672 "
     "2.04749 1.01735 2.80406 3.51258 1.85169 6.73637",
     {2.04, 4.98, 2.7049022199399574, 9.1686863270608398, 5.1894736842105263,
      2.7309859999074542, 9.8611406722796019, 27.672009596713153,
      2.0474889257813191, 1.0173464798690387, 2.804059898652814,
      3.5125765187443985, 1.8516879236066639, 6.7363731457120085}},
    {{1, 9, 50, 9940},
     "0.051 19.98 3.0493 130.92 22.089 2.7469 177.62 3.9772 "
     "1.44484 -2.35239 3.08460 1.49722 0.30726 14.72700",
     {0.051, 19.98, 3.0492712758996621, 130.9166564336652, 22.088888888888889,
      2.7469402469036463, 177.62272510137845, 3.9772014293051977,
      1.4448382768120856, -2.3523889915492618, 3.0845957979347487,
      1.4972216278734776, 0.30726231372800144, 14.727000141877353}},
    {{25, 475, 2000, 97500},
     "10.125 2.4875 1.6934 3.6539 2.5658 1.7120 3.8454 20.935 "
     "1.26303 0.64206 1.77282 2.19708 1.56721 3.02170",
     {10.125, 2.4875, 1.693429368331956, 3.6539204797746599, 2.5657894736842105,
      1.7119970067281319, 3.8453779985575254, 20.935451041668101,
      1.2630344058337938, 0.64205888320892887, 1.7728244676668107,
      2.1970780972692448, 1.5672109948697762, 3.0217025162147066}},
};

/* The next printed number from *p: its value and decimals shown. */
static double s_next(const char **p, int *decimals)
{
    char *end;
    double v = strtod(*p, &end);
    const char *dot = memchr(*p, '.', (size_t)(end - *p));
    *decimals = dot ? (int)(end - dot - 1) : 0;
    *p = end;
    return v;
}

static void s_compute(int64_t a, int64_t b, int64_t c, int64_t d,
                      struct eng_disprop *r)
{
    struct eng_disprop_table t = {a, b, c, d};
    if (eng_disprop_compute(&t, NULL, r) != 0)
        r->e = NAN;
}

TEST(reference_tables_printed_digits)
{
    for (size_t k = 0; k < sizeof s_ref / sizeof s_ref[0]; k++) {
        struct eng_disprop r;
        const char *p = s_ref[k].printed;
        CHECK_INT(eng_disprop_compute(&s_ref[k].t, NULL, &r), 0);
        for (int i = 0; i < NSTAT; i++) {
            int dp;
            double want = s_next(&p, &dp), got = s_vec(&r, i);
            double tol = 0.5 * pow(10, -dp) * (1 + 1e-9);
            if (!(fabs(got - want) <= tol))
                TEST_FAIL_("table %zu %s = %.10g, printed %.*f", k, s_names[i],
                           got, dp, want);
        }
    }
}

TEST(reference_tables_full_precision)
{
    for (size_t k = 0; k < sizeof s_ref / sizeof s_ref[0]; k++) {
        struct eng_disprop r;
        CHECK_INT(eng_disprop_compute(&s_ref[k].t, NULL, &r), 0);
        for (int i = 0; i < NSTAT; i++) {
            double got = s_vec(&r, i), want = s_ref[k].full[i];
            if (!(fabs(got - want) <= 1e-12 * fabs(want)))
                TEST_FAIL_("table %zu %s = %.17g, expected %.17g", k,
                           s_names[i], got, want);
        }
    }
}

TEST(zero_a_reference_row)
{
    /* stats.md row (0, 10, 5, 985): E 0.05, chi2 0, IC -0.13750
     * [-10.12939, 2.19130], EBGM 0.40668 [0.03697, 2.24790]. Raw PRR and
     * ROR are 0; their intervals are null by policy (R: [0, NaN]). */
    struct eng_disprop r;
    s_compute(0, 10, 5, 985, &r);
    CHECK_NEAR(r.e, 0.05, 1e-17);
    CHECK(r.prr == 0 && r.ror == 0);
    CHECK(isnan(r.prr_lo) && isnan(r.prr_hi));
    CHECK(isnan(r.ror_lo) && isnan(r.ror_hi));
    CHECK(r.chi2 == 0);
    CHECK_NEAR(r.ic, -0.13750352374993491, 1e-14);
    CHECK_NEAR(r.ic025, -10.129391339556797, 1e-12);
    CHECK_NEAR(r.ic975, 2.191300257586239, 1e-13);
    CHECK_NEAR(r.ebgm, 0.40667682642405736, 1e-14);
    CHECK_NEAR(r.eb05, 0.036970397415435704, 1e-14);
    CHECK_NEAR(r.eb95, 2.2479030434857604, 1e-13);
    CHECK_NEAR(r.eb95, 2.24790, 5e-6);
}

TEST(zero_cell_policy)
{
    struct eng_disprop r;
    s_compute(4, 0, 20, 900, &r); /* b = 0: ror null, prr finite */
    CHECK(isnan(r.ror) && isnan(r.ror_lo) && isnan(r.ror_hi));
    CHECK(isfinite(r.prr) && isfinite(r.prr_lo) && isfinite(r.prr_hi));
    CHECK_NEAR(r.prr, 1.0 / (20.0 / 920.0), 1e-12);
    s_compute(4, 30, 0, 900, &r); /* c = 0: prr, ror and bounds null */
    CHECK(isnan(r.prr) && isnan(r.prr_lo) && isnan(r.prr_hi));
    CHECK(isnan(r.ror) && isnan(r.ror_lo) && isnan(r.ror_hi));
    CHECK(isfinite(r.chi2) && isfinite(r.ic) && isfinite(r.eb05));
    s_compute(4, 30, 20, 0, &r); /* d = 0: ror 0, bounds null */
    CHECK(r.ror == 0 && isnan(r.ror_lo) && isnan(r.ror_hi));
    CHECK(isfinite(r.prr_lo) && isfinite(r.prr_hi));
    s_compute(0, 0, 20, 900, &r); /* zero row: E = 0, chi2 null */
    CHECK(r.e == 0 && isnan(r.chi2) && isnan(r.prr) && isnan(r.ror));
    CHECK(r.ic == 0 && r.ic025 < 0 && r.ic975 > 0);
    CHECK(r.eb05 < r.ebgm && r.ebgm < r.eb95);
    s_compute(0, 30, 0, 900, &r); /* zero column */
    CHECK(r.e == 0 && isnan(r.chi2) && isnan(r.prr));
    s_compute(4, 30, 20, 900, &r); /* no zero: everything finite */
    for (int i = 0; i < NSTAT; i++)
        CHECK(isfinite(s_vec(&r, i)));
}

TEST(invalid_tables_rejected)
{
    struct eng_disprop r = {0};
    const struct eng_disprop_table bad[] = {
        {0, 0, 0, 0},  {-1, 2, 3, 4}, {1, -2, 3, 4},
        {1, 2, -3, 4}, {1, 2, 3, -4}, {INT64_MAX / 2, INT64_MAX / 2, 1, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!eng_disprop_valid(&bad[i]));
        CHECK_INT(eng_disprop_compute(&bad[i], NULL, &r), DS_EINVAL);
    }
    CHECK(r.e == 0); /* untouched */
    const struct eng_disprop_table ok = {1, 2, 3, 4};
    const struct eng_ebgm_prior bad_prior = {0.2, 0.06, 1.4, 1.8, 1.0};
    CHECK_INT(eng_disprop_compute(&ok, &bad_prior, &r), DS_EINVAL);
}

TEST(swapping_rows_and_columns)
{
    const struct eng_disprop_table ts[] = {
        {3, 97, 100, 9800}, {1, 9, 50, 9940}, {7, 3, 2, 11}, {40, 40, 40, 41}};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        struct eng_disprop_table t = ts[i];
        struct eng_disprop_table rows = {t.c, t.d, t.a, t.b};
        struct eng_disprop_table cols = {t.b, t.a, t.d, t.c};
        struct eng_disprop_table tr = {t.a, t.c, t.b, t.d};
        double ci[2], ci2[2];
        double ror = eng_disprop_ror(&t, ci);
        CHECK_NEAR(eng_disprop_ror(&rows, ci2) * ror, 1, 1e-14);
        CHECK_NEAR(ci2[0] * ci[1], 1, 1e-13);
        CHECK_NEAR(eng_disprop_ror(&cols, ci2) * ror, 1, 1e-14);
        CHECK_NEAR(eng_disprop_ror(&tr, NULL), ror, 1e-14 * ror);
        double prr = eng_disprop_prr(&t, ci);
        CHECK_NEAR(eng_disprop_prr(&rows, ci2) * prr, 1, 1e-14);
        CHECK_NEAR(ci2[1] * ci[0], 1, 1e-13);
        double chi2 = eng_disprop_chi2(&t);
        CHECK_NEAR(eng_disprop_chi2(&rows), chi2, 1e-12 * chi2);
        CHECK_NEAR(eng_disprop_chi2(&cols), chi2, 1e-12 * chi2);
        CHECK_NEAR(eng_disprop_chi2(&tr), chi2, 1e-12 * chi2);
        CHECK_NEAR(eng_disprop_expected(&tr), eng_disprop_expected(&t), 1e-14);
    }
}

TEST(independent_table)
{
    /* a/b = c/d: PRR = ROR = 1 exactly, E = a, Yates chi2 = 0 */
    struct eng_disprop r;
    s_compute(10, 90, 1000, 9000, &r);
    CHECK(r.prr == 1 && r.ror == 1 && r.chi2 == 0);
    CHECK_NEAR(r.e, 10, 1e-13);
    CHECK(r.prr_lo < 1 && r.prr_hi > 1 && r.ror_lo < 1 && r.ror_hi > 1);
    CHECK_NEAR(r.prr_lo * r.prr_hi, 1, 1e-14); /* symmetric on log scale */
}

TEST(yates_below_pearson)
{
    const struct eng_disprop_table ts[] = {
        {3, 97, 100, 9800}, {10, 190, 500, 49300}, {7, 3, 2, 11}};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        double a = (double)ts[i].a, b = (double)ts[i].b, c = (double)ts[i].c,
               d = (double)ts[i].d, n = a + b + c + d;
        double pearson = n * (a * d - b * c) * (a * d - b * c) /
                         ((a + b) * (c + d) * (a + c) * (b + d));
        double yates = eng_disprop_chi2(&ts[i]);
        CHECK(yates < pearson && yates > 0);
    }
}

TEST(more_data_narrows_intervals)
{
    struct eng_disprop r1, r10;
    s_compute(3, 97, 100, 9800, &r1);
    s_compute(30, 970, 1000, 98000, &r10);
    CHECK_NEAR(r10.ror, r1.ror, 1e-14 * r1.ror);
    CHECK_NEAR(r10.prr, r1.prr, 1e-14 * r1.prr);
    CHECK(r10.ror_hi / r10.ror_lo < r1.ror_hi / r1.ror_lo);
    CHECK(r10.prr_hi / r10.prr_lo < r1.prr_hi / r1.prr_lo);
    CHECK(r10.ic975 - r10.ic025 < r1.ic975 - r1.ic025);
    CHECK(r10.eb95 / r10.eb05 < r1.eb95 / r1.eb05);
}

TEST(intervals_contain_estimates)
{
    for (int64_t a = 0; a <= 40; a += 1 + a / 3)
        for (int64_t c = 0; c <= 400; c += 37 + c) {
            struct eng_disprop r;
            s_compute(a, 50, c, 5000, &r);
            CHECK(r.ic025 < r.ic && r.ic < r.ic975);
            CHECK(r.eb05 < r.ebgm && r.ebgm < r.eb95);
            if (isfinite(r.prr_lo))
                CHECK(r.prr_lo < r.prr && r.prr < r.prr_hi);
            if (isfinite(r.ror_lo))
                CHECK(r.ror_lo < r.ror && r.ror < r.ror_hi);
        }
}

TEST(ic_reference_points)
{
    double ci[2];
    /* vigicaen R/ic_tail.R documented example: ic_tail(12, 5) = 0.2542334 */
    eng_disprop_ic(12, 5, ci);
    CHECK_NEAR(ci[0], 0.2542334, 5e-8);
    /* stats.md: as E -> 0, IC025 = -0.267 for a = 2, +0.757 for a = 3 */
    eng_disprop_ic(2, 0, ci);
    CHECK_NEAR(ci[0], -0.267, 5e-4);
    eng_disprop_ic(3, 0, ci);
    CHECK_NEAR(ci[0], 0.757, 5e-4);
    CHECK_NEAR(eng_disprop_ic(7, 3, NULL), log2(7.5 / 3.5), 1e-15);
    CHECK(isnan(eng_disprop_ic(-1, 3, ci)) && isnan(ci[0]));
}

TEST(prior_changes_only_ebgm)
{
    const struct eng_disprop_table t = {10, 190, 500, 49300};
    const struct eng_ebgm_prior fitted = {
        3.2537864286, 0.3998883660, 2.0261305352, 1.9080825983, 0.0653457004};
    struct eng_disprop r1, r2;
    CHECK_INT(eng_disprop_compute(&t, NULL, &r1), 0);
    CHECK_INT(eng_disprop_compute(&t, &fitted, &r2), 0);
    CHECK(r1.prr == r2.prr && r1.ic025 == r2.ic025 && r1.chi2 == r2.chi2);
    CHECK(r1.ebgm != r2.ebgm);
    CHECK(r2.eb05 < r2.ebgm && r2.ebgm < r2.eb95);
}

int main(void)
{
    RUN(reference_tables_printed_digits);
    RUN(reference_tables_full_precision);
    RUN(zero_a_reference_row);
    RUN(zero_cell_policy);
    RUN(invalid_tables_rejected);
    RUN(swapping_rows_and_columns);
    RUN(independent_table);
    RUN(yates_below_pearson);
    RUN(more_data_narrows_intervals);
    RUN(intervals_contain_estimates);
    RUN(ic_reference_points);
    RUN(prior_changes_only_ebgm);
    return test_report();
}
