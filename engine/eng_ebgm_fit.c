/*
 * eng_ebgm_fit.c - maximum marginal likelihood EBGM hyperparameters (see
 * eng_ebgm.h): BFGS with an analytic gradient on
 * u = (ln a1, ln b1, ln a2, ln b2, logit P), from several starts.
 *
 * Objective, over the cells with n >= 1 (zero-truncated, openEBGM negLL
 * with N* = 1): f(u) = -sum_i ln(P f1*(n_i) + (1-P) f2*(n_i)),
 *     f*(n) = f(n) / (1 - f(0)),  r = b / (b+E),
 *     ln f(n) = lgamma(a+n) - lgamma(a) - ln n! + a ln r + n ln(1-r).
 * Gradient of the log of one cell, with w its posterior weight on
 * component 1 and om = r^a / (1 - r^a):
 *     d/d ln a     = a (psi(a+n) - psi(a) + ln r (1 + om))
 *     d/d ln b     = (a t (1 + om) - n) / (1 + t),  t = E/b
 *     d/d logit P  = w - P
 * lgamma and digamma depend on n only through its distinct values, so
 * they are tabulated once per evaluation; each cell then costs one log1p,
 * one expm1 and one log per component and one exp + log1p to mix.
 *
 * BFGS as in Nocedal & Wright (2006), Numerical Optimization, 2nd ed.:
 * Algorithm 6.1, inverse update (6.17), first-step scaling (6.20), with a
 * backtracking Armijo search (Algorithm 3.1, quadratic interpolation);
 * the update is skipped when s'y <= 0, which backtracking does not rule
 * out, and the search restarts from steepest descent when it stalls.
 * Starts: DuMouchel's values and four others spread over plausible
 * priors; the lowest end point wins. Not here: data squashing, bounds
 * other than |u_i| <= 25 (beyond which f is taken as +inf).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_ebgm.h"
#include "devsurv/eng_specfun.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_NPAR    5
#define S_UMAX    25.0
#define S_MAXSTEP 2.0 /* largest change of one u_i per iteration */
#define S_MAXIT   300 /* BFGS iterations per start */

/* The cells with n >= 1, prepared for fast evaluation. */
struct s_data {
    size_t m, nk;  /* cells, distinct n values */
    double *n, *e; /* per cell */
    double *le;    /* ln E per cell */
    uint32_t *k;   /* index of the cell's n in nv */
    double *nv;    /* distinct n, ascending */
    double *tab;   /* 4 x nk: lgamma and digamma differences, per comp. */
    double lfact;  /* sum of ln n! */
    int evals;
};

/* Parameters decoded from u. */
struct s_par {
    double a[2], ib[2], lb[2]; /* shapes, 1 / rates, ln rates */
    double lw[2];              /* ln P, ln (1 - P) */
    double p;
};

static int s_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void s_data_free(struct s_data *d)
{
    ds_free(d->n);
    ds_free(d->e);
    ds_free(d->le);
    ds_free(d->k);
    ds_free(d->nv);
    ds_free(d->tab);
}

static void s_data_index(struct s_data *d)
{
    memcpy(d->nv, d->n, d->m * sizeof *d->nv);
    qsort(d->nv, d->m, sizeof *d->nv, s_cmp);
    d->nk = 0;
    for (size_t i = 0; i < d->m; i++)
        if (d->nk == 0 || d->nv[d->nk - 1] != d->nv[i])
            d->nv[d->nk++] = d->nv[i];
    for (size_t i = 0; i < d->m; i++) {
        const double *hit = bsearch(&d->n[i], d->nv, d->nk, sizeof *hit, s_cmp);
        d->k[i] = (uint32_t)(hit - d->nv);
    }
}

static int s_data_alloc(struct s_data *d)
{
    d->n = ds_malloc(d->m * sizeof *d->n);
    d->e = ds_malloc(d->m * sizeof *d->e);
    d->le = ds_malloc(d->m * sizeof *d->le);
    d->k = ds_malloc(d->m * sizeof *d->k);
    d->nv = ds_malloc(d->m * sizeof *d->nv);
    d->tab = ds_malloc(4 * d->m * sizeof *d->tab);
    return d->n && d->e && d->le && d->k && d->nv && d->tab ? 0 : DS_ENOMEM;
}

/* d from every stride-th cell of n[], e[] among those with n >= 1. */
static int s_data_build(struct s_data *d, const double *n, const double *e,
                        size_t count, size_t stride)
{
    size_t used = 0;
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < count; i++)
        if (n[i] >= 1 && used++ % stride == 0)
            d->m++;
    if (d->m < S_NPAR || d->m > UINT32_MAX)
        return DS_EINVAL;
    if (s_data_alloc(d) != 0)
        return DS_ENOMEM;
    used = 0;
    for (size_t i = 0, j = 0; i < count; i++) {
        if (!(n[i] >= 1) || used++ % stride != 0)
            continue;
        if (!(e[i] > 0) || isinf(e[i]))
            return DS_EINVAL;
        d->n[j] = n[i];
        d->e[j] = e[i];
        d->le[j] = log(e[i]);
        d->lfact += eng_specfun_lgamma(n[i] + 1);
        j++;
    }
    s_data_index(d);
    return 0;
}

