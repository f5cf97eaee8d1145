/*
 * eng_cmd_stats_poisson.c - `devsurv stats poisson-cv`, `poisson-perf` and
 * `poisson-samplesize`: design calculators for the continuous and the
 * group-sequential Poisson MaxSPRT (Kulldorff et al. 2011; formulas in
 * reference/stats.md 1 and 3), one JSON object each.
 *
 * These only parse, validate with messages that name the parameter, call
 * eng_maxsprt.h and print; the numerics live in engine/eng_maxsprt_cv.c and
 * engine/eng_maxsprt_group.c. Not here: binomial and Wald calculators,
 * group-sequential sample sizes.
 */
#include "devsurv/eng_cmd_stats.h"
#include "devsurv/eng_maxsprt.h"
#include "devsurv/ds_err.h"

#include <math.h>
#include <sysexits.h>

#define S_SUM_RTOL 1e-9 /* --groups must add up to T this closely */

/* Options shared by the calculators. groups.v holds the increments as
 * given, then the cumulative looks (the last one set to T exactly). */
struct s_design {
    double T, D, alpha;
    long M;
    bool has_D, has_groups;
    struct eng_stats_list groups;
};

static const char s_cv_help[] =
    "usage: devsurv stats poisson-cv --T T --alpha A [--M M] [--D D]\n"
    "           [--groups g1,g2,...]\n\n"
    "Critical value of the Poisson MaxSPRT (Kulldorff et al. 2011),\n"
    "computed exactly (interval recursion, no simulation, no table;\n"
    "reference/stats.md 1.5 and 3).\n\n"
    "  --T T          length of surveillance in H0-expected events,\n"
    "                 0 < T <= 10000\n"
    "  --alpha A      type I error, 1e-7 <= A <= 0.5\n"
    "  --M M          minimum number of events to signal, 1..100 (1)\n"
    "  --D D          continuous test: H0-expected events before the\n"
    "                 first look, 0 <= D <= T (0)\n"
    "  --groups g,..  group-sequential test: H0-expected events added\n"
    "                 between looks, each > 0, summing to T; not with --D\n\n"
    "output: {\"cv\":..,\"alpha\":..}, alpha attained at cv: A within\n"
    "1e-10 A, or below A where alpha(cv) jumps (D > 0, --groups);\n"
    "with --groups also \"boundaries\", the events needed at each look.\n"
    "exit: 0 ok, 64 usage, 65 invalid input or no solution (T too small\n"
    "for M and alpha: the message gives the minimum T)\n";

static const char s_perf_help[] =
    "usage: devsurv stats poisson-perf --T T --cv CV --RR R [--M M]\n"
    "           [--D D] [--groups g1,g2,...]\n\n"
    "Exact power, expected time to signal and expected length of\n"
    "surveillance of the Poisson MaxSPRT at relative risk R\n"
    "(reference/stats.md 1.4 and 3). With D > 0 a signal at the first\n"
    "look counts at time D (R Sequential is off here, stats.md 9).\n\n"
    "  --T T          length of surveillance in H0-expected events,\n"
    "                 0 < T <= 10000\n"
    "  --cv CV        critical value for the LLR, 0 <= CV <= 100\n"
    "  --RR R         relative risk, 1 <= R <= 1000 (1: type I error)\n"
    "  --M, --D, --groups  as for poisson-cv\n\n"
    "output: {\"power\":..,\"signal_time\":..,\"sample_size\":..} in\n"
    "H0-expected events: signal_time = E[time of signal | signal],\n"
    "sample_size = E[min(time of signal, T)].\n"
    "exit: 0 ok, 64 usage, 65 invalid input\n";

