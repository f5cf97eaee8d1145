/*
 * eng_cusum.c - Bernoulli / risk-adjusted CUSUM chart (Steiner, Cook,
 * Farewell, Treasure 2000; reference/stats.md 6.1-6.2): weights, the
 * streaming chart, and the control limit h for a target in-control ARL
 * (6.3). The ARL itself is in eng_cusum_arl.c; see eng_cusum.h.
 *
 * Finding h: the in-control ARL of a log-likelihood-ratio CUSUM is at
 * least e^h, so h <= ln ARL0 brackets from above; ln ARL is nearly linear
 * in h, so a safeguarded regula falsi (Illinois) on ln ARL(h) - ln ARL0
 * converges in a few steps. A lattice ten times coarser brackets h
 * cheaply; the requested lattice then refines it to one lattice cell.
 *
 * Not here: cusum's p0 -> 1 - p0 flip for p0 > 0.5 (a package quirk; the
 * weights here are Steiner's for every p0), probability control limits.
 */
#include "devsurv/eng_cusum.h"
#include "devsurv/ds_err.h"

#include <math.h>

int eng_cusum_check(const struct eng_cusum_params *p)
{
    if (!(p->r0 > 0) || !isfinite(p->r0) || !(p->ra > 0) || !isfinite(p->ra) ||
        p->ra == p->r0 || !(p->h > 0) || !isfinite(p->h))
        return DS_EINVAL;
    return 0;
}

double eng_cusum_odds_prob(double p, double odds_ratio)
{
    return odds_ratio * p / (1.0 - p + odds_ratio * p);
}

double eng_cusum_weight(const struct eng_cusum_params *p, bool y, double p_i)
{
    /* 1 - p + R p = 1 + (R - 1) p */
    double w0 = log1p((p->r0 - 1.0) * p_i) - log1p((p->ra - 1.0) * p_i);
    return y ? w0 + log(p->ra / p->r0) : w0;
}

void eng_cusum_init(struct eng_cusum_state *st)
{
    *st = (struct eng_cusum_state){0.0, 0, 0};
}

enum eng_cusum_verdict eng_cusum_update(struct eng_cusum_state *st,
                                        const struct eng_cusum_params *p,
                                        bool y, double p_i, double *value)
{
    double sign = p->ra > p->r0 ? 1.0 : -1.0;
    *value = sign * st->s;
    if (!(p_i > 0 && p_i < 1))
        return ENG_CUSUM_INVALID;
    double s = st->s + eng_cusum_weight(p, y, p_i);
    s = s > 0 ? s : 0.0;
    st->n++;
    *value = sign * s;
    if (s >= p->h) {
        st->s = 0.0;
        st->signals++;
        return ENG_CUSUM_SIGNAL;
    }
    st->s = s;
    return ENG_CUSUM_CONTINUE;
}

const char *eng_cusum_verdict_name(enum eng_cusum_verdict v)
{
    switch (v) {
    case ENG_CUSUM_CONTINUE: return "continue";
    case ENG_CUSUM_SIGNAL: return "signal";
    case ENG_CUSUM_INVALID: return "invalid";
    }
    return "?";
}

/* ARL as a function of h for the search. */
struct s_design {
    const struct eng_cusum_params *p;
    double p0;                       /* Bernoulli; mix == NULL */
    const struct eng_cusum_mix *mix; /* risk-adjusted */
};

static int s_arl(const struct s_design *d, double h, int cells,
                 struct eng_cusum_arl *out)
{
    struct eng_cusum_params q = *d->p;
    q.h = h;
    if (d->mix)
        return eng_cusum_arl_mix(&q, d->mix, q.r0, cells, out);
    return eng_cusum_arl_bernoulli(&q, d->p0, q.r0, cells, out);
}

/* A bracket lo < hi with ARL(lo) < target <= ARL(hi); g = ln ARL - ln t. */
struct s_bracket {
    double lo, hi, glo, ghi;
    struct eng_cusum_arl at_hi;
};

