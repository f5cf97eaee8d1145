/*
 * eng_pipeline.c - size check, decode, store or quarantine, counts and
 * signals for one message, batched; signals announced after COMMIT (see
 * eng_pipeline.h). Each stored event, quarantined message and raised
 * signal gets its audit entry (eng_audit_log.h) in the same batch.
 */
#include "devsurv/eng_pipeline.h"
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_store_epochs.h"
#include "devsurv/eng_counts.h"
#include "devsurv/eng_plan_run.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MARKS 16 /* distinct (source, epoch) watermarks held per batch */

struct s_mark {
    char source[ENG_SOURCE_MAX];
    int64_t epoch, seq;
};

struct eng_pipeline {
    eng_store_t *store; /* borrowed */
    eng_decoder_t *dec;
    struct eng_counts_params params;
    size_t max_msg_size;
    size_t pending;
    struct eng_pipeline_stats stats; /* committed batches only */
    struct eng_pipeline_stats batch; /* the open batch */
    eng_signal_fn *on_signal;
    void *on_signal_arg;
    struct eng_signal *sigs; /* raised in the open batch */
    size_t nsigs, capsigs;
    struct s_mark marks[S_MARKS]; /* watermarks of the open batch */
    size_t nmarks;
    eng_audit_t *audit;
    eng_checkpoint_t *cp;
    eng_plan_run_t *plans; /* NULL when [plans] enabled = false */
};

/* SHA-256 input of config_loaded: the effective configuration as printed,
 * with the keys that only say where files are (store.path, audit.anchors,
 * audit.signing_key) blanked, so the same settings give the same chain
 * wherever the database lives. */
static int s_config_text(const struct eng_config *cfg, char **text, size_t *n)
{
    struct eng_config c = *cfg;
    c.store.path[0] = c.audit.anchors[0] = c.audit.signing_key[0] = '\0';
    FILE *f = open_memstream(text, n);
    if (!f)
        return DS_ENOMEM;
    eng_config_print(&c, f);
    return fclose(f) == 0 ? 0 : DS_ENOMEM;
}

/* Open the audit chain and the plan stage, and write config_loaded (and
 * rules_loaded, plans_loaded) in one transaction. */
static int s_audit_open(eng_pipeline_t *self, const struct eng_config *cfg,
                        struct ds_diag *diag)
{
    char *text = NULL;
    size_t n = 0;
    self->audit = eng_audit_new(self->store, diag);
    if (!self->audit)
        return DS_ESTORE;
    self->cp = eng_checkpoint_new(self->store, self->audit, cfg, diag);
    if (!self->cp)
        return DS_ECONFIG;
    int rc =
        eng_plan_run_new(&self->plans, cfg, self->store, self->audit, diag);
    if (rc != 0)
        return rc;
    rc = s_config_text(cfg, &text, &n);
    if (rc == 0 && (rc = eng_store_begin(self->store)) == 0) {
        rc = eng_audit_reload(self->audit);
        if (rc == 0)
            rc = eng_audit_log_config(self->audit, text, n);
        if (rc == 0 && self->plans)
            rc = eng_plan_run_audit_loaded(self->plans,
                                           eng_audit_ts(self->audit));
        if (rc == 0)
            rc = eng_store_commit(self->store);
        if (rc != 0)
            eng_pipeline_rollback(self);
        else
            eng_audit_committed(self->audit);
    }
    free(text);
    if (rc != 0)
        ds_diag_set_code(diag, rc, "", 0,
                         "audit: cannot record the configuration: %s",
                         eng_store_errmsg(self->store));
    return rc;
}

eng_pipeline_t *eng_pipeline_new(const struct eng_config *cfg,
                                 eng_store_t *store, struct ds_diag *diag)
{
    struct eng_counts_params params;
    if (eng_counts_params_init(&params, cfg, diag) != 0)
        return NULL;
    eng_pipeline_t *self = ds_calloc(1, sizeof *self);
    if (self)
        self->dec = eng_decoder_new();
    if (!self || !self->dec) {
        eng_pipeline_destroy(&self);
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->store = store;
    self->params = params;
    self->max_msg_size = (size_t)cfg->ingest.max_msg_size;
    if (s_audit_open(self, cfg, diag) != 0)
        eng_pipeline_destroy(&self);
    return self;
}

/* A checkpoint; a failure is logged, never fatal: the entries stay in the
 * chain and the next checkpoint covers them. */
static int s_checkpoint_warn(eng_pipeline_t *self)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    ds_diag_clear(&diag);
    int rc = eng_checkpoint_make(self->cp, NULL, &diag);
    if (rc != 0)
        ds_warn("audit %s", ds_diag_format(&diag, buf, sizeof buf));
    return rc;
}