static const char s_ss_help[] =
    "usage: devsurv stats poisson-samplesize --RR R --power P --alpha A\n"
    "           [--M M]\n\n"
    "Length of surveillance T (H0-expected events) at which the\n"
    "continuous Poisson MaxSPRT with its exact critical value for A has\n"
    "power P at relative risk R (D = 0; reference/stats.md 1.6). Solved\n"
    "to |power - P| <= 1e-9; R Sequential stops at 1e-3, so its T can be\n"
    "~1% larger.\n\n"
    "  --RR R         relative risk, 1 < R <= 1000\n"
    "  --power P      target power, A < P < 1\n"
    "  --alpha A      type I error, 1e-7 <= A <= 0.5\n"
    "  --M M          minimum number of events to signal, 1..100 (1)\n\n"
    "output: {\"T\":..,\"cv\":..}\n"
    "exit: 0 ok, 64 usage, 65 invalid input or no T <= 10000 reaches P\n";

/* The library's return code as an exit code, with a message. */
static int s_fail_rc(const char *calc, int rc)
{
    if (rc == DS_ENOMEM)
        return eng_stats_fail(calc, EX_SOFTWARE, "out of memory");
    return eng_stats_fail(calc, EX_DATAERR, "invalid input (%s)",
                          ds_strerror(rc));
}

/* Check --groups against T and turn it into cumulative looks. */
static int s_groups(const char *calc, struct s_design *d)
{
    double sum = 0, *g = d->groups.v;
    if (d->has_D)
        return eng_stats_fail(calc, EX_USAGE,
                              "--D and --groups cannot be combined");
    for (size_t i = 0; i < d->groups.n; i++) {
        if (!(g[i] > 0))
            return eng_stats_fail(calc, EX_DATAERR,
                                  "--groups: increment %zu is not > 0", i + 1);
        g[i] = sum += g[i];
    }
    if (!(fabs(sum - d->T) <= S_SUM_RTOL * d->T))
        return eng_stats_fail(calc, EX_DATAERR,
                              "--groups add up to %.17g, not T = %.17g", sum,
                              d->T);
    g[d->groups.n - 1] = d->T;
    return 0;
}

/* Domain checks shared by poisson-cv and poisson-perf. */
static int s_validate(const char *calc, struct s_design *d)
{
    const char *why = NULL;
    if (eng_maxsprt_check(d->T, d->alpha, d->M, d->D, &why) != 0)
        return eng_stats_fail(calc, EX_DATAERR, "%s", why);
    return d->has_groups ? s_groups(calc, d) : 0;
}

/* The options of poisson-cv and poisson-perf; slot 1 is --alpha or --cv. */
static int s_parse(int argc, char **argv, struct s_design *d, double *x,
                   const char *xname, double *rr, const char *help)
{
    const struct eng_stats_opt opts[] = {
        {"T", ENG_STATS_DOUBLE, true, &d->T, NULL},
        {xname, ENG_STATS_DOUBLE, true, x, NULL},
        {"M", ENG_STATS_INT, false, &d->M, NULL},
        {"D", ENG_STATS_DOUBLE, false, &d->D, &d->has_D},
        {"groups", ENG_STATS_LIST, false, &d->groups, &d->has_groups},
        {"RR", ENG_STATS_DOUBLE, true, rr, NULL},
    };
    size_t n = rr ? 6 : 5;
    int rc = eng_stats_args(argc, argv, opts, n, NULL, 0, help);
    return rc < 0 ? -1 : rc;
}

static int s_no_solution(const char *calc, const struct s_design *d)
{
    double tmin;
    if (eng_maxsprt_tmin(d->M, d->alpha, &tmin) == 0 && d->T < tmin)
        return eng_stats_fail(calc, EX_DATAERR,
                              "no solution: for this M and alpha, T must be "
                              ">= %.2f (T_min = %.6f)",
                              ceil(tmin * 100) / 100, tmin);
    return eng_stats_fail(calc, EX_DATAERR,
                          "no solution: no critical value in [0, %g] gives "
                          "alpha <= %g for this design",
                          ENG_MAXSPRT_CV_SEARCH_MAX, d->alpha);
}

