/*
 * test_eng_plan_stat.c - per-cell statistics of a plan (eng_plan_stat.h):
 * each method signals at the hand-checked step, ENDED, rearm, refusals of
 * designs without a solution, the design JSON, and the cell's bytes
 * (round trip, refusal of truncated and garbled input).
 *
 * Hand values (awk):
 *   Poisson, T 20, alpha .05, M 1: cv 3.628123 (stats.md 1.6). At mu = 1:
 *     LLR(4, 1) = -3 + 4 ln 4 = 2.545, LLR(5, 1) = -4 + 5 ln 5 = 4.047.
 *   Binomial, N 20, z 1, alpha .05: cv = w_hi = 3.369114 (stats.md 2);
 *     c == n: LLR = n ln 2: 4 ln 2 = 2.773, 5 ln 2 = 3.466.
 *   CUSUM p0 .05, OR 2 (stats.md 6.1): W1 = 0.644357016, W0 =
 *     -0.048790164; y = 1,0,1,1 -> S = 0.644357, 0.595567, 1.239924,
 *     1.884281 (< h 1.9), then y = 1 -> 2.528638 >= 1.9.
 *   Table (3, 10, 5, 985): PRR = (3/13)/(5/990) = 45.69.
 */
#include "devsurv/eng_plan_stat.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <math.h>
#include <string.h>

/* A plan with the defaults of eng_plan.h. */
static struct eng_plan s_plan(enum eng_plan_method m)
{
    struct eng_plan p;
    memset(&p, 0, sizeof p);
    strcpy(p.id, "t");
    strcpy(p.file, "plans/t.plan");
    p.method = m;
    p.window_days = 365;
    p.alpha = 0.05;
    p.max_expected = 20;
    p.min_events = 1;
    p.max_events = 100;
    p.z = 1;
    p.odds_ratio = 2;
    p.prr_min = p.chi2_min = p.a_min = p.ic025_min = p.eb05_min = NAN;
    return p;
}

TEST(poisson_signals_at_fifth_event)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_POISSON);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    struct ds_diag diag;
    p.baseline_rate = 0.5;
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), 0);
    CHECK_NEAR(d.maxsprt.cv, 3.628123, 1e-6);
    CHECK_NEAR(d.threshold, d.maxsprt.cv, 0);
    CHECK_NEAR(d.alpha_attained, 0.05, 1e-9);
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE); /* mu 0 */
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.expected, 1.0, 0);
    for (int i = 2; i <= 4; i++)
        CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.statistic, -3 + 4 * log(4), 1e-12);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_SIGNAL);
    CHECK_NEAR(c.statistic, -4 + 5 * log(5), 1e-12);
    CHECK_INT(c.status, ENG_PLAN_CELL_SIGNALLED);
    CHECK_INT(c.signals, 1);
    /* signalled: counts count, no further test */
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(c.observed, 6);
    CHECK_NEAR(c.statistic, -4 + 5 * log(5), 1e-12);
    CHECK_STR(eng_plan_cell_status_name(c.status), "signalled");
}

TEST(poisson_ends_past_T_and_stays_ended)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_POISSON);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    p.baseline_rate = 1;
    p.max_expected = 2;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    CHECK_NEAR(d.maxsprt.cv, 3.046977, 1e-6);
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE); /* mu=T */
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(c.status, ENG_PLAN_CELL_WATCHING);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_ENDED);
    CHECK_INT(c.status, ENG_PLAN_CELL_ENDED);
    for (int i = 0; i < 10; i++)
        CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(c.status, ENG_PLAN_CELL_ENDED);
    eng_plan_stat_rearm(&d, &c); /* only signalled cells rearm */
    CHECK_INT(c.status, ENG_PLAN_CELL_ENDED);
    CHECK_STR(eng_plan_cell_status_name(c.status), "ended");
}

TEST(poisson_rearm_tests_the_new_segment)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_POISSON);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    p.baseline_rate = 0.5;
    p.after = ENG_PLAN_REARM;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    eng_plan_cell_init(&c);
    eng_plan_stat_exposure(&d, &c);
    eng_plan_stat_exposure(&d, &c);
    for (int i = 0; i < 5; i++)
        eng_plan_stat_event(&d, &c);
    CHECK_INT(c.status, ENG_PLAN_CELL_SIGNALLED);
    eng_plan_stat_rearm(&d, &c);
    CHECK_INT(c.status, ENG_PLAN_CELL_WATCHING);
    CHECK_INT(c.observed, 5);
    CHECK_NEAR(c.expected, 1, 0);
    /* the same 5-in-1 pattern is needed again from here */
    eng_plan_stat_exposure(&d, &c);
    eng_plan_stat_exposure(&d, &c);
    for (int i = 0; i < 4; i++)
        CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_SIGNAL);
    CHECK_INT(c.signals, 2);
    CHECK_INT(c.observed, 10);
}