void eng_pipeline_destroy(eng_pipeline_t **self_p)
{
    eng_pipeline_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->cp) {
        eng_pipeline_rollback(self);
        s_checkpoint_warn(self); /* at shutdown */
    }
    eng_plan_run_destroy(&self->plans);
    eng_checkpoint_destroy(&self->cp);
    eng_audit_destroy(&self->audit);
    eng_decoder_destroy(&self->dec);
    ds_free(self->sigs);
    ds_free(self);
    *self_p = NULL;
}

void eng_pipeline_on_signal(eng_pipeline_t *self, eng_signal_fn *fn, void *arg)
{
    self->on_signal = fn;
    self->on_signal_arg = arg;
}

static void s_add(struct eng_pipeline_stats *to,
                  struct eng_pipeline_stats *from)
{
    to->events += from->events;
    to->quarantined += from->quarantined;
    to->duplicates += from->duplicates;
    to->exposures += from->exposures;
    to->outcomes += from->outcomes;
    to->signals += from->signals;
    *from = (struct eng_pipeline_stats){0};
}

/* BEGIN a batch; the audit head is re-read (a `devsurv alert` command
 * may have appended since) and closed alerts may re-arm plan cells. */
static int s_open(eng_pipeline_t *self)
{
    if (eng_store_in_batch(self->store))
        return 0;
    self->pending = 0;
    self->nsigs = 0;
    int rc = eng_store_begin(self->store);
    if (rc == 0)
        rc = eng_audit_reload(self->audit);
    if (rc == 0 && self->plans)
        rc = eng_plan_run_begin(self->plans);
    return rc;
}

/* Remember the stored message's seq as its source's watermark; written
 * once per batch (s_flush_marks), or at once when the table is full. */
static int s_mark(eng_pipeline_t *self, const struct eng_store_key *k)
{
    self->pending++;
    if (k->seq <= 0 || k->source.n >= ENG_SOURCE_MAX)
        return 0;
    for (size_t i = 0; i < self->nmarks; i++) {
        struct s_mark *m = &self->marks[i];
        if (m->epoch == k->epoch && ds_span_eq(k->source, m->source)) {
            m->seq = k->seq > m->seq ? k->seq : m->seq;
            return 0;
        }
    }
    if (self->nmarks == S_MARKS)
        return eng_store_source_put(self->store, k->source, k->epoch, k->seq);
    struct s_mark *m = &self->marks[self->nmarks++];
    memcpy(m->source, k->source.p, k->source.n);
    m->source[k->source.n] = '\0';
    m->epoch = k->epoch;
    m->seq = k->seq;
    return 0;
}

static int s_flush_marks(eng_pipeline_t *self)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->nmarks; i++)
        rc = eng_store_source_put(self->store,
                                  ds_span_str(self->marks[i].source),
                                  self->marks[i].epoch, self->marks[i].seq);
    self->nmarks = 0;
    return rc;
}

int eng_pipeline_reject(eng_pipeline_t *self, const struct eng_msg *m, int code,
                        const char *reason)
{
    int rc = s_open(self);
    if (rc != 0)
        return rc;
    rc = eng_store_quarantine_put(self->store, &m->key, code, reason, m->ctype,
                                  m->payload, m->n);
    if (rc == DS_EDUP) {
        self->batch.duplicates++;
        return rc;
    }
    if (rc == 0)
        rc = eng_audit_log_quarantine(self->audit, &m->key, code, reason,
                                      m->ctype, m->payload, m->n);
    if (rc != 0)
        return rc;
    self->batch.quarantined++;
    ds_warn("quarantined %.*s/%" PRId64 "/%" PRId64 ": %s",
            (int)m->key.source.n, m->key.source.p, m->key.epoch, m->key.seq,
            reason);
    return s_mark(self, &m->key);
}

/* eng_counts_emit_fn: keep a raised signal for announcement at commit. */
static int s_keep(void *arg, const struct eng_signal *s)
{
    eng_pipeline_t *self = arg;
    if (self->nsigs == self->capsigs) {
        size_t cap = self->capsigs ? self->capsigs * 2 : 8;
        struct eng_signal *v = ds_realloc(self->sigs, cap * sizeof *v);
        if (!v)
            return DS_ENOMEM;
        self->sigs = v;
        self->capsigs = cap;
    }
    self->sigs[self->nsigs++] = *s;
    self->batch.signals++;
    return eng_audit_log_signal(self->audit, s);
}

static int s_count(eng_pipeline_t *self, const struct eng_msg *m,
                   const struct eng_event *ev)
{
    int rc =
        eng_counts_apply(self->store, &self->params, &m->key, ev, s_keep, self);
    if (rc != 0)
        return rc;
    self->batch.exposures += ev->kind == ENG_EV_EXPOSURE;
    self->batch.outcomes += ev->kind == ENG_EV_OUTCOME;
    return 0;
}

