/*
 * eng_disprop.c - PRR, ROR, Yates chi-square, IC and EBGM of one 2x2
 * table (formulas, sources and the zero-cell policy in eng_disprop.h).
 *
 * Counts become doubles (exact up to 2^53). ad - bc is computed with
 * Kahan's fma-based 2x2 determinant, so the Yates numerator stays right
 * when ad and bc are close and past 2^53. Anything not finite becomes
 * NaN in one place, s_finite(), which is the whole zero-cell policy.
 * Not here: the statistics' signal rules, stratified tables.
 */
#include "devsurv/eng_disprop.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_specfun.h"

#include <math.h>

static double s_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

bool eng_disprop_valid(const struct eng_disprop_table *t)
{
    if (t->a < 0 || t->b < 0 || t->c < 0 || t->d < 0)
        return false;
    double n = (double)t->a + (double)t->b + (double)t->c + (double)t->d;
    return n > 0 && n <= ENG_DISPROP_N_MAX;
}

double eng_disprop_expected(const struct eng_disprop_table *t)
{
    double a = (double)t->a, b = (double)t->b, c = (double)t->c;
    return (a + b) * (a + c) / (a + b + c + (double)t->d);
}

/* exp(ln r -/+ z se) into ci, NaN unless r > 0 and se are finite. */
static void s_wald(double r, double se2, double ci[2])
{
    if (!ci)
        return;
    double se = sqrt(fmax(0.0, se2));
    bool ok = r > 0 && isfinite(r) && isfinite(se);
    ci[0] = ok ? s_finite(r * exp(-ENG_DISPROP_Z975 * se)) : NAN;
    ci[1] = ok ? s_finite(r * exp(ENG_DISPROP_Z975 * se)) : NAN;
}

double eng_disprop_prr(const struct eng_disprop_table *t, double ci[2])
{
    double a = (double)t->a, b = (double)t->b, c = (double)t->c,
           d = (double)t->d;
    double prr = s_finite(a * (c + d) / (c * (a + b)));
    s_wald(prr, 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d), ci);
    return prr;
}

double eng_disprop_ror(const struct eng_disprop_table *t, double ci[2])
{
    double a = (double)t->a, b = (double)t->b, c = (double)t->c,
           d = (double)t->d;
    double ror = s_finite(a * d / (b * c));
    s_wald(ror, 1 / a + 1 / b + 1 / c + 1 / d, ci);
    return ror;
}

/* |xy - zw| with one rounding (Kahan: the fma recovers the error of w z).
 */
static double s_absdet(double x, double y, double z, double w)
{
    double wz = w * z;
    double err = fma(-w, z, wz);
    return fabs(fma(x, y, -wz) + err);
}

double eng_disprop_chi2(const struct eng_disprop_table *t)
{
    double a = (double)t->a, b = (double)t->b, c = (double)t->c,
           d = (double)t->d, n = a + b + c + d;
    double num = fmax(0.0, s_absdet(a, d, b, c) - n / 2);
    return s_finite(n * num / ((a + b) * (c + d)) * num / ((a + c) * (b + d)));
}

double eng_disprop_ic(double n, double e, double ci[2])
{
    if (!(n >= 0) || !(e >= 0) || isinf(n) || isinf(e)) {
        if (ci)
            ci[0] = ci[1] = NAN;
        return NAN;
    }
    if (ci) {
        ci[0] = log2(eng_specfun_gamma_quantile(0.025, n + 0.5) / (e + 0.5));
        ci[1] = log2(eng_specfun_gamma_quantile(0.975, n + 0.5) / (e + 0.5));
    }
    return log2((n + 0.5) / (e + 0.5));
}

int eng_disprop_compute(const struct eng_disprop_table *t,
                        const struct eng_ebgm_prior *prior,
                        struct eng_disprop *out)
{
    const struct eng_ebgm_prior dflt = ENG_EBGM_PRIOR_DEFAULT;
    struct eng_ebgm_score eb;
    struct eng_disprop r;
    double ci[2];
    if (!eng_disprop_valid(t))
        return DS_EINVAL;
    r.e = eng_disprop_expected(t);
    if (eng_ebgm_score(prior ? prior : &dflt, (double)t->a, r.e, &eb) != 0)
        return DS_EINVAL;
    r.prr = eng_disprop_prr(t, ci);
    r.prr_lo = ci[0];
    r.prr_hi = ci[1];
    r.ror = eng_disprop_ror(t, ci);
    r.ror_lo = ci[0];
    r.ror_hi = ci[1];
    r.chi2 = eng_disprop_chi2(t);
    r.ic = eng_disprop_ic((double)t->a, r.e, ci);
    r.ic025 = ci[0];
    r.ic975 = ci[1];
    r.ebgm = eb.ebgm;
    r.eb05 = eb.eb05;
    r.eb95 = eb.eb95;
    *out = r;
    return 0;
}
