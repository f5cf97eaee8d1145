/*
 * eng_cusum_arl.c - ARL of Bernoulli and risk-adjusted CUSUM charts on a
 * lattice Markov chain with mean-preserving split rounding (Brook & Evans
 * 1972 with the rounding of reference/stats.md 6.3; see eng_cusum.h).
 *
 * Generic chain: (I - Q) x = 1 is row diagonally dominant, so Gaussian
 * elimination needs no pivoting. Eliminating from the top state down keeps
 * the band (row i spans [i - kl, i + ku]) and only ever touches the ku + 1
 * rows below the pivot, and the last equation left is the one for x_0:
 * no back substitution, O(ku (kl + ku)) memory, O(H kl ku) time.
 *
 * Bernoulli chart: with delta = |W0| / K the no-event step is exactly K
 * cells, but the event step spans K |W1| / |W0| cells, so the band method
 * would cost O(H K^2 |W1|/|W0|) - far too much at K = 1000. Instead follow
 * the chain from event to event: between events it moves deterministically,
 * and the number of no-events is geometric, so the state just before the
 * next event is pre[t] = p post[t] + q pre[t -+ K] (one pass). Renewal at
 * S = 0 gives ARL = E[patients per cycle] / P(cycle ends in a signal):
 *   upper chart (W0 < 0, signals only at events): a cycle starts at an
 *     event seen from S = 0 and ends at the next such event; by Wald's
 *     identity patients = events / p;
 *   lower chart (W0 > 0 climbs, signals between events): a cycle starts at
 *     S = 0 and ends when an event brings S back to 0; patients until the
 *     next event or signal from state v have mean (1 - q^k_v) / p.
 * Each event costs O(H); the loop ends when the mass still in the cycle is
 * negligible (1e-15 of the signal mass).
 *
 * Not here: steady-state ARL, FIR head starts.
 */
#include "devsurv/eng_cusum.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <math.h>
#include <string.h>

/* The sliding window of ku + 1 band rows, width kl + ku + 1. */
struct s_band {
    int64_t n, kl, ku, w;
    double *a, *rhs;
    struct eng_cusum_move *mv;
    size_t cap;
};

static double *s_row(struct s_band *b, int64_t i)
{
    return b->a + (size_t)(i % (b->ku + 1)) * (size_t)b->w;
}

static int s_fill(struct s_band *b, int64_t i, eng_cusum_moves_fn fn, void *ctx)
{
    double *r = s_row(b, i);
    memset(r, 0, (size_t)b->w * sizeof *r);
    r[b->kl] = 1.0;
    b->rhs[i % (b->ku + 1)] = 1.0;
    size_t n = fn(ctx, i, b->mv, b->cap);
    for (size_t k = 0; k < n && k < b->cap; k++) {
        int64_t to = b->mv[k].to;
        if (to >= b->n)
            continue;
        if (to < 0 || to < i - b->kl || to > i + b->ku)
            return DS_EINVAL;
        r[to - i + b->kl] -= b->mv[k].p;
    }
    return 0;
}

/* Eliminate x_k from the rows below it that reference it. */
static void s_eliminate(struct s_band *b, int64_t k)
{
    double *rk = s_row(b, k), piv = rk[b->kl];
    double bk = b->rhs[k % (b->ku + 1)];
    int64_t j0 = k - b->kl > 0 ? k - b->kl : 0;
    for (int64_t i = k - b->ku > 0 ? k - b->ku : 0; i < k; i++) {
        double *ri = s_row(b, i), f = ri[k - i + b->kl];
        if (f == 0.0)
            continue;
        f /= piv;
        double *dst = ri + (j0 - i + b->kl), *src = rk + (j0 - k + b->kl);
        for (int64_t j = 0; j < k - j0; j++)
            dst[j] -= f * src[j];
        ri[k - i + b->kl] = 0.0;
        b->rhs[i % (b->ku + 1)] -= f * bk;
    }
}

