/*
 * eng_fhir.c - map one FHIR R4 resource into a struct eng_event
 * (eng_fhir.h): dispatch on resourceType, the event id, the event time,
 * the scratch buffer, and the kind rules shared with native envelopes.
 *
 * Scratch: every byte the mapping makes itself (the "<type>/<id>" event
 * id, base64-decoded note text, joined notes) is appended to one buffer
 * whose capacity is reserved up front from the sum of the resource's
 * string lengths (a decoded or joined text is never longer than the
 * strings it came from), so an append never moves the buffer and spans
 * taken from it stay valid. The buffer only grows.
 *
 * Not here: the per-resource rules (eng_fhir_note.c, eng_fhir_proc.c,
 * eng_fhir_adverse.c), contained Devices (eng_fhir_device.c), JSON
 * helpers (eng_fhir_json.c), Bundles (eng_fhir_bundle.c, eng_fhir_site.c).
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_event_check.h"
#include "devsurv/eng_time.h"

#include <assert.h>

#define JSON_DEPTH_GUARD 4096 /* deeper than jansson ever parses */

void eng_fhir_scratch_clear(struct eng_fhir_scratch *s)
{
    ds_free(s->p);
    memset(s, 0, sizeof *s);
}

size_t eng_fhir_scratch_put(struct eng_fhir_scratch *s, const char *p, size_t n)
{
    assert(s->n + n <= s->cap);
    size_t off = s->n;
    if (n)
        memcpy(s->p + off, p, n);
    s->n += n;
    return off;
}

bool eng_fhir_ctype_ok(struct ds_span ctype)
{
    return eng_event_check_ctype_as(ctype, ENG_CTYPE_FHIR_JSON);
}

/* Bytes of every string value and key in v, plus one per string. */
static size_t s_strings_size(const json_t *v, int depth)
{
    size_t sum = 0, i;
    const char *key;
    json_t *m;
    if (depth > JSON_DEPTH_GUARD)
        return 0;
    if (json_is_string(v))
        return json_string_length(v) + 1;
    if (json_is_array(v)) {
        json_array_foreach(v, i, m) sum += s_strings_size(m, depth + 1);
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, m) sum +=
            strlen(key) + 1 + s_strings_size(m, depth + 1);
    }
    return sum;
}

static int s_reserve(struct eng_fhir_scratch *s, size_t need)
{
    s->n = 0;
    if (need <= s->cap)
        return 0;
    char *p = ds_realloc(s->p, need);
    if (!p)
        return DS_ENOMEM;
    s->p = p;
    s->cap = need;
    return 0;
}

/* ---- event time ---- */

static const char *const s_time_doc[] = {"date", "context.period.start", NULL};
static const char *const s_time_proc[] = {"performedDateTime",
                                          "performedPeriod.start", NULL};
static const char *const s_time_ae[] = {"date", "detected", "recordedDate",
                                        NULL};

const char *const *eng_fhir_time_members(struct ds_span rtype)
{
    if (ds_span_eq(rtype, "DocumentReference"))
        return s_time_doc;
    if (ds_span_eq(rtype, "Procedure"))
        return s_time_proc;
    if (ds_span_eq(rtype, "AdverseEvent"))
        return s_time_ae;
    return NULL;
}

/* The member at dotted path ("a.b.c") of res (NULL when not reachable). */
static const json_t *s_member(const json_t *res, const char *path)
{
    const char *dot;
    while ((dot = strchr(path, '.')) != NULL) {
        res = json_object_getn(res, path, (size_t)(dot - path));
        if (!json_is_object(res))
            return NULL;
        path = dot + 1;
    }
    return json_object_get(res, path);
}

int eng_fhir_instant(struct ds_span v, const char *path, int64_t *ms,
                     struct ds_diag *diag)
{
    int rc = eng_time_parse(v.p, v.n, ms);
    if (rc == DS_ERANGE)
        return eng_fhir_bad(diag, path, "date or time field out of range", v);
    if (rc != 0)
        return eng_fhir_bad(diag, path,
                            "expected a date-time with a time zone (FHIR "
                            "instant)",
                            v);
    return 0;
}

int eng_fhir_time(const json_t *res, const char *rt, int64_t *ms,
                  struct ds_diag *diag)
{
    const char *const *m = eng_fhir_time_members(ds_span_str(rt));
    char path[ENG_FHIR_PATH_MAX];
    for (size_t i = 0; m && m[i]; i++) {
        const json_t *v = s_member(res, m[i]);
        if (!v)
            continue;
        eng_fhir_path(path, "%s.%s", rt, m[i]);
        if (!json_is_string(v))
            return ds_diag_set(diag, NULL, 0, "%s: expected string, got %s",
                               path, eng_fhir_type_name(v));
        struct ds_span s = {json_string_value(v), json_string_length(v)};
        return eng_fhir_instant(s, path, ms, diag);
    }
    if (!m)
        return ds_diag_set(diag, NULL, 0, "%s: no event time", rt);
    if (!m[1])
        return ds_diag_set(diag, NULL, 0, "%s.%s: required", rt, m[0]);
    return ds_diag_set(diag, NULL, 0, "%s.%s: required (or %s%s%s)", rt, m[0],
                       m[1], m[2] ? " or " : "", m[2] ? m[2] : "");
}

