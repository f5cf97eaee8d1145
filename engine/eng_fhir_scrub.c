/*
 * eng_fhir_scrub.c - pseudonymise one FHIR resource before it leaves the
 * site (eng_fhir.h, site preparation; DESIGN.md 3 "Identifiers are
 * pseudonymised at the site").
 *
 * One walk over the whole resource, contained resources included:
 *   - a Reference ("reference" string) to Patient/x or Encounter/x (after
 *     any base URL, without "/_history/v") is rewritten to
 *     Patient/<eng_pseudo_id(key, domain, x)>; its "display" is removed
 *     whatever it points at (a label: a name, often);
 *   - a conditional Patient or Encounter reference ("Patient?identifier=")
 *     carries the identifier in its query: the resource is refused;
 *   - every "identifier" member (Identifier arrays, Reference.identifier)
 *     and every narrative ("text" whose value is an object: R4 Narrative;
 *     a string "text" is CodeableConcept or Annotation text and stays);
 *   - contained Patient, RelatedPerson, Practitioner, PractitionerRole
 *     resources (names, addresses, telecom).
 * The x of a reference is taken as written (any bytes), so an id that is
 * not valid FHIR is still pseudonymised rather than leaked.
 *
 * Not here: free text (a site's de-identification step cleans notes
 * before ds-publish reads them), extensions, dates.
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_err.h"

#include <stdio.h>

#define DEPTH_MAX 256 /* jansson parses at most 2048 levels */

static const char *const s_person_types[] = {
    "Patient", "RelatedPerson", "Practitioner", "PractitionerRole", NULL,
};

struct s_scrub {
    const struct eng_pseudo_key *key;
    struct eng_fhir_site_stats *st;
    struct ds_diag *diag;
};

static void s_count_removed(struct s_scrub *S)
{
    if (S->st)
        S->st->removed++;
}

/* Split ref "[base/]Type/x[/_history/v]" into type and x (x may be any
 * bytes but '/'); false when it has no '/'. */
static bool s_split(const char *ref, struct ds_span *type, struct ds_span *x)
{
    size_t n = strlen(ref);
    const char *h = strstr(ref, "/_history/");
    if (h)
        n = (size_t)(h - ref);
    size_t slash = n;
    while (slash > 0 && ref[slash - 1] != '/')
        slash--;
    if (slash == 0)
        return false;
    size_t t0 = slash - 1;
    while (t0 > 0 && ref[t0 - 1] != '/')
        t0--;
    *type = (struct ds_span){ref + t0, slash - 1 - t0};
    *x = (struct ds_span){ref + slash, n - slash};
    return true;
}

/* Is ref a conditional reference to a Patient or an Encounter? */
static bool s_conditional_person(const char *ref)
{
    const char *q = strchr(ref, '?');
    if (!q)
        return false;
    const char *t = q;
    while (t > ref && t[-1] != '/')
        t--;
    struct ds_span type = {t, (size_t)(q - t)};
    return ds_span_eq(type, "Patient") || ds_span_eq(type, "Encounter");
}

static int s_reference(struct s_scrub *S, json_t *r, const char *ref)
{
    struct ds_span type, x;
    char out[ENG_PSEUDO_LEN + 1], buf[ENG_PSEUDO_LEN + 16];
    if (json_object_get(r, "display") && !json_object_del(r, "display"))
        s_count_removed(S);
    if (s_conditional_person(ref))
        return ds_diag_set(S->diag, NULL, 0,
                           "conditional reference cannot be pseudonymised; "
                           "resolve it to Patient/<id> or Encounter/<id>");
    if (!s_split(ref, &type, &x))
        return 0;
    enum eng_pseudo_domain d;
    if (ds_span_eq(type, "Patient"))
        d = ENG_PSEUDO_PATIENT;
    else if (ds_span_eq(type, "Encounter"))
        d = ENG_PSEUDO_ENCOUNTER;
    else
        return 0;
    eng_pseudo_id(S->key, d, x, out);
    snprintf(buf, sizeof buf, "%s/%s",
             d == ENG_PSEUDO_PATIENT ? "Patient" : "Encounter", out);
    if (json_object_set_new(r, "reference", json_string(buf)) != 0)
        return DS_ENOMEM;
    if (S->st)
        S->st->pseudonyms++;
    return 0;
}

static bool s_is_person(const json_t *res)
{
    const char *t = json_string_value(json_object_get(res, "resourceType"));
    for (size_t i = 0; t && s_person_types[i]; i++)
        if (!strcmp(t, s_person_types[i]))
            return true;
    return false;
}

/* Drop contained person resources from list. */
static void s_contained(struct s_scrub *S, json_t *list)
{
    for (size_t i = json_array_size(list); i-- > 0;) {
        if (s_is_person(json_array_get(list, i)) &&
            json_array_remove(list, i) == 0)
            s_count_removed(S);
    }
}

static int s_walk(struct s_scrub *S, json_t *v, int depth);

static int s_object(struct s_scrub *S, json_t *v, int depth)
{
    const char *key;
    json_t *m;
    void *tmp;
    int rc;
    const char *ref = json_string_value(json_object_get(v, "reference"));
    if (ref && (rc = s_reference(S, v, ref)) != 0)
        return rc;
    json_object_foreach_safe(v, tmp, key, m)
    {
        bool drop = !strcmp(key, "identifier") ||
                    (!strcmp(key, "text") && json_is_object(m));
        if (drop) {
            json_object_del(v, key);
            s_count_removed(S);
            continue;
        }
        if (!strcmp(key, "contained") && json_is_array(m))
            s_contained(S, m);
        if ((rc = s_walk(S, m, depth + 1)) != 0)
            return rc;
    }
    return 0;
}

static int s_walk(struct s_scrub *S, json_t *v, int depth)
{
    size_t i;
    json_t *m;
    int rc;
    if (depth > DEPTH_MAX)
        return ds_diag_set(S->diag, NULL, 0,
                           "nesting deeper than %d levels cannot be "
                           "pseudonymised",
                           DEPTH_MAX);
    if (json_is_object(v))
        return s_object(S, v, depth);
    json_array_foreach(v, i, m)
    {
        if ((rc = s_walk(S, m, depth + 1)) != 0)
            return rc;
    }
    return 0;
}

int eng_fhir_scrub(json_t *res, const struct eng_pseudo_key *key,
                   struct eng_fhir_site_stats *st, struct ds_diag *diag)
{
    struct s_scrub S = {key, st, diag};
    return s_walk(&S, res, 0);
}
