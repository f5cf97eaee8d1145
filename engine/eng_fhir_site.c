/*
 * eng_fhir_site.c - eng_fhir_site_prepare(): one NDJSON line of FHIR at
 * the hospital -> zero or more single-resource messages for the engine.
 *
 * Order of work, so that an error emits nothing: parse; index (Bundle
 * entries or the one resource); decide what is sent; link every sent
 * non-Device resource (Devices copied into contained); then link the
 * Devices nobody referenced (references only); scrub all sent resources
 * when a key is given; only then serialise and emit, in entry order.
 *
 * Which resources are sent: the event resources the engine reads
 * (DocumentReference, Procedure, AdverseEvent) and Devices no sent
 * resource references. Known non-event resources (Patient, Encounter,
 * Practitioner...) are counted as skipped. Any other type is not sent
 * either (st->unsupported): the engine would only quarantine it, and its
 * content (names, addresses) is not something this file knows how to
 * pseudonymise; a line holding only such a resource is DS_EUNSUPP so the
 * publisher keeps it in its reject file with the reason.
 *
 * Parsing uses jansson directly, without the decoder's guard against
 * jansson 2.14's lexer on allocation failure (eng_event.c): this runs at
 * the site on the publisher's own files, not on network input, and is not
 * part of the allocation-failure torture tests.
 *
 * Not here: the mapping rules (eng_fhir.c; the engine checks events),
 * journaling and sending (ds-publish).
 */
#include "eng_fhir_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_event_check.h"

enum s_fate { S_NONE = 0, S_SEND, S_SKIP, S_UNSUPP };

static const char *const s_event_types[] = {
    "DocumentReference",
    "Procedure",
    "AdverseEvent",
    NULL,
};

static const char *const s_non_event_types[] = {
    "Patient",          "Encounter",    "Practitioner", "PractitionerRole",
    "RelatedPerson",    "Organization", "Location",     "MessageHeader",
    "OperationOutcome", "Provenance",   NULL,
};

static bool s_in(const char *t, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(t, list[i]))
            return true;
    return false;
}

static enum s_fate s_fate_of(const struct eng_fhir_entry *e)
{
    if (!e->res)
        return S_SKIP;
    if (s_in(e->type, s_event_types))
        return S_SEND;
    if (!strcmp(e->type, "Device"))
        return e->referenced ? S_NONE : S_SEND;
    return s_in(e->type, s_non_event_types) ? S_SKIP : S_UNSUPP;
}

static int s_parse(const char *line, size_t n, json_t **out,
                   struct ds_diag *diag)
{
    json_error_t err;
    memset(&err, 0, sizeof err);
    *out = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
    if (!*out) {
        if (json_error_code(&err) == json_error_out_of_memory)
            return ds_diag_set_code(diag, DS_ENOMEM, NULL, 0,
                                    "out of memory parsing JSON");
        char text[4 * JSON_ERROR_TEXT_LENGTH + 8];
        eng_event_check_escape(text, sizeof text, ds_span_str(err.text),
                               JSON_ERROR_TEXT_LENGTH, '\0');
        return ds_diag_set_code(diag, DS_EPARSE, NULL, 0,
                                "invalid JSON at line %d column %d: %s",
                                err.line, err.column, text);
    }
    if (!json_is_object(*out))
        return ds_diag_set(diag, NULL, 0,
                           "top level: expected a FHIR resource (object), "
                           "got %s",
                           eng_fhir_type_name(*out));
    if (!json_is_string(json_object_get(*out, "resourceType")))
        return ds_diag_set(diag, NULL, 0,
                           "resourceType: required (not a FHIR resource)");
    return 0;
}

