/*
 * eval_calibration.c - `make eval` stage calibration: do the plans' tests,
 * as the engine runs them (eng_plan_stat_*), have the false-alarm rate and
 * power their designs promise?
 *
 * For each design (one representative built-in design per method, and
 * every plan of rules/plans/ when the plan loader is in the library):
 *   null      S seeded streams with device rate = comparator rate (RR 1);
 *             false alarms x against the design's exact P(signal | H0):
 *             MaxSPRT: the attained alpha at the exact critical value
 *             (eng_maxsprt_cv / eng_binomial_cv); CUSUM: P(signal within
 *             the horizon) from the exact (a, b) recursion; the
 *             disproportionality screen: P(signal by the last look) from
 *             the exact multinomial recursion (it has no nominal alpha).
 *             ok when x lies in the central binomial region of Bin(S,
 *             target) at 95% (99.9% with --quick).
 *   elevated  RR 2 and 3: observed power against the exact power (same
 *             region), and the mean time to signal against the exact mean
 *             (eng_maxsprt_perf, eng_binomial_perf, the recursions; ok when
 *             |z| is within the level's normal quantile). Level 99% (99.9%
 *             with --quick): with 16 such checks, 95% would flag one by
 *             chance more often than not. The median time
 *             to signal is printed, against the exact median where the
 *             recursions give it.
 * Deterministic: stream i of design j uses xoshiro256** seeded from
 * (seed, j, i). Usage: eval_calibration [--quick] [--seed N] [--plans DIR
 * --rules DIR]. Exit 1 on a design error, and with --quick (a test: prints
 * ok/FAIL lines) on any OUT.
 *
 * Not here: the samplers (eval_calib_rng.c), the streams
 * (eval_calib_sim.c), the exact recursions (eval_calib_exact.c).
 */
#include "eval_calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devsurv/eng_plan.h"

struct s_opts {
    bool quick;
    uint64_t seed;
    int64_t streams, streams_alt;
    double conf;         /* level of the null check */
    double conf_alt, zq; /* level of the elevated checks, its normal
                            two-sided quantile (also for the times) */
    const char *plans, *rules;
};

static int s_outs; /* OUT verdicts */
static int s_errors;

static struct eng_plan s_plan(const char *id, enum eng_plan_method m)
{
    struct eng_plan p;
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.file, sizeof p.file, "(built-in)");
    p.method = m;
    p.alpha = 0.05;
    p.max_expected = 20;
    p.min_events = 1;
    p.max_events = 100;
    p.z = 1;
    p.odds_ratio = 2;
    p.prr_min = p.chi2_min = p.a_min = p.ic025_min = p.eb05_min = NAN;
    return p;
}

