/*
 * eng_fhir_impl.h - private to engine/eng_fhir*.c: path-aware JSON getters
 * whose errors name the FHIR path, reference parsing, the scratch
 * appender and the per-resource mappers. Not installed.
 *
 * Paths are built by the caller ("Procedure.focalDevice[0]") and a getter
 * adds ".key": a missing required member is "<path>.<key>: required", a
 * wrong JSON type "<path>.<key>: expected string, got number".
 */
#ifndef DEVSURV_ENG_FHIR_IMPL_H
#define DEVSURV_ENG_FHIR_IMPL_H

#include "devsurv/eng_fhir.h"

#define ENG_FHIR_PATH_MAX 160 /* a path as shown in a diag */
#define ENG_FHIR_TERM_MAX 256 /* event.term, brand, model, udi (native) */

/* Format a path into buf (ENG_FHIR_PATH_MAX bytes), cut if longer. */
void eng_fhir_path(char *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* JSON type of v as a reader names it ("object", "number"...). */
const char *eng_fhir_type_name(const json_t *v);

/* "<path>: <what>, got \"<value>\"" (value escaped, cut to 40 bytes);
 * returns DS_EINVAL. */
int eng_fhir_bad(struct ds_diag *diag, const char *path, const char *what,
                 struct ds_span v);

/* Member key of obj as a string span. Absent: *out = {NULL, 0} and 0, or
 * "<path>.<key>: required" when required. Not a string: DS_EINVAL. */
int eng_fhir_str(const json_t *obj, const char *path, const char *key,
                 bool required, struct ds_span *out, struct ds_diag *diag);

/* Member key of obj that must be an object (NULL when absent and not
 * required). */
int eng_fhir_obj(const json_t *obj, const char *path, const char *key,
                 bool required, const json_t **out, struct ds_diag *diag);

/* Member key of obj that must be an array (NULL when absent and not
 * required; an empty array counts as absent for required). */
int eng_fhir_arr(const json_t *obj, const char *path, const char *key,
                 bool required, const json_t **out, struct ds_diag *diag);

/* True for a FHIR id: 1..64 of [A-Za-z0-9.-]. */
bool eng_fhir_id_ok(struct ds_span id);

/* When ref is "[base/]<type>/<id>[/_history/<v>]" with a valid id, set
 * *id to the id part and return true. */
bool eng_fhir_ref_id(struct ds_span ref, const char *type, struct ds_span *id);

/* Reference member key of obj (a Reference object) resolved to the id of
 * a resource of type ("Patient"): absent -> empty and 0 (or "required");
 * any other form of reference is DS_EINVAL naming <path>.<key>.reference. */
int eng_fhir_ref_member(const json_t *obj, const char *path, const char *key,
                        const char *type, bool required, struct ds_span *id,
                        struct ds_diag *diag);

/* Parse an instant v found at path into *ms (DS_EINVAL with path). */
int eng_fhir_instant(struct ds_span v, const char *path, int64_t *ms,
                     struct ds_diag *diag);

/* Append p[0..n) to s; the capacity was reserved by eng_fhir_map() so
 * this never moves s->p. Returns the offset of the copy. */
size_t eng_fhir_scratch_put(struct eng_fhir_scratch *s, const char *p,
                            size_t n);

/* Resolve ref ("#id", found at path) to the Device in res.contained and
 * fill ev's device fields from it (product code, udi, brand, model). */
int eng_fhir_device(const json_t *res, const char *path, struct ds_span ref,
                    struct eng_event *ev, struct ds_diag *diag);

/* Per-resource mappers: kind, time, patient, encounter, device, text.
 * The id is set by eng_fhir_map(). */
int eng_fhir_map_document(const json_t *res, struct eng_fhir_scratch *s,
                          struct eng_event *ev, struct ds_diag *diag);
int eng_fhir_map_procedure(const json_t *res, struct eng_fhir_scratch *s,
                           struct eng_event *ev, struct ds_diag *diag);
int eng_fhir_map_adverse(const json_t *res, struct eng_fhir_scratch *s,
                         struct eng_event *ev, struct ds_diag *diag);

/* Event time members of each resource type, in order of preference
 * (e.g. {"performedDateTime", "performedPeriod.start", NULL}); NULL for a
 * type that has none. */
const char *const *eng_fhir_time_members(struct ds_span rtype);

/* Read the event time of res (type rt) by eng_fhir_time_members(): the
 * first member present must parse. None present: "<rt>.<first>:
 * required (or ...)". */
int eng_fhir_time(const json_t *res, const char *rt, int64_t *ms,
                  struct ds_diag *diag);

/* ---- site preparation (eng_fhir_bundle.c, eng_fhir_scrub.c) ---- */

/* One resource of a line: a Bundle entry, or the line's own resource. */
struct eng_fhir_entry {
    json_t *res;          /* borrowed from the parsed line */
    const char *type;     /* resourceType */
    const char *id;       /* id, or NULL */
    const char *full_url; /* entry.fullUrl, or NULL */
    bool referenced;      /* a Device copied into a sent resource */
};

struct eng_fhir_bundle {
    struct eng_fhir_entry *e;
    size_t n;
};

/* Index the resources of root (a Bundle: its entries' resources; anything
 * else: root itself) into *b (freed by eng_fhir_bundle_clear). DS_EINVAL
 * with diag for a bad Bundle or an entry without resourceType. */
int eng_fhir_bundle_index(json_t *root, struct eng_fhir_bundle *b,
                          struct ds_diag *diag);

void eng_fhir_bundle_clear(struct eng_fhir_bundle *b);

/* Rewrite the references of entry i that point at other entries: Devices
 * (when copy_devices) are copied into its contained array and referenced
 * as "#id"; references to other entries by fullUrl become "Type/id". */
int eng_fhir_bundle_link(struct eng_fhir_bundle *b, size_t i, bool copy_devices,
                         struct eng_fhir_site_stats *st);

/* Pseudonymise and strip res in place (eng_fhir.h, site preparation). */
int eng_fhir_scrub(json_t *res, const struct eng_pseudo_key *key,
                   struct eng_fhir_site_stats *st, struct ds_diag *diag);

#endif
