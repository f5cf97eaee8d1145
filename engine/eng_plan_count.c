/*
 * eng_plan_count.c - counting an event in plan cells: links after
 * episode de-duplication, CUSUM trials, comparator events, the 2x2
 * tables of disproportionality plans, and the signal a crossing raises
 * (see eng_plan_run.h).
 *
 * Totals cells (device key "*", ENG_PLAN_TOTALS): a disproportionality
 * plan keeps one per plan event code (observed = reports with that event,
 * exposures = all reports seen by the plan), and a device's cell starts
 * from them (c, d) when its first report arrives; a binomial plan keeps
 * its comparator exposures there, so a device cell created later starts
 * with them.
 */
#include "eng_plan_run_impl.h"

#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

#define S_DAY_MS   86400000LL
#define S_KEYS_MAX 8

int eng_plan_run_verdict(struct eng_plan_run *self, struct eng_pcell *c,
                         enum eng_plan_verdict v)
{
    const struct eng_plan_design *g = &self->designs[c->plan];
    const struct eng_plan *p = g->plan;
    c->dirty = true;
    c->last_ts = self->ev->time_ms;
    c->threshold = g->threshold;
    if (v != ENG_PLAN_SIGNAL)
        return 0;
    struct eng_signal s;
    memset(&s, 0, sizeof s);
    snprintf(s.plan, sizeof s.plan, "%s", p->id);
    snprintf(s.device, sizeof s.device, "%s", c->device);
    size_t dn = strnlen(c->device, sizeof s.product_code - 1);
    memcpy(s.product_code, c->device, dn); /* a prefix of a long key */
    snprintf(s.event_code, sizeof s.event_code, "%s", c->event);
    s.method = eng_plan_method_name(p->method);
    s.statistic = c->st.statistic;
    s.threshold = g->threshold;
    s.observed = c->st.observed;
    s.expected = c->st.expected;
    s.ts_event = self->ev->time_ms;
    size_t n = self->key->source.n < ENG_SOURCE_MAX - 1 ? self->key->source.n
                                                        : ENG_SOURCE_MAX - 1;
    memcpy(s.source, self->key->source.p, n);
    s.epoch = self->key->epoch;
    s.seq = self->key->seq;
    eng_plan_design_params(g, s.params, sizeof s.params);
    snprintf(s.rules, sizeof s.rules, "%s", nlp_rules_sha256(self->rules));
    snprintf(s.plans, sizeof s.plans, "%s", eng_plan_set_sha256(self->set));
    s.generation = c->generation;
    int rc = eng_store_signal_put(self->store, &s);
    if (rc == DS_EDUP)
        return 0;
    return rc != 0 ? rc : self->emit(self->arg, &s);
}

static int s_contrib(struct eng_plan_run *self, const struct eng_link *l)
{
    const struct eng_plan *p = eng_plan_set_get(self->set, l->plan);
    return eng_plan_contribution(self->store, p->id, l->device, l->event,
                                 l->comparator, self->key, l->mention,
                                 eng_link_how_name(l->how), self->ev->time_ms);
}

bool eng_plan_run_binomial_holds(const struct eng_plan *p,
                                 const struct eng_plan_cell *c)
{
    if (c->exposures <= 0 || c->comp_exposures <= 0)
        return false;
    double z = (double)c->comp_exposures / (double)c->exposures;
    return z <= 2 * p->z && z >= p->z / 2;
}

/* A binomial cell counts an event (a case, or a control when comp) and is
 * tested only while its design's z holds (see eng_plan_run_impl.h). */
static int s_binomial(struct eng_plan_run *self, struct eng_pcell *c, bool comp)
{
    const struct eng_plan_design *g = &self->designs[c->plan];
    if (eng_plan_run_binomial_holds(g->plan, &c->st))
        return eng_plan_run_verdict(self, c,
                                    comp ? eng_plan_stat_comp_event(g, &c->st)
                                         : eng_plan_stat_event(g, &c->st));
    if (comp)
        c->st.comp_events++;
    else
        c->st.observed++;
    return eng_plan_run_verdict(self, c, ENG_PLAN_CONTINUE);
}

