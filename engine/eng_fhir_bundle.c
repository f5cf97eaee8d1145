/*
 * eng_fhir_bundle.c - split a FHIR Bundle at the site: index its entries
 * and make each resource that will be sent self-contained by copying the
 * Devices it references into its contained array (eng_fhir.h, site
 * preparation).
 *
 * R4 Bundle rules used here: an entry's fullUrl is its identity inside the
 * Bundle ("urn:uuid:..." for resources without a server id, or an
 * absolute URL ending in Type/id); a reference matches an entry by
 * fullUrl, or by "Type/id" (relative or after any base). A contained
 * resource is referenced as "#id" from its container, and contained
 * resources never nest (R4 DomainResource.contained), so copies always go
 * to the top resource's array.
 *
 * Not here: pseudonymisation (eng_fhir_scrub.c), emitting (eng_fhir_site.c),
 * conditional references and server-side transaction processing.
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>

#define DEPTH_MAX 256 /* references deeper than this are not rewritten */

static const char *const s_bundle_types[] = {
    "collection", "transaction", "message", "batch", "searchset", NULL,
};

static const char *s_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int s_entry(json_t *bundle_entry, size_t i, struct eng_fhir_entry *e,
                   struct ds_diag *diag)
{
    char p[ENG_FHIR_PATH_MAX];
    eng_fhir_path(p, "Bundle.entry[%zu]", i);
    if (!json_is_object(bundle_entry))
        return ds_diag_set(diag, NULL, 0, "%s: expected object, got %s", p,
                           eng_fhir_type_name(bundle_entry));
    json_t *res = json_object_get(bundle_entry, "resource");
    memset(e, 0, sizeof *e);
    if (!res) /* e.g. a transaction DELETE: nothing to send */
        return 0;
    if (!json_is_object(res))
        return ds_diag_set(diag, NULL, 0,
                           "%s.resource: expected object, got %s", p,
                           eng_fhir_type_name(res));
    e->res = res;
    e->type = s_str(res, "resourceType");
    e->id = s_str(res, "id");
    e->full_url = s_str(bundle_entry, "fullUrl");
    if (!e->type)
        return ds_diag_set(diag, NULL, 0, "%s.resource.resourceType: required",
                           p);
    if (!strcmp(e->type, "Bundle"))
        return ds_diag_set(diag, NULL, 0,
                           "%s.resource: a Bundle inside a Bundle is not "
                           "supported",
                           p);
    return 0;
}

static int s_bundle_type(const json_t *root, struct ds_diag *diag)
{
    struct ds_span t;
    int rc = eng_fhir_str(root, "Bundle", "type", true, &t, diag);
    if (rc != 0)
        return rc;
    for (size_t i = 0; s_bundle_types[i]; i++)
        if (ds_span_eq(t, s_bundle_types[i]))
            return 0;
    return eng_fhir_bad(diag, "Bundle.type",
                        "expected collection, transaction, message, batch "
                        "or searchset",
                        t);
}

int eng_fhir_bundle_index(json_t *root, struct eng_fhir_bundle *b,
                          struct ds_diag *diag)
{
    const json_t *entries;
    json_t *x;
    size_t i;
    memset(b, 0, sizeof *b);
    const char *rt = s_str(root, "resourceType");
    if (!rt || strcmp(rt, "Bundle") != 0) {
        if (!(b->e = ds_calloc(1, sizeof *b->e)))
            return DS_ENOMEM;
        b->n = 1;
        *b->e =
            (struct eng_fhir_entry){root, rt, s_str(root, "id"), NULL, false};
        return 0;
    }
    int rc = s_bundle_type(root, diag);
    if (rc == 0)
        rc = eng_fhir_arr(root, "Bundle", "entry", false, &entries, diag);
    if (rc != 0 || json_array_size(entries) == 0)
        return rc;
    if (!(b->e = ds_calloc(json_array_size(entries), sizeof *b->e)))
        return DS_ENOMEM;
    b->n = json_array_size(entries);
    json_array_foreach(entries, i, x)
    {
        if ((rc = s_entry(x, i, &b->e[i], diag)) != 0)
            return rc;
    }
    return 0;
}

void eng_fhir_bundle_clear(struct eng_fhir_bundle *b)
{
    ds_free(b->e);
    memset(b, 0, sizeof *b);
}

/* Does ref end in "<type>/<id>" (after a '/' or at the start)? */
static bool s_ends_type_id(const char *ref, const char *type, const char *id)
{
    size_t rn = strlen(ref), tn = strlen(type), in = strlen(id);
    size_t need = tn + 1 + in;
    if (rn < need)
        return false;
    const char *p = ref + rn - need;
    return (p == ref || p[-1] == '/') && !memcmp(p, type, tn) && p[tn] == '/' &&
           !memcmp(p + tn + 1, id, in);
}

