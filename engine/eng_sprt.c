/*
 * eng_sprt.c - Wald SPRT (Wald 1945), Poisson and Bernoulli: boundaries,
 * streaming test and exact operating characteristics of the truncated test
 * (reference/stats.md sections 1.3 and 4; see eng_sprt.h).
 *
 * Poisson, upper boundary only: the k-th event signals iff it arrives by
 * u_k = (k ln RR1 - A)/(RR1 - 1). With k0 the first k with u_k > 0 and K
 * the first with u_k >= T, the intervals (0, u_k0], (u_{k-1}, u_k] and
 * (u_{K-1}, T] each carry a signal threshold (k0, k, K): state P[j] =
 * P(no signal, j events) is pushed through each interval by a Poisson
 * convolution, the signal mass is sum_l P[l] Q(thr - l, RR dt) and its time
 * sum_l P[l] (t0 Q(r) + (r/RR) Q(r + 1)), r = thr - l (the arrival time of
 * the r-th event is Gamma(r, RR)). Every interval is at most ln RR1 /
 * (RR1 - 1) < 1 long, so its Poisson pmf is short.
 *
 * Bernoulli, both boundaries: the binomial DP over the continuation region
 * B < LLR(c, n) < A, which is an interval of c of bounded width.
 *
 * Not here: the exact Poisson test with an accept boundary.
 */
#include "devsurv/eng_sprt.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <math.h>
#include <string.h>

int eng_sprt_bounds(double alpha, double beta, double *a, double *b)
{
    if (!(alpha > 0 && beta > 0 && alpha + beta < 1))
        return DS_EINVAL;
    *a = log((1.0 - beta) / alpha);
    *b = log(beta / (1.0 - alpha));
    return 0;
}

static double s_poisson_llr(const struct eng_sprt_poisson *p, int64_t c,
                            double mu)
{
    return (double)c * log(p->rr1) - (p->rr1 - 1.0) * mu;
}

static double s_u(const struct eng_sprt_poisson *p, int64_t k)
{
    return ((double)k * log(p->rr1) - p->a) / (p->rr1 - 1.0);
}

/* Working storage of the interval DP. */
struct s_dp {
    double *p, *np; /* state before / after the interval, [0, cap) */
    double *f, *q;  /* pmf and upper tails Q(r) = sum_{j>=r} f[j] */
    int64_t cap;    /* states: max threshold + 1 */
    int64_t flen;   /* pmf entries */
    double rr, sig, etime;
};

/* Poisson(m) pmf f[0..n) from the mode outwards (no underflow of e^-m);
 * tails q[0..n]. Returns the last index with a non-negligible term. */
static int64_t s_pmf(double m, double *f, double *q, int64_t n)
{
    int64_t mode = (int64_t)floor(m), last = 0;
    memset(f, 0, (size_t)n * sizeof *f);
    if (mode >= n)
        mode = n - 1;
    f[mode] =
        m > 0 ? exp(-m + (double)mode * log(m) - lgamma(mode + 1.0)) : 1.0;
    for (int64_t j = mode - 1; j >= 0; j--)
        f[j] = f[j + 1] * (double)(j + 1) / m;
    for (int64_t j = mode + 1; j < n; j++)
        f[j] = f[j - 1] * m / (double)j;
    q[n] = 0.0;
    for (int64_t j = n - 1; j >= 0; j--) {
        q[j] = q[j + 1] + f[j];
        if (!last && f[j] > 1e-20 * f[mode])
            last = j;
    }
    return last;
}

/* Push the state (thresholds < thr) through (t0, t1] with threshold thr.
 * prev: states in use before. */
static void s_interval(struct s_dp *w, int64_t prev, double t0, double t1,
                       int64_t thr)
{
    int64_t last = s_pmf(w->rr * (t1 - t0), w->f, w->q, w->flen);
    for (int64_t l = 0; l < prev; l++) {
        int64_t r = thr - l;
        w->sig += w->p[l] * w->q[r];
        w->etime += w->p[l] * (t0 * w->q[r] + (double)r / w->rr * w->q[r + 1]);
    }
    for (int64_t j = 0; j < thr; j++) {
        double s = 0.0;
        int64_t l0 = j - last > 0 ? j - last : 0;
        for (int64_t l = l0; l <= j && l < prev; l++)
            s += w->p[l] * w->f[j - l];
        w->np[j] = s;
    }
    double *t = w->p;
    w->p = w->np;
    w->np = t;
}

static void s_dp_free(struct s_dp *w)
{
    ds_free(w->p);
    ds_free(w->np);
    ds_free(w->f);
    ds_free(w->q);
}