/* A comparator's event: a control in every cell of (plan, *, event). */
static int s_comp_event(struct eng_plan_run *self, const struct eng_link *l)
{
    size_t nc = eng_plan_cells_count(self->cells);
    for (size_t j = 0; j < nc; j++) {
        struct eng_pcell *c = eng_plan_cells_at(self->cells, j);
        if (c->plan != l->plan || strcmp(c->event, l->event) != 0 ||
            strcmp(c->device, ENG_PLAN_TOTALS) == 0)
            continue;
        int rc = s_binomial(self, c, true);
        if (rc != 0)
            return rc;
    }
    return s_contrib(self, l);
}

static int s_count_one(struct eng_plan_run *self, const struct eng_link *l)
{
    const struct eng_plan *p = eng_plan_set_get(self->set, l->plan);
    const struct eng_plan_design *g = &self->designs[l->plan];
    const struct eng_event *ev = self->ev;
    int64_t window = p->window_days * S_DAY_MS;
    bool counted = true;
    int rc = 0;
    if (p->method == ENG_PLAN_DISPROP)
        return 0;
    if (ev->patient.n &&
        (rc = eng_plan_episode(self->store, p->id, l->event, ev->patient,
                               l->anchor, window, &counted)) != 0)
        return rc;
    if (!counted) {
        self->stats.repeats++;
        return 0;
    }
    self->stats.links++;
    if (l->comparator)
        return p->method == ENG_PLAN_MAXSPRT_BINOMIAL ? s_comp_event(self, l)
                                                      : 0;
    if (p->method == ENG_PLAN_CUSUM_BERNOULLI) {
        bool open = false; /* only an exposure's own trial can end in y=1 */
        if (l->how == ENG_LINK_EXPOSURE)
            rc = eng_plan_trial_hit(self->store, p->id, l->device, l->event,
                                    ev->patient, l->anchor, &open);
        if (rc != 0 || !open)
            return rc;
    }
    struct eng_pcell *c = eng_plan_cells_get(self->cells, l->plan, l->device,
                                             l->event, true, &rc);
    if (!c)
        return rc;
    if (p->method == ENG_PLAN_CUSUM_BERNOULLI)
        eng_plan_stat_event(g, &c->st); /* counts observed; no test */
    if (p->method == ENG_PLAN_MAXSPRT_BINOMIAL)
        rc = s_binomial(self, c, false);
    else
        rc = eng_plan_run_verdict(self, c,
                                  p->method == ENG_PLAN_CUSUM_BERNOULLI
                                      ? eng_plan_stat_trial(g, &c->st, true)
                                      : eng_plan_stat_event(g, &c->st));
    return rc != 0 ? rc : s_contrib(self, l);
}

