/*
 * eng_plan_store.h - the rows surveillance plans keep besides cells:
 * patients' devices, episodes (one complication per patient and window),
 * open CUSUM trials, contributions (lineage), late events and the rule
 * and plan sets loaded. All writes happen inside the caller's open
 * transaction; statements are the store's cached ones.
 *
 * Ownership: struct eng_plan_expo owns copies of the strings it returns
 * (reused between calls; eng_plan_expo_clear frees).
 * Not here: cells (eng_plan_cells), statistics (eng_plan_stat).
 */
#ifndef DEVSURV_ENG_PLAN_STORE_H
#define DEVSURV_ENG_PLAN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/eng_link.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_events.h"

/* A patient's devices, read for linking. */
struct eng_plan_expo {
    struct eng_link_exposure *v;
    size_t n, cap;
    char *text; /* the strings v[] points into */
    size_t ntext, captext;
};

void eng_plan_expo_clear(struct eng_plan_expo *x);

/* The devices of patient received at or before ts (at most 256, the most
 * recent) into x. 0 or DS_ESTORE / DS_ENOMEM. */
int eng_plan_expo_read(eng_store_t *store, struct ds_span patient, int64_t ts,
                       struct eng_plan_expo *x);

/* Record device d received by patient at ts from event k. *dup is true
 * (and nothing is written) when the patient already has the same product
 * code, brand and model within a day of ts. */
int eng_plan_expo_put(eng_store_t *store, struct ds_span patient, int64_t ts,
                      const struct eng_plan_device *d,
                      const struct eng_store_key *k, bool *dup);

/* Is there an episode of (plan, event, patient) within window_ms of
 * anchor? If not, record one at anchor. *counted = !found. */
int eng_plan_episode(eng_store_t *store, const char *plan, const char *event,
                     struct ds_span patient, int64_t anchor, int64_t window_ms,
                     bool *counted);

/* Open a CUSUM trial; close it as an event (*found: it was open). */
int eng_plan_trial_open(eng_store_t *store, const char *plan,
                        struct ds_span device, const char *event,
                        struct ds_span patient, int64_t ts, int64_t closes);
int eng_plan_trial_hit(eng_store_t *store, const char *plan,
                       struct ds_span device, const char *event,
                       struct ds_span patient, int64_t ts, bool *found);

/* Trials whose window closed before watermark, in (closes, plan, device,
 * event, patient) order, deleted as they are handed to fn. */
typedef int eng_plan_trial_fn(void *arg, const char *plan, const char *device,
                              const char *event);
int eng_plan_trials_close(eng_store_t *store, int64_t watermark,
                          eng_plan_trial_fn *fn, void *arg);

int eng_plan_contribution(eng_store_t *store, const char *plan,
                          struct ds_span device, const char *event,
                          bool comparator, const struct eng_store_key *k,
                          int64_t mention, const char *link, int64_t ts);

int eng_plan_late_put(eng_store_t *store, const struct eng_store_key *k,
                      int64_t ts, int64_t watermark);

int eng_plan_ruleset_put(eng_store_t *store, const char *sha, const char *kind,
                         const char *files, int64_t ts);

/* Newest event time stored (0 when none): the watermark's start. */
int eng_plan_max_ts(eng_store_t *store, int64_t *ts);

#endif