static int s_dp_alloc(struct s_dp *w, int64_t kmax, double mmax)
{
    w->cap = kmax + 1;
    w->flen = kmax + 2;
    if ((double)w->flen < mmax + 12 * sqrt(mmax) + 30)
        w->flen = (int64_t)(mmax + 12 * sqrt(mmax) + 30);
    w->p = ds_calloc((size_t)w->cap, sizeof *w->p);
    w->np = ds_calloc((size_t)w->cap, sizeof *w->np);
    w->f = ds_malloc((size_t)w->flen * sizeof *w->f);
    w->q = ds_malloc(((size_t)w->flen + 1) * sizeof *w->q);
    if (!w->p || !w->np || !w->f || !w->q) {
        s_dp_free(w);
        return DS_ENOMEM;
    }
    return 0;
}

static int s_poisson_check(const struct eng_sprt_poisson *p, double rr)
{
    if (!(p->rr1 > 1) || !isfinite(p->rr1) || !(p->a > 0) || !isfinite(p->a) ||
        !(p->t_max > 0) || !isfinite(p->t_max) || !(rr > 0) || !isfinite(rr))
        return DS_EINVAL;
    double k = (p->t_max * (p->rr1 - 1.0) + p->a) / log(p->rr1);
    double spacing = log(p->rr1) / (p->rr1 - 1.0);
    if (k > ENG_SPRT_K_MAX || rr * fmin(spacing, p->t_max) > 1e6)
        return DS_ERANGE;
    return 0;
}

/* The first k >= 1 with u_k > 0: fewer events can never signal. */
static int64_t s_first_k(const struct eng_sprt_poisson *p)
{
    int64_t k = (int64_t)floor(p->a / log(p->rr1)) + 1;
    while (s_u(p, k) <= 0)
        k++;
    while (k > 1 && s_u(p, k - 1) > 0)
        k--;
    return k;
}

/* Run the intervals; k0 = first k with u_k > 0. */
static void s_poisson_run(const struct eng_sprt_poisson *p, struct s_dp *w,
                          int64_t k0)
{
    w->p[0] = 1.0;
    if (s_u(p, k0) >= p->t_max) {
        s_interval(w, 1, 0.0, p->t_max, k0);
        return;
    }
    s_interval(w, 1, 0.0, s_u(p, k0), k0);
    for (int64_t k = k0 + 1;; k++) {
        double t1 = s_u(p, k) < p->t_max ? s_u(p, k) : p->t_max;
        s_interval(w, k - 1, s_u(p, k - 1), t1, k);
        if (t1 >= p->t_max)
            return;
    }
}

int eng_sprt_poisson_exact(const struct eng_sprt_poisson *p, double rr,
                           struct eng_sprt_oc *out)
{
    int rc = s_poisson_check(p, rr);
    if (rc != 0)
        return rc;
    int64_t k0 = s_first_k(p);
    int64_t kmax =
        (int64_t)ceil((p->t_max * (p->rr1 - 1.0) + p->a) / log(p->rr1)) + 2;
    double spacing = log(p->rr1) / (p->rr1 - 1.0);
    struct s_dp w = {0};
    if (s_dp_alloc(&w, kmax > k0 ? kmax : k0 + 1,
                   rr * fmin(spacing, p->t_max)) != 0)
        return DS_ENOMEM;
    w.rr = rr;
    s_poisson_run(p, &w, k0);
    out->p_upper = w.sig;
    out->p_lower = 0.0;
    out->signal_time = w.sig > 0 ? w.etime / w.sig : NAN;
    out->sample_size = w.etime + (1.0 - w.sig) * p->t_max;
    s_dp_free(&w);
    return 0;
}

static double s_bern_llr(const struct eng_sprt_bernoulli *p, int64_t c,
                         int64_t n)
{
    return (double)c * log(p->p1 / p->p0) +
           (double)(n - c) * log((1.0 - p->p1) / (1.0 - p->p0));
}

/* Bernoulli DP state: s[i] = P(continuing, c = lo + i) after n steps. */
struct s_bern {
    double *s;
    int64_t lo, hi; /* continuing c in [lo, hi]; hi < lo: none */
    double up, down, eup, edown;
};

/* One observation, then absorb outside (B, A). */
static void s_bern_step(const struct eng_sprt_bernoulli *p, double pt,
                        int64_t n, struct s_bern *b)
{
    int64_t w = b->hi - b->lo + 1, nlo = -1, nhi = -2;
    b->s[w] = b->s[w - 1] * pt;
    for (int64_t i = w - 1; i > 0; i--)
        b->s[i] = b->s[i] * (1.0 - pt) + b->s[i - 1] * pt;
    b->s[0] *= 1.0 - pt;
    for (int64_t i = 0; i <= w; i++) {
        double llr = s_bern_llr(p, b->lo + i, n);
        if (llr >= p->a) {
            b->up += b->s[i];
            b->eup += (double)n * b->s[i];
        } else if (llr <= p->b) {
            b->down += b->s[i];
            b->edown += (double)n * b->s[i];
        } else {
            nlo = nlo < 0 ? i : nlo;
            nhi = i;
        }
    }
    if (nlo > 0)
        memmove(b->s, b->s + nlo, (size_t)(nhi - nlo + 1) * sizeof *b->s);
    b->hi = b->lo + nhi;
    b->lo += nlo < 0 ? 0 : nlo;
}

