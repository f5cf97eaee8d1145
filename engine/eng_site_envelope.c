/*
 * eng_site_envelope.c - pseudonymise one native envelope line at the site
 * (see eng_site_envelope.h).
 *
 * The line is parsed with ds_json (ds_json.h: what jansson accepts, with
 * duplicate keys refused and keys compared decoded, so neither a second
 * "patient" nor a "p\u0061tient" slips past). The output is the line
 * itself with the raw string tokens of the top-level "patient" and
 * "encounter" replaced by their quoted pseudonyms (plain ASCII hex, no
 * escaping needed); every other byte is copied unchanged, so numbers,
 * key order, escapes and spacing reach the engine as the site wrote them.
 * A line with neither member is passed on as is. The parser and the
 * output buffer live in struct eng_site_envelope and only grow.
 * Not here: reading lines, size limits (eng_site_input.c).
 */
#include "devsurv/eng_site_envelope.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_time.h"

#include <string.h>

static const char *const s_member[] = {"patient", "encounter"};

static int64_t s_time(const struct ds_json_node *o)
{
    struct ds_span t = ds_json_str(ds_json_getz(o, "time"));
    int64_t ms = 0;
    if (!t.p || eng_time_parse(t.p, t.n, &ms) != 0)
        ms = 0;
    return ms;
}

/* Copy of line into out->buf with the string tokens v[0] (patient) and
 * v[1] (encounter), either may be NULL, replaced by their pseudonyms. */
static int s_splice(const char *line, size_t n,
                    const struct ds_json_node *const v[2],
                    const struct eng_pseudo_key *key,
                    struct eng_site_envelope *out)
{
    int order[2] = {0, 1};
    if (v[0] && v[1] && v[1]->raw < v[0]->raw) {
        order[0] = 1;
        order[1] = 0;
    }
    if (ds_grow((void **)&out->buf, &out->cap, n + 2 * (ENG_PSEUDO_LEN + 2),
                1) != 0)
        return DS_ENOMEM;
    char ps[ENG_PSEUDO_LEN + 1], *o = out->buf;
    const char *at = line;
    for (int i = 0; i < 2; i++) {
        int d = order[i];
        if (!v[d])
            continue;
        memcpy(o, at, (size_t)(v[d]->raw - at));
        o += v[d]->raw - at;
        eng_pseudo_id(key, (enum eng_pseudo_domain)d, ds_json_str(v[d]), ps);
        *o++ = '"';
        memcpy(o, ps, ENG_PSEUDO_LEN);
        o += ENG_PSEUDO_LEN;
        *o++ = '"';
        at = v[d]->raw + v[d]->raw_n;
        out->pseudonyms++;
    }
    memcpy(o, at, (size_t)(line + n - at));
    o += line + n - at;
    out->p = out->buf;
    out->n = (size_t)(o - out->buf);
    return 0;
}

/* Replace patient and encounter of the object o in line by pseudonyms. */
static int s_pseudo(const char *line, size_t n, const struct ds_json_node *o,
                    const struct eng_pseudo_key *key,
                    struct eng_site_envelope *out, struct ds_diag *diag)
{
    const struct ds_json_node *v[2];
    for (int d = 0; d < 2; d++) {
        v[d] = ds_json_getz(o, s_member[d]);
        if (v[d] && v[d]->type != DS_JSON_STRING)
            return ds_diag_set(diag, "", 0,
                               "%s: not a string, cannot be pseudonymised",
                               s_member[d]);
    }
    return v[0] || v[1] ? s_splice(line, n, v, key, out) : 0;
}

int eng_site_envelope_prepare(const char *line, size_t n,
                              const struct eng_pseudo_key *key,
                              struct eng_site_envelope *out,
                              struct ds_diag *diag)
{
    struct ds_json *j = &out->json;
    out->p = line;
    out->n = n;
    out->ts_ms = 0;
    out->pseudonyms = 0;
    int rc = ds_json_parse(j, line, n);
    if (rc == DS_ENOMEM)
        return rc;
    const struct ds_json_node *o = ds_json_root(j);
    if (o && o->type == DS_JSON_OBJECT)
        out->ts_ms = s_time(o);
    if (!key)
        return 0;
    if (rc != 0)
        return ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                "not JSON (column %d: %s): cannot be "
                                "pseudonymised",
                                j->err_column, j->err_reason);
    if (o->type != DS_JSON_OBJECT && o->type != DS_JSON_ARRAY) {
        int line_no, column;
        ds_json_locate(line, (size_t)(o->raw - line), &line_no, &column);
        return ds_diag_set_code(diag, DS_EPARSE, "", 0,
                                "not JSON (column %d: '[' or '{' expected): "
                                "cannot be pseudonymised",
                                column);
    }
    if (o->type != DS_JSON_OBJECT)
        return ds_diag_set(diag, "", 0,
                           "top level is not an object: cannot be "
                           "pseudonymised");
    return s_pseudo(line, n, o, key, out, diag);
}

void eng_site_envelope_clear(struct eng_site_envelope *out)
{
    ds_json_clear(&out->json);
    ds_free(out->buf);
    memset(out, 0, sizeof *out);
}