int eng_plan_run_count(struct eng_plan_run *self, const struct nlp_result *r)
{
    (void)r;
    for (size_t i = 0; i < self->links.n; i++) {
        int rc = s_count_one(self, &self->links.v[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- disproportionality over reports ---- */

struct s_report {
    struct ds_span keys[S_KEYS_MAX]; /* the report's devices in the group */
    size_t nkeys;
    const char *events[ENG_PLAN_LIST_MAX]; /* plan codes it reports */
    int64_t mention[ENG_PLAN_LIST_MAX];    /* first mention of each, or -1 */
    size_t nevents;
};

static bool s_span_in(const struct ds_span *v, size_t n, struct ds_span s)
{
    for (size_t i = 0; i < n; i++)
        if (ds_span_same(v[i], s))
            return true;
    return false;
}

static void s_key_add(struct s_report *rep, const eng_plan_set_t *set,
                      const struct eng_plan *p, const struct eng_plan_device *d)
{
    if (rep->nkeys == S_KEYS_MAX || !eng_plan_device_in(set, p, d))
        return;
    struct ds_span k = eng_plan_device_key(p, d);
    if (k.n && !s_span_in(rep->keys, rep->nkeys, k))
        rep->keys[rep->nkeys++] = k;
}

static void s_event_add(struct s_report *rep, const eng_plan_set_t *set,
                        const struct eng_plan *p, struct ds_span code,
                        int64_t mention)
{
    const char *e = eng_plan_event_cover(set, p, code);
    for (size_t i = 0; e && i < rep->nevents; i++)
        if (rep->events[i] == e)
            return;
    if (e && rep->nevents < ENG_PLAN_LIST_MAX) {
        rep->mention[rep->nevents] = mention;
        rep->events[rep->nevents++] = e;
    }
}

static void s_report_read(struct s_report *rep, const eng_plan_set_t *set,
                          const struct eng_plan *p, const struct eng_event *ev,
                          const struct nlp_result *r)
{
    memset(rep, 0, sizeof *rep);
    struct eng_plan_device d;
    eng_link_event_device(ev, &d);
    s_key_add(rep, set, p, &d);
    if (ev->event_code.n)
        s_event_add(rep, set, p, ev->event_code, -1);
    for (size_t i = 0; r && i < r->n; i++) {
        const struct nlp_mention *m = &r->m[i];
        if (!eng_link_affirmed(m))
            continue;
        if (m->kind == NLP_MENTION_EVENT) {
            s_event_add(rep, set, p, m->code, (int64_t)i);
        } else if (m->kind == NLP_MENTION_DEVICE) {
            struct eng_plan_device md = {m->code, {0}, {0}, {0}};
            s_key_add(rep, set, p, &md);
        }
    }
}

static bool s_event_in(const struct s_report *rep, const char *e, size_t *at)
{
    for (size_t i = 0; i < rep->nevents; i++)
        if (strcmp(rep->events[i], e) == 0) {
            *at = i;
            return true;
        }
    return false;
}

/* Cells of this report's devices that do not exist yet, from totals. */
static int s_disprop_cells(struct eng_plan_run *self, size_t pi,
                           const struct s_report *rep)
{
    const struct eng_plan *p = eng_plan_set_get(self->set, pi);
    int rc = 0;
    for (size_t e = 0; e < p->n_events; e++) {
        struct eng_pcell *t =
            eng_plan_cells_get(self->cells, pi, ds_span_str(ENG_PLAN_TOTALS),
                               p->events[e], true, &rc);
        if (!t)
            return rc;
        int64_t n_e = t->st.observed, n_all = t->st.exposures;
        for (size_t k = 0; k < rep->nkeys; k++) {
            if (eng_plan_cells_get(self->cells, pi, rep->keys[k], p->events[e],
                                   false, NULL))
                continue;
            struct eng_pcell *c = eng_plan_cells_get(
                self->cells, pi, rep->keys[k], p->events[e], true, &rc);
            if (!c)
                return rc;
            c->st.table.c = n_e;
            c->st.table.d = n_all - n_e;
        }
    }
    return 0;
}

static int s_disprop_plan(struct eng_plan_run *self, size_t pi,
                          const struct nlp_result *r)
{
    struct s_report rep;
    const struct eng_plan *p = eng_plan_set_get(self->set, pi);
    s_report_read(&rep, self->set, p, self->ev, r);
    int rc = s_disprop_cells(self, pi, &rep);
    size_t nc = eng_plan_cells_count(self->cells);
    for (size_t j = 0; rc == 0 && j < nc; j++) {
        struct eng_pcell *c = eng_plan_cells_at(self->cells, j);
        size_t at = 0;
        if (c->plan != pi)
            continue;
        bool ein = s_event_in(&rep, c->event, &at);
        if (strcmp(c->device, ENG_PLAN_TOTALS) == 0) {
            c->st.exposures++;
            c->st.observed += ein;
            c->dirty = true;
            continue;
        }
        bool kin = s_span_in(rep.keys, rep.nkeys, ds_span_str(c->device));
        struct eng_disprop_table t = c->st.table;
        t.a += kin && ein;
        t.b += kin && !ein;
        t.c += !kin && ein;
        t.d += !kin && !ein;
        c->st.table = t;
        c->dirty = true;
        if (!kin && !ein)
            continue;
        rc = eng_plan_run_verdict(
            self, c, eng_plan_stat_table(&self->designs[pi], &c->st, &t));
        if (rc == 0 && kin && ein) {
            struct eng_link l = {pi,
                                 ds_span_str(c->device),
                                 rep.events[at],
                                 false,
                                 rep.mention[at],
                                 ENG_LINK_REPORT_DEVICE,
                                 self->ev->time_ms};
            self->stats.links++;
            rc = s_contrib(self, &l);
        }
    }
    return rc;
}

int eng_plan_run_disprop(struct eng_plan_run *self, const struct nlp_result *r)
{
    for (size_t i = 0; i < eng_plan_set_count(self->set); i++) {
        if (eng_plan_set_get(self->set, i)->method != ENG_PLAN_DISPROP)
            continue;
        int rc = s_disprop_plan(self, i, r);
        if (rc != 0)
            return rc;
    }
    return 0;
}