TEST(poisson_expect_and_refusal)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_POISSON);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    struct ds_diag diag;
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), 0); /* family: rate 0 */
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.expected, 0, 0);
    CHECK_INT(eng_plan_stat_expect(&d, &c, NAN), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_expect(&d, &c, -1), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.expected, 0, 0);
    CHECK_INT(eng_plan_stat_expect(&d, &c, 21), ENG_PLAN_ENDED);
    p.max_expected = 1;
    p.min_events = 4; /* stats.md 1.5: refused, T_min = 1.37 */
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), DS_ECONFIG);
    CHECK_HAS(diag.msg, "max_expected must be >= 1.3");
    CHECK_STR(diag.file, "plans/t.plan");
    p.min_events = 1;
    p.alpha = 0.9;
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), DS_ECONFIG);
    CHECK_HAS(diag.msg, "alpha");
}

TEST(binomial_signals_at_fifth_case)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_BINOMIAL);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    p.max_events = 20;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    CHECK_NEAR(d.binomial.cv, 3.369114, 1e-6);
    CHECK_NEAR(d.alpha_attained, 0.0461368561, 1e-9);
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_comp_exposure(&d, &c), ENG_PLAN_CONTINUE);
    for (int i = 0; i < 4; i++)
        CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.statistic, 4 * log(2), 1e-12);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_SIGNAL);
    CHECK_INT(c.binomial.n, 5);
    CHECK_INT(eng_plan_stat_comp_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(c.comp_events, 1);
    CHECK_INT(c.binomial.n, 5); /* not tested while signalled */
    eng_plan_stat_rearm(&d, &c);
    CHECK_INT(c.binomial.n, 0);
    CHECK_INT(c.observed, 5);
}

TEST(binomial_ends_at_N)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_BINOMIAL);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    p.max_events = 20;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    eng_plan_cell_init(&c);
    for (int i = 0; i < 19; i++)
        CHECK_INT(eng_plan_stat_comp_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_ENDED);
    CHECK_INT(c.status, ENG_PLAN_CELL_ENDED);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(c.observed, 2);
}

TEST(binomial_refusal)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_BINOMIAL);
    struct eng_plan_design d;
    struct ds_diag diag;
    p.max_events = 3; /* (1/2)^3 = .125 > alpha */
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), DS_ECONFIG);
    CHECK_HAS(diag.msg, "max_events must be >= 5");
}

TEST(cusum_signals_at_fifth_trial)
{
    struct eng_plan p = s_plan(ENG_PLAN_CUSUM_BERNOULLI);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    const bool y[] = {1, 0, 1, 1};
    p.baseline_rate = 0.05;
    p.h = 1.9;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    eng_plan_cell_init(&c);
    for (int i = 0; i < 4; i++)
        CHECK_INT(eng_plan_stat_trial(&d, &c, y[i]), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.statistic, 1.884281, 1e-6);
    CHECK_INT(eng_plan_stat_exposure(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_event(&d, &c), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_trial(&d, &c, true), ENG_PLAN_SIGNAL);
    CHECK_NEAR(c.statistic, 2.528638, 1e-6);
    CHECK_INT(c.status, ENG_PLAN_CELL_SIGNALLED);
    for (int i = 0; i < 5; i++)
        CHECK_INT(eng_plan_stat_trial(&d, &c, true), ENG_PLAN_CONTINUE);
    CHECK_INT(c.cusum.n, 5);
    eng_plan_stat_rearm(&d, &c);
    CHECK_INT(c.status, ENG_PLAN_CELL_WATCHING);
    CHECK_INT(eng_plan_stat_trial(&d, &c, true), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.statistic, 0.644357016, 1e-8);
    p.h = 0;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), DS_ECONFIG);
}

TEST(disprop_all_thresholds)
{
    struct eng_plan p = s_plan(ENG_PLAN_DISPROP);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    struct eng_disprop_table t2 = {2, 10, 5, 985}, t3 = {3, 10, 5, 985};
    struct eng_disprop_table low = {3, 100, 30, 870};
    struct ds_diag diag;
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), DS_ECONFIG);
    p.prr_min = 2;
    p.chi2_min = 4;
    p.a_min = 3;
    CHECK_INT(eng_plan_design_init(&d, &p, &diag), 0);
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_table(&d, &c, &t2), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_table(&d, &c, &low), ENG_PLAN_CONTINUE);
    CHECK_INT(eng_plan_stat_table(&d, &c, &t3), ENG_PLAN_SIGNAL);
    CHECK_NEAR(c.statistic, (3.0 / 13) / (5.0 / 990), 1e-9);
    CHECK_INT(c.table.a, 3);
    CHECK_INT(eng_plan_stat_table(&d, &c, &t3), ENG_PLAN_CONTINUE);
    eng_plan_stat_rearm(&d, &c);
    CHECK_INT(eng_plan_stat_table(&d, &c, &t3), ENG_PLAN_SIGNAL);
    CHECK_INT(c.signals, 2);
}

