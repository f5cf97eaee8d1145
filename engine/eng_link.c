/*
 * eng_link.c - an event's affirmed adverse-event mentions to plan cells
 * through its structured device, the patient's exposures or device
 * mentions (see eng_link.h for the order and what each link means).
 */
#include "devsurv/eng_link.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_udi.h"

#include <string.h>

#define S_NOT_AFFIRMED                                                         \
    (NLP_F_NEGATED | NLP_F_HYPOTHETICAL | NLP_F_HISTORICAL | NLP_F_FAMILY)

static const char *const s_how[] = {"structured", "report-device", "sentence",
                                    "note", "patient-exposure"};

const char *eng_link_how_name(enum eng_link_how how)
{
    return (unsigned)how < sizeof s_how / sizeof s_how[0] ? s_how[how] : "";
}

void eng_links_init(struct eng_links *l)
{
    memset(l, 0, sizeof *l);
}

void eng_links_clear(struct eng_links *l)
{
    ds_free(l->v);
    eng_links_init(l);
}

bool eng_link_affirmed(const struct nlp_mention *m)
{
    return (m->flags & S_NOT_AFFIRMED) == 0;
}

/* A device mention as a device: product code or UDI device identifier. */
static bool s_mention_device(const struct nlp_mention *m,
                             struct eng_plan_device *d)
{
    memset(d, 0, sizeof *d);
    if (!eng_link_affirmed(m))
        return false;
    if (m->kind == NLP_MENTION_DEVICE)
        d->product_code = m->code;
    else if (m->kind == NLP_MENTION_UDI && strcmp(m->system, "gs1") == 0)
        d->udi_di = m->code;
    else
        return false;
    return true;
}