static bool s_par_from_u(const double u[S_NPAR], struct s_par *q)
{
    for (int i = 0; i < S_NPAR; i++)
        if (!(fabs(u[i]) <= S_UMAX))
            return false;
    for (int c = 0; c < 2; c++) {
        q->a[c] = exp(u[2 * c]);
        q->ib[c] = exp(-u[2 * c + 1]);
        q->lb[c] = u[2 * c + 1];
    }
    q->p = 1 / (1 + exp(-u[4]));
    q->lw[0] = -log1p(exp(-u[4]));
    q->lw[1] = -log1p(exp(u[4]));
    return true;
}

/* tab: [c * nk + j] = lgamma(a_c + n_j) - lgamma(a_c), then from 2 nk on
 * the same for digamma. */
static void s_tabulate(struct s_data *d, const struct s_par *q)
{
    for (int c = 0; c < 2; c++) {
        double la = eng_specfun_lgamma(q->a[c]);
        double pa = eng_specfun_digamma(q->a[c]);
        double *lt = d->tab + c * d->nk, *dt = d->tab + (2 + c) * d->nk;
        for (size_t j = 0; j < d->nk; j++) {
            lt[j] = eng_specfun_lgamma(q->a[c] + d->nv[j]) - la;
            dt[j] = eng_specfun_digamma(q->a[c] + d->nv[j]) - pa;
        }
    }
}

/* expm1 and log1p through exp and log, which glibc makes much faster:
 * x ln(1+x) / ((1+x) - 1) and (e^x - 1) x / ln(e^x) are exact to a few
 * ulps (Goldberg 1991, ACM Computing Surveys 23:5, theorem 4; Kahan). */
static double s_expm1(double x)
{
    double u = exp(x);
    if (u == 1 || x < -0.7)
        return u == 1 ? x : u - 1;
    return (u - 1) * x / log(u);
}

static double s_log1p(double x)
{
    double u = 1 + x;
    return u == 1 ? x : log(u) * x / (u - 1);
}

/* -ln of cell i's truncated mixture (without -ln n!); subtracts the
 * gradient of its log from g. */
static double s_cell(const struct s_data *d, const struct s_par *q, size_t i,
                     double g[S_NPAR])
{
    double n = d->n[i], lg[2], t[2], lr[2], om[2];
    size_t j = d->k[i];
    for (int c = 0; c < 2; c++) {
        t[c] = d->e[i] * q->ib[c];
        lr[c] = -s_log1p(t[c]);
        double x = q->a[c] * lr[c], em = -s_expm1(x);
        om[c] = (1 - em) / em;
        lg[c] = q->lw[c] + d->tab[c * d->nk + j] + x +
                n * (d->le[i] - q->lb[c] + lr[c]) - log(em);
    }
    double hi = fmax(lg[0], lg[1]), z = exp(fmin(lg[0], lg[1]) - hi);
    double w[2];
    w[0] = (lg[0] >= lg[1] ? 1 : z) / (1 + z);
    w[1] = 1 - w[0];
    for (int c = 0; c < 2; c++) {
        double dg = d->tab[(2 + c) * d->nk + j];
        g[2 * c] -= w[c] * q->a[c] * (dg + lr[c] * (1 + om[c]));
        g[2 * c + 1] -= w[c] * (q->a[c] * t[c] * (1 + om[c]) - n) / (1 + t[c]);
    }
    g[4] -= w[0] - q->p;
    return -(hi + log1p(z));
}

/* f(u) and its gradient g; +inf outside the box or when not finite. */
static double s_objective(struct s_data *d, const double u[S_NPAR],
                          double g[S_NPAR])
{
    struct s_par q;
    d->evals++;
    memset(g, 0, S_NPAR * sizeof *g);
    if (!s_par_from_u(u, &q))
        return INFINITY;
    s_tabulate(d, &q);
    double f = d->lfact;
    for (size_t i = 0; i < d->m; i++)
        f += s_cell(d, &q, i, g);
    return isfinite(f) ? f : INFINITY;
}

static double s_dot(const double *x, const double *y)
{
    double s = 0;
    for (int i = 0; i < S_NPAR; i++)
        s += x[i] * y[i];
    return s;
}

static double s_gmax(const double *g)
{
    double m = 0;
    for (int i = 0; i < S_NPAR; i++)
        m = fmax(m, fabs(g[i]));
    return m;
}