static int s_bern_check(const struct eng_sprt_bernoulli *p, double pt)
{
    if (!(p->p0 > 0 && p->p0 < 1 && p->p1 > 0 && p->p1 < 1) || p->p0 == p->p1 ||
        !(p->a > 0) || !isfinite(p->a) || !(p->b < 0) || !isfinite(p->b) ||
        p->n_max < 1 || !(pt >= 0 && pt <= 1))
        return DS_EINVAL;
    return p->n_max > ENG_SPRT_N_MAX ? DS_ERANGE : 0;
}

int eng_sprt_bernoulli_exact(const struct eng_sprt_bernoulli *p, double pt,
                             struct eng_sprt_oc *out)
{
    int rc = s_bern_check(p, pt);
    if (rc != 0)
        return rc;
    double slope =
        fabs(log(p->p1 / p->p0) - log((1.0 - p->p1) / (1.0 - p->p0)));
    double width = (p->a - p->b) / slope + 4;
    if (width > 1e7)
        return DS_ERANGE;
    struct s_bern b = {
        ds_malloc((size_t)width * sizeof(double)), 0, 0, 0, 0, 0, 0};
    if (!b.s)
        return DS_ENOMEM;
    b.s[0] = 1.0;
    int64_t n = 0;
    while (n < p->n_max && b.hi >= b.lo)
        s_bern_step(p, pt, ++n, &b);
    double rest = 1.0 - b.up - b.down;
    out->p_upper = b.up;
    out->p_lower = b.down;
    out->signal_time = b.up > 0 ? b.eup / b.up : NAN;
    out->sample_size = b.eup + b.edown + (double)p->n_max * rest;
    ds_free(b.s);
    return 0;
}

void eng_sprt_init(struct eng_sprt_state *st)
{
    *st = (struct eng_sprt_state){0.0, 0.0, 0, 0, false};
}

/* Compare st->llr with the boundaries. */
static enum eng_sprt_verdict s_decide(struct eng_sprt_state *st, double a,
                                      double b)
{
    if (st->llr >= a || st->llr <= b) {
        st->over = true;
        return st->llr >= a ? ENG_SPRT_SIGNAL : ENG_SPRT_ACCEPT;
    }
    return ENG_SPRT_CONTINUE;
}

enum eng_sprt_verdict eng_sprt_poisson_add(struct eng_sprt_state *st,
                                           const struct eng_sprt_poisson *p,
                                           double expected, int64_t events)
{
    if (st->over)
        return ENG_SPRT_ENDED;
    if (!(expected >= 0) || !isfinite(expected) || events < 0)
        return ENG_SPRT_INVALID;
    if (st->mu + expected > p->t_max) {
        st->over = true;
        return ENG_SPRT_ENDED;
    }
    st->mu += expected;
    st->llr = s_poisson_llr(p, st->count, st->mu);
    enum eng_sprt_verdict v = s_decide(st, p->a, p->b);
    if (v != ENG_SPRT_CONTINUE || events == 0)
        return v;
    st->count += events;
    st->llr = s_poisson_llr(p, st->count, st->mu);
    return s_decide(st, p->a, p->b);
}

enum eng_sprt_verdict eng_sprt_bernoulli_add(struct eng_sprt_state *st,
                                             const struct eng_sprt_bernoulli *p,
                                             bool event)
{
    if (st->over)
        return ENG_SPRT_ENDED;
    st->n++;
    st->count += event;
    st->llr = s_bern_llr(p, st->count, st->n);
    enum eng_sprt_verdict v = s_decide(st, p->a, p->b);
    if (v == ENG_SPRT_CONTINUE && st->n >= p->n_max) {
        st->over = true;
        return ENG_SPRT_ENDED;
    }
    return v;
}

const char *eng_sprt_verdict_name(enum eng_sprt_verdict v)
{
    switch (v) {
    case ENG_SPRT_CONTINUE: return "continue";
    case ENG_SPRT_SIGNAL: return "signal";
    case ENG_SPRT_ACCEPT: return "accept";
    case ENG_SPRT_ENDED: return "ended";
    case ENG_SPRT_INVALID: return "invalid";
    }
    return "?";
}
