/*
 * eng_cmd_stats_seq.c - `devsurv stats binomial-cv`, `binomial-perf`,
 * `sprt-poisson`, `cusum-arl` and `cusum-h`: design calculators for the
 * binomial MaxSPRT (reference/stats.md 2), the Wald SPRT (4) and the
 * Bernoulli CUSUM (6), one JSON object each.
 *
 * These only parse, validate with messages that name the parameter and
 * the numbers, call eng_binomial.h, eng_sprt.h and eng_cusum.h and print.
 * Not here: the numerics; risk-adjusted CUSUM ARLs (they need a patient
 * mix, which the library takes, not the command line); the Bernoulli SPRT.
 */
#include "devsurv/eng_cmd_stats.h"
#include "devsurv/eng_binomial.h"
#include "devsurv/eng_cusum.h"
#include "devsurv/eng_sprt.h"
#include "devsurv/ds_err.h"

#include <math.h>
#include <sysexits.h>

static const char s_bcv_help[] =
    "usage: devsurv stats binomial-cv --N N --z Z --alpha A [--M M]\n\n"
    "Exact critical value of the binomial MaxSPRT for matched or\n"
    "self-controlled designs (Kulldorff et al. 2011; reference/stats.md\n"
    "2). alpha(CV) is a step function: every CV in (cv_low, cv] is the\n"
    "same test.\n\n"
    "  --N N          surveillance length in events, 1..20000\n"
    "  --z Z          controls per case under H0 (matching ratio or\n"
    "                 control / risk window length), Z > 0\n"
    "  --alpha A      type I error, 0 < A <= 0.5\n"
    "  --M M          minimum number of cases to signal, 1..N (1)\n\n"
    "output: {\"cv\":..,\"alpha\":..,\"cv_package\":..,\"cv_low\":..}:\n"
    "cv = the smallest attainable LLR with alpha(cv) <= A, alpha = that\n"
    "attained alpha; cv_package = R Sequential's value (the smallest\n"
    "5-decimal number above cv_low, the largest attainable LLR whose\n"
    "alpha exceeds A), the same test.\n"
    "exit: 0 ok, 64 usage, 65 invalid input or no solution (the message\n"
    "gives the largest M or the smallest N that works)\n";

static const char s_bperf_help[] =
    "usage: devsurv stats binomial-perf --N N --z Z --cv CV --RR R [--M M]\n"
    "\n"
    "Exact power, expected events at signal and expected events at the\n"
    "end of surveillance of the binomial MaxSPRT when an event is a case\n"
    "with probability R/(R+Z) (reference/stats.md 2).\n\n"
    "  --N, --z, --M  as for binomial-cv\n"
    "  --cv CV        critical value for the LLR, CV > 0\n"
    "  --RR R         relative risk, R > 0 (1: type I error)\n\n"
    "output: {\"power\":..,\"signal_time\":..,\"sample_size\":..} in events:\n"
    "signal_time = E[events at signal | signal] (null when power is 0),\n"
    "sample_size = E[events when surveillance stops].\n"
    "exit: 0 ok, 64 usage, 65 invalid input\n";

static const char s_sprt_help[] =
    "usage: devsurv stats sprt-poisson --RR1 R1 --alpha A --beta B --T T\n"
    "           [--RR R]\n\n"
    "Wald SPRT of H0 RR = 1 against RR = R1 on a Poisson count, with the\n"
    "upper (signal) boundary only, truncated at T H0-expected events: the\n"
    "k-th event signals if it arrives by (k ln R1 - A)/(R1 - 1); exact\n"
    "probabilities by the interval recursion (reference/stats.md 4).\n"
    "Wald's boundaries are approximations: this test's alpha is exact.\n\n"
    "  --RR1 R1       alternative relative risk, R1 > 1\n"
    "  --alpha A      nominal type I error, 0 < A <= 0.5\n"
    "  --beta B       nominal type II error, 0 < B < 1 - A\n"
    "  --T T          surveillance length in H0-expected events, T > 0\n"
    "  --RR R         true relative risk for power and times, R > 0 (R1)\n\n"
    "output: {\"A\":..,\"B\":..,\"alpha\":..,\"power\":..,\"signal_time\":..,\n"
    "\"sample_size\":..}: A = ln((1-B)/A), B = ln(B/(1-A)) (B is not\n"
    "used by this test), alpha = exact P(signal | RR 1), power = exact\n"
    "P(signal | RR R), signal_time = E[mu at signal | signal] and\n"
    "sample_size = E[mu when surveillance stops], both at RR R.\n"
    "exit: 0 ok, 64 usage, 65 invalid input\n";