static int s_band_run(struct s_band *b, eng_cusum_moves_fn fn, void *ctx,
                      double *arl)
{
    int rc = 0;
    for (int64_t i = b->n - 1; i >= 0 && i >= b->n - 1 - b->ku && !rc; i--)
        rc = s_fill(b, i, fn, ctx);
    for (int64_t k = b->n - 1; k >= 1 && !rc; k--) {
        if (!(s_row(b, k)[b->kl] > 1e-300))
            return DS_ERANGE;
        s_eliminate(b, k);
        if (k - 1 - b->ku >= 0)
            rc = s_fill(b, k - 1 - b->ku, fn, ctx);
    }
    if (rc)
        return rc;
    double piv = s_row(b, 0)[b->kl];
    if (!(piv > 1e-300))
        return DS_ERANGE;
    *arl = b->rhs[0] / piv;
    return 0;
}

int eng_cusum_chain_arl(int64_t states, int64_t kl, int64_t ku,
                        size_t max_moves, eng_cusum_moves_fn fn, void *ctx,
                        double *arl)
{
    if (states < 1 || kl < 0 || ku < 0 || max_moves < 1 ||
        states > ENG_CUSUM_STATES_MAX)
        return DS_EINVAL;
    kl = kl < states ? kl : states - 1;
    ku = ku < states ? ku : states - 1;
    struct s_band b = {states, kl,   ku,   kl + ku + 1,
                       NULL,   NULL, NULL, max_moves};
    b.a = ds_malloc((size_t)(ku + 1) * (size_t)b.w * sizeof *b.a);
    b.rhs = ds_malloc((size_t)(ku + 1) * sizeof *b.rhs);
    b.mv = ds_malloc(max_moves * sizeof *b.mv);
    int rc = b.a && b.rhs && b.mv ? s_band_run(&b, fn, ctx, arl) : DS_ENOMEM;
    ds_free(b.a);
    ds_free(b.rhs);
    ds_free(b.mv);
    return rc;
}

/* Split rounding of x = W / delta: step lo with 1 - fr, lo + 1 with fr. */
static void s_split(double x, int64_t *lo, double *fr)
{
    double f = floor(x);
    *lo = (int64_t)f;
    *fr = x - f;
}

/* The Bernoulli lattice. */
struct s_blat {
    int64_t h_cells; /* H */
    int64_t k;       /* |no-event step| in cells, exact */
    int64_t lo;      /* |event step| = lo + fr cells */
    double fr, p;    /* p: true event probability */
    double delta;
};

static int s_blat_make(const struct eng_cusum_params *prm, double p0,
                       double true_or, int cells, struct s_blat *l)
{
    double w0 = eng_cusum_weight(prm, false, p0);
    double w1 = eng_cusum_weight(prm, true, p0);
    double a = fabs(w0), b = fabs(w1);
    double k = (double)cells * (a > b ? ceil(a / b) : 1.0);
    l->delta = a / k;
    l->k = (int64_t)k;
    s_split(b / l->delta, &l->lo, &l->fr);
    double hc = ceil(prm->h / l->delta - 1e-9);
    if (hc > ENG_CUSUM_STATES_MAX || !(l->delta > 0))
        return DS_ERANGE;
    l->h_cells = hc < 1 ? 1 : (int64_t)hc;
    l->p = eng_cusum_odds_prob(p0, true_or);
    return l->p > 0 && l->p < 1 ? 0 : DS_ERANGE;
}

/* Events to follow before giving up: about 5e9 state updates. */
static long s_max_events(int64_t states)
{
    return (long)(5e9 / (double)states) + 1000;
}

/* An event from pre-event state t (upper chart): jump up. */
static void s_jump_up(const struct s_blat *l, double *post, int64_t t, double m,
                      double *ps)
{
    int64_t i = t + l->lo;
    if (i + 1 < l->h_cells) {
        post[i] += m * (1.0 - l->fr);
        post[i + 1] += m * l->fr;
    } else if (i < l->h_cells) {
        post[i] += m * (1.0 - l->fr);
        *ps += m * l->fr;
    } else {
        *ps += m;
    }
}

