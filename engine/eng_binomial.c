/*
 * eng_binomial.c - binomial MaxSPRT: statistic, streaming test, exact
 * alpha / power by the binomial DP and the exact critical value (Kulldorff
 * et al. 2011; R package Sequential's CV.Binomial and Performance.Binomial
 * as described in reference/stats.md section 2; see eng_binomial.h).
 *
 * The DP keeps P(no signal yet, c cases) after n events for the c below
 * the rejection boundary a_n = max(M, min{c : LLR(c, n) >= CV}); a_n is
 * non-decreasing in n (one more event can only lower LLR(c, .)), so one
 * forward scan finds every a_n. The critical value is found by bisection
 * on the real line down to adjacent doubles (alpha is a step function that
 * changes exactly at attainable LLR values), then the next attainable value
 * is looked up; no sorted table of the O(N^2) attainable values is built.
 *
 * Deliberately not here: Sequential's built-in early stop of the alpha loop
 * (we always finish a DP whose result is reported) and its p argument.
 */
#include "devsurv/eng_binomial.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <float.h>
#include <math.h>

double eng_binomial_llr(int64_t c, int64_t n, double z)
{
    if (n < 1 || c < 0 || c > n)
        return 0.0;
    double dc = (double)c, dn = (double)n, k = dn - dc;
    if (c == n)
        return dn * log1p(z);
    if (z * dc / k <= 1.0)
        return 0.0;
    return dc * log(dc / dn) + k * log(k / dn) + dc * log1p(z) -
           k * log(z / (1.0 + z));
}

static int s_check_design(const struct eng_binomial_design *d)
{
    if (d->n_max < 1 || !(d->z > 0) || !isfinite(d->z) || d->min_cases < 1 ||
        d->min_cases > d->n_max)
        return DS_EINVAL;
    return d->n_max > ENG_BINOMIAL_N_MAX ? DS_ERANGE : 0;
}

/* Smallest c >= from with LLR(c, n) >= cv (cv > 0), or n + 1. */
static int64_t s_first_reject(int64_t from, int64_t n, double z, double cv)
{
    int64_t c = from;
    while (c <= n && eng_binomial_llr(c, n, z) < cv)
        c++;
    return c;
}

/* a_n: rejection needs c >= a_n; n + 1 when no rejection is possible. */
static int64_t s_boundary(int64_t raw, int64_t n, int64_t m)
{
    if (n < m)
        return n + 1;
    return raw < m ? m : raw;
}

/* One event: s[0..cont) -> s[0..cont], case probability pi. */
static void s_step(double *s, int64_t cont, double pi)
{
    s[cont] = s[cont - 1] * pi;
    for (int64_t c = cont - 1; c > 0; c--)
        s[c] = s[c] * (1.0 - pi) + s[c - 1] * pi;
    s[0] *= 1.0 - pi;
}

struct s_run {
    double power; /* P(signal), partial when stopped early */
    double esum;  /* E[n at signal * 1{signal}] */
};

/* The DP for threshold cv; stops early once power > stop_above. s has
 * room for N + 2 doubles. */
static struct s_run s_dp(const struct eng_binomial_design *d, double cv,
                         double pi, double stop_above, double *s)
{
    struct s_run r = {0.0, 0.0};
    int64_t cont = 1, raw = 0;
    s[0] = 1.0;
    for (int64_t n = 1; n <= d->n_max; n++) {
        raw = s_first_reject(raw, n, d->z, cv);
        int64_t a = s_boundary(raw, n, d->min_cases);
        s_step(s, cont, pi);
        double rej = 0.0;
        for (int64_t c = a; c <= cont; c++)
            rej += s[c];
        cont = cont + 1 < a ? cont + 1 : a;
        r.power += rej;
        r.esum += (double)n * rej;
        if (r.power > stop_above)
            break;
    }
    return r;
}

int eng_binomial_perf(const struct eng_binomial_design *d, double cv, double rr,
                      struct eng_binomial_perf *out)
{
    int rc = s_check_design(d);
    if (rc != 0)
        return rc;
    if (!(cv > 0) || !isfinite(cv) || !(rr > 0) || !isfinite(rr))
        return DS_EINVAL;
    double *s = ds_malloc(((size_t)d->n_max + 2) * sizeof *s);
    if (!s)
        return DS_ENOMEM;
    struct s_run r = s_dp(d, cv, rr / (rr + d->z), INFINITY, s);
    ds_free(s);
    out->power = r.power;
    out->signal_events = r.power > 0 ? r.esum / r.power : NAN;
    out->sample_size = r.esum + (double)d->n_max * (1.0 - r.power);
    return 0;
}

/* P(Bin(n, p) >= m), summed in log space. */
static double s_binom_tail(int64_t n, double p, int64_t m)
{
    double t = 0.0, lp = log(p), lq = log1p(-p);
    double ln = lgamma((double)n + 1.0);
    for (int64_t k = m < 0 ? 0 : m; k <= n; k++)
        t += exp(ln - lgamma((double)k + 1.0) - lgamma((double)(n - k) + 1.0) +
                 (double)k * lp + (double)(n - k) * lq);
    return t;
}