/* One BFGS run: position, value, gradient, inverse Hessian. */
struct s_run {
    double u[S_NPAR], f, g[S_NPAR];
    double h[S_NPAR][S_NPAR];
    bool fresh; /* h is a multiple of the identity, no update yet */
};

static void s_reset(struct s_run *r, double scale)
{
    memset(r->h, 0, sizeof r->h);
    for (int i = 0; i < S_NPAR; i++)
        r->h[i][i] = scale;
    r->fresh = true;
}

/* dir = -h g, shortened so that no component exceeds S_MAXSTEP. */
static void s_direction(const struct s_run *r, double dir[S_NPAR])
{
    double m = 0;
    for (int i = 0; i < S_NPAR; i++) {
        dir[i] = -s_dot(r->h[i], r->g);
        m = fmax(m, fabs(dir[i]));
    }
    for (int i = 0; m > S_MAXSTEP && i < S_NPAR; i++)
        dir[i] *= S_MAXSTEP / m;
}

/* Backtracking along dir until the Armijo condition holds; moves r and
 * returns the step s and gradient change y. false when no step helps. */
static bool s_search(struct s_data *d, struct s_run *r,
                     const double dir[S_NPAR], double s[S_NPAR],
                     double y[S_NPAR])
{
    double slope = s_dot(r->g, dir), t = 1, un[S_NPAR], gn[S_NPAR];
    if (!(slope < 0))
        return false;
    for (int k = 0; k < 60; k++) {
        for (int i = 0; i < S_NPAR; i++)
            un[i] = r->u[i] + t * dir[i];
        double fn = s_objective(d, un, gn);
        if (fn <= r->f + 1e-4 * t * slope) {
            for (int i = 0; i < S_NPAR; i++) {
                s[i] = un[i] - r->u[i];
                y[i] = gn[i] - r->g[i];
            }
            memcpy(r->u, un, sizeof un);
            memcpy(r->g, gn, sizeof gn);
            r->f = fn;
            return true;
        }
        double tq = isfinite(fn)
                        ? -slope * t * t / (2 * (fn - r->f - slope * t))
                        : t / 4;
        t = fmin(0.5 * t, fmax(0.1 * t, tq));
    }
    return false;
}

/* h <- (I - rho s y') h (I - rho y s') + rho s s', rho = 1 / s'y. */
static void s_update(struct s_run *r, const double *s, const double *y,
                     double sy)
{
    double hy[S_NPAR], rho = 1 / sy;
    if (r->fresh)
        s_reset(r, sy / s_dot(y, y));
    for (int i = 0; i < S_NPAR; i++)
        hy[i] = s_dot(r->h[i], y);
    double c = rho * rho * s_dot(y, hy) + rho;
    for (int i = 0; i < S_NPAR; i++)
        for (int j = 0; j < S_NPAR; j++)
            r->h[i][j] += c * s[i] * s[j] - rho * (s[i] * hy[j] + hy[i] * s[j]);
    r->fresh = false;
}

/* Minimise from r->u, with r->h as the first inverse Hessian. Stops on
 * a small gradient, when three iterations in a row gain less than the
 * rounding noise of f, or when even steepest descent finds no decrease. */
static void s_bfgs(struct s_data *d, struct s_run *r)
{
    double gtol = 1e-9 * (double)d->m, dir[S_NPAR], s[S_NPAR], y[S_NPAR];
    int flat = 0;
    r->f = s_objective(d, r->u, r->g);
    for (int it = 0; it < S_MAXIT && isfinite(r->f) && flat < 3; it++) {
        double f0 = r->f;
        if (s_gmax(r->g) <= gtol)
            break;
        s_direction(r, dir);
        if (!s_search(d, r, dir, s, y)) {
            if (r->fresh)
                break;
            s_reset(r, 1);
            continue;
        }
        flat = f0 - r->f <= 1e-13 * fabs(r->f) ? flat + 1 : 0;
        double sy = s_dot(s, y);
        if (sy > 1e-12 * sqrt(s_dot(s, s) * s_dot(y, y)))
            s_update(r, s, y, sy);
    }
}

static void s_u_from_prior(const struct eng_ebgm_prior *th, double u[S_NPAR])
{
    u[0] = log(th->alpha1);
    u[1] = log(th->beta1);
    u[2] = log(th->alpha2);
    u[3] = log(th->beta2);
    u[4] = log(th->p) - log1p(-th->p);
}

/* theta from u, components ordered so that p <= 0.5. */
static struct eng_ebgm_prior s_prior_from_u(const double u[S_NPAR])
{
    struct eng_ebgm_prior th = {exp(u[0]), exp(u[1]), exp(u[2]), exp(u[3]),
                                1 / (1 + exp(-u[4]))};
    if (th.p > 0.5)
        th = (struct eng_ebgm_prior){th.alpha2, th.beta2, th.alpha1, th.beta1,
                                     1 - th.p};
    return th;
}