static const char s_arl_help[] =
    "usage: devsurv stats cusum-arl --p0 P --or OR --h H [--true-or T]\n"
    "           [--cells K]\n\n"
    "Average run length (patients to a signal, from S = 0) of the\n"
    "Bernoulli CUSUM with event probability P designed to detect odds\n"
    "ratio OR (OR > 1: upper chart; OR < 1: lower chart), when the true\n"
    "odds ratio is T. Lattice Markov chain with mean-preserving rounding,\n"
    "spacing delta = min(|W0|,|W1|)/K (reference/stats.md 6.3).\n\n"
    "  --p0 P         in-control event probability, 0 < P < 1\n"
    "  --or OR        odds ratio to detect, OR > 0, OR != 1\n"
    "  --h H          control limit, H > 0\n"
    "  --true-or T    true odds ratio, T > 0 (1: in-control ARL0)\n"
    "  --cells K      lattice cells per smallest |weight|, 50..100000\n"
    "                 (1000)\n\n"
    "output: {\"arl\":..,\"delta\":..,\"states\":..}\n"
    "exit: 0 ok, 64 usage, 65 invalid input or lattice too large\n";

static const char s_h_help[] =
    "usage: devsurv stats cusum-h --p0 P --or OR --arl0 A [--cells K]\n\n"
    "Control limit h of the Bernoulli CUSUM (as for cusum-arl) whose\n"
    "in-control ARL is at least A: the smallest such h to within one\n"
    "lattice cell (reference/stats.md 6.3).\n\n"
    "  --p0, --or, --cells  as for cusum-arl\n"
    "  --arl0 A       target in-control ARL, 1 < A <= 1e9\n\n"
    "output: {\"h\":..,\"arl0\":..,\"delta\":..,\"states\":..}: arl0 is the\n"
    "attained in-control ARL at h (>= A)\n"
    "exit: 0 ok, 64 usage, 65 invalid input or lattice too large\n";

static json_t *s_num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Print {keys[i]: vals[i]} (non-finite as null), then "states" if >= 0. */
static int s_emit(const char *const *keys, const double *vals, size_t n,
                  long long states)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        if (json_object_set_new(o, keys[i], s_num(vals[i])) != 0) {
            json_decref(o);
            o = NULL;
        }
    if (o && states >= 0 &&
        json_object_set_new(o, "states", json_integer(states)) != 0) {
        json_decref(o);
        o = NULL;
    }
    return eng_stats_print(o);
}

/* A library return code other than a refusal, as an exit code. */
static int s_fail_rc(const char *calc, int rc)
{
    if (rc == DS_ENOMEM)
        return eng_stats_fail(calc, EX_SOFTWARE, "out of memory");
    return eng_stats_fail(calc, EX_DATAERR, "invalid input (%s)",
                          ds_strerror(rc));
}

struct s_binom {
    long n, m;
    double z, x, rr; /* x: alpha or cv */
};