/* Upper chart; pre has h_cells + k zeroed entries. */
static int s_embed_up(const struct s_blat *l, double *post, double *pre,
                      double *arl)
{
    int64_t n = l->h_cells;
    double p = l->p, q = 1.0 - p, events = 1.0, ps = 0.0;
    s_jump_up(l, post, 0, 1.0, &ps);
    for (long it = 0; it < s_max_events(n); it++) {
        double m = 0.0;
        for (int64_t t = n - 1; t >= 1; t--) {
            pre[t] = p * post[t] + q * pre[t + l->k];
            m += pre[t];
        }
        if (m <= 1e-15 * ps) {
            if (!(ps > 0))
                return DS_ERANGE;
            *arl = events / ps / p;
            return 0;
        }
        events += m;
        memset(post, 0, (size_t)n * sizeof *post);
        for (int64_t t = 1; t < n; t++)
            if (pre[t] != 0.0)
                s_jump_up(l, post, t, pre[t], &ps);
    }
    return DS_ERANGE;
}

/* An event from pre-event state t (lower chart): drop, floored at 0,
 * which ends the cycle. */
static void s_jump_down(const struct s_blat *l, double *post, int64_t t,
                        double m)
{
    int64_t i = t - l->lo;
    if (i > 0)
        post[i] += m * (1.0 - l->fr);
    if (i - 1 > 0)
        post[i - 1] += m * l->fr;
}

/* Lower chart (no-event steps climb k cells); pre is offset by k. */
static int s_embed_down(const struct s_blat *l, double *post, double *pre,
                        double *arl)
{
    int64_t n = l->h_cells, k = l->k;
    double p = l->p, q = 1.0 - p, patients = 0.0, ps = 0.0, *pr = pre + k;
    post[0] = 1.0;
    for (long it = 0; it < s_max_events(n); it++) {
        double m = 0.0, top = 0.0;
        for (int64_t t = 0; t < n; t++) {
            pr[t] = p * post[t] + q * pr[t - k];
            m += pr[t];
            top += t >= n - k ? pr[t] : 0.0;
        }
        ps += q / p * top; /* mass climbing past the limit */
        patients += m / p;
        memset(post, 0, (size_t)n * sizeof *post);
        double left = 0.0;
        for (int64_t t = 0; t < n; t++)
            if (pr[t] != 0.0)
                s_jump_down(l, post, t, pr[t]);
        for (int64_t t = 1; t < n; t++)
            left += post[t];
        if (left <= 1e-15 * ps) {
            if (!(ps > 0))
                return DS_ERANGE;
            *arl = patients / ps;
            return 0;
        }
    }
    return DS_ERANGE;
}

int eng_cusum_arl_bernoulli(const struct eng_cusum_params *p, double p0,
                            double true_or, int cells,
                            struct eng_cusum_arl *out)
{
    struct s_blat l;
    if (eng_cusum_check(p) != 0 || !(p0 > 0 && p0 < 1) || !(true_or > 0) ||
        !isfinite(true_or))
        return DS_EINVAL;
    cells = cells > 0 ? cells : ENG_CUSUM_CELLS;
    int rc;
    while ((rc = s_blat_make(p, p0, true_or, cells, &l)) == DS_ERANGE &&
           cells / 2 >= 50)
        cells /= 2;
    if (rc != 0)
        return rc;
    size_t n = (size_t)l.h_cells;
    double *post = ds_calloc(n + 1, sizeof *post);
    double *pre = ds_calloc(n + (size_t)l.k + 1, sizeof *pre);
    if (!post || !pre)
        rc = DS_ENOMEM;
    else if (eng_cusum_weight(p, false, p0) < 0)
        rc = s_embed_up(&l, post, pre, &out->arl);
    else
        rc = s_embed_down(&l, post, pre, &out->arl);
    ds_free(post);
    ds_free(pre);
    out->delta = l.delta;
    out->states = l.h_cells;
    return rc;
}

