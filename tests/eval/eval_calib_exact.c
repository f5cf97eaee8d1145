/*
 * eval_calib_exact.c - exact operating characteristics that the
 * statistics library does not compute, for the calibration check:
 *
 * Bernoulli CUSUM within a horizon of n trials. Since the chart was last
 * at 0 it has seen a events and b non-events, so S = a W1 + b W0 (W0 < 0
 * < W1 from eng_cusum_weight): the pair (a, b) is an exact finite state
 * (a <= (n |W0| + h) / (W1 + |W0|)). Forward recursion over the n trials
 * gives P(first signal at t) exactly - no lattice, no simulation. (The
 * library's eng_cusum_arl_bernoulli gives the ARL on a lattice; the
 * report shows it alongside.)
 *
 * Disproportionality: reports are multinomial over the 2x2 cells; the
 * recursion over (a, b, c) (d = n - a - b - c) with the screen applied to
 * the surviving states at every look gives P(signal by the last look).
 * The screen is the plan's rule restated on eng_disprop_compute's values
 * (not eng_plan_stat_table, which is what is checked). States are
 * bounded at mean + 10 sd of each count; the mass beyond is reported.
 *
 * Not here: the MaxSPRTs (eng_maxsprt_perf and eng_binomial_perf are
 * exact already).
 */
#include "eval_calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void s_finish(const double *sig, int64_t n, struct ec_exact *out)
{
    double power = 0, tsum = 0, cum = 0;
    for (int64_t t = 1; t <= n; t++) {
        power += sig[t];
        tsum += (double)t * sig[t];
    }
    out->power = power;
    out->mean_time = power > 0 ? tsum / power : NAN;
    out->median_time = NAN;
    for (int64_t t = 1; t <= n && power > 0; t++)
        if ((cum += sig[t]) >= power / 2) {
            out->median_time = (double)t;
            break;
        }
}

struct s_cus {
    double w1, w0, h, p;
    int64_t na, nb; /* a in [0, na), b in [0, nb) */
};

/* One trial from every state of cur into nxt; returns P(signal now). */
static double s_cusum_step(const struct s_cus *k, const double *cur,
                           double *nxt, double *zero)
{
    double sig = 0, z = *zero, nz = z * (1 - k->p);
    memset(nxt, 0, sizeof *nxt * (size_t)(k->na * k->nb));
    if (k->w1 >= k->h)
        sig += z * k->p;
    else
        nxt[1 * k->nb] += z * k->p;
    for (int64_t a = 1; a < k->na; a++)
        for (int64_t b = 0; b < k->nb; b++) {
            double m = cur[a * k->nb + b];
            if (m == 0)
                continue;
            double s = (double)a * k->w1 + (double)b * k->w0;
            if (s + k->w1 >= k->h)
                sig += m * k->p;
            else if (a + 1 < k->na)
                nxt[(a + 1) * k->nb + b] += m * k->p;
            if (s + k->w0 <= 0)
                nz += m * (1 - k->p);
            else if (b + 1 < k->nb)
                nxt[a * k->nb + b + 1] += m * (1 - k->p);
        }
    *zero = nz;
    return sig;
}

