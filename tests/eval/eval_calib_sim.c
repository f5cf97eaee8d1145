/*
 * eval_calib_sim.c - one synthetic stream through a plan's design and a
 * fresh cell, calling eng_plan_stat_* as the engine does:
 *   maxsprt-poisson   exposure (adds the plan's baseline_rate to mu), then
 *                     its Poisson(rr x baseline_rate) events, until the
 *                     cell signals or ends (mu > T)
 *   maxsprt-binomial  events: a case (event) with probability rr/(rr+z),
 *                     else a control (comp_event), until signal or N
 *   cusum-bernoulli   `horizon` trials with P(y) = odds_prob(p0, rr)
 *   disproportionality  reports: the device with p_dev, the event with
 *                     p_event (rr x p_event for the device); the cell's
 *                     2x2 table is tested every `look` reports
 * Time at signal: mu, events, trials or reports.
 *
 * Not here: exact references (eval_calib_exact.c), reporting.
 */
#include "eval_calib.h"

#include <math.h>

static void s_poisson(const struct eng_plan_design *d, const struct ec_world *w,
                      struct ec_rng *r, struct eng_plan_cell *c)
{
    double m = w->rr * d->plan->baseline_rate;
    for (;;) {
        if (eng_plan_stat_exposure(d, c) != ENG_PLAN_CONTINUE)
            return;
        for (int64_t k = ec_pois(r, m); k > 0; k--)
            if (eng_plan_stat_event(d, c) != ENG_PLAN_CONTINUE)
                return;
    }
}

static void s_binomial(const struct eng_plan_design *d,
                       const struct ec_world *w, struct ec_rng *r,
                       struct eng_plan_cell *c)
{
    double p = w->rr / (w->rr + d->binomial.z);
    enum eng_plan_verdict v = ENG_PLAN_CONTINUE;
    while (v == ENG_PLAN_CONTINUE)
        v = ec_bern(r, p) ? eng_plan_stat_event(d, c)
                          : eng_plan_stat_comp_event(d, c);
}

static double s_cusum(const struct eng_plan_design *d, const struct ec_world *w,
                      struct ec_rng *r, struct eng_plan_cell *c)
{
    double p = eng_cusum_odds_prob(d->plan->baseline_rate, w->rr);
    for (int64_t t = 1; t <= w->horizon; t++) {
        eng_plan_stat_exposure(d, c);
        if (eng_plan_stat_trial(d, c, ec_bern(r, p)) == ENG_PLAN_SIGNAL)
            return (double)t;
    }
    return NAN;
}

static double s_disprop(const struct eng_plan_design *d,
                        const struct ec_world *w, struct ec_rng *r,
                        struct eng_plan_cell *c)
{
    struct eng_disprop_table t = {0, 0, 0, 0};
    double pe_dev = fmin(1, w->rr * w->p_event);
    for (int64_t n = 1; n <= w->reports; n++) {
        bool dev = ec_bern(r, w->p_dev);
        bool ev = ec_bern(r, dev ? pe_dev : w->p_event);
        if (dev)
            *(ev ? &t.a : &t.b) += 1;
        else
            *(ev ? &t.c : &t.d) += 1;
        if (n % w->look == 0 &&
            eng_plan_stat_table(d, c, &t) == ENG_PLAN_SIGNAL)
            return (double)n;
    }
    return NAN;
}

void ec_stream(const struct eng_plan_design *d, const struct ec_world *w,
               struct ec_rng *r, struct ec_result *out)
{
    struct eng_plan_cell c;
    double t = NAN;
    eng_plan_cell_init(&c);
    switch (d->plan->method) {
    case ENG_PLAN_MAXSPRT_POISSON:
        s_poisson(d, w, r, &c);
        t = c.expected;
        break;
    case ENG_PLAN_MAXSPRT_BINOMIAL:
        s_binomial(d, w, r, &c);
        t = (double)c.binomial.n;
        break;
    case ENG_PLAN_CUSUM_BERNOULLI: t = s_cusum(d, w, r, &c); break;
    case ENG_PLAN_DISPROP: t = s_disprop(d, w, r, &c); break;
    }
    out->signal = c.status == ENG_PLAN_CELL_SIGNALLED;
    out->time = out->signal ? t : NAN;
}
