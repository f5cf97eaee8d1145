/*
 * eng_site_envelope.c - pseudonymise one native envelope line at the site
 * (see eng_site_envelope.h). jansson does the parsing and printing; the
 * output goes through json_dumpb into our own buffer so it never depends
 * on which allocator jansson was given.
 */
#include "devsurv/eng_site_envelope.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <jansson.h>
#include <string.h>

static const char *const s_member[] = {"patient", "encounter"};

static int64_t s_time(const json_t *o)
{
    const json_t *t = json_object_get(o, "time");
    int64_t ms = 0;
    if (json_is_string(t) &&
        eng_time_parse(json_string_value(t), json_string_length(t), &ms) != 0)
        ms = 0;
    return ms;
}

/* Replace patient and encounter in o by their pseudonyms. */
static int s_pseudo(json_t *o, const struct eng_pseudo_key *key,
                    struct eng_site_envelope *out, struct ds_diag *diag)
{
    char ps[ENG_PSEUDO_LEN + 1];
    for (int d = 0; d < 2; d++) {
        json_t *v = json_object_get(o, s_member[d]);
        if (!v)
            continue;
        if (!json_is_string(v))
            return ds_diag_set(diag, "", 0,
                               "%s: not a string, cannot be pseudonymised",
                               s_member[d]);
        struct ds_span id = {json_string_value(v), json_string_length(v)};
        eng_pseudo_id(key, (enum eng_pseudo_domain)d, id, ps);
        if (json_object_set_new(o, s_member[d], json_string(ps)) != 0)
            return DS_ENOMEM;
        out->pseudonyms++;
    }
    return 0;
}

static int s_dump(const json_t *o, struct eng_site_envelope *out)
{
    const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(17);
    size_t need = json_dumpb(o, NULL, 0, flags);
    if (need == 0)
        return DS_ENOMEM;
    if (ds_grow((void **)&out->buf, &out->cap, need, 1) != 0)
        return DS_ENOMEM;
    out->n = json_dumpb(o, out->buf, need, flags);
    out->p = out->buf;
    return out->n == need ? 0 : DS_ENOMEM;
}

int eng_site_envelope_prepare(const char *line, size_t n,
                              const struct eng_pseudo_key *key,
                              struct eng_site_envelope *out,
                              struct ds_diag *diag)
{
    json_error_t err;
    out->p = line;
    out->n = n;
    out->ts_ms = 0;
    out->pseudonyms = 0;
    json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
    if (!o && !key)
        return 0;
    if (!o)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                "not JSON (column %d: %s): cannot be "
                                "pseudonymised",
                                err.column, err.text);
    int rc = 0;
    if (!json_is_object(o)) {
        rc = key ? ds_diag_set(diag, "", 0,
                               "top level is not an object: cannot be "
                               "pseudonymised")
                 : 0;
    } else {
        out->ts_ms = s_time(o);
        if (key && (rc = s_pseudo(o, key, out, diag)) == 0)
            rc = s_dump(o, out);
    }
    json_decref(o);
    return rc;
}

void eng_site_envelope_clear(struct eng_site_envelope *out)
{
    ds_free(out->buf);
    memset(out, 0, sizeof *out);
}
