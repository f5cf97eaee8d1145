/*
 * bench_stats_main.c - bench_stats' main and notes. The program
 * (bench_stats_*.c, bench_util.c) measures the wall time of the
 * statistics stage (`make bench`,
 * tests/bench/run.sh): the exact design calculations next to the R
 * timings of reference/stats.md section 8, and the per-event rate of the
 * streaming tests.
 *
 * Calculations (a row each: median and min wall time per call over a fixed
 * number of timed repetitions, after one untimed warm-up run):
 *   poisson-cv T = 20, 50, 200  eng_maxsprt_cv (alpha .05, M 1, D 0),
 *                               computed from scratch on every call: the
 *                               function keeps no state and the cv cache
 *                               (eng_maxsprt_cv_cached) is bypassed
 *   poisson-cv T = 200 cached   the same value from a primed cv cache (a
 *                               hit), for contrast: 10^6 calls a run
 *   binomial-cv N = 200         eng_binomial_cv (z 1, M 1, alpha .05)
 *   ebgm fit / scoring / both   eng_ebgm_fit on 17,000 cells drawn as
 *                               tests/engine/test_eng_ebgm.c draws them
 *                               (same prior, seed and generator), then
 *                               eng_ebgm_score of every cell; no cache
 * The R column is stats.md section 8 (R 4.2.2, Sequential 4.5.1, openEBGM,
 * a 2-vCPU VM): another machine, so R/ours is an order of magnitude.
 *
 * Per-event updates: N events per test (argv[1], default 10^7) over 256
 * surveillance cells, drawn under H0 from a fixed seed (splitmix64) in
 * chunks of 65536 outside the timed region; the time is the update plus
 * the loop's bookkeeping (find the cell, restart a test that is over).
 *   eng_maxsprt_test      Poisson MaxSPRT, T 200, the cv computed above:
 *                         an event after Exp(1) H0-expected exposure, so
 *                         testing at each event is the continuous test
 *                         and its H0 signal rate is the attained alpha
 *   eng_binomial_add      binomial MaxSPRT, N 200, z 1: case with p 1/2
 *   eng_cusum_update      Bernoulli CUSUM, p0 .05, OR 2, h 3: outcome
 *                         with p0; the chart restarts itself
 *   eng_sprt_poisson_add  Poisson SPRT, RR1 2, alpha .05, beta .2, upper
 *                         boundary only, T 50: arrivals as for MaxSPRT
 * The checksum (the statistic summed over every update) is printed so the
 * loops cannot be optimised away, and to compare runs on one machine.
 *
 * Sanity checks, so that a bench of a broken library fails loudly: every
 * value computed is checked against stats.md (CVs 1.6 to 1e-6, attained
 * alpha, binomial CV and alpha of section 2, SPRT alpha of section 4, the
 * CUSUM's lattice ARL0 of 6.3),
 * repeated calls must agree exactly, the EBGM fit must beat the generating
 * prior, and each stream's H0 signal rate (CUSUM: its ARL0, patients
 * per signal) must be within 6 standard errors of the exact value (CUSUM:
 * plus 3 % for the lattice). Exit 1 when a check fails or a call errs.
 *
 * Not here: the pipeline around the tests (bench_stages_*.c), power and
 * sample-size calculations, group-sequential and risk-adjusted designs,
 * and any pass/fail on speed: the targets are printed, never enforced.
 */
#include "bench_stats.h"
#include "bench_util.h"

#define S_DEFAULT_N 10000000

/* ---- main ---- */

static int s_parse_n(int argc, char **argv, size_t *n)
{
    if (bench_parse_n(argc, argv, 1000000000, n) == 0)
        return 0;
    fprintf(stderr,
            "usage: bench_stats [N events per test (1..1000000000, "
            "default %d)]\n",
            S_DEFAULT_N);
    return -1;
}

static void s_notes(size_t n)
{
    printf("\nHow to read this:\n"
           "- median / min: wall time of one call (a run's time over its "
           "calls), after one\n  untimed warm-up run. cache: bypassed = "
           "eng_maxsprt_cv computes every call\n  from scratch (it keeps no "
           "state; the cv cache is not used); hit = served by\n  a primed "
           "eng_maxsprt_cv_cache; none = the calculation has no cache.\n"
           "- R/ours: the R wall time of stats.md 8 (R 4.2.2, Sequential "
           "4.5.1, openEBGM,\n  a 2-vCPU VM, not this machine) over our "
           "median. poisson-cv is compared with\n  CV.Poisson's computed "
           "path (for alpha .05 on its grid R looks the value up\n  in a "
           "table in ~1 ms); EBGM with openEBGM autoHyper / scoring of "
           "17,189 pairs\n  (ours: 17,000 cells); fit + scoring with the "
           "sum of the two.\n"
           "- target: the goal of the issue, printed and never enforced.\n");
    printf("- updates: %zu H0 events per test over %d cells, generated "
           "in\n  chunks outside the timed loop. runs = tests that finished "
           "(signal or\n  end of surveillance), each restarted in place "
           "(the CUSUM chart\n  restarts itself after a signal).\n"
           "- H0 check: the observed signal rate (CUSUM: patients per "
           "signal) against the\n  exact value; a miss beyond 6 standard "
           "errors fails the bench, speed never.\n",
           n, BST_CELLS);
}

int main(int argc, char **argv)
{
    size_t n = S_DEFAULT_N;
    double cv200 = 4.074828; /* stats.md 1.6 if the solve fails */
    struct eng_binomial_cv bcv = {.cv = 3.68065, .alpha = 0.05};
    bench_init("bench_stats", true);
    if (s_parse_n(argc, argv, &n) != 0)
        return 64;
    printf("statistics stage: exact calculations\n");
    fflush(stdout);
    int rc = 0;
    rc |= bst_run_pcvs(&cv200);
    rc |= bst_run_hit(cv200);
    rc |= bst_run_bcv(&bcv);
    rc |= bst_run_ebgm();
    bst_print_calcs();
    printf("\nstatistics stage: per-event updates\n");
    fflush(stdout);
    rc |= bst_run_upds(n, cv200, &bcv);
    s_notes(n);
    return rc != 0;
}
