/*
 * eng_plan_run.h - the surveillance-plan stage of the pipeline: for each
 * stored event, extract mentions from its text (nlp_extract), record
 * exposures, link affirmed adverse events to devices (eng_link), count
 * each complication once per patient and window (episodes), drive the
 * plan cells' tests (eng_plan_stat), and raise signals.
 *
 * Event time, not wall time: the watermark is the newest event time seen
 * minus [plans] lateness_hours. An event older than the watermark is
 * stored and audited as late (late_events, audit kind event_late) and is
 * not counted; CUSUM trials close when the watermark passes the end of
 * their risk window. Same input, same order: same cells and signals.
 *
 * Transactions: every call runs inside the pipeline's open batch. Call
 * eng_plan_run_begin() right after BEGIN, eng_plan_run_flush() before
 * COMMIT and eng_plan_run_rollback() after a ROLLBACK (memory is reloaded
 * from the store). One thread.
 *
 * Ownership: the stage owns the rule set, extractor, plan set and cells;
 * store and audit are borrowed and must outlive it.
 */
#ifndef DEVSURV_ENG_PLAN_RUN_H
#define DEVSURV_ENG_PLAN_RUN_H

#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_audit.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_counts.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_store.h"

typedef struct eng_plan_run eng_plan_run_t;

struct eng_plan_run_stats {
    uint64_t extracted; /* events whose text went through extraction */
    uint64_t mentions;  /* mention rows stored */
    uint64_t links;     /* counted links (after episode de-duplication) */
    uint64_t repeats;   /* links of an episode already counted */
    uint64_t exposures; /* exposures recorded (structured + from text) */
    uint64_t late;      /* events older than the watermark */
};

/* Load rules and plans per cfg ([rules] dir, [plans] dir), solve every
 * plan's design and load the cells. *out = NULL (and 0) when
 * plans.enabled is false. DS_ECONFIG / DS_EPARSE with diag on a bad rule
 * tree or plan; DS_ESTORE; DS_ENOMEM. */
int eng_plan_run_new(eng_plan_run_t **out, const struct eng_config *cfg,
                     eng_store_t *store, eng_audit_t *audit,
                     struct ds_diag *diag);

void eng_plan_run_destroy(eng_plan_run_t **self_p);

/* Record the rule set and plan set in rulesets and the audit chain
 * (rules_loaded, plans_loaded at ts), inside the open transaction. */
int eng_plan_run_audit_loaded(eng_plan_run_t *self, int64_t ts);

/* After BEGIN: re-arm cells whose alert was closed (after_signal =
 * rearm), checked at most once a second. */
int eng_plan_run_begin(eng_plan_run_t *self);

/* One stored event k. Signals raised go to emit(arg, s) (which audits and
 * announces them). 0 or DS_ESTORE / DS_ENOMEM / emit's error. */
int eng_plan_run_event(eng_plan_run_t *self, const struct eng_store_key *k,
                       const struct eng_event *ev, eng_counts_emit_fn *emit,
                       void *arg);

int eng_plan_run_flush(eng_plan_run_t *self);
int eng_plan_run_rollback(eng_plan_run_t *self);

const struct eng_plan_run_stats *eng_plan_run_stats(const eng_plan_run_t *s);

/* The rule-set and plan-set SHA-256 (hex). */
const char *eng_plan_run_rules_sha(const eng_plan_run_t *self);
const char *eng_plan_run_plans_sha(const eng_plan_run_t *self);

#endif