/* Evaluate at h and shrink the bracket; side: -1 lo moved, +1 hi moved. */
static int s_probe(const struct s_design *d, double target, int cells, double h,
                   struct s_bracket *b, int *side)
{
    struct eng_cusum_arl a;
    int rc = s_arl(d, h, cells, &a);
    if (rc != 0)
        return rc;
    double g = log(a.arl) - log(target);
    if (g < 0) {
        b->lo = h;
        b->glo = g;
        *side = -1;
    } else {
        b->hi = h;
        b->ghi = g;
        b->at_hi = a;
        *side = 1;
    }
    return 0;
}

/* Illinois regula falsi until hi - lo <= tol. */
static int s_refine(const struct s_design *d, double target, int cells,
                    double tol, struct s_bracket *b)
{
    int last = 0, side, rc;
    double wlo = 1.0, whi = 1.0;
    for (int it = 0; it < 200 && b->hi - b->lo > tol; it++) {
        double glo = b->glo * wlo, ghi = b->ghi * whi;
        double h = b->lo + (b->hi - b->lo) * (-glo) / (ghi - glo);
        double m = 1e-3 * (b->hi - b->lo); /* keep strictly inside */
        if (!(h > b->lo + m && h < b->hi - m))
            h = b->lo + (b->hi - b->lo) / 2;
        if ((rc = s_probe(d, target, cells, h, b, &side)) != 0)
            return rc;
        wlo = side == 1 && last == 1 ? wlo / 2 : 1.0;
        whi = side == -1 && last == -1 ? whi / 2 : 1.0;
        last = side;
    }
    return b->hi - b->lo <= tol ? 0 : DS_ERANGE;
}

/* Grow a bracket around h0 (width w) until it holds the solution. */
static int s_bracket(const struct s_design *d, double target, int cells,
                     double h0, double w, struct s_bracket *b)
{
    int side = 0, rc, seen = 0;
    double h = h0;
    for (int it = 0; it < 60 && seen != 3; it++) {
        if ((rc = s_probe(d, target, cells, h, b, &side)) != 0)
            return rc;
        seen |= side < 0 ? 1 : 2;
        h = side < 0 ? b->lo + w : b->hi - w;
        if (h <= 0)
            h = b->hi / 4;
        w *= 2;
    }
    return seen == 3 ? 0 : DS_ERANGE;
}

static int s_find_h(const struct s_design *d, double target, int cells,
                    double *h, struct eng_cusum_arl *out)
{
    if (eng_cusum_check(&(struct eng_cusum_params){d->p->r0, d->p->ra, 1.0}) !=
            0 ||
        !(target > 1) || !isfinite(target))
        return DS_EINVAL;
    cells = cells > 0 ? cells : ENG_CUSUM_CELLS;
    int coarse = cells / 10 > 20 ? cells / 10 : 20;
    struct s_bracket b = {0};
    double guess = log(target);
    int rc = s_bracket(d, target, coarse, guess, guess / 4, &b);
    if (rc == 0)
        rc = s_refine(d, target, coarse, 1e-3 * b.hi, &b);
    if (rc == 0)
        rc = s_bracket(d, target, cells, b.hi, 2e-3 * b.hi, &b);
    if (rc == 0)
        rc = s_refine(d, target, cells, b.at_hi.delta, &b);
    if (rc != 0)
        return rc;
    *h = b.hi;
    *out = b.at_hi;
    return 0;
}

int eng_cusum_h_bernoulli(const struct eng_cusum_params *p, double p0,
                          double arl0, int cells, double *h,
                          struct eng_cusum_arl *out)
{
    struct s_design d = {p, p0, NULL};
    return s_find_h(&d, arl0, cells, h, out);
}

int eng_cusum_h_mix(const struct eng_cusum_params *p,
                    const struct eng_cusum_mix *mix, double arl0, int cells,
                    double *h, struct eng_cusum_arl *out)
{
    struct s_design d = {p, 0.0, mix};
    return s_find_h(&d, arl0, cells, h, out);
}