static int s_push(struct eng_links *l, const struct eng_link *k)
{
    for (size_t i = 0; i < l->n; i++) { /* once per cell and event */
        const struct eng_link *o = &l->v[i];
        if (o->plan == k->plan && o->event == k->event &&
            o->comparator == k->comparator &&
            ds_span_same(o->device, k->device))
            return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct eng_link *v = ds_realloc(l->v, cap * sizeof *v);
        if (!v)
            return DS_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *k;
    return 0;
}

/* Try device d for plan i: 1 when it is of the group or comparator (and
 * the link is pushed), 0 when neither, or DS_ENOMEM. */
static int s_try(const eng_plan_set_t *set, size_t i,
                 const struct eng_plan_device *d, struct eng_link *k,
                 struct eng_links *l)
{
    const struct eng_plan *p = eng_plan_set_get(set, i);
    if (eng_plan_device_in(set, p, d))
        k->comparator = false;
    else if (eng_plan_device_comparator(set, p, d))
        k->comparator = true;
    else
        return 0;
    k->device = eng_plan_device_key(p, d);
    if (k->device.n == 0)
        return 0;
    int rc = s_push(l, k);
    return rc != 0 ? rc : 1;
}

/* Is s 14 digits whose GS1 check digit holds (a bare GTIN-14)? */
static bool s_gtin14(struct ds_span s)
{
    if (s.n != 14)
        return false;
    for (size_t i = 0; i < 14; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return nlp_gs1_check_digit(s.p, 13) == s.p[13] - '0';
}

void eng_link_event_device(const struct eng_event *ev,
                           struct eng_plan_device *d)
{
    struct nlp_udi u;
    *d = (struct eng_plan_device){ev->product_code, ev->brand, ev->model, {0}};
    if (s_gtin14(ev->udi))
        d->udi_di = ev->udi;
    else if (ev->udi.n && nlp_udi_parse(ev->udi, &u, NULL) == 0 &&
             u.agency == NLP_UDI_GS1)
        d->udi_di = u.di; /* the GTIN of the carrier's AI (01) */
}

/* Device mentions of r in sentence `sent` (same = true) or outside it. */
static int s_try_mentions(const eng_plan_set_t *set, size_t i,
                          const struct nlp_result *r, uint32_t sent, bool same,
                          struct eng_link *k, struct eng_links *l)
{
    int found = 0;
    for (size_t j = 0; j < r->n; j++) {
        struct eng_plan_device d;
        if ((r->m[j].sentence == sent) != same ||
            !s_mention_device(&r->m[j], &d))
            continue;
        int rc = s_try(set, i, &d, k, l);
        if (rc < 0)
            return rc;
        found |= rc;
    }
    return found;
}

static int s_try_exposures(const eng_plan_set_t *set, size_t i,
                           const struct eng_link_exposure *expo, size_t nexpo,
                           int64_t ts, struct eng_link *k, struct eng_links *l)
{
    const struct eng_plan *p = eng_plan_set_get(set, i);
    int64_t window = p->window_days * 86400000LL;
    int found = 0;
    for (size_t j = 0; j < nexpo; j++) {
        if (expo[j].ts > ts || ts - expo[j].ts > window)
            continue;
        k->anchor = expo[j].ts;
        int rc = s_try(set, i, &expo[j].dev, k, l);
        if (rc < 0)
            return rc;
        found |= rc;
    }
    return found;
}

/* One event code (a mention's, or the coded event's) under plan i. */
static int s_link_code(const eng_plan_set_t *set, size_t i,
                       const struct eng_event *ev, const struct nlp_result *r,
                       int64_t mention, struct ds_span code,
                       const struct eng_link_exposure *expo, size_t nexpo,
                       struct eng_links *l)
{
    const struct eng_plan *p = eng_plan_set_get(set, i);
    struct eng_link k = {.plan = i, .mention = mention, .anchor = ev->time_ms};
    k.event = eng_plan_event_cover(set, p, code);
    if (!k.event)
        return 0;
    struct eng_plan_device d;
    eng_link_event_device(ev, &d);
    k.how = ev->kind == ENG_EV_REPORT ? ENG_LINK_REPORT_DEVICE
                                      : ENG_LINK_STRUCTURED;
    int rc = s_try(set, i, &d, &k, l);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    k.how = ENG_LINK_EXPOSURE;
    if ((rc = s_try_exposures(set, i, expo, nexpo, ev->time_ms, &k, l)) != 0)
        return rc < 0 ? rc : 0;
    k.anchor = ev->time_ms;
    if (r && mention >= 0) {
        uint32_t sent = r->m[mention].sentence;
        k.how = ENG_LINK_SENTENCE;
        if ((rc = s_try_mentions(set, i, r, sent, true, &k, l)) != 0)
            return rc < 0 ? rc : 0;
        k.how = ENG_LINK_NOTE;
        rc = s_try_mentions(set, i, r, sent, false, &k, l);
    }
    return rc < 0 ? rc : 0;
}

int eng_link_event(const eng_plan_set_t *set, const struct eng_event *ev,
                   const struct nlp_result *r,
                   const struct eng_link_exposure *expo, size_t nexpo,
                   struct eng_links *l)
{
    l->n = 0;
    size_t np = eng_plan_set_count(set);
    for (size_t i = 0; i < np; i++) {
        int rc = 0;
        if (ev->event_code.n > 0)
            rc = s_link_code(set, i, ev, NULL, -1, ev->event_code, expo, nexpo,
                             l);
        for (size_t j = 0; rc == 0 && r && j < r->n; j++) {
            const struct nlp_mention *m = &r->m[j];
            if (m->kind == NLP_MENTION_EVENT && eng_link_affirmed(m))
                rc = s_link_code(set, i, ev, r, (int64_t)j, m->code, expo,
                                 nexpo, l);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Is token text t (any case) one of the implant verbs? */
static bool s_implant_word(struct ds_span t)
{
    static const char *const words[] = {
        "implant", "implanted", "implantation", "inserted",  "insertion",
        "placed",  "placement", "deployed",     "deployment"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (t.n != n)
            continue;
        size_t j = 0;
        while (j < n && (t.p[j] | 0x20) == words[i][j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

static bool s_sentence_implants(const struct nlp_doc *doc, uint32_t s)
{
    if (s >= doc->nsent)
        return false;
    const struct nlp_sent *st = &doc->sent[s];
    for (uint32_t t = st->tok_begin; t < st->tok_end && t < doc->ntok; t++) {
        struct ds_span w = {doc->text.p + doc->tok[t].begin,
                            doc->tok[t].end - doc->tok[t].begin};
        if (s_implant_word(w))
            return true;
    }
    return false;
}

size_t eng_link_implants(const struct nlp_result *r, struct ds_span *out,
                         size_t cap)
{
    size_t n = 0;
    for (size_t j = 0; j < r->n && n < cap; j++) {
        const struct nlp_mention *m = &r->m[j];
        if (m->kind != NLP_MENTION_DEVICE || !eng_link_affirmed(m) ||
            !s_sentence_implants(&r->doc, m->sentence))
            continue;
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = ds_span_same(out[i], m->code);
        if (!dup)
            out[n++] = m->code;
    }
    return n;
}
