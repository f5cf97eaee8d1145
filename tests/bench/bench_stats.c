/*
 * bench_stats.c - wall time of the statistics stage (`make bench`,
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
 * Not here: the pipeline around the tests (bench_stages.c), power and
 * sample-size calculations, group-sequential and risk-adjusted designs,
 * and any pass/fail on speed: the targets are printed, never enforced.
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_binomial.h"
#include "devsurv/eng_cusum.h"
#include "devsurv/eng_ebgm.h"
#include "devsurv/eng_maxsprt.h"
#include "devsurv/eng_sprt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_DEFAULT_N 10000000
#define S_SEED      0x5eed57a7u
#define S_CHUNK     65536
#define S_CELLS     256 /* a power of two: cell = random bits & mask */
#define S_REPS_MAX  32
#define S_ROWS_MAX  16
#define S_HIT_CALLS 1000000L
#define S_TWO_PI    6.283185307179586

/* ---- splitmix64 and the draws built on it ---- */

static uint64_t s_rng_state;

static uint64_t s_rng(void)
{
    uint64_t z = (s_rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1) from the top 53 bits of r. */
static double s_unif_of(uint64_t r)
{
    return ((double)(r >> 11) + 0.5) * 0x1.0p-53;
}

static double s_unif(void)
{
    return s_unif_of(s_rng());
}

static double s_normal(void)
{
    return sqrt(-2 * log(s_unif())) * cos(S_TWO_PI * s_unif());
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

/* ---- timing ---- */

static uint64_t s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int s_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* A duration in ns with a unit that keeps 3-4 significant digits. */
static const char *s_dur(char *buf, size_t cap, double ns)
{
    if (ns < 1e3)
        snprintf(buf, cap, "%.1f ns", ns);
    else if (ns < 1e6)
        snprintf(buf, cap, "%.2f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, cap, "%.2f ms", ns / 1e6);
    else
        snprintf(buf, cap, "%.3f s", ns / 1e9);
    return buf;
}

static int s_fail(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int s_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "bench_stats: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* ---- the calculation table ---- */

struct s_calc {
    const char *name;
    const char *cache; /* "bypassed", "hit", "none" */
    const char *r_ref; /* stats.md 8 as printed; NULL: no reference */
    double r_lo, r_hi; /* the same, seconds */
    double target;     /* the target, seconds; 0: none */
    int reps;
    long calls;            /* calls per repetition */
    double med_ns, min_ns; /* per call */
    char value[40];        /* what the calls computed */
};

static struct s_calc s_calcs[S_ROWS_MAX];
static size_t s_ncalcs;

/* Add row *proto with the per-repetition times ns[0..reps) (sorted here). */
static void s_calc_add(const struct s_calc *proto, uint64_t *ns,
                       const char *value)
{
    if (s_ncalcs == S_ROWS_MAX || proto->reps < 1)
        return;
    struct s_calc *r = &s_calcs[s_ncalcs++];
    int n = proto->reps;
    *r = *proto;
    qsort(ns, (size_t)n, sizeof *ns, s_cmp_u64);
    double med = n % 2 ? (double)ns[n / 2]
                       : ((double)ns[n / 2 - 1] + (double)ns[n / 2]) / 2;
    r->med_ns = med / (double)r->calls;
    r->min_ns = (double)ns[0] / (double)r->calls;
    snprintf(r->value, sizeof r->value, "%s", value);
}

static void s_print_calcs(void)
{
    char med[24], min[24], ratio[24], target[32];
    printf("%-34s %4s %7s %10s %10s  %-8s %-22s %-14s %-11s %s\n",
           "calculation", "reps", "calls", "median", "min", "cache", "result",
           "R (stats.md 8)", "R/ours", "target");
    for (size_t i = 0; i < s_ncalcs; i++) {
        const struct s_calc *r = &s_calcs[i];
        double s = r->med_ns / 1e9;
        snprintf(ratio, sizeof ratio, "-");
        if (r->r_ref && s > 0 && r->r_lo == r->r_hi)
            snprintf(ratio, sizeof ratio, "%.0fx", r->r_lo / s);
        else if (r->r_ref && s > 0)
            snprintf(ratio, sizeof ratio, "%.0f-%.0fx", r->r_lo / s,
                     r->r_hi / s);
        snprintf(target, sizeof target, "-");
        if (r->target > 0)
            snprintf(target, sizeof target, "< %g %s: %s",
                     r->target < 1 ? r->target * 1e3 : r->target,
                     r->target < 1 ? "ms" : "s", s < r->target ? "yes" : "NO");
        printf("%-34s %4d %7ld %10s %10s  %-8s %-22s %-14s %-11s %s\n", r->name,
               r->reps, r->calls, s_dur(med, sizeof med, r->med_ns),
               s_dur(min, sizeof min, r->min_ns), r->cache, r->value,
               r->r_ref ? r->r_ref : "-", ratio, target);
    }
}

/* One untimed warm-up run of fn, then reps timed runs into ns[]. */
static int s_time_reps(int (*fn)(void *), void *ctx, int reps, uint64_t *ns)
{
    if (fn(ctx) != 0)
        return -1;
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = s_now_ns();
        int rc = fn(ctx);
        ns[i] = s_now_ns() - t0;
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- Poisson MaxSPRT critical values ---- */

struct s_pcv {
    double T;
    double cv, attained, first;
    int rc;
    bool differs; /* a call gave another cv than the first */
};

static int s_pcv_call(void *ctx)
{
    struct s_pcv *p = ctx;
    p->rc = eng_maxsprt_cv(p->T, 0.05, 1, 0.0, &p->cv, &p->attained);
    if (p->rc != 0)
        return -1;
    if (p->first == 0)
        p->first = p->cv;
    p->differs |= p->cv != p->first;
    return 0;
}

/* The critical values timed, with stats.md 1.6 and 8. */
static const struct s_pcv_case {
    const char *name;
    double T, ref;
    const char *r_ref;
    double r_lo, r_hi, target;
} s_pcv_cases[] = {
    {"poisson-cv T=20 (a .05, M 1, D 0)", 20, 3.628123, "0.18-0.23 s", 0.18,
     0.23, 0},
    {"poisson-cv T=50 (a .05, M 1, D 0)", 50, 3.819903, "0.9-1.0 s", 0.9, 1.0,
     0},
    {"poisson-cv T=200 (a .05, M 1, D 0)", 200, 4.074828, "15-24 s", 15, 24,
     0.010},
};

static int s_run_pcv(const struct s_pcv_case *c, double *cv)
{
    uint64_t ns[S_REPS_MAX];
    struct s_pcv p = {.T = c->T};
    char value[40];
    struct s_calc row = {.name = c->name,
                         .cache = "bypassed",
                         .r_ref = c->r_ref,
                         .r_lo = c->r_lo,
                         .r_hi = c->r_hi,
                         .target = c->target,
                         .reps = 15,
                         .calls = 1};
    if (s_time_reps(s_pcv_call, &p, row.reps, ns) != 0)
        return s_fail(c->name, "eng_maxsprt_cv: %s", ds_strerror(p.rc));
    snprintf(value, sizeof value, "cv %.7f", p.cv);
    s_calc_add(&row, ns, value);
    *cv = p.cv;
    if (fabs(p.cv - c->ref) > 1e-6)
        return s_fail(c->name, "cv %.9f, stats.md 1.6 says %.6f", p.cv, c->ref);
    if (fabs(p.attained - 0.05) > 1e-9)
        return s_fail(c->name, "attained alpha %.12f, not .05", p.attained);
    if (p.differs)
        return s_fail(c->name, "repeated calls gave different cvs");
    return 0;
}

struct s_hit {
    struct eng_maxsprt_cv_cache cache;
    double cold; /* the value computed without the cache */
    int rc;
    long wrong; /* hits that returned another value */
};

static int s_hit_call(void *ctx)
{
    struct s_hit *h = ctx;
    for (long i = 0; i < S_HIT_CALLS; i++) {
        double cv;
        int rc = eng_maxsprt_cv_cached(&h->cache, 200, 0.05, 1, 0.0, &cv);
        h->rc |= rc;
        h->wrong += rc != 0 || cv != h->cold;
    }
    return h->rc != 0 ? -1 : 0;
}

static int s_run_hit(double cold)
{
    const char *name = "poisson-cv T=200 through cv cache";
    uint64_t ns[S_REPS_MAX];
    struct s_hit h = {.cold = cold};
    struct s_calc row = {
        .name = name, .cache = "hit", .reps = 5, .calls = S_HIT_CALLS};
    eng_maxsprt_cv_cache_init(&h.cache);
    /* the warm-up run's first call is the one miss that fills the slot */
    if (s_time_reps(s_hit_call, &h, row.reps, ns) != 0)
        return s_fail(name, "eng_maxsprt_cv_cached: %s", ds_strerror(h.rc));
    char value[40];
    snprintf(value, sizeof value, "%lu miss, %lu hits", h.cache.misses,
             h.cache.hits);
    s_calc_add(&row, ns, value);
    unsigned long all = (unsigned long)(row.reps + 1) * S_HIT_CALLS;
    if (h.wrong || h.cache.misses != 1 || h.cache.hits != all - 1)
        return s_fail(name, "%ld wrong values, %lu misses, %lu hits", h.wrong,
                      h.cache.misses, h.cache.hits);
    return 0;
}

/* ---- binomial MaxSPRT critical value ---- */

struct s_bcv {
    struct eng_binomial_design d;
    struct eng_binomial_cv out;
    double first;
    int rc;
    bool differs;
};

static int s_bcv_call(void *ctx)
{
    struct s_bcv *b = ctx;
    b->rc = eng_binomial_cv(&b->d, 0.05, &b->out);
    if (b->rc != 0)
        return -1;
    if (b->first == 0)
        b->first = b->out.cv;
    b->differs |= b->out.cv != b->first;
    return 0;
}

static int s_run_bcv(struct eng_binomial_cv *cv)
{
    const char *name = "binomial-cv N=200 (z 1, M 1, a .05)";
    uint64_t ns[S_REPS_MAX];
    struct s_bcv b = {.d = {.n_max = 200, .z = 1.0, .min_cases = 1}};
    struct s_calc row = {.name = name,
                         .cache = "none",
                         .r_ref = "1.0-3.5 s",
                         .r_lo = 1.0,
                         .r_hi = 3.5,
                         .target = 0.010,
                         .reps = 15,
                         .calls = 1};
    if (s_time_reps(s_bcv_call, &b, row.reps, ns) != 0)
        return s_fail(name, "eng_binomial_cv: %s", ds_strerror(b.rc));
    char value[40];
    snprintf(value, sizeof value, "cv %.5f a %.7f", b.out.cv_package,
             b.out.alpha);
    s_calc_add(&row, ns, value);
    *cv = b.out;
    if (fabs(b.out.cv_package - 3.68065) > 1e-9 ||
        fabs(b.out.alpha - 0.0491322150) > 1e-9)
        return s_fail(name,
                      "cv %.9f alpha %.12f, stats.md 2 says 3.68065 "
                      "and 0.0491322150",
                      b.out.cv_package, b.out.alpha);
    if (b.differs)
        return s_fail(name, "repeated calls gave different cvs");
    return 0;
}

/* ---- EBGM: fit and scoring of 17,000 cells ---- */

#define S_EBGM_CELLS 17000
#define S_EBGM_SEED  20240601u /* tests/engine/test_eng_ebgm.c */
#define S_EBGM_REPS  7

/* count cells from the zero-truncated mixture (openEBGM's model): the
 * component first, then lambda and N ~ Poisson(lambda E) until N >= 1. */
static int s_synth(struct eng_ebgm_table *t, const struct eng_ebgm_prior *th,
                   size_t count, uint64_t seed)
{
    s_rng_state = seed;
    while (t->count < count) {
        double e = exp(log(0.01) + s_unif() * log(1000.0)), n = 0;
        bool first = s_unif() < th->p;
        while (n < 1)
            n = s_poisson(e * (first ? s_gamma(th->alpha1) / th->beta1
                                     : s_gamma(th->alpha2) / th->beta2));
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
    uint64_t fit_ns[S_REPS_MAX], score_ns[S_REPS_MAX], both_ns[S_REPS_MAX];
};

/* One untimed run, then S_EBGM_REPS timed runs of fit + scoring. */
static int s_ebgm_runs(struct s_ebgm *w)
{
    for (int i = -1; i < S_EBGM_REPS; i++) {
        uint64_t t0 = s_now_ns();
        int rc = eng_ebgm_fit(&w->t, &w->fit);
        uint64_t t1 = s_now_ns();
        double sum = s_score_all(&w->fit.theta, &w->t, &w->bad);
        uint64_t t2 = s_now_ns();
        if (rc != 0)
            return s_fail("ebgm fit", "eng_ebgm_fit: %s", ds_strerror(rc));
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

static int s_run_ebgm(void)
{
    const struct eng_ebgm_prior gen = {3.25, 0.40, 2.03, 1.91, 0.065};
    struct s_ebgm *w = calloc(1, sizeof *w);
    char value[40];
    if (!w)
        return s_fail("ebgm", "out of memory");
    eng_ebgm_table_init(&w->t);
    int rc = s_synth(&w->t, &gen, S_EBGM_CELLS, S_EBGM_SEED);
    if (rc != 0)
        rc = s_fail("ebgm", "cannot build the table");
    if (rc == 0)
        rc = s_ebgm_runs(w);
    if (rc == 0) {
        struct s_calc fit = {.name = "ebgm fit, 17000 cells",
                             .cache = "none",
                             .r_ref = "0.86 s",
                             .r_lo = 0.86,
                             .r_hi = 0.86,
                             .reps = S_EBGM_REPS,
                             .calls = 1};
        struct s_calc score = fit, both = fit;
        snprintf(value, sizeof value, "negLL %.4f", w->fit.neg_log_lik);
        s_calc_add(&fit, w->fit_ns, value);
        score.name = "ebgm scoring, 17000 cells";
        score.r_ref = "1.19 s";
        score.r_lo = score.r_hi = 1.19;
        snprintf(value, sizeof value, "mean EBGM %.5f",
                 w->score_sum / (double)w->t.count);
        s_calc_add(&score, w->score_ns, value);
        both.name = "ebgm fit + scoring, 17000 cells";
        both.r_ref = "2.05 s";
        both.r_lo = both.r_hi = 2.05;
        both.target = 0.2;
        snprintf(value, sizeof value, "p %.5f", w->fit.theta.p);
        s_calc_add(&both, w->both_ns, value);
        double gen_nll = eng_ebgm_negll(&gen, w->t.n, w->t.e, w->t.count);
        if (w->t.count != S_EBGM_CELLS || w->bad ||
            !(w->fit.neg_log_lik <= gen_nll) ||
            fabs(w->fit.theta.p - gen.p) > 0.01)
            rc = s_fail("ebgm",
                        "%zu cells, %ld bad scores, negLL %.6f "
                        "(generating prior %.6f), p %.6f (generating %.3f)",
                        w->t.count, w->bad, w->fit.neg_log_lik, gen_nll,
                        w->fit.theta.p, gen.p);
        else if (w->differs)
            rc = s_fail("ebgm", "repeated fits or scorings differ");
    }
    eng_ebgm_table_clear(&w->t);
    free(w);
    return rc;
}

/* ---- per-event updates ---- */

struct s_ev {
    double x;      /* exposure before the event, or the outcome's risk */
    uint32_t cell; /* the surveillance cell it belongs to */
    uint32_t flag; /* case (binomial) or outcome (CUSUM) */
};

struct s_upd;
typedef void (*s_gen_fn)(struct s_ev *ev, size_t n);
typedef void (*s_run_fn)(struct s_upd *u, const struct s_ev *ev, size_t n);

struct s_upd {
    const char *name;
    s_gen_fn gen;
    s_run_fn run;
    uint64_t seed, n, ns;
    uint64_t runs, signals, bad; /* tests ended, signals, odd verdicts */
    double sum;                  /* the checksum */
    double want;                 /* exact H0 P(signal), or ARL0 (CUSUM) */
    char check[48];
};

/* Per-test parameters and cells. */
static struct eng_maxsprt_params s_mx_p;
static struct {
    int64_t c;
    double mu;
} s_mx[S_CELLS];
static struct eng_binomial_params s_bn_p;
static struct eng_binomial_state s_bn[S_CELLS];
static struct eng_cusum_params s_cu_p;
static double s_cu_p0;
static struct eng_cusum_state s_cu[S_CELLS];
static struct eng_sprt_poisson s_sp_p;
static struct eng_sprt_state s_sp[S_CELLS];

/* An event after Exp(1) H0-expected exposure (the next arrival). */
static void s_gen_arrival(struct s_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = s_rng();
        ev[i] = (struct s_ev){-log(s_unif_of(r)), (uint32_t)(r % S_CELLS), 0};
    }
}

/* A case with probability 1/(1+z) = 1/2. */
static void s_gen_case(struct s_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = s_rng();
        ev[i] = (struct s_ev){0, (uint32_t)(r % S_CELLS), (uint32_t)(r >> 63)};
    }
}

/* An outcome with probability p0, risk p0. */
static void s_gen_outcome(struct s_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = s_rng();
        ev[i] = (struct s_ev){s_cu_p0, (uint32_t)(r % S_CELLS),
                              s_unif_of(r) < s_cu_p0};
    }
}

static void s_run_mx(struct s_upd *u, const struct s_ev *ev, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double llr;
        uint32_t k = ev[i].cell;
        s_mx[k].c++;
        s_mx[k].mu += ev[i].x;
        enum eng_maxsprt_verdict v =
            eng_maxsprt_test(&s_mx_p, s_mx[k].c, s_mx[k].mu, &llr);
        sum += llr;
        if (v != ENG_MAXSPRT_CONTINUE) {
            u->runs++;
            u->signals += v == ENG_MAXSPRT_SIGNAL;
            u->bad += v == ENG_MAXSPRT_UNDEFINED;
            s_mx[k].c = 0;
            s_mx[k].mu = 0;
        }
    }
    u->sum += sum;
}

static void s_run_bn(struct s_upd *u, const struct s_ev *ev, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double llr;
        uint32_t k = ev[i].cell;
        enum eng_binomial_verdict v =
            eng_binomial_add(&s_bn[k], &s_bn_p, ev[i].flag != 0, &llr);
        sum += llr;
        if (v != ENG_BINOMIAL_CONTINUE) {
            u->runs++;
            u->signals += v == ENG_BINOMIAL_SIGNAL;
            eng_binomial_init(&s_bn[k]);
        }
    }
    u->sum += sum;
}

static void s_run_cu(struct s_upd *u, const struct s_ev *ev, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double value;
        uint32_t k = ev[i].cell;
        enum eng_cusum_verdict v = eng_cusum_update(
            &s_cu[k], &s_cu_p, ev[i].flag != 0, ev[i].x, &value);
        sum += value;
        u->signals += v == ENG_CUSUM_SIGNAL;
        u->bad += v == ENG_CUSUM_INVALID;
    }
    u->sum += sum;
}

static void s_run_sp(struct s_upd *u, const struct s_ev *ev, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = ev[i].cell;
        enum eng_sprt_verdict v =
            eng_sprt_poisson_add(&s_sp[k], &s_sp_p, ev[i].x, 1);
        sum += s_sp[k].llr;
        if (v != ENG_SPRT_CONTINUE) {
            u->runs++;
            u->signals += v == ENG_SPRT_SIGNAL;
            u->bad += v == ENG_SPRT_INVALID || v == ENG_SPRT_ACCEPT;
            eng_sprt_init(&s_sp[k]);
        }
    }
    u->sum += sum;
}

/* Generate n events in chunks (untimed) and time the updates. */
static void s_drive(struct s_upd *u, size_t n, struct s_ev *buf)
{
    s_rng_state = u->seed;
    u->n = n;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < S_CHUNK ? n - done : S_CHUNK;
        u->gen(buf, k);
        uint64_t t0 = s_now_ns();
        u->run(u, buf, k);
        u->ns += s_now_ns() - t0;
        done += k;
    }
}

