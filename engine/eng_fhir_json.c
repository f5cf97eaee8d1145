/*
 * eng_fhir_json.c - the FHIR mapping's JSON access (eng_fhir_impl.h):
 * typed member getters whose errors name the FHIR path, FHIR ids, and
 * references "[base/]Type/id[/_history/v]".
 *
 * A FHIR id is [A-Za-z0-9\-\.]{1,64} (R4 datatypes, "id"). References are
 * relative ("Patient/p1") or absolute ("https://h.example/fhir/Patient/
 * p1"); the id is what the engine keeps, so the base is dropped. A
 * "urn:uuid:" reference only has meaning inside a Bundle (R4 Bundle
 * rules): ds-publish resolves them before sending; the engine refuses it.
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_err.h"
#include "devsurv/eng_event_check.h"

#include <stdarg.h>
#include <stdio.h>

#define VALUE_SHOW_MAX 40

void eng_fhir_path(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, ENG_FHIR_PATH_MAX, fmt, ap);
    va_end(ap);
}

const char *eng_fhir_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

int eng_fhir_bad(struct ds_diag *diag, const char *path, const char *what,
                 struct ds_span v)
{
    char shown[4 * VALUE_SHOW_MAX + 8];
    eng_event_check_escape(shown, sizeof shown, v, VALUE_SHOW_MAX, '"');
    return ds_diag_set(diag, NULL, 0, "%s: %s, got \"%s\"", path, what, shown);
}

/* The member, or an error for a required one that is absent. */
static int s_get(const json_t *obj, const char *path, const char *key,
                 bool required, const json_t **out, struct ds_diag *diag)
{
    *out = json_object_get(obj, key);
    if (*out || !required)
        return 0;
    return ds_diag_set(diag, NULL, 0, "%s%s%s: required", path,
                       *path ? "." : "", key);
}

static int s_wrong_type(const char *path, const char *key, const char *want,
                        const json_t *v, struct ds_diag *diag)
{
    return ds_diag_set(diag, NULL, 0, "%s%s%s: expected %s, got %s", path,
                       *path ? "." : "", key, want, eng_fhir_type_name(v));
}

int eng_fhir_str(const json_t *obj, const char *path, const char *key,
                 bool required, struct ds_span *out, struct ds_diag *diag)
{
    const json_t *v;
    *out = (struct ds_span){NULL, 0};
    int rc = s_get(obj, path, key, required, &v, diag);
    if (rc != 0 || !v)
        return rc;
    if (!json_is_string(v))
        return s_wrong_type(path, key, "string", v, diag);
    *out = (struct ds_span){json_string_value(v), json_string_length(v)};
    return 0;
}

int eng_fhir_obj(const json_t *obj, const char *path, const char *key,
                 bool required, const json_t **out, struct ds_diag *diag)
{
    int rc = s_get(obj, path, key, required, out, diag);
    if (rc != 0 || !*out)
        return rc;
    return json_is_object(*out) ? 0
                                : s_wrong_type(path, key, "object", *out, diag);
}

int eng_fhir_arr(const json_t *obj, const char *path, const char *key,
                 bool required, const json_t **out, struct ds_diag *diag)
{
    int rc = s_get(obj, path, key, required, out, diag);
    if (rc != 0 || !*out)
        return rc;
    if (!json_is_array(*out))
        return s_wrong_type(path, key, "array", *out, diag);
    if (required && json_array_size(*out) == 0)
        return ds_diag_set(diag, NULL, 0, "%s.%s: required (empty array)", path,
                           key);
    return 0;
}

bool eng_fhir_id_ok(struct ds_span id)
{
    if (id.n < 1 || id.n > 64)
        return false;
    for (size_t i = 0; i < id.n; i++) {
        char c = id.p[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

/* ref without a trailing "/_history/<v>". */
static struct ds_span s_drop_history(struct ds_span ref)
{
    static const char h[] = "/_history/";
    for (size_t i = ref.n; i-- > 0;) {
        if (ref.p[i] != '/' || ref.n - i < sizeof h - 1)
            continue;
        if (memcmp(ref.p + i, h, sizeof h - 1) == 0) {
            ref.n = i;
            break;
        }
    }
    return ref;
}

bool eng_fhir_ref_id(struct ds_span ref, const char *type, struct ds_span *id)
{
    ref = s_drop_history(ref);
    size_t tn = strlen(type), slash = ref.n;
    while (slash > 0 && ref.p[slash - 1] != '/')
        slash--;
    if (slash < tn + 1) /* need "<type>/" before the id */
        return false;
    size_t t0 = slash - 1 - tn;
    if (memcmp(ref.p + t0, type, tn) != 0 || (t0 > 0 && ref.p[t0 - 1] != '/'))
        return false;
    struct ds_span v = {ref.p + slash, ref.n - slash};
    if (!eng_fhir_id_ok(v))
        return false;
    *id = v;
    return true;
}

int eng_fhir_ref_member(const json_t *obj, const char *path, const char *key,
                        const char *type, bool required, struct ds_span *id,
                        struct ds_diag *diag)
{
    const json_t *r;
    char sub[ENG_FHIR_PATH_MAX], what[64];
    *id = (struct ds_span){NULL, 0};
    int rc = eng_fhir_obj(obj, path, key, required, &r, diag);
    if (rc != 0 || !r)
        return rc;
    eng_fhir_path(sub, "%s.%s", path, key);
    struct ds_span ref;
    if ((rc = eng_fhir_str(r, sub, "reference", true, &ref, diag)) != 0)
        return rc;
    if (eng_fhir_ref_id(ref, type, id))
        return 0;
    eng_fhir_path(sub, "%s.%s.reference", path, key);
    eng_fhir_path(what, "expected %s/<id>", type);
    return eng_fhir_bad(diag, sub, what, ref);
}