static const struct eng_ebgm_prior s_starts[] = {
    ENG_EBGM_PRIOR_DEFAULT,    /* DuMouchel 1999 */
    {0.5, 0.1, 2.0, 2.0, 0.2}, /* wide minority, peaked majority */
    {2.0, 0.5, 1.0, 1.0, 0.1}, /* high-RR minority */
    {1.0, 0.2, 5.0, 5.0, 0.3}, /* majority tight around 1 */
    {5.0, 1.0, 0.5, 0.5, 0.05},
};

#define S_NSTARTS (sizeof s_starts / sizeof s_starts[0])

/* Every start on a subsample of about S_SUBSAMPLE cells (all cells when
 * there are fewer than twice that), then the two best distinct end
 * points polished on all cells, each with its inverse Hessian rescaled
 * (the Hessian grows with the number of cells). */
#define S_SUBSAMPLE 2000
#define S_SAME_U    0.01 /* end points this close in every u_i agree */

struct s_fit {
    struct s_data all, sub;
    bool subsampled;
    struct s_run runs[S_NSTARTS];
    struct s_run explored[S_NSTARTS]; /* runs before polishing */
    size_t order[S_NSTARTS];          /* runs by increasing f */
};

static int s_fit_data(struct s_fit *w, const struct eng_ebgm_table *t)
{
    int rc = s_data_build(&w->all, t->n, t->e, t->count, 1);
    w->subsampled = rc == 0 && w->all.m >= 2 * S_SUBSAMPLE;
    if (w->subsampled)
        rc = s_data_build(&w->sub, w->all.n, w->all.e, w->all.m,
                          w->all.m / S_SUBSAMPLE);
    return rc;
}

static void s_explore(struct s_fit *w)
{
    struct s_data *d = w->subsampled ? &w->sub : &w->all;
    for (size_t i = 0; i < S_NSTARTS; i++) {
        s_u_from_prior(&s_starts[i], w->runs[i].u);
        s_reset(&w->runs[i], 1);
        s_bfgs(d, &w->runs[i]);
        size_t k = i;
        for (; k > 0 && w->runs[w->order[k - 1]].f > w->runs[i].f; k--)
            w->order[k] = w->order[k - 1];
        w->order[k] = i;
    }
    memcpy(w->explored, w->runs, sizeof w->runs);
}

static bool s_same(const struct s_run *x, const struct s_run *y)
{
    double ux[S_NPAR], uy[S_NPAR];
    struct eng_ebgm_prior px = s_prior_from_u(x->u), py = s_prior_from_u(y->u);
    s_u_from_prior(&px, ux);
    s_u_from_prior(&py, uy);
    for (int i = 0; i < S_NPAR; i++)
        if (!(fabs(ux[i] - uy[i]) <= S_SAME_U))
            return false;
    return true;
}

/* Polish the best end point and the best one distinct from it; returns
 * the index of the winner. */
static size_t s_polish(struct s_fit *w)
{
    size_t best = w->order[0];
    if (!w->subsampled)
        return best;
    double scale = (double)w->sub.m / (double)w->all.m;
    for (size_t k = 0, done = 0; k < S_NSTARTS && done < 2; k++) {
        struct s_run *r = &w->runs[w->order[k]];
        if (!isfinite(r->f) ||
            (done == 1 && s_same(r, &w->explored[w->order[0]])))
            continue;
        for (int i = 0; i < S_NPAR; i++)
            for (int j = 0; j < S_NPAR; j++)
                r->h[i][j] *= scale;
        s_bfgs(&w->all, r);
        if (r->f < w->runs[best].f || done == 0)
            best = w->order[k];
        done++;
    }
    return best;
}

int eng_ebgm_fit(const struct eng_ebgm_table *t, struct eng_ebgm_fit *out)
{
    struct s_fit w;
    memset(&w, 0, sizeof w);
    int rc = s_fit_data(&w, t);
    size_t best = 0;
    if (rc == 0) {
        s_explore(&w);
        best = s_polish(&w);
        if (!isfinite(w.runs[best].f))
            rc = DS_EINVAL;
    }
    if (rc == 0) {
        memset(out, 0, sizeof *out);
        out->theta = s_prior_from_u(w.runs[best].u);
        out->neg_log_lik = eng_ebgm_negll(&out->theta, t->n, t->e, t->count);
        out->starts = (int)S_NSTARTS;
        for (size_t i = 0; i < S_NSTARTS; i++)
            out->starts_agree += s_same(&w.explored[i], &w.explored[best]);
        out->evaluations = w.all.evals + w.sub.evals;
    }
    s_data_free(&w.all);
    s_data_free(&w.sub);
    return rc;
}