TEST(disprop_ic_and_eb_statistic)
{
    struct eng_plan p = s_plan(ENG_PLAN_DISPROP);
    struct eng_plan_design d;
    struct eng_plan_cell c;
    struct eng_disprop_table t = {6, 20, 40, 5000};
    struct eng_disprop r;
    CHECK_INT(eng_disprop_compute(&t, NULL, &r), 0);
    p.ic025_min = 0;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_table(&d, &c, &t),
              r.ic025 > 0 ? ENG_PLAN_SIGNAL : ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.statistic, r.ic025, 1e-12);
    CHECK(r.ic025 > 0);
    p.ic025_min = NAN;
    p.eb05_min = r.eb05 + 0.01; /* just above: no signal */
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    eng_plan_cell_init(&c);
    CHECK_INT(eng_plan_stat_table(&d, &c, &t), ENG_PLAN_CONTINUE);
    CHECK_NEAR(c.statistic, r.eb05, 1e-12);
    CHECK_NEAR(c.expected, r.e, 1e-12);
}

TEST(design_params_json)
{
    struct eng_plan p = s_plan(ENG_PLAN_MAXSPRT_BINOMIAL);
    struct eng_plan_design d;
    char buf[512], tiny[8];
    p.max_events = 20;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    int n = eng_plan_design_params(&d, buf, sizeof buf);
    CHECK_INT(n, (int)strlen(buf));
    CHECK_STR(buf, "{\"method\":\"maxsprt-binomial\",\"alpha\":0.05,\"N\":20,"
                   "\"M\":1,\"z\":1,\"cv\":3.369113846,"
                   "\"alpha_attained\":0.04613685608}");
    CHECK_INT(eng_plan_design_params(&d, tiny, sizeof tiny), DS_ERANGE);
    CHECK_STR(tiny, "");
    p = s_plan(ENG_PLAN_DISPROP);
    p.prr_min = 2;
    CHECK_INT(eng_plan_design_init(&d, &p, NULL), 0);
    eng_plan_design_params(&d, buf, sizeof buf);
    CHECK_STR(buf, "{\"method\":\"disproportionality\",\"prr_min\":2,"
                   "\"chi2_min\":null,\"a_min\":null,\"ic025_min\":null,"
                   "\"eb05_min\":null}");
}

/* A cell with every field set, as a signalled, rearmed Poisson cell. */
static void s_full_cell(struct eng_plan_cell *c)
{
    eng_plan_cell_init(c);
    *c = (struct eng_plan_cell){.observed = 300,
                                .expected = 123.25,
                                .exposures = 1LL << 40,
                                .comp_events = 7,
                                .comp_exposures = 127,
                                .table = {1, 128, 16383, 16384},
                                .binomial = {9, 8, true},
                                .cusum = {0.5, 1000, 2},
                                .statistic = NAN,
                                .status = ENG_PLAN_CELL_SIGNALLED,
                                .base_observed = 299,
                                .base_expected = 100,
                                .signals = INT64_MAX};
}

static bool s_same(const struct eng_plan_cell *a, const struct eng_plan_cell *b)
{
    uint8_t x[ENG_PLAN_CELL_PACK_MAX], y[ENG_PLAN_CELL_PACK_MAX];
    size_t nx = eng_plan_cell_pack(a, x, sizeof x);
    size_t ny = eng_plan_cell_pack(b, y, sizeof y);
    return nx > 0 && nx == ny && memcmp(x, y, nx) == 0 &&
           a->observed == b->observed && a->status == b->status &&
           a->binomial.over == b->binomial.over && a->signals == b->signals &&
           a->table.d == b->table.d;
}

