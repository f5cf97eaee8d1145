/*
 * ds-scenario-gen.c - the seeded generator: patients, implants, who
 * develops what, and the notes that say so (or seem to).
 *
 * Per month and device, `implants` exposures at uniform minutes of the
 * month. Each patient develops at most one outcome: one uniform draw u
 * against the device's cumulative true rates, so outcome k's probability is
 * exactly its rate (the parser checks they add up to 1 at most). A case
 * gets 1..3 follow-up notes within the outcome's window, each an affirmed
 * phrase of that outcome (so repeated mentions are the same complication);
 * optionally a coded "outcome" event at the first note and, with
 * --reports, a MAUDE-like "report" for a share of cases. Other patients get
 * 1..2 follow-up notes with probability `followup`: a distractor
 * (negated, historical, family or hypothetical phrase of one of the
 * device's outcomes) or uneventful text. A share `caps` of notes is
 * written in ALL CAPS.
 *
 * Every branch makes the same draws whatever the options (reports,
 * outcomes), so turning one on adds events without moving the others.
 * Each (device, month) has its own PRNG stream (ds-scenario.h).
 *
 * Not here: ordering and JSON (ds-scenario-emit.c), parsing.
 */
#include "ds-scenario.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <inttypes.h>
#include <string.h>

#define MIN_MS  60000LL
#define DAY_MIN 1440LL
#define FOLLOWUP_DAYS                                                          \
    30 /* window of follow-up notes for a device with no                       \
          outcome */
#define NOTE_MAX (DSS_TEXT_MAX * 2 + 256)

static const char *const s_default_uneventful[] = {
    "Wound healing well.",
    "Seen in clinic today, doing well.",
    "Routine follow-up. Patient feels well.",
    "Device check satisfactory.",
    "ROUTINE REVIEW. NO CONCERNS RAISED.",
};

static const char *const s_default_note =
    "Uneventful implantation of {brand} {model}.";

/* What one (device, month) draws from. */
struct s_ctx {
    const struct dss_scenario *sc;
    const struct dss_gen_opts *opts;
    dss_emit_t *em;
    struct dss_rng rng;
    const struct dss_device *dev;
    size_t d;
    int64_t implant_ms;
    uint64_t patient;
    uint64_t enc; /* encounters of this patient so far */
};

static int64_t s_month_start(const struct dss_scenario *sc, long m)
{
    long y = sc->year + (sc->month - 1 + m) / 12;
    int mo = (int)((sc->month - 1 + m) % 12) + 1;
    char buf[40];
    int64_t ms = 0;
    snprintf(buf, sizeof buf, "%04ld-%02d-01T00:00:00Z", y, mo);
    if (eng_time_parse(buf, strlen(buf), &ms) != 0)
        return INT64_MAX; /* past 9999: the parser bounds start + months */
    return ms;
}

static uint64_t s_encounter(struct s_ctx *c)
{
    uint64_t e = dss_mix48(c->patient * 8 + ++c->enc);
    return e ? e : 1;
}

static int s_add(struct s_ctx *c, enum dss_kind kind, int64_t t,
                 const struct dss_outcome *o, char *text, bool patient)
{
    struct dss_event ev = {
        .time_ms = t,
        .kind = kind,
        .patient = patient ? c->patient : 0,
        .encounter = patient ? s_encounter(c) : 0,
        .dev = kind == DSS_NOTE ? NULL : c->dev,
        .out = kind == DSS_OUTCOME ? o : NULL,
        .text = text,
    };
    return dss_emit_add(c->em, &ev);
}

/* A note from template t written `min` minutes after the implant. */
static int s_note(struct s_ctx *c, const char *t, int64_t min, bool caps)
{
    char buf[NOTE_MAX];
    dss_expand(t, (long)(min / DAY_MIN), c->dev->brand, c->dev->model, buf,
               sizeof buf);
    if (caps)
        dss_upper(buf);
    char *text = ds_strdup(buf);
    if (!text)
        return DS_ENOMEM;
    return s_add(c, DSS_NOTE, c->implant_ms + min * MIN_MS, NULL, text, true);
}

