/*
 * eng_pipeline.h - one inbound message to stored rows, counts and signals.
 *
 * The stages between ingest and the store (DESIGN.md section 2): size
 * check, decode + validate (eng_event), store the event or quarantine it
 * with a reason, update exposures / device x event cells, run the
 * continuous Poisson MaxSPRT on the changed cell, and record a signal when
 * the cell crosses. Everything a message causes is written inside the open
 * batch, so it commits or rolls back as one.
 *
 * Signals are announced through the on_signal callback only after
 * eng_pipeline_commit() has committed them (nothing is published before it
 * is committed). Used the same way by `serve` (ZeroMQ) and `replay`
 * (files), which is what makes a replay reproduce a live run.
 *
 * Audit (eng_audit_log.h): each stored event, quarantined message and
 * raised signal appends its audit entry inside the same batch; creating a
 * pipeline records config_loaded (committed at once); a signed checkpoint
 * (eng_checkpoint.h) follows a commit once audit.checkpoint_every entries
 * are pending, and another is made by eng_pipeline_destroy() (shutdown).
 *
 * Not here: sequencing and acknowledgement (eng_serve), text extraction
 * (nlp_, later), alert lifecycle (later).
 */
#ifndef DEVSURV_ENG_PIPELINE_H
#define DEVSURV_ENG_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/eng_audit_sth.h"
#include "devsurv/eng_checkpoint.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_counts.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/eng_store_events.h"

/* One inbound message; everything borrowed for the call. */
struct eng_msg {
    struct eng_store_key key;
    struct ds_span ctype;
    const char *payload;
    size_t n;
};

struct eng_pipeline_stats {
    uint64_t events;      /* stored as events */
    uint64_t quarantined; /* stored in quarantine */
    uint64_t duplicates;  /* already stored: no-op */
    uint64_t exposures;
    uint64_t outcomes;
    uint64_t signals;
    uint64_t batches; /* committed */
};

typedef struct eng_pipeline eng_pipeline_t;
typedef void(eng_signal_fn)(void *arg, const struct eng_signal *s);

/* New pipeline writing to store (borrowed: must outlive the pipeline),
 * with parameters copied from cfg and the exact MaxSPRT critical value
 * computed for its (alpha, T, M, D). NULL with diag set when the design
 * has no solution or on allocation failure. Caller owns the result; free
 * it with eng_pipeline_destroy(). */
eng_pipeline_t *eng_pipeline_new(const struct eng_config *cfg,
                                 eng_store_t *store, struct ds_diag *diag);

/* The parameters in use (critical value included). */
const struct eng_counts_params *eng_pipeline_params(const eng_pipeline_t *self);

/* Roll back an uncommitted batch, checkpoint the committed audit entries
 * not yet covered (a failure is logged), and free. NULLs *self_p. */
void eng_pipeline_destroy(eng_pipeline_t **self_p);

/* Call fn(arg, signal) for each signal once its batch has committed. */
void eng_pipeline_on_signal(eng_pipeline_t *self, eng_signal_fn *fn, void *arg);

/* Apply one message inside the open batch (opening one if needed).
 * Returns 0 when it was stored (as an event or in quarantine), DS_EDUP when
 * it was already stored, or a fatal DS_ESTORE / DS_ENOMEM: then the batch
 * is unusable; the caller rolls back and must not acknowledge it. */
int eng_pipeline_submit(eng_pipeline_t *self, const struct eng_msg *m);

/* Quarantine a message rejected before decoding (a malformed frame, a
 * sequence the ingest refused). m->key.seq may be 0 when the message could
 * not be identified: the row then has no key. Same returns as submit. */
int eng_pipeline_reject(eng_pipeline_t *self, const struct eng_msg *m, int code,
                        const char *reason);

/* Messages applied in the open batch (0 when none is open). */
size_t eng_pipeline_pending(const eng_pipeline_t *self);

/* Commit the open batch (no-op returning 0 when none), then announce its
 * signals. DS_ESTORE when the commit failed: nothing of the batch stands. */
int eng_pipeline_commit(eng_pipeline_t *self);

/* Roll back the open batch and forget its signals. */
void eng_pipeline_rollback(eng_pipeline_t *self);

const struct eng_pipeline_stats *eng_pipeline_stats(const eng_pipeline_t *self);

/* Inside the open batch (call after submitting the new epoch's seq 1):
 * record that source moved from prev_epoch (committed to prev_committed)
 * to epoch, in the discontinuities table and the audit chain, at event
 * time ts. 0 (also when already recorded) or DS_ESTORE / DS_ENOMEM. */
int eng_pipeline_discontinuity(eng_pipeline_t *self, struct ds_span source,
                               int64_t epoch, int64_t prev_epoch,
                               int64_t prev_committed, int64_t ts);

/* Commit the open batch, then make an audit checkpoint now (on demand);
 * out as eng_checkpoint_make(). */
int eng_pipeline_checkpoint(eng_pipeline_t *self, struct eng_audit_sth *out,
                            struct ds_diag *diag);

/* The audit chain head (entry_hash of the last entry), the RFC 6962 root
 * over all entries and their count. No batch may be open (DS_EINVAL). */
int eng_pipeline_audit_head(eng_pipeline_t *self, uint8_t head[ENG_AUDIT_HASH],
                            uint8_t root[ENG_AUDIT_HASH], int64_t *n);

/* Counters of the plan stage (extraction, links, late events); NULL when
 * plans are disabled. */
struct eng_plan_run_stats;
const struct eng_plan_run_stats *
eng_pipeline_plan_stats(const eng_pipeline_t *self);

#endif
