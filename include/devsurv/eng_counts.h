/*
 * eng_counts.h - structured events to device x event counts and signals.
 *
 * exposure (a device implanted or used): +1 exposure for its product code;
 * the H0-expected count of every cell of that device grows by
 * baseline_rate. outcome (a coded adverse event on a device): +1 observed
 * in cell (product code, event code); the cell's expected count is
 * baseline_rate x exposures so far; the continuous Poisson MaxSPRT is
 * tested at this arrival (between arrivals the LLR only falls, so a signal
 * can only happen at an event: reference/stats.md 1.1). A crossing turns
 * the cell SIGNALLED (it stays so) and yields one signal row.
 *
 * With a delayed start D > 0 nothing signals before mu reaches D; the
 * exposure that carries mu across D is the first look, and every watching
 * cell of that device is tested there with the events gathered so far.
 *
 * An outcome before any exposure of its device has expected 0: the test is
 * undefined and the cell just counts (MaxSPRT needs a denominator).
 * Each outcome counted while its cell is WATCHING gets a contributions row
 * (plan "", device = product code, mention -1, link "structured"), so a
 * signal's `devsurv explain` lists the events its count rests on; outcomes
 * after the crossing are counted but not listed.
 * Works inside the caller's store batch. Not here: decoding, batching.
 */
#ifndef DEVSURV_ENG_COUNTS_H
#define DEVSURV_ENG_COUNTS_H

#include <stdbool.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_maxsprt.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/eng_store_events.h"

struct eng_counts_params {
    struct eng_maxsprt_params maxsprt; /* cv is the exact one for alpha */
    double alpha;                      /* the design's alpha, for the record */
    double baseline_rate;              /* H0 outcomes per exposure */
};

/* Parameters from the configuration, with the exact critical value for
 * (alpha, T, M, D) (eng_maxsprt_cv). DS_ERANGE with diag when the design
 * has no solution (the message names the smallest T), DS_EINVAL,
 * DS_ENOMEM. */
int eng_counts_params_init(struct eng_counts_params *p,
                           const struct eng_config *cfg, struct ds_diag *diag);

/* Receives each signal raised (its row already inserted, id set); the
 * signal is borrowed for the call. Non-zero stops and is returned. */
typedef int(eng_counts_emit_fn)(void *arg, const struct eng_signal *s);

/* Apply ev (stored under key) to the counts, calling emit for each signal
 * it raises (an outcome raises at most one; a first look may raise one
 * per cell of the device). Events of other kinds are a no-op. 0,
 * DS_ESTORE, emit's error, or DS_EINVAL (a code too long for a cell:
 * cannot happen for validated events). */
int eng_counts_apply(eng_store_t *store, const struct eng_counts_params *p,
                     const struct eng_store_key *key,
                     const struct eng_event *ev, eng_counts_emit_fn *emit,
                     void *arg);

#endif