/* Link, then decide: Devices are sent only when nobody referenced them. */
static int s_prepare(struct eng_fhir_bundle *b, enum s_fate *fate,
                     const struct eng_pseudo_key *key,
                     struct eng_fhir_site_stats *st, struct ds_diag *diag)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->n; i++)
        if (s_fate_of(&b->e[i]) == S_SEND && strcmp(b->e[i].type, "Device"))
            rc = eng_fhir_bundle_link(b, i, true, st);
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        fate[i] = s_fate_of(&b->e[i]);
        if (fate[i] == S_SEND && !strcmp(b->e[i].type, "Device"))
            rc = eng_fhir_bundle_link(b, i, false, st);
    }
    for (size_t i = 0; rc == 0 && key && i < b->n; i++)
        if (fate[i] == S_SEND)
            rc = eng_fhir_scrub(b->e[i].res, key, st, diag);
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, NULL, 0, "out of memory");
    return rc;
}

/* json_dumps allocates with jansson's allocator (ds_malloc once a decoder
 * exists, see eng_event.c), so it is freed with jansson's free. */
static void s_json_free(char *s)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(s);
}

static int s_emit_all(const struct eng_fhir_bundle *b, const enum s_fate *fate,
                      eng_fhir_emit_fn *emit, void *arg,
                      struct eng_fhir_site_stats *st, struct ds_diag *diag)
{
    for (size_t i = 0; i < b->n; i++) {
        if (fate[i] != S_SEND)
            continue;
        int64_t ts = 0;
        char *s = json_dumps(b->e[i].res, JSON_COMPACT);
        if (!s)
            return ds_diag_set_code(diag, DS_ENOMEM, NULL, 0,
                                    "out of memory writing JSON");
        (void)eng_fhir_event_time(b->e[i].res, &ts);
        int rc = emit(arg, s, strlen(s), ts);
        s_json_free(s);
        if (rc != 0)
            return rc;
        if (st)
            st->emitted++;
    }
    return 0;
}

static void s_count(const enum s_fate *fate, size_t n,
                    struct eng_fhir_site_stats *st)
{
    for (size_t i = 0; st && i < n; i++) {
        st->skipped += fate[i] == S_SKIP;
        st->unsupported += fate[i] == S_UNSUPP;
    }
}

static int s_unsupported(const char *type, struct ds_diag *diag)
{
    char shown[4 * 40 + 8];
    eng_event_check_escape(shown, sizeof shown, ds_span_str(type), 40, '"');
    return ds_diag_set_code(diag, DS_EUNSUPP, NULL, 0,
                            "%s: not a resource the engine reads; kept at "
                            "the site",
                            shown);
}

static int s_run(json_t *root, const struct eng_pseudo_key *key,
                 eng_fhir_emit_fn *emit, void *arg,
                 struct eng_fhir_site_stats *st, struct ds_diag *diag)
{
    struct eng_fhir_bundle b;
    enum s_fate *fate = NULL;
    int rc = eng_fhir_bundle_index(root, &b, diag);
    if (rc == 0 && b.n && !(fate = ds_calloc(b.n, sizeof *fate)))
        rc = DS_ENOMEM;
    if (rc == 0)
        rc = s_prepare(&b, fate, key, st, diag);
    bool lone = b.n == 1 && root == b.e[0].res;
    if (rc == 0 && lone && fate[0] == S_UNSUPP)
        rc = s_unsupported(b.e[0].type, diag);
    if (rc == 0) {
        s_count(fate, b.n, st);
        rc = s_emit_all(&b, fate, emit, arg, st, diag);
    }
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, NULL, 0, "out of memory");
    ds_free(fate);
    eng_fhir_bundle_clear(&b);
    return rc;
}

int eng_fhir_site_prepare(const char *line, size_t n,
                          const struct eng_pseudo_key *key,
                          eng_fhir_emit_fn *emit, void *arg,
                          struct eng_fhir_site_stats *st, struct ds_diag *diag)
{
    json_t *root = NULL;
    ds_diag_clear(diag);
    int rc = s_parse(line ? line : "", n, &root, diag);
    if (rc == 0)
        rc = s_run(root, key, emit, arg, st, diag);
    if (rc == 0 && st)
        st->lines++;
    json_decref(root);
    return rc;
}