static int s_binom_parse(int argc, char **argv, struct s_binom *b,
                         const char *xname, bool rr, const char *help)
{
    const struct eng_stats_opt opts[] = {
        {"N", ENG_STATS_INT, true, &b->n, NULL},
        {"z", ENG_STATS_DOUBLE, true, &b->z, NULL},
        {xname, ENG_STATS_DOUBLE, true, &b->x, NULL},
        {"M", ENG_STATS_INT, false, &b->m, NULL},
        {"RR", ENG_STATS_DOUBLE, true, &b->rr, NULL},
    };
    int rc = eng_stats_args(argc, argv, opts, rr ? 5 : 4, NULL, 0, help);
    return rc < 0 ? -1 : rc;
}

static int s_binom_check(const char *calc, const struct s_binom *b)
{
    if (b->n < 1 || b->n > ENG_BINOMIAL_N_MAX)
        return eng_stats_fail(calc, EX_DATAERR,
                              "--N must be an integer in 1..%d (got %ld)",
                              ENG_BINOMIAL_N_MAX, b->n);
    if (!(b->z > 0))
        return eng_stats_fail(calc, EX_DATAERR, "--z must be > 0 (got %g)",
                              b->z);
    if (b->m < 1 || b->m > b->n)
        return eng_stats_fail(calc, EX_DATAERR,
                              "--M must be in 1..N = %ld (got %ld)", b->n,
                              b->m);
    return 0;
}

/* Sequential's two refusals, with the numbers. */
static int s_binom_refused(const char *calc, const struct s_binom *b,
                           const struct eng_binomial_cv *r)
{
    double p = 1.0 / (1.0 + b->z);
    if (r->m_max > 0)
        return eng_stats_fail(calc, EX_DATAERR,
                              "no solution: P(Bin(N = %ld, p = %.6g) >= M = "
                              "%ld) = %.6g < alpha = %g; M must be <= %lld",
                              b->n, p, b->m, r->refused_p, b->x,
                              (long long)r->m_max);
    return eng_stats_fail(calc, EX_DATAERR,
                          "no solution with type I error <= %g: p^N = "
                          "%.6g^%ld = %.6g > alpha; use N of at least %lld",
                          b->x, p, b->n, r->refused_p, (long long)r->n_min);
}

int eng_stats_cmd_binomial_cv(int argc, char **argv)
{
    struct s_binom b = {.m = 1};
    struct eng_binomial_cv r;
    int rc = s_binom_parse(argc, argv, &b, "alpha", false, s_bcv_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_binom_check(argv[0], &b)) != 0)
        return rc;
    if (!(b.x > 0 && b.x <= 0.5))
        return eng_stats_fail(argv[0], EX_DATAERR,
                              "--alpha must be in (0, 0.5] (got %g)", b.x);
    struct eng_binomial_design d = {b.n, b.z, b.m};
    rc = eng_binomial_cv(&d, b.x, &r);
    if (rc == DS_ERANGE && (r.m_max > 0 || r.n_min > 0))
        return s_binom_refused(argv[0], &b, &r);
    if (rc != 0)
        return s_fail_rc(argv[0], rc);
    static const char *const keys[] = {"cv", "alpha", "cv_package", "cv_low"};
    const double v[] = {r.cv, r.alpha, r.cv_package, r.cv_low};
    return s_emit(keys, v, 4, -1);
}

int eng_stats_cmd_binomial_perf(int argc, char **argv)
{
    struct s_binom b = {.m = 1};
    struct eng_binomial_perf r;
    int rc = s_binom_parse(argc, argv, &b, "cv", true, s_bperf_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_binom_check(argv[0], &b)) != 0)
        return rc;
    if (!(b.x > 0))
        return eng_stats_fail(argv[0], EX_DATAERR, "--cv must be > 0 (got %g)",
                              b.x);
    if (!(b.rr > 0))
        return eng_stats_fail(argv[0], EX_DATAERR, "--RR must be > 0 (got %g)",
                              b.rr);
    struct eng_binomial_design d = {b.n, b.z, b.m};
    if ((rc = eng_binomial_perf(&d, b.x, b.rr, &r)) != 0)
        return s_fail_rc(argv[0], rc);
    static const char *const keys[] = {"power", "signal_time", "sample_size"};
    const double v[] = {r.power, r.signal_events, r.sample_size};
    return s_emit(keys, v, 3, -1);
}