/* Sequential's refusals (stats.md section 2); 0 or DS_ERANGE. */
static int s_refuse(const struct eng_binomial_design *d, double alpha,
                    struct eng_binomial_cv *out)
{
    double p = 1.0 / (1.0 + d->z);
    out->refused_p = s_binom_tail(d->n_max, p, d->min_cases);
    if (out->refused_p < alpha) {
        int64_t mr = d->min_cases - 1;
        while (mr > 1 && s_binom_tail(d->n_max, p, mr) < alpha)
            mr--;
        out->m_max = mr < 1 ? 1 : mr;
        return DS_ERANGE;
    }
    out->refused_p = pow(p, (double)d->n_max);
    if (out->refused_p > alpha) {
        double est = ceil(log(alpha) / log(p));
        int64_t nr = est > (double)d->n_max ? (int64_t)est : d->n_max;
        while (nr > d->n_max && pow(p, (double)(nr - 1)) <= alpha)
            nr--;
        while (pow(p, (double)nr) > alpha)
            nr++;
        out->n_min = nr;
        return DS_ERANGE;
    }
    out->refused_p = 0.0;
    return 0;
}

/* Smallest attainable LLR(c, n) >= x (x > 0) over 1 <= n <= N, or INF. */
static double s_next_attainable(const struct eng_binomial_design *d, double x)
{
    double best = INFINITY;
    for (int64_t n = 1; n <= d->n_max; n++) {
        int64_t lo = 0, hi = n + 1; /* first c with LLR >= x in [lo, hi] */
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (eng_binomial_llr(mid, n, d->z) >= x)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (lo <= n && eng_binomial_llr(lo, n, d->z) < best)
            best = eng_binomial_llr(lo, n, d->z);
    }
    return best;
}

/* Sequential's display value: the smallest 5-decimal number > w_lo. */
static double s_package_cv(double w_lo)
{
    double r = round(w_lo * 1e5) / 1e5;
    return r <= w_lo ? round((w_lo + 9e-6) * 1e5) / 1e5 : r;
}

/* Bisect down to adjacent doubles lo < hi with alpha(lo) > target >=
 * alpha(hi); lo is then attainable (alpha changes only there). */
static void s_bisect(const struct eng_binomial_design *d, double target,
                     double *s, double *lo, double *hi)
{
    double pi = 1.0 / (1.0 + d->z);
    for (;;) {
        double mid = *lo + (*hi - *lo) / 2;
        if (!(mid > *lo && mid < *hi))
            return;
        if (s_dp(d, mid, pi, target, s).power > target)
            *lo = mid;
        else
            *hi = mid;
    }
}

int eng_binomial_cv(const struct eng_binomial_design *d, double alpha,
                    struct eng_binomial_cv *out)
{
    *out = (struct eng_binomial_cv){0};
    int rc = s_check_design(d);
    if (rc != 0)
        return rc;
    if (!(alpha > 0 && alpha <= 0.5))
        return DS_EINVAL;
    if ((rc = s_refuse(d, alpha, out)) != 0)
        return rc;
    double *s = ds_malloc(((size_t)d->n_max + 2) * sizeof *s);
    if (!s)
        return DS_ENOMEM;
    double pi = 1.0 / (1.0 + d->z);
    double lo = s_next_attainable(d, DBL_MIN);
    double hi = (double)d->n_max * log1p(d->z);
    if (s_dp(d, lo, pi, alpha, s).power > alpha) {
        s_bisect(d, alpha, s, &lo, &hi);
        out->cv_low = lo;
        out->cv = s_next_attainable(d, hi);
    } else {
        out->cv = lo;
    }
    out->cv_package = s_package_cv(out->cv_low);
    out->alpha = s_dp(d, out->cv, pi, INFINITY, s).power;
    ds_free(s);
    return 0;
}

void eng_binomial_init(struct eng_binomial_state *st)
{
    *st = (struct eng_binomial_state){0, 0, false};
}

enum eng_binomial_verdict eng_binomial_add(struct eng_binomial_state *st,
                                           const struct eng_binomial_params *p,
                                           bool is_case, double *llr)
{
    *llr = 0.0;
    if (st->over)
        return ENG_BINOMIAL_ENDED;
    st->n++;
    st->cases += is_case;
    *llr = eng_binomial_llr(st->cases, st->n, p->z);
    if (st->cases >= p->min_cases && *llr >= p->cv) {
        st->over = true;
        return ENG_BINOMIAL_SIGNAL;
    }
    if (st->n >= p->n_max) {
        st->over = true;
        return ENG_BINOMIAL_ENDED;
    }
    return ENG_BINOMIAL_CONTINUE;
}

const char *eng_binomial_verdict_name(enum eng_binomial_verdict v)
{
    switch (v) {
    case ENG_BINOMIAL_CONTINUE: return "continue";
    case ENG_BINOMIAL_SIGNAL: return "signal";
    case ENG_BINOMIAL_ENDED: return "ended";
    }
    return "?";
}