int eng_pipeline_submit(eng_pipeline_t *self, const struct eng_msg *m)
{
    struct eng_event ev;
    struct ds_diag diag;
    if (m->n > self->max_msg_size) {
        char why[128];
        snprintf(why, sizeof why,
                 "message of %zu bytes exceeds ingest.max_msg_size %zu", m->n,
                 self->max_msg_size);
        return eng_pipeline_reject(self, m, DS_ETOOBIG, why);
    }
    ds_diag_clear(&diag);
    int rc =
        eng_decoder_decode(self->dec, m->ctype, m->payload, m->n, &ev, &diag);
    if (rc == DS_ENOMEM)
        return rc;
    if (rc != 0)
        return eng_pipeline_reject(self, m, rc, diag.msg);
    if ((rc = s_open(self)) != 0)
        return rc;
    rc = eng_store_event_put(self->store, &m->key, &ev, m->ctype, m->payload,
                             m->n);
    if (rc == DS_EDUP)
        self->batch.duplicates++;
    if (rc == 0)
        rc = eng_audit_log_event(self->audit, &m->key, ev.time_ms, m->ctype,
                                 m->payload, m->n);
    if (rc != 0)
        return rc;
    self->batch.events++;
    if ((rc = s_count(self, m, &ev)) != 0)
        return rc;
    if (self->plans &&
        (rc = eng_plan_run_event(self->plans, &m->key, &ev, s_keep, self)) != 0)
        return rc;
    return s_mark(self, &m->key);
}

size_t eng_pipeline_pending(const eng_pipeline_t *self)
{
    return eng_store_in_batch(self->store) ? self->pending : 0;
}

int eng_pipeline_commit(eng_pipeline_t *self)
{
    if (!eng_store_in_batch(self->store))
        return 0;
    int rc = s_flush_marks(self);
    if (rc == 0 && self->plans)
        rc = eng_plan_run_flush(self->plans);
    if (rc == 0)
        rc = eng_audit_flush(self->audit);
    if (rc == 0)
        rc = eng_store_commit(self->store);
    if (rc != 0) {
        eng_pipeline_rollback(self);
        return rc;
    }
    eng_audit_committed(self->audit);
    s_add(&self->stats, &self->batch);
    self->stats.batches++;
    for (size_t i = 0; i < self->nsigs && self->on_signal; i++)
        self->on_signal(self->on_signal_arg, &self->sigs[i]);
    self->nsigs = 0;
    self->pending = 0;
    if (eng_checkpoint_due(self->cp))
        s_checkpoint_warn(self);
    return 0;
}

void eng_pipeline_rollback(eng_pipeline_t *self)
{
    bool open = eng_store_in_batch(self->store);
    eng_store_rollback(self->store);
    if (self->audit)
        eng_audit_rollback(self->audit);
    if (open && self->plans && eng_plan_run_rollback(self->plans) != 0)
        ds_error("plans: cannot reload cells after a rollback: %s",
                 eng_store_errmsg(self->store));
    self->batch = (struct eng_pipeline_stats){0};
    self->nmarks = 0;
    self->nsigs = 0;
    self->pending = 0;
}

const struct eng_pipeline_stats *eng_pipeline_stats(const eng_pipeline_t *self)
{
    return &self->stats;
}

const struct eng_counts_params *eng_pipeline_params(const eng_pipeline_t *self)
{
    return &self->params;
}

int eng_pipeline_discontinuity(eng_pipeline_t *self, struct ds_span source,
                               int64_t epoch, int64_t prev_epoch,
                               int64_t prev_committed, int64_t ts)
{
    int rc = eng_store_discontinuity_put(self->store, source, epoch, prev_epoch,
                                         prev_committed, ts);
    if (rc == DS_EDUP)
        return 0;
    if (rc == 0)
        rc = eng_audit_log_discontinuity(self->audit, source, epoch, prev_epoch,
                                         prev_committed, ts);
    return rc;
}

int eng_pipeline_checkpoint(eng_pipeline_t *self, struct eng_audit_sth *out,
                            struct ds_diag *diag)
{
    int rc = eng_pipeline_commit(self);
    return rc != 0 ? rc : eng_checkpoint_make(self->cp, out, diag);
}

int eng_pipeline_audit_head(eng_pipeline_t *self, uint8_t head[ENG_AUDIT_HASH],
                            uint8_t root[ENG_AUDIT_HASH], int64_t *n)
{
    if (eng_store_in_batch(self->store))
        return DS_EINVAL;
    memcpy(head, eng_audit_head(self->audit), ENG_AUDIT_HASH);
    return eng_checkpoint_root(self->cp, root, n);
}

const struct eng_plan_run_stats *
eng_pipeline_plan_stats(const eng_pipeline_t *self)
{
    return self->plans ? eng_plan_run_stats(self->plans) : NULL;
}
