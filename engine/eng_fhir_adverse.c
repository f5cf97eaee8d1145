/*
 * eng_fhir_adverse.c - AdverseEvent -> outcome or report (eng_fhir.h).
 *
 * An actual adverse event coded with an IMDRF adverse-event code (IMDRF/AE
 * WG/N43: annex letter A-G then 1 to 4 two-digit levels) in event.coding
 * is an outcome of the suspect device, counted against its exposures; an
 * uncoded one is a report whose text goes to extraction. The IMDRF coding
 * is recognised by its system containing "imdrf" (any case): IMDRF
 * publishes no FHIR URI, so sites use their own (e.g.
 * "http://www.imdrf.org/ae-codes"). A "potential" event (R4 actuality:
 * a near miss, nobody harmed) is not counted and is refused.
 *
 * Not here: seriousness, outcome and causality (kept in the raw payload),
 * suspect entities that are not Devices.
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_err.h"
#include "devsurv/eng_event_check.h"

#include <stdio.h>

#define A "AdverseEvent"

static int s_actuality(const json_t *res, struct ds_diag *diag)
{
    struct ds_span a;
    int rc = eng_fhir_str(res, A, "actuality", true, &a, diag);
    if (rc != 0 || ds_span_eq(a, "actual"))
        return rc;
    if (ds_span_eq(a, "potential"))
        return ds_diag_set(diag, NULL, 0,
                           A ".actuality: a potential adverse event is not "
                             "an event (only actual ones are counted)");
    return eng_fhir_bad(diag, A ".actuality", "expected actual", a);
}

static bool s_is_imdrf_system(struct ds_span sys)
{
    static const char w[] = "imdrf";
    for (size_t i = 0; i + sizeof w - 1 <= sys.n; i++) {
        size_t k = 0;
        while (k < sizeof w - 1 && (sys.p[i + k] | 0x20) == w[k])
            k++;
        if (k == sizeof w - 1)
            return true;
    }
    return false;
}

/* The IMDRF coding of event.coding[], if any: kind, code, term. */
static int s_imdrf(const json_t *event, struct ds_span text,
                   struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *codings, *c;
    char p[ENG_FHIR_PATH_MAX];
    size_t i;
    int rc = eng_fhir_arr(event, A ".event", "coding", false, &codings, diag);
    if (rc != 0)
        return rc;
    json_array_foreach(codings, i, c)
    {
        struct ds_span sys, code, display;
        eng_fhir_path(p, A ".event.coding[%zu]", i);
        if (!json_is_object(c))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(c));
        if ((rc = eng_fhir_str(c, p, "system", false, &sys, diag)) != 0 ||
            (rc = eng_fhir_str(c, p, "code", false, &code, diag)) != 0 ||
            (rc = eng_fhir_str(c, p, "display", false, &display, diag)) != 0)
            return rc;
        if (!s_is_imdrf_system(sys))
            continue;
        eng_fhir_path(p, A ".event.coding[%zu].code", i);
        if (!eng_event_check_imdrf(code))
            return eng_fhir_bad(diag, p,
                                "expected an IMDRF code (a letter A-G then "
                                "2, 4, 6 or 8 digits)",
                                code);
        ev->kind = ENG_EV_OUTCOME;
        ev->event_code = code;
        ev->event_term = display.n ? display : text;
        if (ev->event_term.n > ENG_FHIR_TERM_MAX)
            ev->event_term = (struct ds_span){NULL, 0};
        return 0;
    }
    return 0;
}

/* event.text then description, joined by "\n", into the scratch. */
static void s_text(struct ds_span t, struct ds_span desc,
                   struct eng_fhir_scratch *s, struct eng_event *ev)
{
    size_t off = s->n;
    eng_fhir_scratch_put(s, t.p, t.n);
    if (t.n && desc.n)
        eng_fhir_scratch_put(s, "\n", 1);
    eng_fhir_scratch_put(s, desc.p, desc.n);
    if (s->n > off)
        ev->text = (struct ds_span){s->p + off, s->n - off};
}

/* suspectEntity[0].instance -> contained Device. */
static int s_device(const json_t *res, struct eng_event *ev,
                    struct ds_diag *diag)
{
    const json_t *list, *se, *inst;
    struct ds_span ref;
    const char *p = A ".suspectEntity[0]";
    int rc = eng_fhir_arr(res, A, "suspectEntity", false, &list, diag);
    if (rc != 0)
        return rc;
    if (json_array_size(list) == 0)
        return ev->kind == ENG_EV_OUTCOME
                   ? ds_diag_set(diag, NULL, 0,
                                 A ".suspectEntity: required for a coded "
                                   "(IMDRF) event: the suspect Device")
                   : 0;
    if (!json_is_object(se = json_array_get(list, 0)))
        return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                           eng_fhir_type_name(se));
    if ((rc = eng_fhir_obj(se, p, "instance", true, &inst, diag)) != 0 ||
        (rc = eng_fhir_str(inst, A ".suspectEntity[0].instance", "reference",
                           true, &ref, diag)) != 0)
        return rc;
    return eng_fhir_device(res, A ".suspectEntity[0].instance.reference", ref,
                           ev, diag);
}

static int s_event(const json_t *res, struct eng_fhir_scratch *s,
                   struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *event;
    struct ds_span text = {NULL, 0}, desc;
    ev->kind = ENG_EV_REPORT;
    int rc = eng_fhir_obj(res, A, "event", false, &event, diag);
    if (rc == 0 && event)
        rc = eng_fhir_str(event, A ".event", "text", false, &text, diag);
    if (rc == 0)
        rc = eng_fhir_str(res, A, "description", false, &desc, diag);
    if (rc == 0 && event)
        rc = s_imdrf(event, text, ev, diag);
    if (rc != 0)
        return rc;
    s_text(text, desc, s, ev);
    if (ev->kind == ENG_EV_REPORT && ev->text.n == 0)
        return ds_diag_set(diag, NULL, 0,
                           A ".event.text: required for an uncoded event (a "
                             "report needs text; or code it with an IMDRF "
                             "coding)");
    return 0;
}

int eng_fhir_map_adverse(const json_t *res, struct eng_fhir_scratch *s,
                         struct eng_event *ev, struct ds_diag *diag)
{
    int rc = s_actuality(res, diag);
    if (rc == 0)
        rc = eng_fhir_ref_member(res, A, "subject", "Patient", true,
                                 &ev->patient, diag);
    if (rc == 0)
        rc = eng_fhir_time(res, A, &ev->time_ms, diag);
    if (rc == 0)
        rc = eng_fhir_ref_member(res, A, "encounter", "Encounter", false,
                                 &ev->encounter, diag);
    if (rc == 0)
        rc = s_event(res, s, ev, diag);
    if (rc == 0)
        rc = s_device(res, ev, diag);
    return rc;
}
