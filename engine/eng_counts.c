/*
 * eng_counts.c - exposures and outcomes to cells, MaxSPRT test, signal row
 * (see eng_counts.h).
 */
#include "devsurv/eng_counts.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

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
             "{\"cv\":%.10g,\"M\":%lld,\"T\":%.10g,\"baseline_rate\":%.10g}",
             p->maxsprt.cv, (long long)p->maxsprt.min_events,
             p->maxsprt.max_expected, p->baseline_rate);
}

/* Update cell with one more observation against mu; true on a crossing. */
static bool s_observe(struct eng_cell *c, const struct eng_counts_params *p,
                      double mu)
{
    c->observed++;
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

static int s_outcome(eng_store_t *store, const struct eng_counts_params *p,
                     const struct eng_store_key *key,
                     const struct eng_event *ev, struct eng_signal *sig,
                     bool *raised)
{
    int64_t n;
    struct eng_cell c;
    int rc = eng_store_exposure_get(store, ev->product_code, &n);
    if (rc == 0)
        rc = eng_store_cell_get(store, ev->product_code, ev->event_code, &c);
    if (rc != 0)
        return rc;
    *raised = s_observe(&c, p, p->baseline_rate * (double)n);
    if ((rc = eng_store_cell_put(store, &c, ev->time_ms)) != 0)
        return rc;
    if (!*raised)
        return 0;
    s_signal_fill(sig, &c, p, key, ev->time_ms);
    rc = eng_store_signal_put(store, sig);
    if (rc == DS_EDUP) { /* the cell already had one: not a new signal */
        *raised = false;
        rc = 0;
    }
    return rc;
}

int eng_counts_apply(eng_store_t *store, const struct eng_counts_params *p,
                     const struct eng_store_key *key,
                     const struct eng_event *ev, struct eng_signal *sig,
                     bool *raised)
{
    int64_t n;
    *raised = false;
    if (ev->kind == ENG_EV_EXPOSURE)
        return eng_store_exposure_add(store, ev->product_code, ev->time_ms, &n);
    if (ev->kind == ENG_EV_OUTCOME)
        return s_outcome(store, p, key, ev, sig, raised);
    return 0;
}