static int s_report(struct s_ctx *c, const struct dss_outcome *o,
                    const char *phrase, int64_t min)
{
    char said[NOTE_MAX], buf[NOTE_MAX + 4 * DSS_FIELD_MAX + 128];
    dss_expand(phrase, (long)(min / DAY_MIN), c->dev->brand, c->dev->model,
               said, sizeof said);
    snprintf(buf, sizeof buf,
             "IT WAS REPORTED THAT THE PATIENT HAD %s AFTER IMPLANT OF THE "
             "%s %s. %s",
             o->term, c->dev->brand, c->dev->model, said);
    dss_upper(buf);
    char *text = ds_strdup(buf);
    if (!text)
        return DS_ENOMEM;
    return s_add(c, DSS_REPORT, c->implant_ms + min * MIN_MS, o, text, false);
}

static const char *s_pick(struct s_ctx *c, const struct dss_phrases *ph)
{
    return ph->v[dss_rng_below(&c->rng, ph->n)];
}

/* Notes of a patient who develops outcome o. */
static int s_case(struct s_ctx *c, const struct dss_outcome *o)
{
    int64_t span = o->window * DAY_MIN;
    int64_t onset = 60 + (int64_t)dss_rng_below(&c->rng, (uint64_t)span - 60);
    int nnotes = 1 + (int)dss_rng_below(&c->rng, 3);
    bool report = dss_rng_unit(&c->rng) < c->sc->reports;
    int64_t rep = onset + (int64_t)dss_rng_below(&c->rng, 30 * DAY_MIN);
    const char *rep_phrase = s_pick(c, &o->ph[DSS_AFFIRMED]);
    int rc = 0;
    for (int i = 0; i < nnotes && rc == 0; i++) {
        int64_t at = i == 0 ? onset
                            : onset + (int64_t)dss_rng_below(
                                          &c->rng, (uint64_t)(span - onset));
        const char *t = s_pick(c, &o->ph[DSS_AFFIRMED]);
        bool caps = dss_rng_unit(&c->rng) < c->sc->caps;
        rc = s_note(c, t, at, caps);
    }
    if (rc == 0 && c->sc->outcomes)
        rc = s_add(c, DSS_OUTCOME, c->implant_ms + onset * MIN_MS, o, NULL,
                   true);
    if (rc == 0 && report && c->opts->reports)
        rc = s_report(c, o, rep_phrase, rep);
    return rc;
}

/* The phrases of context ctx over the device's outcomes, number u modulo
 * their count: a uniform pick over all of them, or NULL when none. */
static const char *s_distractor(struct s_ctx *c, int ctx, uint64_t u)
{
    const struct dss_scenario *sc = c->sc;
    const struct dss_phrases *ph[DSS_OUTCOMES_MAX];
    size_t n = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < sc->nout; i++)
        for (size_t j = 0; j < sc->out[i].nrates; j++)
            if (sc->out[i].rates[j].device == (int)c->d) {
                ph[n] = &sc->out[i].ph[ctx];
                total += ph[n++]->n;
            }
    if (total == 0)
        return NULL;
    u %= total;
    for (size_t i = 0;; i++) {
        if (u < ph[i]->n)
            return ph[i]->v[u];
        u -= ph[i]->n;
    }
}

static long s_followup_days(struct s_ctx *c)
{
    long days = 0;
    for (size_t i = 0; i < c->sc->nout; i++)
        for (size_t j = 0; j < c->sc->out[i].nrates; j++)
            if (c->sc->out[i].rates[j].device == (int)c->d &&
                c->sc->out[i].window > days)
                days = c->sc->out[i].window;
    return days ? days : FOLLOWUP_DAYS;
}

