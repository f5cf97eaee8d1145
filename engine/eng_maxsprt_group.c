/*
 * eng_maxsprt_group.c - group-sequential Poisson MaxSPRT: rejection
 * boundaries, exact power / expected times and the critical value for
 * looks at given cumulative H0-expected counts mu_1 < ... < mu_G = T
 * (reference/stats.md 3, as R Sequential's CV.G.Poisson, later
 * CV.Poisson with GroupSizes; the statistic is Kulldorff et al. 2011's).
 *
 * At look i the test rejects when the cumulative count reaches
 * a_i = max(M, min{c : LLR(c, mu_i) >= cv}); the probabilities come from
 * the same exact recursion as the continuous test (eng_maxsprt_dp_step in
 * look mode: a signal is dated at the look). alpha(cv) is a step function
 * that changes only where cv crosses an attainable value LLR(c, mu_i): the
 * boundaries a(cv) are the same for every cv in (w_lo, w_hi] with
 * w_lo = max{LLR(a_i - 1, mu_i) : a_i > M}, w_hi = min_i LLR(a_i, mu_i).
 * The critical value is found by bisecting over these steps (each probe
 * lands in a step strictly between the two known ones), so it is exact
 * with no tolerance on cv.
 *
 * Not here: R's rounding of the returned CV (round(., 10) + 1e-6), alpha
 * spending, looks defined on calendar time.
 */
#include "devsurv/eng_maxsprt.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <math.h>

#define S_CV_MAX ENG_MAXSPRT_CV_SEARCH_MAX
#define S_MARGIN 1e-6 /* returned cv: w_lo + min(S_MARGIN, step / 2) */

static int s_check(const double *mu, size_t n, long M)
{
    double prev = 0;
    if (!mu || n == 0 || M < 1 || M > ENG_MAXSPRT_M_MAX)
        return DS_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!(mu[i] > prev))
            return DS_EINVAL;
        prev = mu[i];
    }
    return prev <= ENG_MAXSPRT_T_MAX ? 0 : DS_EINVAL;
}

/* max(M, min{c : LLR(c, mu) >= cv}). LLR(c, mu) <= (c - mu)^2 / (2 mu)
 * for c > mu, so the scan starts at mu + sqrt(2 mu cv). */
static long s_bound(double mu, double cv, long M)
{
    if (!(cv > 0))
        return M;
    long c = (long)floor(mu + sqrt(2 * mu * cv));
    while (c > 0 && eng_maxsprt_llr((double)(c - 1), mu) >= cv)
        c--;
    while (eng_maxsprt_llr((double)c, mu) < cv)
        c++;
    return c > M ? c : M;
}

int eng_maxsprt_group_bounds(const double *mu, size_t n, double cv, long M,
                             long *a)
{
    if (!a || s_check(mu, n, M) != 0 || !(cv >= 0 && cv <= ENG_MAXSPRT_CV_MAX))
        return DS_EINVAL;
    for (size_t i = 0; i < n; i++)
        a[i] = s_bound(mu[i], cv, M);
    return 0;
}

/* One pass of the recursion over the looks with boundaries a. */
static void s_run(struct eng_maxsprt_dp *dp, const double *mu, size_t n,
                  const long *a)
{
    for (size_t i = 0; i < n; i++)
        eng_maxsprt_dp_step(dp, mu[i], a[i], true);
}

static void s_result(const struct eng_maxsprt_dp *dp, double T,
                     struct eng_maxsprt_perf *out)
{
    double pw = fmin(dp->power, 1);
    out->power = pw;
    out->signal_time = pw > 0 ? dp->tsum / pw : 0;
    out->sample_size = dp->tsum + (1 - pw) * T;
}

