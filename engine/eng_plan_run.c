/*
 * eng_plan_run.c - set-up of the plan stage (rules, extractor, plans,
 * designs, cells), its transaction hooks, and each event's path:
 * lateness, extraction, exposures, links, trials (see eng_plan_run.h).
 * Counting and verdicts are in eng_plan_count.c.
 */
#include "eng_plan_run_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_clock.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_cmd.h"
#include "devsurv/eng_mentions.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define S_DAY_MS      86400000LL
#define S_IMPLANT_MAX 8
#define S_REARM_MS    1000

static const char s_sql_rearm[] =
    "SELECT s.plan, s.product_code, s.event_code FROM alerts a"
    " JOIN signals s ON s.id = a.signal_id"
    " JOIN plan_cells c ON c.plan = s.plan AND c.device = s.product_code"
    "  AND c.event = s.event_code AND c.generation = s.generation"
    "  AND c.status = 'signalled'"
    " WHERE a.status = 'closed' AND s.plan <> ''"
    " ORDER BY s.id";

static int s_load(struct eng_plan_run *self, const struct eng_config *cfg,
                  struct ds_diag *diag)
{
    char plans[ENG_CONFIG_STR_MAX + 8];
    const char *rules =
        eng_cmd_rules_dir(cfg->rules.dir[0] ? cfg->rules.dir : NULL);
    int rc = nlp_rules_load(&self->rules, rules, diag);
    if (rc == 0)
        rc = nlp_extract_new(&self->x, self->rules, diag);
    if (rc != 0)
        return rc;
    if (cfg->plans.dir[0])
        snprintf(plans, sizeof plans, "%s", cfg->plans.dir);
    else
        snprintf(plans, sizeof plans, "%s/plans", rules);
    if ((rc = eng_plan_set_load(&self->set, plans, rules, diag)) != 0)
        return rc;
    size_t n = eng_plan_set_count(self->set);
    self->designs = ds_calloc(n ? n : 1, sizeof *self->designs);
    self->cells = eng_plan_cells_new(self->set);
    if (!self->designs || !self->cells)
        return DS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct eng_plan *p = eng_plan_set_get(self->set, i);
        self->has_cusum |= p->method == ENG_PLAN_CUSUM_BERNOULLI;
        if ((rc = eng_plan_design_init(&self->designs[i], p, diag)) != 0) {
            char msg[DS_DIAG_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", diag->msg);
            ds_diag_set_code(diag, rc, p->file, 0, "plan %s: %s", p->id, msg);
            return rc;
        }
    }
    ds_info("plans: %zu loaded from %s (sha256 %s); rules %s", n, plans,
            eng_plan_set_sha256(self->set), nlp_rules_sha256(self->rules));
    return 0;
}

int eng_plan_run_new(eng_plan_run_t **out, const struct eng_config *cfg,
                     eng_store_t *store, eng_audit_t *audit,
                     struct ds_diag *diag)
{
    *out = NULL;
    if (!cfg->plans.enabled)
        return 0;
    struct eng_plan_run *self = ds_calloc(1, sizeof *self);
    if (!self)
        return DS_ENOMEM;
    self->store = store;
    self->audit = audit;
    self->lateness_ms = cfg->plans.lateness_hours * 3600000LL;
    nlp_result_init(&self->res);
    eng_links_init(&self->links);
    int rc = s_load(self, cfg, diag);
    if (rc == 0)
        rc = eng_plan_run_rollback(self); /* cells and watermark from db */
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, "", 0, "out of memory");
    else if (rc == DS_ESTORE || rc == DS_EPARSE)
        ds_diag_set_code(diag, rc, "", 0, "plans: cannot load cells: %s",
                         eng_store_errmsg(store));
    if (rc != 0)
        eng_plan_run_destroy(&self);
    *out = self;
    return rc;
}

void eng_plan_run_destroy(eng_plan_run_t **self_p)
{
    struct eng_plan_run *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    eng_plan_cells_destroy(&self->cells);
    ds_free(self->designs);
    eng_plan_set_destroy(&self->set);
    eng_links_clear(&self->links);
    eng_plan_expo_clear(&self->expo);
    nlp_result_clear(&self->res);
    nlp_extract_destroy(&self->x);
    nlp_rules_destroy(&self->rules);
    ds_free(self);
    *self_p = NULL;
}

/* "a.tsv b.tsv" of the rule tree, into a new buffer. */
static char *s_rule_files(const nlp_rules_t *rules)
{
    size_t nf, len = 1;
    const struct nlp_rules_file *f = nlp_rules_files(rules, &nf);
    for (size_t i = 0; i < nf; i++)
        len += strlen(f[i].path) + 1;
    char *s = ds_malloc(len), *at = s;
    if (!s)
        return NULL;
    *at = '\0';
    for (size_t i = 0; i < nf; i++)
        at += sprintf(at, "%s%s", i ? " " : "", f[i].path);
    return s;
}

