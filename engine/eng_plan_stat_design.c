/*
 * eng_plan_stat_design.c - a plan's design: the method parameters solved
 * once from the plan (exact critical values), and the design as JSON.
 *
 * maxsprt-poisson: cv = eng_maxsprt_cv(T, alpha, M, D), the exact
 *   critical value (Kulldorff et al. 2011; stats.md 1.5); a design with no
 *   solution is refused naming the smallest T that has one.
 * maxsprt-binomial: cv = eng_binomial_cv(N, z, M, alpha).cv (stats.md 2).
 * cusum-bernoulli: (r0 1, ra odds_ratio, h) with p0 = baseline_rate.
 * disproportionality: at least one threshold must be set.
 *
 * The JSON text is deterministic: fixed key order, numbers "%.10g" with
 * '.' whatever the locale, non-finite numbers as null.
 *
 * Not here: the per-observation updates (eng_plan_stat.c), the ARL of a
 * CUSUM design (eng_cusum_arl_bernoulli, too slow for every load).
 */
#include "devsurv/eng_plan_stat.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "devsurv/ds_err.h"

static const char *s_method_name(enum eng_plan_method m)
{
    switch (m) {
    case ENG_PLAN_MAXSPRT_POISSON: return "maxsprt-poisson";
    case ENG_PLAN_MAXSPRT_BINOMIAL: return "maxsprt-binomial";
    case ENG_PLAN_CUSUM_BERNOULLI: return "cusum-bernoulli";
    case ENG_PLAN_DISPROP: return "disproportionality";
    }
    return "unknown";
}

static int s_poisson(struct eng_plan_design *d, const struct eng_plan *p,
                     struct ds_diag *diag)
{
    const char *why = NULL;
    double cv = 0, attained = 0, tmin = 0;
    if (!(p->baseline_rate >= 0) || !isfinite(p->baseline_rate))
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: baseline_rate must be >= 0", p->id);
    if (eng_maxsprt_check(p->max_expected, p->alpha, (long)p->min_events,
                          p->delay, &why) != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0, "plan %s: %s",
                                p->id, why ? why : "invalid design");
    int rc = eng_maxsprt_cv(p->max_expected, p->alpha, (long)p->min_events,
                            p->delay, &cv, &attained);
    if (rc == DS_ERANGE) {
        if (eng_maxsprt_tmin((long)p->min_events, p->alpha, &tmin) == 0 &&
            tmin > p->max_expected)
            return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                    "plan %s: MaxSPRT has no solution: for "
                                    "M %lld and alpha %g, max_expected must "
                                    "be >= %.4g",
                                    p->id, (long long)p->min_events, p->alpha,
                                    tmin);
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: MaxSPRT has no solution (delay %g "
                                "too close to max_expected %g?)",
                                p->id, p->delay, p->max_expected);
    }
    if (rc != 0)
        return ds_diag_set_code(diag, rc, p->file, 0,
                                "plan %s: MaxSPRT critical value failed",
                                p->id);
    d->maxsprt = (struct eng_maxsprt_params){cv, p->min_events, p->max_expected,
                                             p->delay};
    d->threshold = cv;
    d->alpha_attained = attained;
    return 0;
}

static int s_binomial(struct eng_plan_design *d, const struct eng_plan *p,
                      struct ds_diag *diag)
{
    struct eng_binomial_design bd = {p->max_events, p->z, p->min_events};
    struct eng_binomial_cv r;
    memset(&r, 0, sizeof r);
    int rc = eng_binomial_cv(&bd, p->alpha, &r);
    if (rc == DS_ERANGE && r.m_max > 0)
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: binomial MaxSPRT has no solution: "
                                "min_events must be <= %lld",
                                p->id, (long long)r.m_max);
    if (rc == DS_ERANGE && r.n_min > 0)
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: binomial MaxSPRT has no solution: "
                                "max_events must be >= %lld",
                                p->id, (long long)r.n_min);
    if (rc != 0)
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: invalid binomial MaxSPRT design "
                                "(alpha %g, max_events %lld, z %g, "
                                "min_events %lld)",
                                p->id, p->alpha, (long long)p->max_events, p->z,
                                (long long)p->min_events);
    d->binomial =
        (struct eng_binomial_params){r.cv, p->z, p->min_events, p->max_events};
    d->threshold = r.cv;
    d->alpha_attained = r.alpha;
    return 0;
}

static int s_cusum(struct eng_plan_design *d, const struct eng_plan *p,
                   struct ds_diag *diag)
{
    d->cusum = (struct eng_cusum_params){1.0, p->odds_ratio, p->h};
    if (!(p->baseline_rate > 0 && p->baseline_rate < 1))
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: cusum-bernoulli needs baseline_rate "
                                "in (0, 1)",
                                p->id);
    if (eng_cusum_check(&d->cusum) != 0 || !isfinite(p->h))
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: cusum-bernoulli needs h > 0 and "
                                "odds_ratio > 0, != 1",
                                p->id);
    d->threshold = p->h;
    return 0;
}