TEST(pack_round_trip)
{
    struct eng_plan_cell c, back;
    uint8_t buf[ENG_PLAN_CELL_PACK_MAX];
    eng_plan_cell_init(&c);
    size_t n = eng_plan_cell_pack(&c, buf, sizeof buf);
    CHECK_INT(n, 6); /* a fresh cell: header only */
    CHECK_INT(eng_plan_cell_unpack(&back, buf, n), 0);
    CHECK(s_same(&c, &back));
    s_full_cell(&c);
    n = eng_plan_cell_pack(&c, buf, sizeof buf);
    CHECK(n > 6 && n <= ENG_PLAN_CELL_PACK_MAX);
    CHECK_INT(eng_plan_cell_pack(&c, buf, n - 1), 0);
    CHECK_INT(eng_plan_cell_unpack(&back, buf, n), 0);
    CHECK(s_same(&c, &back));
    CHECK(isnan(back.statistic));
    CHECK_NEAR(back.expected, 123.25, 0);
    CHECK_NEAR(back.cusum.s, 0.5, 0);
    CHECK_INT(back.exposures, 1LL << 40);
    CHECK_INT(back.signals, INT64_MAX);
    /* byte order fixed: version, status, mask LE, observed 300 = ac 02 */
    CHECK_INT(buf[0], 1);
    CHECK_INT(buf[1], ENG_PLAN_CELL_SIGNALLED);
    CHECK_INT(buf[2], 0xFF);
    CHECK_INT(buf[6], 0xAC);
    CHECK_INT(buf[7], 0x02);
}

TEST(unpack_refuses_truncated_and_garbled)
{
    struct eng_plan_cell c, back;
    uint8_t buf[ENG_PLAN_CELL_PACK_MAX + 1], bad[ENG_PLAN_CELL_PACK_MAX + 1];
    s_full_cell(&c);
    size_t n = eng_plan_cell_pack(&c, buf, sizeof buf);
    eng_plan_cell_init(&back);
    back.observed = 42;
    for (size_t k = 0; k < n; k++)
        CHECK_INT(eng_plan_cell_unpack(&back, buf, k), DS_EPARSE);
    CHECK_INT(back.observed, 42); /* untouched on error */
    buf[n] = 0;
    CHECK_INT(eng_plan_cell_unpack(&back, buf, n + 1), DS_EPARSE);
    memcpy(bad, buf, n);
    bad[0] = 2; /* unknown version */
    CHECK_INT(eng_plan_cell_unpack(&back, bad, n), DS_EPARSE);
    memcpy(bad, buf, n);
    bad[1] = 3; /* unknown status */
    CHECK_INT(eng_plan_cell_unpack(&back, bad, n), DS_EPARSE);
    memcpy(bad, buf, n);
    bad[4] |= 0x08; /* bit 19: no such field */
    CHECK_INT(eng_plan_cell_unpack(&back, bad, n), DS_EPARSE);
    const uint8_t zero_field[] = {1, 0, 1, 0, 0, 0, 0};     /* observed 0 */
    const uint8_t overlong[] = {1, 0, 1, 0, 0, 0, 0x81, 0}; /* 1 as 2 B */
    const uint8_t ok_one[] = {1, 0, 1, 0, 0, 0, 1};
    const uint8_t nan_exp[] = {1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F};
    const uint8_t neg_exp[] = {1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0xBF};
    const uint8_t over2[] = {1, 0, 0, 0x08, 0, 0, 2};      /* binomial.over 2 */
    const uint8_t cases_gt_n[] = {1, 0, 0, 0x04, 0, 0, 1}; /* cases 1, n 0 */
    const uint8_t huge[] = {1,    0,    1,    0,    0,    0,
                            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                            0xFF, 0xFF, 0xFF, 0x01}; /* > 63 bits */
    CHECK_INT(eng_plan_cell_unpack(&back, zero_field, 7), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, overlong, 8), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, nan_exp, 14), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, neg_exp, 14), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, over2, 7), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, cases_gt_n, 7), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, huge, sizeof huge), DS_EPARSE);
    CHECK_INT(eng_plan_cell_unpack(&back, ok_one, 7), 0);
    CHECK_INT(back.observed, 1);
    CHECK_INT(eng_plan_cell_unpack(&back, NULL, 0), DS_EPARSE);
}

int main(void)
{
    RUN(poisson_signals_at_fifth_event);
    RUN(poisson_ends_past_T_and_stays_ended);
    RUN(poisson_rearm_tests_the_new_segment);
    RUN(poisson_expect_and_refusal);
    RUN(binomial_signals_at_fifth_case);
    RUN(binomial_ends_at_N);
    RUN(binomial_refusal);
    RUN(cusum_signals_at_fifth_trial);
    RUN(disprop_all_thresholds);
    RUN(disprop_ic_and_eb_statistic);
    RUN(design_params_json);
    RUN(pack_round_trip);
    RUN(unpack_refuses_truncated_and_garbled);
    return test_report();
}
