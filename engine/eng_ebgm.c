/*
 * eng_ebgm.c - EBGM scoring of one cell (Qn, EBGM, EB05/EB95), the
 * zero-truncated marginal likelihood and the cell table (see eng_ebgm.h;
 * DuMouchel 1999 eqs. 6-11, reference/stats.md section 5).
 *
 * The negative binomial marginal is evaluated in logs with
 * ln(b/(b+E)) = -log1p(E/b), which stays exact when E is tiny against b
 * (most cells of a real table), and the truncation 1 - f(0) = 1 - (b /
 * (b+E))^a through log1mexp for the same reason. Percentiles solve
 * Qn G1(x) + (1-Qn) G2(x) = prob (G_k the gamma CDFs) by Newton steps on
 * ln x inside a bracket, from an approximate quantile of the heavier
 * component.
 * Not here: the fit (eng_ebgm_fit.c) and the CSV reader (eng_ebgm_csv.c).
 */
#include "devsurv/eng_ebgm.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_specfun.h"

#include <float.h>
#include <math.h>

bool eng_ebgm_prior_valid(const struct eng_ebgm_prior *th)
{
    const double v[] = {th->alpha1, th->beta1, th->alpha2, th->beta2};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!(v[i] > 0) || isinf(v[i]))
            return false;
    return th->p > 0 && th->p < 1;
}

static bool s_cell_valid(double n, double e)
{
    if (!(n >= 0) || isinf(n) || n != floor(n) || !(e >= 0) || isinf(e))
        return false;
    return e > 0 || n == 0;
}

/* ln f(n): negative binomial, size a, prob b / (b + e). */
static double s_lmarg(double a, double b, double n, double e)
{
    double v = a * -log1p(e / b);
    if (n == 0)
        return v;
    return v + eng_specfun_lgamma(a + n) - eng_specfun_lgamma(a) -
           eng_specfun_lgamma(n + 1) + n * -log1p(b / e);
}

static double s_qn(const struct eng_ebgm_prior *th, double n, double e)
{
    double l1 = log(th->p) + s_lmarg(th->alpha1, th->beta1, n, e);
    double l2 = log1p(-th->p) + s_lmarg(th->alpha2, th->beta2, n, e);
    return 1 / (1 + exp(l2 - l1));
}

/* E[ln lambda | n] (DuMouchel 1999 eq. 11). */
static double s_elog(const struct eng_ebgm_prior *th, double n, double e,
                     double qn)
{
    double m1 = eng_specfun_digamma(th->alpha1 + n) - log(th->beta1 + e);
    double m2 = eng_specfun_digamma(th->alpha2 + n) - log(th->beta2 + e);
    return qn * m1 + (1 - qn) * m2;
}

/* The posterior mixture: weight w on Gamma(a1, rate r1), rest on
 * Gamma(a2, r2). */
struct s_post {
    double w, a[2], r[2];
};

/* CDF at x > 0; *dens = the density there. */
static double s_post_cdf(const struct s_post *m, double x, double *dens)
{
    double cdf = 0, wt[2] = {m->w, 1 - m->w};
    *dens = 0;
    for (int c = 0; c < 2; c++) {
        double pdf, y = m->r[c] * x;
        if (wt[c] == 0)
            continue;
        cdf += wt[c] * eng_specfun_gamma_p_pdf(m->a[c], y, &pdf);
        *dens += wt[c] * m->r[c] * pdf;
    }
    return cdf;
}

/* Newton on ln x for cdf(x) = prob, kept inside the bracket that the
 * signs seen so far prove (geometric bisection when a step leaves it). */