static struct ec_world s_world(const struct s_opts *o)
{
    return (struct ec_world){
        1, 0, o->quick ? 500 : 1000, o->quick ? 300 : 500, 10, 0.1, 0.05};
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct s_run {
    int64_t n, x;            /* streams, signals */
    double mean, sd, median; /* of the time to signal */
};

static void s_simulate(const struct eng_plan_design *d,
                       const struct ec_world *w, uint64_t seed, int64_t n,
                       struct s_run *out)
{
    double *t = malloc(sizeof *t * (size_t)n), s = 0, ss = 0;
    struct ec_rng r;
    struct ec_result res;
    out->n = n;
    out->x = 0;
    for (int64_t i = 0; i < n && t; i++) {
        ec_rng_seed(&r, seed, (uint64_t)i);
        ec_stream(d, w, &r, &res);
        if (res.signal) {
            t[out->x++] = res.time;
            s += res.time;
            ss += res.time * res.time;
        }
    }
    out->mean = out->x ? s / (double)out->x : NAN;
    out->sd = out->x > 1
                  ? sqrt((ss - s * s / (double)out->x) / (double)(out->x - 1))
                  : NAN;
    out->median = NAN;
    if (out->x) {
        qsort(t, (size_t)out->x, sizeof *t, s_cmp);
        out->median = t[(out->x - 1) / 2];
    }
    free(t);
}

/* The exact power, mean and median time at w->rr. 0 or -1. */
static int s_exact(const struct eng_plan_design *d, const struct ec_world *w,
                   struct ec_exact *e)
{
    const struct eng_plan *p = d->plan;
    e->median_time = NAN;
    e->lost = 0;
    if (p->method == ENG_PLAN_MAXSPRT_POISSON) {
        struct eng_maxsprt_perf pf;
        if (eng_maxsprt_perf(d->maxsprt.max_expected, d->maxsprt.cv,
                             (long)d->maxsprt.min_events, d->maxsprt.delay,
                             w->rr, &pf) != 0)
            return -1;
        e->power = pf.power;
        e->mean_time = pf.signal_time;
        return 0;
    }
    if (p->method == ENG_PLAN_MAXSPRT_BINOMIAL) {
        struct eng_binomial_design bd = {d->binomial.n_max, d->binomial.z,
                                         d->binomial.min_cases};
        struct eng_binomial_perf pf;
        if (eng_binomial_perf(&bd, d->binomial.cv, w->rr, &pf) != 0)
            return -1;
        e->power = pf.power;
        e->mean_time = pf.signal_events;
        return 0;
    }
    if (p->method == ENG_PLAN_CUSUM_BERNOULLI)
        return ec_exact_cusum(d, w, e);
    return ec_exact_disprop(d, w, e);
}

/* One line: RR, streams, signals, observed vs exact, region, times. */
static bool s_line(const struct s_opts *o, const struct ec_world *w,
                   const struct s_run *r, const struct ec_exact *e)
{
    int64_t lo, hi;
    ec_binom_region(r->n, e->power, w->rr == 1 ? o->conf : o->conf_alt, &lo,
                    &hi);
    bool ok = r->x >= lo && r->x <= hi;
    double se = r->sd / sqrt((double)r->x);
    double z = (r->mean - e->mean_time) / se;
    bool tok = !(r->x > 1 && fabs(z) > o->zq); /* NaN: no verdict */
    printf("  RR %-4g %6lld %6lld  %8.5f  %8.5f  [%.5f, %.5f]  %-3s", w->rr,
           (long long)r->n, (long long)r->x, (double)r->x / (double)r->n,
           e->power, (double)lo / (double)r->n, (double)hi / (double)r->n,
           ok ? "ok" : "OUT");
    printf("  mean %9.4g vs %9.4g (z %+5.2f %s)  median %8.4g vs %8.4g\n",
           r->mean, e->mean_time, isfinite(z) ? z : 0.0, tok ? "ok" : "OUT",
           r->median, e->median_time);
    if (e->lost > 1e-9)
        printf("        (exact recursion: %.2g of the mass beyond its "
               "bounds)\n",
               e->lost);
    s_outs += !ok + !tok;
    return ok && tok;
}

static void s_world_note(const struct eng_plan_design *d,
                         const struct ec_world *w)
{
    switch (d->plan->method) {
    case ENG_PLAN_MAXSPRT_POISSON:
        printf("  stream: exposures of %g H0-expected events each, then "
               "their Poisson events, until signal or mu > T; time = mu\n",
               d->plan->baseline_rate);
        break;
    case ENG_PLAN_MAXSPRT_BINOMIAL:
        printf("  stream: events, a case with P = RR/(RR+z), until signal "
               "or N; time = events\n");
        break;
    case ENG_PLAN_CUSUM_BERNOULLI:
        printf("  stream: %lld trials, P(y) = odds(p0) x RR; target = exact "
               "P(signal within %lld) by the (a, b) recursion; time = "
               "trials\n",
               (long long)w->horizon, (long long)w->horizon);
        break;
    case ENG_PLAN_DISPROP:
        printf("  stream: %lld reports, device share %g, event share %g "
               "(x RR for the device), table tested every %lld; target = "
               "exact P(signal by the last look); time = reports\n",
               (long long)w->reports, w->p_dev, w->p_event, (long long)w->look);
        break;
    }
}

/* CUSUM context: the library's ARL0 and the geometric approximation. */
static void s_cusum_note(const struct s_opts *o,
                         const struct eng_plan_design *d,
                         const struct ec_world *w)
{
    struct eng_cusum_arl arl;
    if (o->quick || eng_cusum_arl_bernoulli(&d->cusum, d->plan->baseline_rate,
                                            1.0, 200, &arl) != 0)
        return;
    printf("  eng_cusum_arl_bernoulli: ARL0 %.1f (lattice |W0|/200); "
           "geometric 1-(1-1/ARL0)^%lld = %.5f (an approximation, not the "
           "target)\n",
           arl.arl, (long long)w->horizon,
           1 - pow(1 - 1 / arl.arl, (double)w->horizon));
}

static bool s_calibrate(const struct s_opts *o, const struct eng_plan *p,
                        uint64_t seed)
{
    struct eng_plan_design d;
    struct ds_diag diag;
    char js[512];
    struct ec_world w = s_world(o);
    struct ec_exact e;
    struct s_run r;
    bool ok = true;
    if (eng_plan_design_init(&d, p, &diag) != 0) {
        printf("plan %s: design refused: %s\n", p->id, diag.msg);
        s_errors++;
        return false;
    }
    eng_plan_design_params(&d, js, sizeof js);
    printf("\n== %s %s\n  design %s\n", p->id, p->file, js);
    s_world_note(&d, &w);
    if (p->method == ENG_PLAN_CUSUM_BERNOULLI)
        s_cusum_note(o, &d, &w);
    printf("  %-7s %6s %6s  %8s  %8s  %-18s  %s\n", "", "streams", "signal",
           "observed", "exact", "region", "verdict / time to signal");
    double rrs[] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        w.rr = rrs[i];
        if (s_exact(&d, &w, &e) != 0) {
            printf("  RR %g: no exact value (design outside the recursion's "
                   "range)\n",
                   w.rr);
            continue;
        }
        s_simulate(&d, &w, seed + (uint64_t)i * 0x1000193,
                   i == 0 ? o->streams : o->streams_alt, &r);
        bool line = s_line(o, &w, &r, &e);
        ok = ok && line;
        if (o->quick)
            printf("%s - calibration_%s_rr%g\n", line ? "ok" : "FAIL", p->id,
                   w.rr);
    }
    return ok;
}

