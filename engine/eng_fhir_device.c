/*
 * eng_fhir_device.c - the device of a FHIR event: a "#id" reference
 * resolved in the resource's contained array, and the Device's product
 * code, UDI, brand and model (eng_fhir.h, "Device (contained...)").
 *
 * Product codes: FDA's three-letter device product codes (FDA product
 * classification database). HL7 publishes no code-system URI for them, so
 * a Device.type coding counts when its system contains "fda" in any case
 * (e.g. "http://www.accessdata.fda.gov/productcode"); codings of other
 * systems (SNOMED CT, GMDN) are ignored. Brand prefers deviceName of type
 * udi-label-name, then manufacturer-name (R4 DeviceNameType).
 *
 * Not here: UDI syntax (nlp_udi), Device.parent chains, Devices outside
 * contained (ds-publish copies them in from Bundles).
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_err.h"
#include "devsurv/eng_event_check.h"

#include <stdio.h>

/* Case-insensitive: does s contain the lower-case word w? */
static bool s_contains_ci(struct ds_span s, const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i + n <= s.n; i++) {
        size_t k = 0;
        while (k < n && (s.p[i + k] | 0x20) == w[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* The contained resource with id (index *at), or an error at path. */
static int s_find_contained(const json_t *res, const char *path,
                            struct ds_span ref, const json_t **dev, size_t *at,
                            struct ds_diag *diag)
{
    const json_t *list = json_object_get(res, "contained"), *c;
    size_t i;
    struct ds_span want = {ref.p + 1, ref.n - 1};
    if (ref.n < 2 || ref.p[0] != '#')
        return eng_fhir_bad(diag, path,
                            "expected \"#id\" of a contained Device (the "
                            "engine resolves nothing outside the message; "
                            "ds-publish copies Bundle Devices in)",
                            ref);
    json_array_foreach(list, i, c)
    {
        const json_t *id = json_object_get(c, "id");
        if (json_is_string(id) && json_string_length(id) == want.n &&
            memcmp(json_string_value(id), want.p, want.n) == 0) {
            *dev = c;
            *at = i;
            return 0;
        }
    }
    return eng_fhir_bad(diag, path, "no contained resource has this id", ref);
}

/* Product code from type.coding[] (see the top comment). */
static int s_product_code(const json_t *dev, const char *path,
                          struct eng_event *ev, struct ds_diag *diag)
{
    char p[ENG_FHIR_PATH_MAX];
    const json_t *type, *codings, *c;
    size_t i;
    eng_fhir_path(p, "%s.type", path);
    int rc = eng_fhir_obj(dev, path, "type", false, &type, diag);
    if (rc != 0 || !type)
        return rc;
    if ((rc = eng_fhir_arr(type, p, "coding", false, &codings, diag)) != 0)
        return rc;
    json_array_foreach(codings, i, c)
    {
        struct ds_span sys, code;
        eng_fhir_path(p, "%s.type.coding[%zu]", path, i);
        if (!json_is_object(c))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(c));
        if ((rc = eng_fhir_str(c, p, "system", false, &sys, diag)) != 0 ||
            (rc = eng_fhir_str(c, p, "code", false, &code, diag)) != 0)
            return rc;
        if (!s_contains_ci(sys, "fda"))
            continue;
        if (!eng_event_check_product_code(code)) {
            eng_fhir_path(p, "%s.type.coding[%zu].code", path, i);
            return eng_fhir_bad(diag, p,
                                "expected an FDA product code (3 upper-case "
                                "letters A-Z)",
                                code);
        }
        ev->product_code = code;
        return 0;
    }
    return 0;
}

/* A string member of at most ENG_FHIR_TERM_MAX bytes into *out. */
static int s_short_str(const json_t *obj, const char *path, const char *key,
                       struct ds_span *out, struct ds_diag *diag)
{
    int rc = eng_fhir_str(obj, path, key, false, out, diag);
    if (rc == 0 && out->n > ENG_FHIR_TERM_MAX)
        rc = ds_diag_set(diag, NULL, 0, "%s.%s: expected 1..%d bytes, got %zu",
                         path, key, ENG_FHIR_TERM_MAX, out->n);
    return rc;
}

static int s_udi(const json_t *dev, const char *path, struct eng_event *ev,
                 struct ds_diag *diag)
{
    const json_t *list, *first;
    char p[ENG_FHIR_PATH_MAX];
    int rc = eng_fhir_arr(dev, path, "udiCarrier", false, &list, diag);
    if (rc != 0 || !(first = json_array_get(list, 0)))
        return rc;
    eng_fhir_path(p, "%s.udiCarrier[0]", path);
    if (!json_is_object(first))
        return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                           eng_fhir_type_name(first));
    return s_short_str(first, p, "carrierHRF", &ev->udi, diag);
}

/* deviceName[].name of type want, into *out if still empty. */
static int s_name_of(const json_t *names, const char *path, const char *want,
                     struct ds_span *out, struct ds_diag *diag)
{
    const json_t *n;
    size_t i;
    char p[ENG_FHIR_PATH_MAX];
    json_array_foreach(names, i, n)
    {
        struct ds_span type;
        eng_fhir_path(p, "%s.deviceName[%zu]", path, i);
        if (!json_is_object(n))
            return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                               eng_fhir_type_name(n));
        int rc = eng_fhir_str(n, p, "type", false, &type, diag);
        if (rc != 0)
            return rc;
        if (out->n == 0 && ds_span_eq(type, want))
            return s_short_str(n, p, "name", out, diag);
    }
    return 0;
}

static int s_brand(const json_t *dev, const char *path, struct eng_event *ev,
                   struct ds_diag *diag)
{
    const json_t *names;
    int rc = eng_fhir_arr(dev, path, "deviceName", false, &names, diag);
    if (rc == 0)
        rc = s_name_of(names, path, "udi-label-name", &ev->brand, diag);
    if (rc == 0)
        rc = s_name_of(names, path, "manufacturer-name", &ev->brand, diag);
    return rc;
}

int eng_fhir_device(const json_t *res, const char *path, struct ds_span ref,
                    struct eng_event *ev, struct ds_diag *diag)
{
    const json_t *dev = NULL;
    size_t at = 0;
    char p[ENG_FHIR_PATH_MAX];
    struct ds_span rt;
    int rc = s_find_contained(res, path, ref, &dev, &at, diag);
    if (rc != 0)
        return rc;
    const char *rname = json_string_value(json_object_get(res, "resourceType"));
    eng_fhir_path(p, "%s.contained[%zu]", rname ? rname : "?", at);
    if ((rc = eng_fhir_str(dev, p, "resourceType", true, &rt, diag)) != 0)
        return rc;
    if (!ds_span_eq(rt, "Device"))
        return eng_fhir_bad(diag, path, "expected a reference to a Device", rt);
    if ((rc = s_product_code(dev, p, ev, diag)) == 0 &&
        (rc = s_udi(dev, p, ev, diag)) == 0 &&
        (rc = s_brand(dev, p, ev, diag)) == 0)
        rc = s_short_str(dev, p, "modelNumber", &ev->model, diag);
    if (rc == 0 && ev->product_code.n == 0 && ev->kind != ENG_EV_NOTE &&
        ev->kind != ENG_EV_REPORT)
        return ds_diag_set(diag, NULL, 0,
                           "%s.type: no FDA product code (a coding whose "
                           "system contains \"fda\" with a 3-letter code); "
                           "a %s needs one",
                           p, eng_event_kind_name(ev->kind));
    return rc;
}