int eng_plan_run_audit_loaded(eng_plan_run_t *self, int64_t ts)
{
    char *files = s_rule_files(self->rules);
    if (!files)
        return DS_ENOMEM;
    const char *rsha = nlp_rules_sha256(self->rules);
    const char *psha = eng_plan_set_sha256(self->set);
    const char *pfiles = eng_plan_set_files(self->set);
    int rc = eng_plan_ruleset_put(self->store, rsha, "rules", files, ts);
    if (rc == 0)
        rc = eng_audit_log_loaded(self->audit, ENG_AUDIT_RULES_LOADED, rsha,
                                  files, ts);
    if (rc == 0)
        rc = eng_plan_ruleset_put(self->store, psha, "plans", pfiles, ts);
    if (rc == 0)
        rc = eng_audit_log_loaded(self->audit, ENG_AUDIT_PLANS_LOADED, psha,
                                  pfiles, ts);
    ds_free(files);
    return rc;
}

int eng_plan_run_begin(eng_plan_run_t *self)
{
    int64_t now = ds_mono_ms();
    if (self->rearm_ms && now - self->rearm_ms < S_REARM_MS)
        return 0;
    self->rearm_ms = now;
    sqlite3_stmt *st = eng_store_stmt(self->store, s_sql_rearm);
    if (!st)
        return DS_ESTORE;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *plan = (const char *)sqlite3_column_text(st, 0);
        const char *dev = (const char *)sqlite3_column_text(st, 1);
        const char *ev = (const char *)sqlite3_column_text(st, 2);
        size_t i = eng_plan_set_find(self->set, plan ? plan : "");
        if (i == SIZE_MAX ||
            eng_plan_set_get(self->set, i)->after != ENG_PLAN_REARM)
            continue;
        struct eng_pcell *c =
            eng_plan_cells_get(self->cells, i, ds_span_str(dev ? dev : ""),
                               ev ? ev : "", false, NULL);
        if (!c || c->st.status != ENG_PLAN_CELL_SIGNALLED)
            continue;
        eng_plan_stat_rearm(&self->designs[i], &c->st);
        c->generation++;
        c->dirty = true;
        ds_info("plans: %s %s x %s re-armed (alert closed), generation "
                "%" PRId64,
                plan, c->device, c->event, c->generation);
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : DS_ESTORE;
}

int eng_plan_run_flush(eng_plan_run_t *self)
{
    int rc = eng_plan_cells_save(self->cells, self->store);
    if (rc == 0)
        self->max_ts_db = self->max_ts;
    return rc;
}

int eng_plan_run_rollback(eng_plan_run_t *self)
{
    int rc = eng_plan_cells_load(self->cells, self->store);
    if (rc == 0)
        rc = eng_plan_max_ts(self->store, &self->max_ts);
    self->max_ts_db = self->max_ts;
    return rc;
}

/* Exposure of device d for the current patient at the event's time. */
static int s_exposure(struct eng_plan_run *self,
                      const struct eng_plan_device *d)
{
    const struct eng_event *ev = self->ev;
    bool dup = false;
    int rc = 0;
    if (ev->patient.n)
        rc = eng_plan_expo_put(self->store, ev->patient, ev->time_ms, d,
                               self->key, &dup);
    if (rc != 0 || dup)
        return rc;
    self->stats.exposures++;
    for (size_t i = 0; rc == 0 && i < eng_plan_set_count(self->set); i++) {
        const struct eng_plan *p = eng_plan_set_get(self->set, i);
        const struct eng_plan_design *g = &self->designs[i];
        if (p->method == ENG_PLAN_DISPROP)
            continue;
        if (eng_plan_device_in(self->set, p, d)) {
            struct ds_span key = eng_plan_device_key(p, d);
            for (size_t e = 0; rc == 0 && key.n && e < p->n_events; e++) {
                struct eng_pcell *c = eng_plan_cells_get(
                    self->cells, i, key, p->events[e], true, &rc);
                if (!c)
                    break;
                if (c->st.exposures == 0 &&
                    p->method == ENG_PLAN_MAXSPRT_BINOMIAL) {
                    const struct eng_pcell *t = eng_plan_cells_get(
                        self->cells, i, ds_span_str(ENG_PLAN_TOTALS),
                        p->events[e], false, NULL);
                    c->st.comp_exposures = t ? t->st.comp_exposures : 0;
                }
                rc = eng_plan_run_verdict(self, c,
                                          eng_plan_stat_exposure(g, &c->st));
                if (rc == 0 && p->method == ENG_PLAN_CUSUM_BERNOULLI &&
                    ev->patient.n)
                    rc = eng_plan_trial_open(
                        self->store, p->id, key, p->events[e], ev->patient,
                        ev->time_ms, ev->time_ms + p->window_days * S_DAY_MS);
            }
        } else if (p->method == ENG_PLAN_MAXSPRT_BINOMIAL &&
                   eng_plan_device_comparator(self->set, p, d)) {
            for (size_t e = 0; rc == 0 && e < p->n_events; e++)
                if (!eng_plan_cells_get(self->cells, i,
                                        ds_span_str(ENG_PLAN_TOTALS),
                                        p->events[e], true, &rc))
                    break;
            size_t nc = eng_plan_cells_count(self->cells);
            for (size_t j = 0; rc == 0 && j < nc; j++) {
                struct eng_pcell *c = eng_plan_cells_at(self->cells, j);
                if (c->plan == i)
                    rc = eng_plan_run_verdict(
                        self, c, eng_plan_stat_comp_exposure(g, &c->st));
            }
        }
    }
    return rc;
}