/* Notes of a patient who develops nothing (maybe none at all). */
static int s_other(struct s_ctx *c)
{
    const struct dss_scenario *sc = c->sc;
    int64_t span = s_followup_days(c) * DAY_MIN;
    if (!(dss_rng_unit(&c->rng) < sc->followup))
        return 0;
    int nnotes = 1 + (int)dss_rng_below(&c->rng, 2), rc = 0;
    for (int i = 0; i < nnotes && rc == 0; i++) {
        int64_t at = 60 + (int64_t)dss_rng_below(&c->rng, (uint64_t)span - 60);
        int ctx = (int)dss_rng_below(&c->rng, DSS_NCTX); /* 0: uneventful */
        uint64_t u = dss_rng_next(&c->rng);
        bool caps = dss_rng_unit(&c->rng) < sc->caps;
        const char *t = ctx ? s_distractor(c, ctx, u) : NULL;
        if (!t)
            t = sc->uneventful.n
                    ? sc->uneventful.v[u % sc->uneventful.n]
                    : s_default_uneventful[u % (sizeof s_default_uneventful /
                                                sizeof *s_default_uneventful)];
        rc = s_note(c, t, at, caps);
    }
    return rc;
}

/* Which outcome (index) the patient develops, or -1. */
static int s_draw_outcome(struct s_ctx *c)
{
    double u = dss_rng_unit(&c->rng), acc = 0;
    for (size_t i = 0; i < c->sc->nout; i++)
        for (size_t j = 0; j < c->sc->out[i].nrates; j++)
            if (c->sc->out[i].rates[j].device == (int)c->d) {
                acc += c->sc->out[i].rates[j].rate;
                if (u < acc)
                    return (int)i;
            }
    return -1;
}

static int s_exposure(struct s_ctx *c)
{
    char buf[NOTE_MAX];
    struct dss_event ev = {.kind = DSS_EXPOSURE, .dev = c->dev};
    const char *t = c->dev->note[0] ? c->dev->note : s_default_note;
    dss_expand(t, 0, c->dev->brand, c->dev->model, buf, sizeof buf);
    snprintf(ev.udi_serial, sizeof ev.udi_serial, "%08" PRIu64,
             dss_rng_below(&c->rng, 100000000));
    ev.time_ms = c->implant_ms;
    ev.patient = c->patient;
    ev.encounter = s_encounter(c);
    if (!(ev.text = ds_strdup(buf)))
        return DS_ENOMEM;
    return dss_emit_add(c->em, &ev);
}

static int s_patient(struct s_ctx *c, long m, long i, int64_t month_ms,
                     int64_t days, struct dss_truth *cells)
{
    uint64_t base = dss_splitmix64(&(uint64_t){c->sc->seed}) ^ c->dev->key;
    c->patient = dss_mix48(base + ((uint64_t)m << 20) + (uint64_t)i);
    if (c->patient == 0)
        c->patient = 1;
    c->enc = 0;
    c->implant_ms =
        month_ms +
        (int64_t)dss_rng_below(&c->rng, (uint64_t)(days * DAY_MIN)) * MIN_MS;
    int rc = s_exposure(c);
    int k = s_draw_outcome(c);
    for (size_t o = 0; o < c->sc->nout; o++)
        cells[o].exposures++;
    if (rc)
        return rc;
    if (k < 0)
        return s_other(c);
    cells[k].cases++;
    return s_case(c, &c->sc->out[k]);
}

int dss_generate(const struct dss_scenario *sc, const struct dss_gen_opts *opts,
                 dss_emit_t *em, struct dss_truth *truth)
{
    struct s_ctx c = {.sc = sc, .opts = opts, .em = em};
    int rc = 0;
    for (long m = 0; m < sc->months && rc == 0; m++) {
        int64_t ms = s_month_start(sc, m), next = s_month_start(sc, m + 1);
        if (ms == INT64_MAX || next == INT64_MAX)
            return DS_ERANGE;
        int64_t days = (next - ms) / (DAY_MIN * MIN_MS);
        for (size_t d = 0; d < sc->ndev && rc == 0; d++) {
            c.dev = &sc->dev[d];
            c.d = d;
            dss_rng_seed(&c.rng, sc->seed, c.dev->key, (uint64_t)m);
            struct dss_truth *cells = &truth[(m * sc->ndev + d) * sc->nout];
            for (long i = 0; i < c.dev->implants && rc == 0; i++)
                rc = s_patient(&c, m, i, ms, days, cells);
        }
        if (rc == 0)
            rc = dss_emit_flush(em, next);
    }
    return rc ? rc : dss_emit_flush(em, INT64_MAX);
}