static json_t *s_bounds_json(const long *a, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, json_integer(a[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static int s_print_cv(double cv, double alpha, const long *a, size_t n)
{
    json_t *o = json_pack("{s:f,s:f}", "cv", cv, "alpha", alpha);
    if (o && a &&
        json_object_set_new(o, "boundaries", s_bounds_json(a, n)) != 0) {
        json_decref(o);
        o = NULL;
    }
    return eng_stats_print(o);
}

int eng_stats_cmd_poisson_cv(int argc, char **argv)
{
    struct s_design d = {.M = 1};
    long a[ENG_STATS_LIST_MAX];
    double cv, attained;
    int rc = s_parse(argc, argv, &d, &d.alpha, "alpha", NULL, s_cv_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_validate(argv[0], &d)) != 0)
        return rc;
    if (d.has_groups)
        rc = eng_maxsprt_group_cv(d.groups.v, d.groups.n, d.alpha, d.M, &cv,
                                  &attained, a);
    else
        rc = eng_maxsprt_cv(d.T, d.alpha, d.M, d.D, &cv, &attained);
    if (rc == DS_ERANGE)
        return s_no_solution(argv[0], &d);
    if (rc != 0)
        return s_fail_rc(argv[0], rc);
    return s_print_cv(cv, attained, d.has_groups ? a : NULL, d.groups.n);
}

int eng_stats_cmd_poisson_perf(int argc, char **argv)
{
    struct s_design d = {.M = 1, .alpha = -1};
    struct eng_maxsprt_perf p;
    double cv = 0, rr = 0;
    int rc = s_parse(argc, argv, &d, &cv, "cv", &rr, s_perf_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if ((rc = s_validate(argv[0], &d)) != 0)
        return rc;
    if (!(cv >= 0 && cv <= ENG_MAXSPRT_CV_MAX))
        return eng_stats_fail(argv[0], EX_DATAERR, "cv must be in [0, 100]");
    if (!(rr >= 1 && rr <= ENG_MAXSPRT_RR_MAX))
        return eng_stats_fail(argv[0], EX_DATAERR, "RR must be in [1, 1000]");
    if (d.has_groups)
        rc = eng_maxsprt_group_perf(d.groups.v, d.groups.n, cv, d.M, rr, &p);
    else
        rc = eng_maxsprt_perf(d.T, cv, d.M, d.D, rr, &p);
    if (rc != 0)
        return s_fail_rc(argv[0], rc);
    return eng_stats_print(json_pack("{s:f,s:f,s:f}", "power", p.power,
                                     "signal_time", p.signal_time,
                                     "sample_size", p.sample_size));
}

int eng_stats_cmd_poisson_samplesize(int argc, char **argv)
{
    double rr = 0, power = 0, alpha = 0, T, cv;
    long M = 1;
    const char *why = NULL;
    const struct eng_stats_opt opts[] = {
        {"RR", ENG_STATS_DOUBLE, true, &rr, NULL},
        {"power", ENG_STATS_DOUBLE, true, &power, NULL},
        {"alpha", ENG_STATS_DOUBLE, true, &alpha, NULL},
        {"M", ENG_STATS_INT, false, &M, NULL},
    };
    int rc = eng_stats_args(argc, argv, opts, 4, NULL, 0, s_ss_help);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    if (eng_maxsprt_check(1, alpha, M, 0, &why) != 0)
        return eng_stats_fail(argv[0], EX_DATAERR, "%s", why);
    if (!(rr > 1 && rr <= ENG_MAXSPRT_RR_MAX))
        return eng_stats_fail(argv[0], EX_DATAERR, "RR must be in (1, 1000]");
    if (!(power > alpha && power < 1))
        return eng_stats_fail(argv[0], EX_DATAERR,
                              "power must be > alpha and < 1");
    rc = eng_maxsprt_samplesize(rr, power, alpha, M, &T, &cv);
    if (rc == DS_ERANGE)
        return eng_stats_fail(argv[0], EX_DATAERR,
                              "no solution: power %g at RR %g needs T > %g",
                              power, rr, ENG_MAXSPRT_T_MAX);
    if (rc != 0)
        return s_fail_rc(argv[0], rc);
    return eng_stats_print(json_pack("{s:f,s:f}", "T", T, "cv", cv));
}