static int s_exposures(struct eng_plan_run *self, const struct nlp_result *r)
{
    const struct eng_event *ev = self->ev;
    if (ev->kind == ENG_EV_EXPOSURE &&
        (ev->product_code.n || ev->brand.n || ev->udi.n)) {
        struct eng_plan_device d;
        eng_link_event_device(ev, &d);
        return s_exposure(self, &d);
    }
    if (ev->kind != ENG_EV_NOTE || !r || !ev->patient.n)
        return 0;
    struct ds_span codes[S_IMPLANT_MAX];
    size_t n = eng_link_implants(r, codes, S_IMPLANT_MAX);
    for (size_t i = 0; i < n; i++) {
        struct eng_plan_device d = {codes[i], {0}, {0}, {0}};
        int rc = s_exposure(self, &d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int s_late(struct eng_plan_run *self, int64_t watermark)
{
    self->stats.late++;
    int rc =
        eng_plan_late_put(self->store, self->key, self->ev->time_ms, watermark);
    return rc != 0 ? rc
                   : eng_audit_log_late(self->audit, self->key,
                                        self->ev->time_ms, watermark);
}

/* eng_plan_trial_fn: a CUSUM trial closed without its event. */
static int s_trial_closed(void *arg, const char *plan, const char *device,
                          const char *event)
{
    struct eng_plan_run *self = arg;
    size_t i = eng_plan_set_find(self->set, plan);
    if (i == SIZE_MAX)
        return 0;
    int rc = 0;
    struct eng_pcell *c = eng_plan_cells_get(
        self->cells, i, ds_span_str(device), event, true, &rc);
    if (!c)
        return rc;
    return eng_plan_run_verdict(
        self, c, eng_plan_stat_trial(&self->designs[i], &c->st, false));
}

static bool s_has_events(const struct eng_event *ev, const struct nlp_result *r)
{
    if (ev->event_code.n)
        return true;
    for (size_t i = 0; r && i < r->n; i++)
        if (r->m[i].kind == NLP_MENTION_EVENT && eng_link_affirmed(&r->m[i]))
            return true;
    return false;
}

static int s_links(struct eng_plan_run *self, const struct nlp_result *r)
{
    const struct eng_event *ev = self->ev;
    int rc = 0;
    self->expo.n = 0;
    if (ev->patient.n)
        rc = eng_plan_expo_read(self->store, ev->patient, ev->time_ms,
                                &self->expo);
    if (rc == 0)
        rc = eng_link_event(self->set, ev, r, self->expo.v, self->expo.n,
                            &self->links);
    return rc != 0 ? rc : eng_plan_run_count(self, r);
}

int eng_plan_run_event(eng_plan_run_t *self, const struct eng_store_key *k,
                       const struct eng_event *ev, eng_counts_emit_fn *emit,
                       void *arg)
{
    self->key = k;
    self->ev = ev;
    self->emit = emit;
    self->arg = arg;
    int64_t watermark = self->max_ts - self->lateness_ms;
    if (ev->time_ms < watermark)
        return s_late(self, watermark);
    if (ev->time_ms > self->max_ts)
        self->max_ts = ev->time_ms;
    const struct nlp_result *r = NULL;
    int rc = 0;
    if (ev->text.n && ev->kind != ENG_EV_EXPOSURE) {
        size_t stored;
        rc = nlp_extract_run(self->x, ev->text, 0, &self->res);
        if (rc == 0)
            rc = eng_mentions_put(self->store, self->audit, k, ev->time_ms,
                                  self->rules, &self->res, &stored);
        if (rc != 0)
            return rc;
        r = &self->res;
        self->stats.extracted++;
        self->stats.mentions += stored;
    }
    if ((rc = s_exposures(self, r)) != 0)
        return rc;
    if (s_has_events(ev, r) && (rc = s_links(self, r)) != 0)
        return rc;
    if (ev->kind == ENG_EV_REPORT && (rc = eng_plan_run_disprop(self, r)) != 0)
        return rc;
    if (!self->has_cusum)
        return 0;
    return eng_plan_trials_close(self->store, self->max_ts - self->lateness_ms,
                                 s_trial_closed, self);
}

const struct eng_plan_run_stats *eng_plan_run_stats(const eng_plan_run_t *s)
{
    return &s->stats;
}

const char *eng_plan_run_rules_sha(const eng_plan_run_t *self)
{
    return nlp_rules_sha256(self->rules);
}

const char *eng_plan_run_plans_sha(const eng_plan_run_t *self)
{
    return eng_plan_set_sha256(self->set);
}
