/*
 * eng_plan_stat.c - what each observation does to a surveillance cell and
 * whether the cell signals (per-method semantics: eng_plan_stat.h).
 *
 * Every test is delegated to the statistics library: eng_maxsprt_test,
 * eng_binomial_add, eng_cusum_update, eng_disprop_*; nothing is derived
 * here. A cell that is not WATCHING is not tested (its counts still
 * count). O(1) per update, no allocation (disproportionality with
 * ic025_min or eb05_min evaluates gamma quantiles / the EBGM posterior).
 *
 * Not here: the design (eng_plan_stat_design.c), the bytes of a cell
 * (eng_plan_stat_pack.c), which events reach a cell (eng_link).
 */
#include "devsurv/eng_plan_stat.h"

#include <math.h>
#include <string.h>

void eng_plan_cell_init(struct eng_plan_cell *c)
{
    memset(c, 0, sizeof *c);
    eng_binomial_init(&c->binomial);
    eng_cusum_init(&c->cusum);
    c->status = ENG_PLAN_CELL_WATCHING;
}

static enum eng_plan_verdict s_signal(struct eng_plan_cell *c)
{
    c->status = ENG_PLAN_CELL_SIGNALLED;
    c->signals++;
    return ENG_PLAN_SIGNAL;
}

static bool s_is(const struct eng_plan_design *d, enum eng_plan_method m)
{
    return d->plan->method == m;
}

/* The Poisson MaxSPRT on the segment since the last rearm. */
static enum eng_plan_verdict s_poisson_test(const struct eng_plan_design *d,
                                            struct eng_plan_cell *c)
{
    double llr = 0;
    if (c->status != ENG_PLAN_CELL_WATCHING)
        return ENG_PLAN_CONTINUE;
    enum eng_maxsprt_verdict v =
        eng_maxsprt_test(&d->maxsprt, c->observed - c->base_observed,
                         c->expected - c->base_expected, &llr);
    c->statistic = llr;
    if (v == ENG_MAXSPRT_SIGNAL)
        return s_signal(c);
    if (v == ENG_MAXSPRT_ENDED) {
        c->status = ENG_PLAN_CELL_ENDED;
        return ENG_PLAN_ENDED;
    }
    return ENG_PLAN_CONTINUE;
}

static enum eng_plan_verdict s_binomial_add(const struct eng_plan_design *d,
                                            struct eng_plan_cell *c,
                                            bool is_case)
{
    double llr = 0;
    if (c->status != ENG_PLAN_CELL_WATCHING)
        return ENG_PLAN_CONTINUE;
    enum eng_binomial_verdict v =
        eng_binomial_add(&c->binomial, &d->binomial, is_case, &llr);
    c->statistic = llr;
    if (v == ENG_BINOMIAL_SIGNAL)
        return s_signal(c);
    if (v == ENG_BINOMIAL_ENDED) {
        c->status = ENG_PLAN_CELL_ENDED;
        return ENG_PLAN_ENDED;
    }
    return ENG_PLAN_CONTINUE;
}

enum eng_plan_verdict eng_plan_stat_exposure(const struct eng_plan_design *d,
                                             struct eng_plan_cell *c)
{
    c->exposures++;
    if (!s_is(d, ENG_PLAN_MAXSPRT_POISSON))
        return ENG_PLAN_CONTINUE;
    c->expected += d->plan->baseline_rate;
    return s_poisson_test(d, c);
}

enum eng_plan_verdict eng_plan_stat_expect(const struct eng_plan_design *d,
                                           struct eng_plan_cell *c, double mu)
{
    if (!s_is(d, ENG_PLAN_MAXSPRT_POISSON) || !(mu >= 0) || !isfinite(mu))
        return ENG_PLAN_CONTINUE;
    c->expected += mu;
    return s_poisson_test(d, c);
}

enum eng_plan_verdict
eng_plan_stat_comp_exposure(const struct eng_plan_design *d,
                            struct eng_plan_cell *c)
{
    (void)d;
    c->comp_exposures++;
    return ENG_PLAN_CONTINUE;
}