/* H0 signal rate of the finished tests against the exact u->want. The
 * test running in each cell at the end is left out, and it is more likely
 * one that has not signalled: with at least 20 finished tests per cell
 * that biases the rate up by at most 5 % of itself, well inside 6 SE. */
static int s_check_rate(struct s_upd *u)
{
    if (u->bad)
        return s_fail(u->name, "%llu odd verdicts", (unsigned long long)u->bad);
    if (u->runs < 20 * S_CELLS) {
        snprintf(u->check, sizeof u->check, "%llu runs: too few to check",
                 (unsigned long long)u->runs);
        return 0;
    }
    double obs = (double)u->signals / (double)u->runs;
    double se = sqrt(u->want * (1 - u->want) / (double)u->runs);
    snprintf(u->check, sizeof u->check, "P(signal) %.4f, exact %.4f", obs,
             u->want);
    if (fabs(obs - u->want) > 6 * se)
        return s_fail(u->name,
                      "H0 signal rate %.5f over %llu tests, exact %.5f "
                      "(6 SE = %.5f)",
                      obs, (unsigned long long)u->runs, u->want, 6 * se);
    return 0;
}

/* Observed ARL0 against the lattice value u->want: 6 standard errors (run
 * lengths are near geometric, sd ~ ARL) plus 3 % for the lattice. All
 * patients over all signals: with ~25 runs per chart, dropping each
 * chart's unfinished run would bias the mean down by ~4 % (the run that
 * straddles the end is the longer one); renewal theory makes this ratio
 * nearly unbiased when sd ~ mean. */