/* Step distribution of a risk mix on the lattice: prob[s - smin]. */
struct s_steps {
    int64_t smin, smax;
    double *prob;
};

static void s_add_step(struct s_steps *st, double x, double pr)
{
    int64_t lo;
    double fr;
    s_split(x, &lo, &fr);
    st->prob[lo - st->smin] += pr * (1.0 - fr);
    st->prob[lo + 1 - st->smin] += pr * fr;
}

static size_t s_mix_moves(void *ctx, int64_t from, struct eng_cusum_move *out,
                          size_t cap)
{
    const struct s_steps *st = ctx;
    size_t n = 0;
    for (int64_t s = st->smin; s <= st->smax && n < cap; s++) {
        double pr = st->prob[s - st->smin];
        if (pr > 0)
            out[n++] = (struct eng_cusum_move){from + s > 0 ? from + s : 0, pr};
    }
    return n;
}

/* Weighted sum of the mix and its validity. */
static int s_mix_total(const struct eng_cusum_mix *mix, double *total)
{
    *total = 0.0;
    for (size_t i = 0; i < mix->n; i++) {
        if (!(mix->risk[i] > 0 && mix->risk[i] < 1) || !(mix->weight[i] >= 0) ||
            !isfinite(mix->weight[i]))
            return DS_EINVAL;
        *total += mix->weight[i];
    }
    return mix->n > 0 && *total > 0 && isfinite(*total) ? 0 : DS_EINVAL;
}

/* Drop the zero-probability ends of the step distribution. */
static struct s_steps s_trim(struct s_steps st)
{
    int64_t lo = st.smin, hi = st.smax;
    while (lo < hi && st.prob[lo - st.smin] == 0.0)
        lo++;
    while (hi > lo && st.prob[hi - st.smin] == 0.0)
        hi--;
    return (struct s_steps){lo, hi, st.prob + (lo - st.smin)};
}

static int s_mix_solve(const struct eng_cusum_params *p,
                       const struct eng_cusum_mix *mix, double true_or,
                       double total, struct eng_cusum_arl *out)
{
    struct s_steps st; /* |W| < |ln(RA/R0)|, plus one cell of rounding */
    st.smax = (int64_t)ceil(fabs(log(p->ra / p->r0)) / out->delta) + 2;
    st.smin = -st.smax;
    st.prob = ds_calloc((size_t)(2 * st.smax + 1), sizeof *st.prob);
    if (!st.prob)
        return DS_ENOMEM;
    for (size_t i = 0; i < mix->n; i++) {
        double r = mix->risk[i], w = mix->weight[i] / total;
        double pt = eng_cusum_odds_prob(r, true_or);
        s_add_step(&st, eng_cusum_weight(p, true, r) / out->delta, w * pt);
        s_add_step(&st, eng_cusum_weight(p, false, r) / out->delta,
                   w * (1.0 - pt));
    }
    struct s_steps t = s_trim(st);
    int64_t kl = t.smin < 0 ? -t.smin : 0, ku = t.smax > 0 ? t.smax : 0;
    int rc =
        eng_cusum_chain_arl(out->states, kl, ku, (size_t)(t.smax - t.smin + 1),
                            s_mix_moves, &t, &out->arl);
    ds_free(st.prob);
    return rc;
}

int eng_cusum_arl_mix(const struct eng_cusum_params *p,
                      const struct eng_cusum_mix *mix, double true_or,
                      int cells, struct eng_cusum_arl *out)
{
    double total;
    if (eng_cusum_check(p) != 0 || !(true_or > 0) || !isfinite(true_or) ||
        s_mix_total(mix, &total) != 0)
        return DS_EINVAL;
    cells = cells > 0 ? cells : ENG_CUSUM_CELLS;
    out->delta = p->h / cells;
    out->states = cells;
    return s_mix_solve(p, mix, true_or, total, out);
}