static double s_post_solve(const struct s_post *m, double prob, double x)
{
    double lo = 0, hi = INFINITY;
    for (int i = 0; i < 500 && x > DBL_MIN; i++) {
        double dens, f = s_post_cdf(m, x, &dens) - prob, nx;
        if (f == 0)
            return x;
        if (f < 0)
            lo = x;
        else
            hi = x;
        nx = x * exp(-f / (x * dens));
        if (!(nx > lo && nx < hi))
            nx = isinf(hi) ? lo * 4 : (lo > 0 ? sqrt(lo) * sqrt(hi) : hi / 4);
        if (fabs(nx - x) <= 4 * DBL_EPSILON * x)
            return nx;
        x = nx;
    }
    return x;
}

double eng_ebgm_quantile(const struct eng_ebgm_prior *th, double n, double e,
                         double qn, double prob)
{
    if (!eng_ebgm_prior_valid(th) || !s_cell_valid(n, e) ||
        !(qn >= 0 && qn <= 1) || !(prob > 0 && prob < 1))
        return NAN;
    struct s_post m = {
        qn, {th->alpha1 + n, th->alpha2 + n}, {th->beta1 + e, th->beta2 + e}};
    int c = qn >= 0.5 ? 0 : 1;
    double x0 = eng_specfun_gamma_quantile_start(prob, m.a[c]) / m.r[c];
    return s_post_solve(&m, prob, x0 > DBL_MIN && isfinite(x0) ? x0 : 1.0);
}

int eng_ebgm_score(const struct eng_ebgm_prior *th, double n, double e,
                   struct eng_ebgm_score *out)
{
    if (!eng_ebgm_prior_valid(th) || !s_cell_valid(n, e))
        return DS_EINVAL;
    struct eng_ebgm_score s;
    s.qn = s_qn(th, n, e);
    double elog = s_elog(th, n, e, s.qn);
    s.eblog2 = elog / M_LN2;
    s.ebgm = exp(elog);
    s.eb05 = eng_ebgm_quantile(th, n, e, s.qn, 0.05);
    s.eb95 = eng_ebgm_quantile(th, n, e, s.qn, 0.95);
    *out = s;
    return 0;
}

/* ln of the zero-truncated marginal of one component at n >= 1. */
static double s_ltrunc(double a, double b, double n, double e)
{
    return s_lmarg(a, b, n, e) - eng_specfun_log1mexp(a * -log1p(e / b));
}

double eng_ebgm_negll(const struct eng_ebgm_prior *th, const double *n,
                      const double *e, size_t count)
{
    if (!eng_ebgm_prior_valid(th))
        return INFINITY;
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        if (!(n[i] >= 1))
            continue;
        if (!(e[i] > 0))
            return NAN;
        double l1 = log(th->p) + s_ltrunc(th->alpha1, th->beta1, n[i], e[i]);
        double l2 = log1p(-th->p) + s_ltrunc(th->alpha2, th->beta2, n[i], e[i]);
        double hi = fmax(l1, l2);
        sum -= hi + log1p(exp(fmin(l1, l2) - hi));
    }
    return sum;
}

void eng_ebgm_table_init(struct eng_ebgm_table *t)
{
    t->n = t->e = NULL;
    t->count = t->cap = 0;
}

void eng_ebgm_table_clear(struct eng_ebgm_table *t)
{
    ds_free(t->n);
    ds_free(t->e);
    eng_ebgm_table_init(t);
}

static int s_grow(struct eng_ebgm_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    double *n = ds_realloc(t->n, cap * sizeof *n);
    if (!n)
        return DS_ENOMEM;
    t->n = n;
    double *e = ds_realloc(t->e, cap * sizeof *e);
    if (!e)
        return DS_ENOMEM;
    t->e = e;
    t->cap = cap;
    return 0;
}

int eng_ebgm_table_add(struct eng_ebgm_table *t, double n, double e)
{
    if (!s_cell_valid(n, e) || !(e > 0))
        return DS_EINVAL;
    if (t->count == t->cap && s_grow(t) != 0)
        return DS_ENOMEM;
    t->n[t->count] = n;
    t->e[t->count++] = e;
    return 0;
}