/* The entry ref points at, or SIZE_MAX. */
static size_t s_resolve(const struct eng_fhir_bundle *b, const char *ref)
{
    for (size_t j = 0; j < b->n; j++)
        if (b->e[j].res && b->e[j].full_url && !strcmp(ref, b->e[j].full_url))
            return j;
    for (size_t j = 0; j < b->n; j++)
        if (b->e[j].res && b->e[j].id &&
            s_ends_type_id(ref, b->e[j].type, b->e[j].id))
            return j;
    return SIZE_MAX;
}

/* The id the copy of entry j gets in contained. */
static void s_local_id(const struct eng_fhir_bundle *b, size_t j, char id[72])
{
    if (b->e[j].id && eng_fhir_id_ok(ds_span_str(b->e[j].id)))
        snprintf(id, 72, "%s", b->e[j].id);
    else
        snprintf(id, 72, "dev%zu", j);
}

/* Copy entry j into res.contained unless a Device with id is there. */
static int s_contain(json_t *res, const struct eng_fhir_entry *dev,
                     const char *id, bool *copied)
{
    json_t *list = json_object_get(res, "contained"), *c;
    size_t i;
    *copied = false;
    json_array_foreach(list, i, c)
    {
        const char *cid = s_str(c, "id");
        if (cid && !strcmp(cid, id))
            return 0; /* already contained (a second reference to it) */
    }
    json_t *copy = json_deep_copy(dev->res);
    if (!copy || json_object_set_new(copy, "id", json_string(id)) != 0 ||
        json_array_append_new(list, copy) != 0) {
        return DS_ENOMEM;
    }
    *copied = true;
    return 0;
}

struct s_link {
    struct eng_fhir_bundle *b;
    size_t self;
    json_t *top;
    bool copy_devices;
    struct eng_fhir_site_stats *st;
};

/* Rewrite one Reference object r (its "reference" is ref). */
static int s_link_ref(struct s_link *L, json_t *r, const char *ref)
{
    char local[72];
    bool copied;
    json_t *to;
    if (ref[0] == '#')
        return 0;
    size_t j = s_resolve(L->b, ref);
    if (j == SIZE_MAX || j == L->self)
        return 0;
    struct eng_fhir_entry *t = &L->b->e[j];
    if (!strcmp(t->type, "Device") && L->copy_devices) {
        s_local_id(L->b, j, local);
        int rc = s_contain(L->top, t, local, &copied);
        if (rc != 0)
            return rc;
        t->referenced = true;
        if (copied && L->st)
            L->st->contained++;
        to = json_sprintf("#%s", local);
    } else if (t->id) {
        to = json_sprintf("%s/%s", t->type, t->id);
    } else {
        return 0;
    }
    return json_object_set_new(r, "reference", to) ? DS_ENOMEM : 0;
}

static int s_walk(struct s_link *L, json_t *v, int depth)
{
    const char *key;
    json_t *m;
    size_t i;
    int rc = 0;
    if (depth > DEPTH_MAX)
        return 0;
    if (json_is_array(v)) {
        /* by index: s_contain may append to the array being walked */
        for (i = 0; rc == 0 && i < json_array_size(v); i++)
            rc = s_walk(L, json_array_get(v, i), depth + 1);
        return rc;
    }
    if (!json_is_object(v))
        return 0;
    const char *ref = s_str(v, "reference");
    if (ref && (rc = s_link_ref(L, v, ref)) != 0)
        return rc;
    json_object_foreach(v, key, m)
    {
        if ((rc = s_walk(L, m, depth + 1)) != 0)
            return rc;
    }
    return 0;
}

int eng_fhir_bundle_link(struct eng_fhir_bundle *b, size_t i, bool copy_devices,
                         struct eng_fhir_site_stats *st)
{
    json_t *res = b->e[i].res, *list = json_object_get(res, "contained");
    bool added = false;
    /* contained must exist before the walk: a key added to an object
     * while it is being iterated may rehash it under the iterator */
    if (copy_devices && !list) {
        if (json_object_set_new(res, "contained", list = json_array()) != 0)
            return DS_ENOMEM;
        added = true;
    }
    struct s_link L = {b, i, res, copy_devices && json_is_array(list), st};
    int rc = s_walk(&L, res, 0);
    if (added && json_array_size(list) == 0)
        json_object_del(res, "contained");
    return rc;
}
