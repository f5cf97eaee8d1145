/*
 * bench_stats_upd.c - bench_stats' per-event updates: N H0 events per
 * test over BST_CELLS cells (MaxSPRT, binomial MaxSPRT, CUSUM, SPRT), the
 * rates, checksums, and the H0 signal-rate checks.
 */
#include "bench_stats.h"
#include "bench_util.h"

#define S_SEED  0x5eed57a7u
#define S_CHUNK 65536

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
} s_mx[BST_CELLS];
static struct eng_binomial_params s_bn_p;
static struct eng_binomial_state s_bn[BST_CELLS];
static struct eng_cusum_params s_cu_p;
static double s_cu_p0;
static struct eng_cusum_state s_cu[BST_CELLS];
static struct eng_sprt_poisson s_sp_p;
static struct eng_sprt_state s_sp[BST_CELLS];

/* An event after Exp(1) H0-expected exposure (the next arrival). */
static void s_gen_arrival(struct s_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = bench_rng();
        ev[i] =
            (struct s_ev){-log(bst_unif_of(r)), (uint32_t)(r % BST_CELLS), 0};
    }
}

/* A case with probability 1/(1+z) = 1/2. */
static void s_gen_case(struct s_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = bench_rng();
        ev[i] =
            (struct s_ev){0, (uint32_t)(r % BST_CELLS), (uint32_t)(r >> 63)};
    }
}

/* An outcome with probability p0, risk p0. */
static void s_gen_outcome(struct s_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = bench_rng();
        ev[i] = (struct s_ev){s_cu_p0, (uint32_t)(r % BST_CELLS),
                              bst_unif_of(r) < s_cu_p0};
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
    bench_rng_seed(u->seed);
    u->n = n;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < S_CHUNK ? n - done : S_CHUNK;
        u->gen(buf, k);
        uint64_t t0 = bench_now_ns();
        u->run(u, buf, k);
        u->ns += bench_now_ns() - t0;
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
        return bench_fail(u->name, "%llu odd verdicts",
                          (unsigned long long)u->bad);
    if (u->runs < 20 * BST_CELLS) {
        snprintf(u->check, sizeof u->check, "%llu runs: too few to check",
                 (unsigned long long)u->runs);
        return 0;
    }
    double obs = (double)u->signals / (double)u->runs;
    double se = sqrt(u->want * (1 - u->want) / (double)u->runs);
    snprintf(u->check, sizeof u->check, "P(signal) %.4f, exact %.4f", obs,
             u->want);
    if (fabs(obs - u->want) > 6 * se)
        return bench_fail(u->name,
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
        return bench_fail(u->name, "%llu invalid updates",
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
        return bench_fail(u->name,
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
        return bench_fail("cusum", "eng_cusum_arl_bernoulli: %s",
                          ds_strerror(rc));
    u[2].want = arl.arl;
    if (fabs(arl.arl - 1525.5) > 0.005 * 1525.5)
        return bench_fail("cusum", "ARL0 %.2f, stats.md 6.3 says 1525.5",
                          arl.arl);
    rc = eng_sprt_bounds(0.05, 0.2, &a, &b);
    s_sp_p = (struct eng_sprt_poisson){
        .rr1 = 2, .a = a, .b = -INFINITY, .t_max = 50};
    if (rc == 0)
        rc = eng_sprt_poisson_exact(&s_sp_p, 1.0, &oc);
    if (rc != 0)
        return bench_fail("sprt", "%s", ds_strerror(rc));
    u[3].want = oc.p_upper;
    if (fabs(oc.p_upper - 0.0495635635) > 1e-9)
        return bench_fail("sprt", "exact alpha %.10f, stats.md 4: 0.0495635635",
                          oc.p_upper);
    for (size_t k = 0; k < BST_CELLS; k++) {
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

int bst_run_upds(size_t n, double mx_cv, const struct eng_binomial_cv *bcv)
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
    int rc =
        buf ? s_upd_setup(u, mx_cv, bcv) : bench_fail("updates", "no memory");
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
