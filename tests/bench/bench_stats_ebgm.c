/*
 * bench_stats_ebgm.c - bench_stats' EBGM rows: eng_ebgm_fit on 17,000
 * cells drawn as tests/engine/test_eng_ebgm.c draws them, then
 * eng_ebgm_score of every cell, and both.
 */
#include "bench_stats.h"
#include "bench_util.h"

/* ---- EBGM: fit and scoring of 17,000 cells ---- */

#define S_EBGM_CELLS 17000
#define S_EBGM_SEED  20240601u /* tests/engine/test_eng_ebgm.c */
#define S_EBGM_REPS  7

/* count cells from the zero-truncated mixture (openEBGM's model): the
 * component first, then lambda and N ~ Poisson(lambda E) until N >= 1. */
static int s_synth(struct eng_ebgm_table *t, const struct eng_ebgm_prior *th,
                   size_t count, uint64_t seed)
{
    bench_rng_seed(seed);
    while (t->count < count) {
        double e = exp(log(0.01) + bst_unif() * log(1000.0)), n = 0;
        bool first = bst_unif() < th->p;
        while (n < 1)
            n = bst_poisson(e * (first ? bst_gamma(th->alpha1) / th->beta1
                                       : bst_gamma(th->alpha2) / th->beta2));
        if (eng_ebgm_table_add(t, n, e) != 0)
            return -1;
    }
    return 0;
}

/* Score every cell; *bad counts failures and disordered intervals. */
static double s_score_all(const struct eng_ebgm_prior *th,
                          const struct eng_ebgm_table *t, long *bad)
{
    double sum = 0;
    for (size_t i = 0; i < t->count; i++) {
        struct eng_ebgm_score s;
        if (eng_ebgm_score(th, t->n[i], t->e[i], &s) != 0 ||
            !(s.eb05 < s.ebgm && s.ebgm < s.eb95)) {
            (*bad)++;
            continue;
        }
        sum += s.ebgm;
    }
    return sum;
}

struct s_ebgm {
    struct eng_ebgm_table t;
    struct eng_ebgm_fit fit;
    double nll, score_sum;
    long bad;
    bool differs;
    uint64_t fit_ns[BST_REPS_MAX], score_ns[BST_REPS_MAX],
        both_ns[BST_REPS_MAX];
};

/* One untimed run, then S_EBGM_REPS timed runs of fit + scoring. */
static int s_ebgm_runs(struct s_ebgm *w)
{
    for (int i = -1; i < S_EBGM_REPS; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = eng_ebgm_fit(&w->t, &w->fit);
        uint64_t t1 = bench_now_ns();
        double sum = s_score_all(&w->fit.theta, &w->t, &w->bad);
        uint64_t t2 = bench_now_ns();
        if (rc != 0)
            return bench_fail("ebgm fit", "eng_ebgm_fit: %s", ds_strerror(rc));
        if (i < 0) {
            w->nll = w->fit.neg_log_lik;
            w->score_sum = sum;
            continue;
        }
        w->differs |= w->fit.neg_log_lik != w->nll || sum != w->score_sum;
        w->fit_ns[i] = t1 - t0;
        w->score_ns[i] = t2 - t1;
        w->both_ns[i] = t2 - t0;
    }
    return 0;
}

int bst_run_ebgm(void)
{
    const struct eng_ebgm_prior gen = {3.25, 0.40, 2.03, 1.91, 0.065};
    struct s_ebgm *w = calloc(1, sizeof *w);
    char value[40];
    if (!w)
        return bench_fail("ebgm", "out of memory");
    eng_ebgm_table_init(&w->t);
    int rc = s_synth(&w->t, &gen, S_EBGM_CELLS, S_EBGM_SEED);
    if (rc != 0)
        rc = bench_fail("ebgm", "cannot build the table");
    if (rc == 0)
        rc = s_ebgm_runs(w);
    if (rc == 0) {
        struct bst_calc fit = {.name = "ebgm fit, 17000 cells",
                               .cache = "none",
                               .r_ref = "0.86 s",
                               .r_lo = 0.86,
                               .r_hi = 0.86,
                               .reps = S_EBGM_REPS,
                               .calls = 1};
        struct bst_calc score = fit, both = fit;
        snprintf(value, sizeof value, "negLL %.4f", w->fit.neg_log_lik);
        bst_calc_add(&fit, w->fit_ns, value);
        score.name = "ebgm scoring, 17000 cells";
        score.r_ref = "1.19 s";
        score.r_lo = score.r_hi = 1.19;
        snprintf(value, sizeof value, "mean EBGM %.5f",
                 w->score_sum / (double)w->t.count);
        bst_calc_add(&score, w->score_ns, value);
        both.name = "ebgm fit + scoring, 17000 cells";
        both.r_ref = "2.05 s";
        both.r_lo = both.r_hi = 2.05;
        both.target = 0.2;
        snprintf(value, sizeof value, "p %.5f", w->fit.theta.p);
        bst_calc_add(&both, w->both_ns, value);
        double gen_nll = eng_ebgm_negll(&gen, w->t.n, w->t.e, w->t.count);
        if (w->t.count != S_EBGM_CELLS || w->bad ||
            !(w->fit.neg_log_lik <= gen_nll) ||
            fabs(w->fit.theta.p - gen.p) > 0.01)
            rc = bench_fail("ebgm",
                            "%zu cells, %ld bad scores, negLL %.6f "
                            "(generating prior %.6f), p %.6f (generating %.3f)",
                            w->t.count, w->bad, w->fit.neg_log_lik, gen_nll,
                            w->fit.theta.p, gen.p);
        else if (w->differs)
            rc = bench_fail("ebgm", "repeated fits or scorings differ");
    }
    eng_ebgm_table_clear(&w->t);
    free(w);
    return rc;
}
