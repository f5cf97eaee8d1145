/*
 * eng_plan_run_impl.h - the state shared by eng_plan_run.c (set-up,
 * events, exposures) and eng_plan_count.c (links, disproportionality,
 * verdicts). Private to those files.
 */
#ifndef DEVSURV_ENG_PLAN_RUN_IMPL_H
#define DEVSURV_ENG_PLAN_RUN_IMPL_H

#include "devsurv/eng_link.h"
#include "devsurv/eng_plan_cells.h"
#include "devsurv/eng_plan_run.h"
#include "devsurv/eng_plan_stat.h"
#include "devsurv/eng_plan_store.h"
#include "devsurv/nlp_extract.h"

struct eng_plan_run {
    eng_store_t *store; /* borrowed */
    eng_audit_t *audit; /* borrowed */
    nlp_rules_t *rules;
    nlp_extract_t *x;
    struct nlp_result res;
    eng_plan_set_t *set;
    struct eng_plan_design *designs; /* one per plan */
    eng_plan_cells_t *cells;
    struct eng_links links;
    struct eng_plan_expo expo;
    int64_t lateness_ms;
    bool has_cusum;    /* a plan has trials to close as the watermark moves */
    int64_t max_ts;    /* newest event time seen (committed or not) */
    int64_t max_ts_db; /* the same, as of the last commit */
    int64_t rearm_ms;  /* monotonic time of the last re-arm check */
    struct eng_plan_run_stats stats;
    /* the event being processed */
    const struct eng_store_key *key;
    const struct eng_event *ev;
    eng_counts_emit_fn *emit;
    void *arg;
};

/* The device key of a plan's totals cells (eng_plan_count.c). */
#define ENG_PLAN_TOTALS "*"

/* Binomial MaxSPRT assumes the comparator has z times the device's
 * exposures. A binomial cell is tested only while its observed ratio
 * comp_exposures / exposures lies within [z/2, 2z]; otherwise its events
 * are counted, untested (a device with no comparator exposure in the
 * stream can never signal). */
bool eng_plan_run_binomial_holds(const struct eng_plan *p,
                                 const struct eng_plan_cell *c);

/* Test outcome v of cell c: mark it changed, raise its signal on
 * ENG_PLAN_SIGNAL. */
int eng_plan_run_verdict(struct eng_plan_run *self, struct eng_pcell *c,
                         enum eng_plan_verdict v);

/* Count the event's links (self->links) in their cells. */
int eng_plan_run_count(struct eng_plan_run *self, const struct nlp_result *r);

/* A report under each disproportionality plan. */
int eng_plan_run_disprop(struct eng_plan_run *self, const struct nlp_result *r);

#endif
