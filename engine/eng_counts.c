/*
 * eng_counts.c - exposures and outcomes to cells, MaxSPRT tests at each
 * arrival and at the delayed first look, signal rows (see eng_counts.h).
 */
#include "devsurv/eng_counts.h"
#include "devsurv/eng_plan_store.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

#define S_PAGE 32 /* cells fetched per page at a first look */

static void s_signal_fill(struct eng_signal *s, const struct eng_cell *c,
                          const struct eng_counts_params *p,
                          const struct eng_store_key *key, int64_t ts)
{
    memset(s, 0, sizeof *s);
    memcpy(s->product_code, c->product_code, sizeof s->product_code);
    memcpy(s->event_code, c->event_code, sizeof s->event_code);
    s->method = "maxsprt-poisson";
    s->statistic = c->llr;
    s->threshold = p->maxsprt.cv;
    s->observed = c->observed;
    s->expected = c->expected;
    s->ts_event = ts;
    size_t n =
        key->source.n < ENG_SOURCE_MAX - 1 ? key->source.n : ENG_SOURCE_MAX - 1;
    memcpy(s->source, key->source.p, n);
    s->epoch = key->epoch;
    s->seq = key->seq;
    snprintf(s->params, sizeof s->params,
             "{\"alpha\":%.10g,\"T\":%.10g,\"M\":%lld,\"D\":%.10g,"
             "\"cv\":%.10g,\"baseline_rate\":%.10g}",
             p->alpha, p->maxsprt.max_expected,
             (long long)p->maxsprt.min_events, p->maxsprt.delay, p->maxsprt.cv,
             p->baseline_rate);
}

/* Test the cell at mu with its current count; true on a crossing. */
static bool s_test(struct eng_cell *c, const struct eng_counts_params *p,
                   double mu)
{
    c->expected = mu;
    if (c->status != ENG_CELL_WATCHING) {
        c->llr = eng_maxsprt_llr((double)c->observed, mu);
        return false;
    }
    switch (eng_maxsprt_test(&p->maxsprt, c->observed, mu, &c->llr)) {
    case ENG_MAXSPRT_SIGNAL: c->status = ENG_CELL_SIGNALLED; return true;
    case ENG_MAXSPRT_ENDED: c->status = ENG_CELL_ENDED; return false;
    default: return false;
    }
}

/* Write the tested cell; on a crossing insert and emit its signal. */
static int s_settle(eng_store_t *store, const struct eng_counts_params *p,
                    const struct eng_store_key *key, int64_t ts,
                    struct eng_cell *c, bool raised, eng_counts_emit_fn *emit,
                    void *arg)
{
    struct eng_signal sig;
    int rc = eng_store_cell_put(store, c, ts);
    if (rc != 0 || !raised)
        return rc;
    s_signal_fill(&sig, c, p, key, ts);
    rc = eng_store_signal_put(store, &sig);
    if (rc == DS_EDUP) /* the cell already had one: not a new signal */
        return 0;
    return rc != 0 ? rc : emit(arg, &sig);
}

static int s_outcome(eng_store_t *store, const struct eng_counts_params *p,
                     const struct eng_store_key *key,
                     const struct eng_event *ev, eng_counts_emit_fn *emit,
                     void *arg)
{
    int64_t n;
    struct eng_cell c;
    int rc = eng_store_exposure_get(store, ev->product_code, &n);
    if (rc == 0)
        rc = eng_store_cell_get(store, ev->product_code, ev->event_code, &c);
    if (rc != 0)
        return rc;
    /* lineage: an outcome counted while the cell watches is one the
     * signal (if any) rests on; `devsurv explain` lists these rows */
    if (c.status == ENG_CELL_WATCHING &&
        (rc = eng_plan_contribution(store, "", ev->product_code, c.event_code,
                                    false, key, -1, "structured",
                                    ev->time_ms)) != 0)
        return rc;
    c.observed++;
    bool raised = s_test(&c, p, p->baseline_rate * (double)n);
    return s_settle(store, p, key, ev->time_ms, &c, raised, emit, arg);
}

/* The delayed first look: test every watching cell of the device at mu. */
static int s_first_look(eng_store_t *store, const struct eng_counts_params *p,
                        const struct eng_store_key *key,
                        const struct eng_event *ev, double mu,
                        eng_counts_emit_fn *emit, void *arg)
{
    char codes[S_PAGE][ENG_CODE_MAX], after[ENG_CODE_MAX] = "";
    size_t n;
    int rc;
    do {
        rc = eng_store_cells_watching(store, ev->product_code, after, codes,
                                      S_PAGE, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            struct eng_cell c;
            rc = eng_store_cell_get(store, ev->product_code,
                                    ds_span_str(codes[i]), &c);
            if (rc == 0)
                rc = s_settle(store, p, key, ev->time_ms, &c, s_test(&c, p, mu),
                              emit, arg);
        }
        if (n)
            memcpy(after, codes[n - 1], ENG_CODE_MAX);
    } while (rc == 0 && n == S_PAGE);
    return rc;
}

static int s_exposure(eng_store_t *store, const struct eng_counts_params *p,
                      const struct eng_store_key *key,
                      const struct eng_event *ev, eng_counts_emit_fn *emit,
                      void *arg)
{
    int64_t n;
    int rc = eng_store_exposure_add(store, ev->product_code, ev->time_ms, &n);
    if (rc != 0 || !(p->maxsprt.delay > 0))
        return rc;
    double before = p->baseline_rate * (double)(n - 1);
    double mu = p->baseline_rate * (double)n;
    if (before < p->maxsprt.delay && mu >= p->maxsprt.delay)
        return s_first_look(store, p, key, ev, mu, emit, arg);
    return 0;
}

int eng_counts_apply(eng_store_t *store, const struct eng_counts_params *p,
                     const struct eng_store_key *key,
                     const struct eng_event *ev, eng_counts_emit_fn *emit,
                     void *arg)
{
    if (ev->kind == ENG_EV_EXPOSURE)
        return s_exposure(store, p, key, ev, emit, arg);
    if (ev->kind == ENG_EV_OUTCOME)
        return s_outcome(store, p, key, ev, emit, arg);
    return 0;
}

int eng_counts_params_init(struct eng_counts_params *p,
                           const struct eng_config *cfg, struct ds_diag *diag)
{
    double cv, tmin;
    const double T = cfg->maxsprt.max_expected, D = cfg->maxsprt.delay;
    const long M = (long)cfg->maxsprt.min_events;
    int rc = eng_maxsprt_cv(T, cfg->maxsprt.alpha, M, D, &cv, NULL);
    if (rc == DS_ERANGE &&
        eng_maxsprt_tmin(M, cfg->maxsprt.alpha, &tmin) == 0 && T < tmin)
        return ds_diag_set_code(diag, rc, "", 0,
                                "[maxsprt] has no solution: for M = %ld and "
                                "alpha = %g, max_expected (T) must be >= %.2f",
                                M, cfg->maxsprt.alpha, tmin);
    if (rc != 0)
        return ds_diag_set_code(diag, rc, "", 0,
                                "[maxsprt] no critical value for alpha %g, "
                                "T %g, M %ld, D %g: %s",
                                cfg->maxsprt.alpha, T, M, D, ds_strerror(rc));
    *p = (struct eng_counts_params){
        .maxsprt = {.cv = cv, .min_events = M, .max_expected = T, .delay = D},
        .alpha = cfg->maxsprt.alpha,
        .baseline_rate = cfg->maxsprt.baseline_rate,
    };
    return 0;
}