static int s_disprop(struct eng_plan_design *d, const struct eng_plan *p,
                     struct ds_diag *diag)
{
    if (!isnan(p->prr_min) || !isnan(p->chi2_min) || !isnan(p->a_min))
        d->threshold = !isnan(p->prr_min) ? p->prr_min : NAN;
    else if (!isnan(p->ic025_min))
        d->threshold = p->ic025_min;
    else if (!isnan(p->eb05_min))
        d->threshold = p->eb05_min;
    else
        return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                                "plan %s: disproportionality needs at least "
                                "one of prr_min, chi2_min, a_min, ic025_min, "
                                "eb05_min",
                                p->id);
    return 0;
}

int eng_plan_design_init(struct eng_plan_design *d, const struct eng_plan *p,
                         struct ds_diag *diag)
{
    ds_diag_clear(diag);
    memset(d, 0, sizeof *d);
    d->plan = p;
    d->threshold = NAN;
    d->alpha_attained = NAN;
    switch (p->method) {
    case ENG_PLAN_MAXSPRT_POISSON: return s_poisson(d, p, diag);
    case ENG_PLAN_MAXSPRT_BINOMIAL: return s_binomial(d, p, diag);
    case ENG_PLAN_CUSUM_BERNOULLI: return s_cusum(d, p, diag);
    case ENG_PLAN_DISPROP: return s_disprop(d, p, diag);
    }
    return ds_diag_set_code(diag, DS_ECONFIG, p->file, 0,
                            "plan %s: unknown method", p->id);
}

/* JSON writer into a fixed buffer: remembers overflow, never writes past
 * cap. */
struct s_out {
    char *buf;
    size_t cap, len;
};

static void s_put(struct s_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void s_put(struct s_out *o, const char *fmt, ...)
{
    va_list ap;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_start(ap, fmt);
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* ',"key":number' with '.' as the decimal point in any locale. */
static void s_num(struct s_out *o, const char *key, double v)
{
    char num[40];
    if (!isfinite(v)) {
        s_put(o, ",\"%s\":null", key);
        return;
    }
    snprintf(num, sizeof num, "%.10g", v);
    for (char *q = num; *q; q++)
        if (*q == ',')
            *q = '.';
    s_put(o, ",\"%s\":%s", key, num);
}

static void s_params(struct s_out *o, const struct eng_plan_design *d)
{
    const struct eng_plan *p = d->plan;
    switch (p->method) {
    case ENG_PLAN_MAXSPRT_POISSON:
        s_num(o, "alpha", p->alpha);
        s_num(o, "T", d->maxsprt.max_expected);
        s_num(o, "M", (double)d->maxsprt.min_events);
        s_num(o, "D", d->maxsprt.delay);
        s_num(o, "cv", d->maxsprt.cv);
        s_num(o, "alpha_attained", d->alpha_attained);
        s_num(o, "baseline_rate", p->baseline_rate);
        break;
    case ENG_PLAN_MAXSPRT_BINOMIAL:
        s_num(o, "alpha", p->alpha);
        s_num(o, "N", (double)d->binomial.n_max);
        s_num(o, "M", (double)d->binomial.min_cases);
        s_num(o, "z", d->binomial.z);
        s_num(o, "cv", d->binomial.cv);
        s_num(o, "alpha_attained", d->alpha_attained);
        break;
    case ENG_PLAN_CUSUM_BERNOULLI:
        s_num(o, "p0", p->baseline_rate);
        s_num(o, "odds_ratio", d->cusum.ra);
        s_num(o, "h", d->cusum.h);
        break;
    case ENG_PLAN_DISPROP:
        s_num(o, "prr_min", p->prr_min);
        s_num(o, "chi2_min", p->chi2_min);
        s_num(o, "a_min", p->a_min);
        s_num(o, "ic025_min", p->ic025_min);
        s_num(o, "eb05_min", p->eb05_min);
        break;
    }
}

int eng_plan_design_params(const struct eng_plan_design *d, char *buf,
                           size_t cap)
{
    struct s_out o = {buf, cap, 0};
    if (!d || !d->plan || !buf || cap == 0)
        return DS_EINVAL;
    s_put(&o, "{\"method\":\"%s\"", s_method_name(d->plan->method));
    s_params(&o, d);
    s_put(&o, "}");
    if (o.len >= cap) {
        buf[0] = '\0';
        return DS_ERANGE;
    }
    return (int)o.len;
}