static int s_check_arl(struct s_upd *u)
{
    u->runs = u->signals;
    if (u->bad)
        return s_fail(u->name, "%llu invalid updates",
                      (unsigned long long)u->bad);
    if (u->signals < 1000) {
        snprintf(u->check, sizeof u->check, "%llu signals: too few to check",
                 (unsigned long long)u->signals);
        return 0;
    }
    double obs = (double)u->n / (double)u->signals;
    double tol = 6 * u->want / sqrt((double)u->signals) + 0.03 * u->want;
    snprintf(u->check, sizeof u->check, "ARL0 %.0f, lattice %.1f", obs,
             u->want);
    if (fabs(obs - u->want) > tol)
        return s_fail(u->name,
                      "ARL0 %.1f over %llu signals, lattice %.1f "
                      "(tolerance %.1f)",
                      obs, (unsigned long long)u->signals, u->want, tol);
    return 0;
}

/* Parameters and exact H0 values of the four streams. */
static int s_upd_setup(struct s_upd *u, double mx_cv,
                       const struct eng_binomial_cv *bcv)
{
    struct eng_sprt_oc oc;
    struct eng_cusum_arl arl;
    double a, b;
    s_mx_p = (struct eng_maxsprt_params){
        .cv = mx_cv, .min_events = 1, .max_expected = 200, .delay = 0};
    u[0].want = 0.05; /* the attained alpha of mx_cv, checked above */
    s_bn_p = (struct eng_binomial_params){
        .cv = bcv->cv, .z = 1, .min_cases = 1, .n_max = 200};
    u[1].want = bcv->alpha;
    s_cu_p = (struct eng_cusum_params){.r0 = 1, .ra = 2, .h = 3};
    s_cu_p0 = 0.05;
    int rc = eng_cusum_arl_bernoulli(&s_cu_p, s_cu_p0, 1.0, 0, &arl);
    if (rc != 0)
        return s_fail("cusum", "eng_cusum_arl_bernoulli: %s", ds_strerror(rc));
    u[2].want = arl.arl;
    if (fabs(arl.arl - 1525.5) > 0.005 * 1525.5)
        return s_fail("cusum", "ARL0 %.2f, stats.md 6.3 says 1525.5", arl.arl);
    rc = eng_sprt_bounds(0.05, 0.2, &a, &b);
    s_sp_p = (struct eng_sprt_poisson){
        .rr1 = 2, .a = a, .b = -INFINITY, .t_max = 50};
    if (rc == 0)
        rc = eng_sprt_poisson_exact(&s_sp_p, 1.0, &oc);
    if (rc != 0)
        return s_fail("sprt", "%s", ds_strerror(rc));
    u[3].want = oc.p_upper;
    if (fabs(oc.p_upper - 0.0495635635) > 1e-9)
        return s_fail("sprt", "exact alpha %.10f, stats.md 4: 0.0495635635",
                      oc.p_upper);
    for (size_t k = 0; k < S_CELLS; k++) {
        eng_binomial_init(&s_bn[k]);
        eng_cusum_init(&s_cu[k]);
        eng_sprt_init(&s_sp[k]);
    }
    return 0;
}