int eng_maxsprt_group_perf(const double *mu, size_t n, double cv, long M,
                           double rr, struct eng_maxsprt_perf *out)
{
    struct eng_maxsprt_dp dp;
    if (!out || !(rr >= 1 && rr <= ENG_MAXSPRT_RR_MAX))
        return DS_EINVAL;
    long *a = ds_malloc(n * sizeof *a);
    if (!a)
        return DS_ENOMEM;
    int rc = eng_maxsprt_group_bounds(mu, n, cv, M, a);
    if (rc == 0)
        rc = eng_maxsprt_dp_init(&dp, (size_t)a[n - 1] + 2, rr);
    if (rc == 0) {
        s_run(&dp, mu, n, a);
        s_result(&dp, mu[n - 1], out);
        eng_maxsprt_dp_clear(&dp);
    }
    ds_free(a);
    return rc;
}

/* ---- the critical value: bisection over the steps of alpha(cv) ---- */

struct s_ctx {
    const double *mu;
    size_t n;
    long M, *a;
    struct eng_maxsprt_dp dp;
};

/* One step of alpha(cv): the cv range (wlo, whi] sharing its boundaries. */
struct s_step {
    double alpha, wlo, whi;
};

static struct s_step s_eval(struct s_ctx *c, double cv)
{
    struct s_step s = {0, 0, INFINITY};
    for (size_t i = 0; i < c->n; i++) {
        long ai = c->a[i] = s_bound(c->mu[i], cv, c->M);
        s.whi = fmin(s.whi, eng_maxsprt_llr((double)ai, c->mu[i]));
        if (ai > c->M)
            s.wlo = fmax(s.wlo, eng_maxsprt_llr((double)(ai - 1), c->mu[i]));
    }
    eng_maxsprt_dp_reset(&c->dp, 1.0);
    s_run(&c->dp, c->mu, c->n, c->a);
    s.alpha = c->dp.power;
    return s;
}

/* lo spends more than alpha, hi at most; probe strictly between them until
 * they are adjacent steps. Each probe is a new step, so this ends. */
static struct s_step s_search(struct s_ctx *c, struct s_step lo,
                              struct s_step hi, double alpha)
{
    while (lo.whi < hi.wlo) {
        double mid = 0.5 * (lo.whi + hi.wlo);
        if (!(mid > lo.whi && mid < hi.wlo))
            break; /* adjacent in floating point */
        struct s_step s = s_eval(c, mid);
        if (s.alpha > alpha)
            lo = s;
        else
            hi = s;
    }
    return hi;
}

static int s_solve(struct s_ctx *c, double alpha, double *cv, double *attained)
{
    struct s_step lo = s_eval(c, 0), hi;
    if (lo.alpha < alpha)
        return DS_ERANGE; /* P(Pois(T) >= M) < alpha */
    hi = s_eval(c, S_CV_MAX);
    if (hi.alpha > alpha)
        return DS_ERANGE;
    hi = lo.alpha <= alpha ? lo : s_search(c, lo, hi, alpha);
    *cv = hi.wlo + fmin(S_MARGIN, 0.5 * (hi.whi - hi.wlo));
    if (attained)
        *attained = hi.alpha;
    return 0;
}

int eng_maxsprt_group_cv(const double *mu, size_t n, double alpha, long M,
                         double *cv, double *attained, long *a)
{
    struct s_ctx c = {.mu = mu, .n = n, .M = M};
    if (!cv || s_check(mu, n, M) != 0 ||
        !(alpha >= ENG_MAXSPRT_ALPHA_MIN && alpha <= ENG_MAXSPRT_ALPHA_MAX))
        return DS_EINVAL;
    c.a = ds_malloc(n * sizeof *c.a);
    if (!c.a)
        return DS_ENOMEM;
    int rc = eng_maxsprt_dp_init(
        &c.dp, (size_t)s_bound(mu[n - 1], S_CV_MAX, M) + 2, 1.0);
    if (rc == 0)
        rc = s_solve(&c, alpha, cv, attained);
    if (rc == 0 && a)
        eng_maxsprt_group_bounds(mu, n, *cv, M, a);
    eng_maxsprt_dp_clear(&c.dp);
    ds_free(c.a);
    return rc;
}