int ec_exact_cusum(const struct eng_plan_design *d, const struct ec_world *w,
                   struct ec_exact *out)
{
    double p0 = d->plan->baseline_rate;
    struct s_cus k = {eng_cusum_weight(&d->cusum, true, p0),
                      eng_cusum_weight(&d->cusum, false, p0),
                      d->cusum.h,
                      eng_cusum_odds_prob(p0, w->rr),
                      0,
                      0};
    if (!(k.w1 > 0 && k.w0 < 0))
        return -1; /* the lower chart is not covered */
    k.na = (int64_t)(((double)w->horizon * -k.w0 + k.h) / (k.w1 - k.w0)) + 3;
    k.nb = (int64_t)((double)k.na * k.w1 / -k.w0) + 3;
    if ((double)k.na * (double)k.nb > 2e7)
        return -1;
    size_t cells = (size_t)(k.na * k.nb);
    double *cur = calloc(cells, sizeof *cur), *nxt = calloc(cells, 8);
    double *sig = calloc((size_t)w->horizon + 1, sizeof *sig), zero = 1;
    if (!cur || !nxt || !sig) {
        free(cur), free(nxt), free(sig);
        return -1;
    }
    for (int64_t t = 1; t <= w->horizon; t++) {
        sig[t] = s_cusum_step(&k, cur, nxt, &zero);
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    s_finish(sig, w->horizon, out);
    out->lost = 0;
    free(cur), free(nxt), free(sig);
    return 0;
}

struct s_dp {
    int64_t na, nb, nc;
    double pr[4]; /* a, b, c, d */
};

static int64_t s_bound(int64_t n, double p)
{
    double m = (double)n * p;
    int64_t b = (int64_t)(m + 10 * sqrt(m) + 12);
    return b < n + 1 ? b + 1 : n + 1;
}

static size_t s_ix(const struct s_dp *k, int64_t a, int64_t b, int64_t c)
{
    return (size_t)((a * k->nb + b) * k->nc + c);
}

/* One report: returns the mass pushed beyond the bounds. */
static double s_report(const struct s_dp *k, int64_t n, const double *cur,
                       double *nxt)
{
    double lost = 0;
    memset(nxt, 0, sizeof *nxt * (size_t)(k->na * k->nb * k->nc));
    for (int64_t a = 0; a < k->na && a < n; a++)
        for (int64_t b = 0; b < k->nb && a + b < n; b++)
            for (int64_t c = 0; c < k->nc && a + b + c < n; c++) {
                double m = cur[s_ix(k, a, b, c)];
                if (m == 0)
                    continue;
                nxt[s_ix(k, a, b, c)] += m * k->pr[3];
                if (a + 1 < k->na)
                    nxt[s_ix(k, a + 1, b, c)] += m * k->pr[0];
                else
                    lost += m * k->pr[0];
                if (b + 1 < k->nb)
                    nxt[s_ix(k, a, b + 1, c)] += m * k->pr[1];
                else
                    lost += m * k->pr[1];
                if (c + 1 < k->nc)
                    nxt[s_ix(k, a, b, c + 1)] += m * k->pr[2];
                else
                    lost += m * k->pr[2];
            }
    return lost;
}

/* The plan's rule restated from eng_plan.h - every set threshold holds:
 * PRR >= prr_min, chi2 >= chi2_min, a >= a_min, IC025 > ic025_min, EB05
 * >= eb05_min - on the library's values (the EBGM posterior only when
 * eb05_min is set: it is slow): an oracle independent of
 * eng_plan_stat_table, so a wrong screen there shows up as a
 * miscalibrated plan. */
static bool s_screen(const struct eng_plan *p,
                     const struct eng_disprop_table *t)
{
    struct eng_disprop r;
    double ci[2] = {NAN, NAN};
    if (!isnan(p->a_min) && !((double)t->a >= p->a_min))
        return false;
    if (!isnan(p->prr_min) && !(eng_disprop_prr(t, NULL) >= p->prr_min))
        return false;
    if (!isnan(p->chi2_min) && !(eng_disprop_chi2(t) >= p->chi2_min))
        return false;
    if (!isnan(p->ic025_min) &&
        (eng_disprop_ic((double)t->a, eng_disprop_expected(t), ci),
         !(ci[0] > p->ic025_min)))
        return false;
    return isnan(p->eb05_min) ||
           (eng_disprop_compute(t, NULL, &r) == 0 && r.eb05 >= p->eb05_min);
}

/* The screen on every surviving state after n reports: removes and
 * returns the signalling mass. */
static double s_look(const struct eng_plan_design *d, const struct s_dp *k,
                     int64_t n, double *cur)
{
    double sig = 0;
    for (int64_t a = 0; a < k->na; a++)
        for (int64_t b = 0; b < k->nb; b++)
            for (int64_t c = 0; c < k->nc; c++) {
                double *m = &cur[s_ix(k, a, b, c)];
                struct eng_disprop_table t = {a, b, c, n - a - b - c};
                if (*m != 0 && s_screen(d->plan, &t)) {
                    sig += *m;
                    *m = 0;
                }
            }
    return sig;
}

int ec_exact_disprop(const struct eng_plan_design *d, const struct ec_world *w,
                     struct ec_exact *out)
{
    double ped = fmin(1, w->rr * w->p_event), pd = w->p_dev;
    struct s_dp k = {0,
                     0,
                     0,
                     {pd * ped, pd * (1 - ped), (1 - pd) * w->p_event,
                      (1 - pd) * (1 - w->p_event)}};
    k.na = s_bound(w->reports, k.pr[0]);
    k.nb = s_bound(w->reports, k.pr[1]);
    k.nc = s_bound(w->reports, k.pr[2]);
    if ((double)k.na * (double)k.nb * (double)k.nc > 2e7)
        return -1;
    size_t cells = (size_t)(k.na * k.nb * k.nc);
    double *cur = calloc(cells, sizeof *cur), *nxt = calloc(cells, 8);
    double *sig = calloc((size_t)w->reports + 1, sizeof *sig);
    if (!cur || !nxt || !sig) {
        free(cur), free(nxt), free(sig);
        return -1;
    }
    cur[0] = 1;
    out->lost = 0;
    for (int64_t n = 1; n <= w->reports; n++) {
        out->lost += s_report(&k, n, cur, nxt);
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
        if (n % w->look == 0)
            sig[n] = s_look(d, &k, n, cur);
    }
    double lost = out->lost;
    s_finish(sig, w->reports, out);
    out->lost = lost;
    free(cur), free(nxt), free(sig);
    return 0;
}