enum eng_plan_verdict eng_plan_stat_event(const struct eng_plan_design *d,
                                          struct eng_plan_cell *c)
{
    c->observed++;
    if (s_is(d, ENG_PLAN_MAXSPRT_POISSON))
        return s_poisson_test(d, c);
    if (s_is(d, ENG_PLAN_MAXSPRT_BINOMIAL))
        return s_binomial_add(d, c, true);
    return ENG_PLAN_CONTINUE;
}

enum eng_plan_verdict eng_plan_stat_comp_event(const struct eng_plan_design *d,
                                               struct eng_plan_cell *c)
{
    c->comp_events++;
    if (s_is(d, ENG_PLAN_MAXSPRT_BINOMIAL))
        return s_binomial_add(d, c, false);
    return ENG_PLAN_CONTINUE;
}

enum eng_plan_verdict eng_plan_stat_trial(const struct eng_plan_design *d,
                                          struct eng_plan_cell *c, bool y)
{
    double value = 0;
    if (!s_is(d, ENG_PLAN_CUSUM_BERNOULLI) ||
        c->status != ENG_PLAN_CELL_WATCHING)
        return ENG_PLAN_CONTINUE;
    enum eng_cusum_verdict v = eng_cusum_update(&c->cusum, &d->cusum, y,
                                                d->plan->baseline_rate, &value);
    c->statistic = value;
    return v == ENG_CUSUM_SIGNAL ? s_signal(c) : ENG_PLAN_CONTINUE;
}

/* Every set threshold holds; NaN fails. *stat = the reported statistic. */
static bool s_disprop_hits(const struct eng_plan *p,
                           const struct eng_disprop_table *t, double *stat)
{
    bool classic =
        !isnan(p->prr_min) || !isnan(p->chi2_min) || !isnan(p->a_min);
    bool hit = true;
    double e = eng_disprop_expected(t), prr = eng_disprop_prr(t, NULL);
    if (!isnan(p->prr_min))
        hit = hit && prr >= p->prr_min;
    if (!isnan(p->chi2_min))
        hit = hit && eng_disprop_chi2(t) >= p->chi2_min;
    if (!isnan(p->a_min))
        hit = hit && (double)t->a >= p->a_min;
    *stat = prr;
    if (!isnan(p->ic025_min)) {
        double ci[2];
        eng_disprop_ic((double)t->a, e, ci);
        hit = hit && ci[0] > p->ic025_min;
        if (!classic)
            *stat = ci[0];
    }
    if (!isnan(p->eb05_min)) {
        struct eng_disprop r;
        if (eng_disprop_compute(t, NULL, &r) != 0)
            return false;
        hit = hit && r.eb05 >= p->eb05_min;
        if (!classic && isnan(p->ic025_min))
            *stat = r.eb05;
    }
    return hit;
}

enum eng_plan_verdict eng_plan_stat_table(const struct eng_plan_design *d,
                                          struct eng_plan_cell *c,
                                          const struct eng_disprop_table *t)
{
    double stat = NAN;
    if (!s_is(d, ENG_PLAN_DISPROP) || !eng_disprop_valid(t))
        return ENG_PLAN_CONTINUE;
    c->table = *t;
    c->expected = eng_disprop_expected(t);
    if (c->status != ENG_PLAN_CELL_WATCHING)
        return ENG_PLAN_CONTINUE;
    bool hit = s_disprop_hits(d->plan, t, &stat);
    c->statistic = stat;
    return hit ? s_signal(c) : ENG_PLAN_CONTINUE;
}

void eng_plan_stat_rearm(const struct eng_plan_design *d,
                         struct eng_plan_cell *c)
{
    (void)d;
    if (c->status != ENG_PLAN_CELL_SIGNALLED)
        return;
    c->base_observed = c->observed;
    c->base_expected = c->expected;
    eng_binomial_init(&c->binomial);
    c->cusum.s = 0;
    c->statistic = 0;
    c->status = ENG_PLAN_CELL_WATCHING;
}

const char *eng_plan_cell_status_name(enum eng_plan_cell_status s)
{
    switch (s) {
    case ENG_PLAN_CELL_WATCHING: return "watching";
    case ENG_PLAN_CELL_SIGNALLED: return "signalled";
    case ENG_PLAN_CELL_ENDED: return "ended";
    }
    return "unknown";
}