static void s_print_upds(const struct s_upd *u, size_t n)
{
    printf("%-38s %9s %8s %10s %9s %7s %7s %-30s %s\n", "update", "updates",
           "seconds", "updates/s", "ns/update", "runs", "signals", "H0 check",
           "checksum");
    for (size_t i = 0; i < n; i++) {
        double s = (double)u[i].ns / 1e9;
        printf("%-38s %9llu %8.3f %10.0f %9.2f %7llu %7llu %-30s %.9e\n",
               u[i].name, (unsigned long long)u[i].n, s,
               (double)u[i].n / (s > 0 ? s : 1e-9),
               (double)u[i].ns / (double)(u[i].n ? u[i].n : 1),
               (unsigned long long)u[i].runs, (unsigned long long)u[i].signals,
               u[i].check, u[i].sum);
    }
}

static int s_run_upds(size_t n, double mx_cv, const struct eng_binomial_cv *bcv)
{
    struct s_upd u[] = {
        {.name = "poisson maxsprt  eng_maxsprt_test",
         .gen = s_gen_arrival,
         .run = s_run_mx},
        {.name = "binomial maxsprt eng_binomial_add",
         .gen = s_gen_case,
         .run = s_run_bn},
        {.name = "bernoulli cusum  eng_cusum_update",
         .gen = s_gen_outcome,
         .run = s_run_cu},
        {.name = "poisson sprt     eng_sprt_poisson_add",
         .gen = s_gen_arrival,
         .run = s_run_sp},
    };
    size_t nu = sizeof u / sizeof u[0];
    struct s_ev *buf = malloc(S_CHUNK * sizeof *buf);
    int rc = buf ? s_upd_setup(u, mx_cv, bcv) : s_fail("updates", "no memory");
    for (size_t i = 0; rc == 0 && i < nu; i++) {
        u[i].seed = S_SEED + i;
        s_drive(&u[i], n, buf);
    }
    for (size_t i = 0; rc == 0 && i < nu; i++)
        rc |= i == 2 ? s_check_arl(&u[i]) : s_check_rate(&u[i]);
    free(buf);
    if (buf)
        s_print_upds(u, nu);
    return rc;
}