#ifdef EVAL_HAVE_PLAN_SET
/* Poisson designs are simulated with at most 65536 exposures to T. */
static struct eng_plan s_sim_plan(const struct eng_plan *p)
{
    struct eng_plan q = *p;
    if (q.method == ENG_PLAN_MAXSPRT_POISSON &&
        !(q.baseline_rate * 65536 >= q.max_expected))
        q.baseline_rate = q.max_expected / 65536;
    return q;
}
#endif

static void s_builtin(const struct s_opts *o)
{
    struct eng_plan p =
        s_plan("builtin-maxsprt-poisson", ENG_PLAN_MAXSPRT_POISSON);
    p.baseline_rate = p.max_expected / (o->quick ? 1024 : 4096);
    s_calibrate(o, &p, o->seed ^ 1);
    p = s_plan("builtin-maxsprt-binomial", ENG_PLAN_MAXSPRT_BINOMIAL);
    s_calibrate(o, &p, o->seed ^ 2);
    p = s_plan("builtin-cusum-bernoulli", ENG_PLAN_CUSUM_BERNOULLI);
    p.baseline_rate = 0.05;
    p.h = 4.5;
    s_calibrate(o, &p, o->seed ^ 3);
    p = s_plan("builtin-disproportionality", ENG_PLAN_DISPROP);
    p.prr_min = 2;
    p.chi2_min = 4;
    p.a_min = 3;
    s_calibrate(o, &p, o->seed ^ 4);
}

static void s_shipped(const struct s_opts *o)
{
#ifdef EVAL_HAVE_PLAN_SET
    eng_plan_set_t *set = NULL;
    struct ds_diag diag;
    if (eng_plan_set_load(&set, o->plans, o->rules, &diag) != 0) {
        printf("\nplans %s: not loaded: %s\n", o->plans, diag.msg);
        s_errors++;
        return;
    }
    printf("\n# shipped plans: %zu in %s (%s)\n", eng_plan_set_count(set),
           o->plans, eng_plan_set_files(set));
    for (size_t i = 0; i < eng_plan_set_count(set); i++) {
        struct eng_plan q = s_sim_plan(eng_plan_set_get(set, i));
        s_calibrate(o, &q, o->seed ^ (0x100 + i));
    }
    eng_plan_set_destroy(&set);
#else
    printf("\n# shipped plans (%s): skipped, the plan loader is not in "
           "this build's library\n",
           o->plans);
#endif
}

static int s_args(int argc, char **argv, struct s_opts *o)
{
    *o = (struct s_opts){false, 20240611, 10000,         2000,   0.95,
                         0.99,  2.575829, "rules/plans", "rules"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            *o = (struct s_opts){true,  o->seed,  300,      150,     0.999,
                                 0.999, 3.290527, o->plans, o->rules};
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            o->seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--plans") && i + 1 < argc)
            o->plans = argv[++i];
        else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
            o->rules = argv[++i];
        else {
            fprintf(stderr, "usage: eval_calibration [--quick] [--seed N] "
                            "[--plans DIR] [--rules DIR]\n");
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct s_opts o;
    if (s_args(argc, argv, &o) != 0)
        return 2;
    printf("# calibration: %lld null and %lld elevated streams per design, "
           "seed %llu; levels: null %g%%, elevated and times %g%%\n",
           (long long)o.streams, (long long)o.streams_alt,
           (unsigned long long)o.seed, o.conf * 100, o.conf_alt * 100);
    printf("# columns: RR, streams, signals, observed proportion, exact "
           "P(signal), central binomial region of the observed proportion "
           "under the exact value, verdict; mean time to signal | signal vs "
           "exact (z), median vs exact (nan: not available)\n");
    s_builtin(&o);
    if (!o.quick)
        s_shipped(&o);
    printf("\n# %d OUT, %d design errors\n", s_outs, s_errors);
    if (s_errors)
        return 1;
    return o.quick && s_outs ? 1 : 0;
}