struct s_sprt {
    double rr1, alpha, beta, t, rr;
    bool has_rr;
};

static int s_sprt_check(const char *calc, const struct s_sprt *s)
{
    if (!(s->rr1 > 1))
        return eng_stats_fail(calc, EX_DATAERR, "--RR1 must be > 1 (got %g)",
                              s->rr1);
    if (!(s->alpha > 0 && s->alpha <= 0.5))
        return eng_stats_fail(calc, EX_DATAERR,
                              "--alpha must be in (0, 0.5] (got %g)", s->alpha);
    if (!(s->beta > 0 && s->alpha + s->beta < 1))
        return eng_stats_fail(calc, EX_DATAERR,
                              "--beta must be in (0, 1 - alpha) = (0, %g) "
                              "(got %g)",
                              1 - s->alpha, s->beta);
    if (!(s->t > 0))
        return eng_stats_fail(calc, EX_DATAERR, "--T must be > 0 (got %g)",
                              s->t);
    if (!(s->rr > 0))
        return eng_stats_fail(calc, EX_DATAERR, "--RR must be > 0 (got %g)",
                              s->rr);
    return 0;
}

static int s_sprt_parse(int argc, char **argv, struct s_sprt *s)
{
    const struct eng_stats_opt opts[] = {
        {"RR1", ENG_STATS_DOUBLE, true, &s->rr1, NULL},
        {"alpha", ENG_STATS_DOUBLE, true, &s->alpha, NULL},
        {"beta", ENG_STATS_DOUBLE, true, &s->beta, NULL},
        {"T", ENG_STATS_DOUBLE, true, &s->t, NULL},
        {"RR", ENG_STATS_DOUBLE, false, &s->rr, &s->has_rr},
    };
    int rc = eng_stats_args(argc, argv, opts, 5, NULL, 0, s_sprt_help);
    s->rr = s->has_rr ? s->rr : s->rr1;
    return rc < 0 ? -1 : rc;
}

int eng_stats_cmd_sprt_poisson(int argc, char **argv)
{
    struct s_sprt s = {0};
    int rc = s_sprt_parse(argc, argv, &s);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_sprt_check(argv[0], &s)) != 0)
        return rc;
    struct eng_sprt_poisson p = {s.rr1, 0, 0, s.t};
    struct eng_sprt_oc h0, h1;
    eng_sprt_bounds(s.alpha, s.beta, &p.a, &p.b);
    rc = eng_sprt_poisson_exact(&p, 1.0, &h0);
    if (rc == 0)
        rc = eng_sprt_poisson_exact(&p, s.rr, &h1);
    if (rc == DS_ERANGE)
        return eng_stats_fail(argv[0], EX_DATAERR,
                              "T = %g is too long for RR1 = %g: more than "
                              "%d boundary events (or RR*T too large)",
                              s.t, s.rr1, ENG_SPRT_K_MAX);
    if (rc != 0)
        return s_fail_rc(argv[0], rc);
    static const char *const keys[] = {"A",     "B",           "alpha",
                                       "power", "signal_time", "sample_size"};
    const double v[] = {
        p.a, p.b, h0.p_upper, h1.p_upper, h1.signal_time, h1.sample_size};
    return s_emit(keys, v, 6, -1);
}

struct s_cusum {
    double p0, or_a, h, true_or, arl0;
    long cells;
};

