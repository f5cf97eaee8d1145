/*
 * eng_maude_json.c - one MAUDE report as a native envelope (DESIGN.md
 * section 3; the layout is in eng_maude.h), serialised by jansson so
 * every string is escaped right.
 *
 * Facts used: device.product_code must be 3 upper-case letters for the
 * decoder (eng_event.h), so any other value moves to
 * "product_code_invalid" of the same device object, which the decoder
 * ignores; brand and model are at most 256 bytes, which the index already
 * guarantees (ENG_MAUDE_FIELD_MAX). Members that would be empty are left
 * out. Not here: choosing the time, the text and the rows (eng_maude.c).
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <inttypes.h>
#include <jansson.h>

const char *const eng_maude_dev_cols[ENG_MAUDE_DEV_NCOLS] = {
    "device_report_product_code",
    "brand_name",
    "model_number",
    "generic_name",
    "manufacturer_d_name",
    "date_received"};

const char *const eng_maude_foi_cols[ENG_MAUDE_FOI_NCOLS] = {
    "event_key",  "report_number", "report_source_code",
    "event_type", "date_of_event", "date_received"};

/* Set o[k] to the string v unless v is empty. 0 or DS_ENOMEM. */
static int s_str(json_t *o, const char *k, struct ds_span v)
{
    if (v.n == 0)
        return 0;
    json_t *s = json_stringn(v.p, v.n);
    return s && json_object_set_new(o, k, s) == 0 ? 0 : DS_ENOMEM;
}

static int s_set(json_t *o, const char *k, json_t *v)
{
    return v && json_object_set_new(o, k, v) == 0 ? 0 : DS_ENOMEM;
}

static bool s_code_ok(struct ds_span s)
{
    if (s.n != 3)
        return false;
    for (size_t i = 0; i < 3; i++)
        if (s.p[i] < 'A' || s.p[i] > 'Z')
            return false;
    return true;
}

/* The device object of foidev row i ("seq" too when with_seq). */
static json_t *s_device(const struct eng_maude_index *ix, size_t i,
                        bool with_seq)
{
    static const char *const name[] = {"brand", "model", "generic",
                                       "manufacturer"};
    json_t *o = json_object();
    struct ds_span code = eng_maude_index_get(ix, i, ENG_MAUDE_DEV_CODE);
    int rc = o ? 0 : DS_ENOMEM;
    if (rc == 0 && with_seq)
        rc = s_set(o, "seq", json_integer(ix->rows[i].seq));
    if (rc == 0)
        rc = s_str(o, s_code_ok(code) ? "product_code" : "product_code_invalid",
                   code);
    for (size_t c = 0; rc == 0 && c < 4; c++)
        rc = s_str(o, name[c],
                   eng_maude_index_get(ix, i, ENG_MAUDE_DEV_BRAND + c));
    if (rc != 0)
        json_decref(o);
    return rc == 0 ? o : NULL;
}

/* "device" (the primary row) and "devices" (the others). */
static int s_devices(json_t *root, const struct eng_maude_env *e)
{
    if (!e->dev || e->dev_n == 0)
        return 0;
    int rc = s_set(root, "device", s_device(e->dev, e->dev_primary, false));
    if (rc != 0 || e->dev_n < 2)
        return rc;
    json_t *a = json_array();
    if ((rc = s_set(root, "devices", a)) != 0)
        return rc;
    for (size_t i = e->dev_first; i < e->dev_first + e->dev_n; i++)
        if (i != e->dev_primary &&
            json_array_append_new(a, s_device(e->dev, i, true)) != 0)
            return DS_ENOMEM;
    return 0;
}

static int s_maude(json_t *root, const struct eng_maude_env *e)
{
    static const char *const name[] = {"event_key", "report_number",
                                       "report_source_code", "event_type"};
    char key[24];
    json_t *m = json_object();
    int rc = s_set(root, "maude", m);
    snprintf(key, sizeof key, "%" PRIu64, e->key);
    if (rc == 0)
        rc = s_str(m, "report_key", ds_span_str(key));
    if (rc == 0 && e->part > 1)
        rc = s_set(m, "part", json_integer(e->part));
    for (size_t c = 0; rc == 0 && e->foi_n && c < 4; c++)
        rc = s_str(m, name[c], eng_maude_index_get(e->foi, e->foi_row, c));
    if (rc == 0)
        rc = s_str(m, "time_source", ds_span_str(e->time_source));
    return rc;
}

static json_t *s_envelope(const struct eng_maude_env *e)
{
    char id[32], when[ENG_TIME_STR_MAX];
    json_t *root = json_object();
    snprintf(id, sizeof id, "maude-%" PRIu64, e->key);
    int rc = root ? s_str(root, "id", ds_span_str(id)) : DS_ENOMEM;
    if (rc == 0)
        rc = s_str(root, "kind", ds_span_str("report"));
    if (rc == 0)
        rc = s_str(root, "time", ds_span_str(eng_time_format(e->ts_ms, when)));
    if (rc == 0)
        rc = s_devices(root, e);
    if (rc == 0)
        rc = s_str(root, "text", e->text);
    if (rc == 0)
        rc = s_maude(root, e);
    if (rc != 0)
        json_decref(root);
    return rc == 0 ? root : NULL;
}

int eng_maude_json(const struct eng_maude_env *e, char **buf, size_t *cap,
                   size_t *len)
{
    json_t *root = s_envelope(e);
    if (!root)
        return DS_ENOMEM;
    size_t need = json_dumpb(root, *buf, *cap, JSON_COMPACT);
    if (need + 1 > *cap && need > 0) {
        if (ds_grow((void **)buf, cap, need + 1, 1) != 0) {
            json_decref(root);
            return DS_ENOMEM;
        }
        need = json_dumpb(root, *buf, *cap, JSON_COMPACT);
    }
    json_decref(root);
    if (need == 0 || need + 1 > *cap)
        return DS_ENOMEM;
    (*buf)[need] = '\0';
    *len = need;
    return 0;
}