int eng_fhir_event_time(const json_t *res, int64_t *ms)
{
    const json_t *t = json_object_get(res, "resourceType");
    if (!json_is_string(t))
        return DS_ENOTFOUND;
    int64_t v;
    if (eng_fhir_time(res, json_string_value(t), &v, NULL) != 0)
        return DS_ENOTFOUND;
    *ms = v;
    return 0;
}

/* ---- dispatch ---- */

typedef int (*s_mapper)(const json_t *res, struct eng_fhir_scratch *s,
                        struct eng_event *ev, struct ds_diag *diag);

static const struct {
    const char *type;
    s_mapper map;
} s_mappers[] = {
    {"DocumentReference", eng_fhir_map_document},
    {"Procedure", eng_fhir_map_procedure},
    {"AdverseEvent", eng_fhir_map_adverse},
};

/* A recognised resource type that is not an event on its own. */
static int s_not_event(struct ds_span rt, struct ds_diag *diag)
{
    if (ds_span_eq(rt, "Bundle"))
        return ds_diag_set(diag, NULL, 0,
                           "Bundle: one message carries one event; split "
                           "bundles at the site (ds-publish does)");
    if (ds_span_eq(rt, "Device"))
        return ds_diag_set(diag, NULL, 0,
                           "Device: a Device alone is not an event (no "
                           "event time); send it inside a Bundle with the "
                           "Procedure or AdverseEvent that references it");
    char shown[200];
    eng_event_check_escape(shown, sizeof shown, rt, 40, '"');
    return ds_diag_set_code(diag, DS_EUNSUPP, NULL, 0,
                            "%s: resource type not supported as an event "
                            "(DocumentReference, Procedure, AdverseEvent)",
                            shown);
}

/* The "<type>/<id>" event id, written to the scratch. */
static int s_event_id(const json_t *res, const char *rt,
                      struct eng_fhir_scratch *s, struct ds_span *out,
                      struct ds_diag *diag)
{
    struct ds_span id;
    int rc = eng_fhir_str(res, rt, "id", true, &id, diag);
    if (rc != 0)
        return rc;
    char path[ENG_FHIR_PATH_MAX];
    eng_fhir_path(path, "%s.id", rt);
    if (!eng_fhir_id_ok(id))
        return eng_fhir_bad(diag, path,
                            "expected a FHIR id (1-64 of A-Z a-z 0-9 - .)", id);
    size_t off = eng_fhir_scratch_put(s, rt, strlen(rt));
    eng_fhir_scratch_put(s, "/", 1);
    eng_fhir_scratch_put(s, id.p, id.n);
    *out = (struct ds_span){s->p + off, s->n - off};
    return 0;
}

static int s_map(const json_t *res, struct eng_fhir_scratch *s,
                 struct eng_event *ev, struct ds_diag *diag)
{
    if (!json_is_object(res))
        return ds_diag_set(diag, NULL, 0,
                           "top level: expected a FHIR resource (object), "
                           "got %s",
                           eng_fhir_type_name(res));
    struct ds_span rt;
    int rc = eng_fhir_str(res, "", "resourceType", true, &rt, diag);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < sizeof s_mappers / sizeof s_mappers[0]; i++) {
        if (!ds_span_eq(rt, s_mappers[i].type))
            continue;
        if ((rc = s_reserve(s, s_strings_size(res, 0) + 2)) != 0)
            return ds_diag_set_code(diag, rc, NULL, 0, "out of memory");
        if ((rc = s_event_id(res, s_mappers[i].type, s, &ev->id, diag)) != 0)
            return rc;
        if ((rc = s_mappers[i].map(res, s, ev, diag)) != 0)
            return rc;
        return eng_event_check_kind_rules(ev, diag);
    }
    return s_not_event(rt, diag);
}

int eng_fhir_map(const json_t *res, struct eng_fhir_scratch *scratch,
                 struct eng_event *ev, struct ds_diag *diag)
{
    memset(ev, 0, sizeof *ev);
    ds_diag_clear(diag);
    int rc = s_map(res, scratch, ev, diag);
    if (rc != 0)
        memset(ev, 0, sizeof *ev);
    return rc;
}