static int s_cusum_check(const char *calc, const struct s_cusum *c)
{
    if (!(c->p0 > 0 && c->p0 < 1))
        return eng_stats_fail(calc, EX_DATAERR,
                              "--p0 must be in (0, 1) (got %g)", c->p0);
    if (!(c->or_a > 0) || c->or_a == 1)
        return eng_stats_fail(calc, EX_DATAERR,
                              "--or must be > 0 and != 1 (got %g)", c->or_a);
    if (!(c->true_or > 0))
        return eng_stats_fail(calc, EX_DATAERR,
                              "--true-or must be > 0 (got %g)", c->true_or);
    if (c->cells < 50 || c->cells > 100000)
        return eng_stats_fail(calc, EX_DATAERR,
                              "--cells must be in 50..100000 (got %ld)",
                              c->cells);
    return 0;
}

static int s_cusum_rc(const char *calc, int rc, const struct s_cusum *c)
{
    if (rc == DS_ERANGE)
        return eng_stats_fail(calc, EX_DATAERR,
                              "no result: the lattice for p0 = %g, OR = %g "
                              "needs more than %d states (h too large for "
                              "the weights) or did not converge",
                              c->p0, c->or_a, ENG_CUSUM_STATES_MAX);
    return s_fail_rc(calc, rc);
}

int eng_stats_cmd_cusum_arl(int argc, char **argv)
{
    struct s_cusum c = {.true_or = 1, .cells = ENG_CUSUM_CELLS};
    const struct eng_stats_opt opts[] = {
        {"p0", ENG_STATS_DOUBLE, true, &c.p0, NULL},
        {"or", ENG_STATS_DOUBLE, true, &c.or_a, NULL},
        {"h", ENG_STATS_DOUBLE, true, &c.h, NULL},
        {"true-or", ENG_STATS_DOUBLE, false, &c.true_or, NULL},
        {"cells", ENG_STATS_INT, false, &c.cells, NULL},
    };
    int rc = eng_stats_args(argc, argv, opts, 5, NULL, 0, s_arl_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_cusum_check(argv[0], &c)) != 0)
        return rc;
    if (!(c.h > 0))
        return eng_stats_fail(argv[0], EX_DATAERR, "--h must be > 0 (got %g)",
                              c.h);
    struct eng_cusum_params p = {1.0, c.or_a, c.h};
    struct eng_cusum_arl a;
    rc = eng_cusum_arl_bernoulli(&p, c.p0, c.true_or, (int)c.cells, &a);
    if (rc != 0)
        return s_cusum_rc(argv[0], rc, &c);
    static const char *const keys[] = {"arl", "delta"};
    const double v[] = {a.arl, a.delta};
    return s_emit(keys, v, 2, (long long)a.states);
}

int eng_stats_cmd_cusum_h(int argc, char **argv)
{
    struct s_cusum c = {.true_or = 1, .cells = ENG_CUSUM_CELLS};
    const struct eng_stats_opt opts[] = {
        {"p0", ENG_STATS_DOUBLE, true, &c.p0, NULL},
        {"or", ENG_STATS_DOUBLE, true, &c.or_a, NULL},
        {"arl0", ENG_STATS_DOUBLE, true, &c.arl0, NULL},
        {"cells", ENG_STATS_INT, false, &c.cells, NULL},
    };
    int rc = eng_stats_args(argc, argv, opts, 4, NULL, 0, s_h_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_cusum_check(argv[0], &c)) != 0)
        return rc;
    if (!(c.arl0 > 1 && c.arl0 <= 1e9))
        return eng_stats_fail(argv[0], EX_DATAERR,
                              "--arl0 must be in (1, 1e9] (got %g)", c.arl0);
    struct eng_cusum_params p = {1.0, c.or_a, 1.0};
    struct eng_cusum_arl a;
    double h;
    rc = eng_cusum_h_bernoulli(&p, c.p0, c.arl0, (int)c.cells, &h, &a);
    if (rc != 0)
        return s_cusum_rc(argv[0], rc, &c);
    static const char *const keys[] = {"h", "arl0", "delta"};
    const double v[] = {h, a.arl, a.delta};
    return s_emit(keys, v, 3, (long long)a.states);
}