/* ---- main ---- */

static int s_parse_n(int argc, char **argv, size_t *n)
{
    char *end;
    if (argc == 1)
        return 0;
    errno = 0;
    unsigned long long v = strtoull(argv[1], &end, 10);
    if (argc > 2 || errno || *end || v < 1 || v > 1000000000) {
        fprintf(stderr,
                "usage: bench_stats [N events per test (1..1000000000, "
                "default %d)]\n",
                S_DEFAULT_N);
        return -1;
    }
    *n = (size_t)v;
    return 0;
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
           n, S_CELLS);
}

int main(int argc, char **argv)
{
    size_t n = S_DEFAULT_N;
    double cv = 0, cv200 = 4.074828; /* stats.md 1.6 if the solve fails */
    struct eng_binomial_cv bcv = {.cv = 3.68065, .alpha = 0.05};
    if (s_parse_n(argc, argv, &n) != 0)
        return 64;
    printf("statistics stage: exact calculations\n");
    fflush(stdout);
    int rc = 0;
    for (size_t i = 0; i < sizeof s_pcv_cases / sizeof s_pcv_cases[0]; i++) {
        cv = 0;
        int r = s_run_pcv(&s_pcv_cases[i], &cv);
        if (cv > 0 && s_pcv_cases[i].T == 200)
            cv200 = cv; /* even when wrong: the cache must return it */
        rc |= r;
    }
    rc |= s_run_hit(cv200);
    rc |= s_run_bcv(&bcv);
    rc |= s_run_ebgm();
    s_print_calcs();
    printf("\nstatistics stage: per-event updates\n");
    fflush(stdout);
    rc |= s_run_upds(n, cv200, &bcv);
    s_notes(n);
    return rc != 0;
}
