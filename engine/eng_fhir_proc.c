/*
 * eng_fhir_proc.c - Procedure -> exposure (eng_fhir.h): a completed
 * procedure on a device (focalDevice[0]) is one exposure of that device's
 * product code.
 *
 * Device actions: R4 binds focalDevice.action to device-action
 * (http://hl7.org/fhir/device-action: implanted, explanted, manipulated);
 * senders also use "removed", "revised" and "replaced". implanted ->
 * implanted; explanted, removed -> explanted; revised, replaced,
 * manipulated -> revised (the device stays or is swapped in the same
 * procedure: not a first implant, not a removal). The code is matched
 * whatever the coding's system, so a local system with these codes works.
 *
 * Not here: usedReference (devices used, not the focal one), bodySite,
 * statuses other than completed (a planned or stopped procedure exposes
 * nobody, so it is refused rather than counted).
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_err.h"

#include <stdio.h>

#define P "Procedure"

static const struct {
    const char *code;
    enum eng_proc_action action;
} s_actions[] = {
    {"implanted", ENG_PROC_IMPLANTED}, {"explanted", ENG_PROC_EXPLANTED},
    {"removed", ENG_PROC_EXPLANTED},   {"revised", ENG_PROC_REVISED},
    {"replaced", ENG_PROC_REVISED},    {"manipulated", ENG_PROC_REVISED},
};

static int s_status(const json_t *res, struct ds_diag *diag)
{
    struct ds_span st;
    int rc = eng_fhir_str(res, P, "status", true, &st, diag);
    if (rc != 0 || ds_span_eq(st, "completed"))
        return rc;
    return eng_fhir_bad(diag, P ".status",
                        "only a completed procedure is an exposure", st);
}

/* action.coding[]: the first code we know; an unknown one is an error. */
static int s_action(const json_t *fd, struct eng_event *ev,
                    struct ds_diag *diag)
{
    const json_t *action, *codings, *c;
    char p[ENG_FHIR_PATH_MAX];
    size_t i;
    int rc =
        eng_fhir_obj(fd, P ".focalDevice[0]", "action", false, &action, diag);
    if (rc != 0 || !action)
        return rc;
    rc = eng_fhir_arr(action, P ".focalDevice[0].action", "coding", false,
                      &codings, diag);
    if (rc != 0)
        return rc;
    json_array_foreach(codings, i, c)
    {
        struct ds_span code;
        eng_fhir_path(p, P ".focalDevice[0].action.coding[%zu]", i);
        if (!json_is_object(c))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(c));
        if ((rc = eng_fhir_str(c, p, "code", false, &code, diag)) != 0)
            return rc;
        for (size_t k = 0; k < sizeof s_actions / sizeof s_actions[0]; k++) {
            if (ds_span_eq(code, s_actions[k].code)) {
                ev->proc_action = s_actions[k].action;
                return 0;
            }
        }
        eng_fhir_path(p, P ".focalDevice[0].action.coding[%zu].code", i);
        return eng_fhir_bad(diag, p,
                            "expected implanted, explanted, removed, "
                            "revised, replaced or manipulated",
                            code);
    }
    return 0;
}

static int s_device(const json_t *res, struct eng_event *ev,
                    struct ds_diag *diag)
{
    const json_t *list, *fd, *man;
    struct ds_span ref;
    const char *p = P ".focalDevice[0]";
    int rc = eng_fhir_arr(res, P, "focalDevice", false, &list, diag);
    if (rc != 0)
        return rc;
    if (json_array_size(list) == 0)
        return ds_diag_set(diag, NULL, 0,
                           P ".focalDevice: required (an exposure needs the "
                             "device)");
    if (!json_is_object(fd = json_array_get(list, 0)))
        return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                           eng_fhir_type_name(fd));
    if ((rc = s_action(fd, ev, diag)) != 0 ||
        (rc = eng_fhir_obj(fd, p, "manipulated", true, &man, diag)) != 0 ||
        (rc = eng_fhir_str(man, P ".focalDevice[0].manipulated", "reference",
                           true, &ref, diag)) != 0)
        return rc;
    return eng_fhir_device(res, P ".focalDevice[0].manipulated.reference", ref,
                           ev, diag);
}

/* code.coding[0].code, 1..64 bytes. */
static int s_code(const json_t *res, struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *code, *codings, *c;
    int rc = eng_fhir_obj(res, P, "code", false, &code, diag);
    if (rc != 0 || !code)
        return rc;
    rc = eng_fhir_arr(code, P ".code", "coding", false, &codings, diag);
    if (rc != 0 || !(c = json_array_get(codings, 0)))
        return rc;
    if (!json_is_object(c))
        return ds_diag_set(diag, NULL, 0,
                           P ".code.coding[0]: expected object, got %s",
                           eng_fhir_type_name(c));
    rc = eng_fhir_str(c, P ".code.coding[0]", "code", false, &ev->proc_code,
                      diag);
    if (rc == 0 && ev->proc_code.n > 64)
        rc = ds_diag_set(diag, NULL, 0,
                         P ".code.coding[0].code: expected 1..64 bytes, got "
                           "%zu",
                         ev->proc_code.n);
    return rc;
}

/* note[].text joined by "\n" into the scratch. */
static int s_notes(const json_t *res, struct eng_fhir_scratch *s,
                   struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *notes, *n;
    size_t i, off = s->n;
    char p[ENG_FHIR_PATH_MAX];
    int rc = eng_fhir_arr(res, P, "note", false, &notes, diag);
    if (rc != 0)
        return rc;
    json_array_foreach(notes, i, n)
    {
        struct ds_span t;
        eng_fhir_path(p, P ".note[%zu]", i);
        if (!json_is_object(n))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(n));
        if ((rc = eng_fhir_str(n, p, "text", false, &t, diag)) != 0)
            return rc;
        if (t.n == 0)
            continue;
        if (s->n > off)
            eng_fhir_scratch_put(s, "\n", 1);
        eng_fhir_scratch_put(s, t.p, t.n);
    }
    if (s->n > off)
        ev->text = (struct ds_span){s->p + off, s->n - off};
    return 0;
}

int eng_fhir_map_procedure(const json_t *res, struct eng_fhir_scratch *s,
                           struct eng_event *ev, struct ds_diag *diag)
{
    ev->kind = ENG_EV_EXPOSURE;
    int rc = s_status(res, diag);
    if (rc == 0)
        rc = eng_fhir_ref_member(res, P, "subject", "Patient", true,
                                 &ev->patient, diag);
    if (rc == 0)
        rc = eng_fhir_time(res, P, &ev->time_ms, diag);
    if (rc == 0)
        rc = eng_fhir_ref_member(res, P, "encounter", "Encounter", false,
                                 &ev->encounter, diag);
    if (rc == 0)
        rc = s_code(res, ev, diag);
    if (rc == 0)
        rc = s_device(res, ev, diag);
    if (rc == 0)
        rc = s_notes(res, s, ev, diag);
    return rc;
}
