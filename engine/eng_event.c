/*
 * eng_event.c - decode and validate one native event envelope (eng_event.h).
 *
 * A native envelope is parsed by ds_json (ds_json.h) into the decoder's
 * node array, so the event's spans point straight into the payload (or,
 * for a string with escapes, into ds_json's scratch buffer): no copy per
 * field, and no allocation once the decoder has seen a message as big.
 * ds_json accepts what jansson does (same RFC 8259 rules, duplicate keys,
 * "\u0000", number ranges, depth); a top-level scalar is refused here with
 * jansson's words, "'[' or '{' expected". Validation is one table of string
 * fields (path, length range, extra check) walked in order; the first
 * failure wins, and its message starts with the field path.
 *
 * application/fhir+json is parsed by jansson (eng_fhir_map() takes a
 * json_t) into a document the decoder keeps until the next decode. jansson
 * is switched to ds_malloc/ds_free the first time a decoder is created, so
 * counting and fault injection reach inside it. jansson's allocator is
 * process-global: any other jansson user in the process allocates through
 * ds_alloc from then on.
 *
 * jansson 2.14 mishandles one allocation failure: when its lexer's token
 * buffer cannot grow, lex_save() drops the byte and carries on, and the
 * next step reads past the buffer (a string whose closing quote was
 * dropped) or fails an assert (lex_unget_unsave() on a long number); both
 * reproduce under fault injection with 14-byte keys and 15-digit numbers.
 * So the allocator given to jansson counts every failure (per thread) and
 * tries once more before handing NULL to jansson, and a decode during
 * which any jansson allocation failed answers DS_ENOMEM whatever jansson
 * returned. A single transient failure is thus always clean; only memory
 * that stays exhausted reaches jansson's own failure handling.
 *
 * Diagnostics show offending values escaped and cut (eng_event_check.h),
 * so a message is one printable ASCII line whatever the input.
 *
 * A FHIR resource is mapped by eng_fhir_map() instead of the envelope
 * table; the decoder owns the scratch buffer the FHIR event's generated
 * spans (id, decoded note text) point into.
 *
 * Deliberately not here: the FHIR mapping itself (eng_fhir*.c), MAUDE
 * readers, message size limits (ingest applies them), UDI syntax, storing
 * the raw payload, logging.
 */
#include "devsurv/eng_event.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_json.h"
#include "devsurv/eng_event_check.h"
#include "devsurv/eng_fhir.h"
#include "devsurv/eng_time.h"

#include <assert.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define VALUE_SHOW_MAX 40       /* bytes of a rejected value quoted in a diag */
#define CTYPE_SHOW_MAX 100      /* bytes of a refused content type */
#define NO_SPAN        SIZE_MAX /* s_field.off of a field with no span in ev */

struct eng_decoder {
    struct ds_json json; /* native envelopes: nodes of the last document */
    json_t *root; /* FHIR: document of the last successful decode, or NULL */
    struct eng_fhir_scratch fhir; /* FHIR ids and decoded text (eng_fhir.h) */
};

/* A string field of the envelope. */
struct s_field {
    const char *path; /* "key" or "object.key" */
    size_t min, max;  /* allowed length in bytes */
    bool required;
    size_t off; /* offsetof(struct eng_event, <span>), or NO_SPAN */
    int (*check)(struct eng_event *ev, const char *path, struct ds_span v,
                 struct ds_diag *diag); /* more than length, or NULL */
};

static _Thread_local unsigned s_json_failed; /* failed jansson allocs */
static atomic_flag s_json_alloc_set = ATOMIC_FLAG_INIT;

static void *s_json_malloc(size_t n)
{
    void *p = ds_malloc(n);
    if (p)
        return p;
    s_json_failed++;
    return ds_malloc(n); /* see the jansson 2.14 note at the top */
}

static void s_json_use_ds_alloc(void)
{
    if (!atomic_flag_test_and_set(&s_json_alloc_set))
        json_set_alloc_funcs(s_json_malloc, ds_free);
}

eng_decoder_t *eng_decoder_new(void)
{
    s_json_use_ds_alloc();
    return ds_calloc(1, sizeof(eng_decoder_t));
}

void eng_decoder_destroy(eng_decoder_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    json_decref((*self_p)->root);
    ds_json_clear(&(*self_p)->json);
    eng_fhir_scratch_clear(&(*self_p)->fhir);
    ds_free(*self_p);
    *self_p = NULL;
}

const char *eng_event_kind_name(enum eng_event_kind kind)
{
    switch (kind) {
    case ENG_EV_NOTE: return "note";
    case ENG_EV_REPORT: return "report";
    case ENG_EV_EXPOSURE: return "exposure";
    case ENG_EV_OUTCOME: return "outcome";
    }
    return "?";
}

/* ---- diagnostics ---- */

/* "<path>: <what>, got \"<value>\"" with the value escaped and cut. */
static int s_bad_value(struct ds_diag *diag, const char *path, const char *what,
                       struct ds_span v)
{
    char shown[4 * VALUE_SHOW_MAX + 8];
    eng_event_check_escape(shown, sizeof shown, v, VALUE_SHOW_MAX, '"');
    return ds_diag_set(diag, NULL, 0, "%s: %s, got \"%s\"", path, what, shown);
}

static int s_unsupported(struct ds_span ctype, struct ds_diag *diag)
{
    char shown[4 * CTYPE_SHOW_MAX + 8];
    eng_event_check_escape(shown, sizeof shown, ctype, CTYPE_SHOW_MAX, '\'');
    return ds_diag_set_code(diag, DS_EUNSUPP, NULL, 0,
                            "unsupported content type '%s'", shown);
}

static int s_json_error(int line, int column, const char *why,
                        struct ds_diag *diag)
{
    char text[4 * JSON_ERROR_TEXT_LENGTH + 8];
    struct ds_span t = ds_span_str(why);
    if (t.n > JSON_ERROR_TEXT_LENGTH)
        t.n = JSON_ERROR_TEXT_LENGTH;
    eng_event_check_escape(text, sizeof text, t, t.n, '\0');
    return ds_diag_set_code(diag, DS_EPARSE, NULL, 0,
                            "invalid JSON at line %d column %d: %s", line,
                            column, text);
}

/* ---- field checks beyond length (s_field.check) ---- */

static int s_check_no_controls(struct eng_event *ev, const char *path,
                               struct ds_span v, struct ds_diag *diag)
{
    (void)ev;
    if (eng_event_check_no_controls(v))
        return 0;
    return s_bad_value(diag, path, "control characters not allowed", v);
}

static int s_check_kind(struct eng_event *ev, const char *path,
                        struct ds_span v, struct ds_diag *diag)
{
    for (int k = ENG_EV_NOTE; k <= ENG_EV_OUTCOME; k++) {
        if (ds_span_eq(v, eng_event_kind_name((enum eng_event_kind)k))) {
            ev->kind = (enum eng_event_kind)k;
            return 0;
        }
    }
    return s_bad_value(diag, path,
                       "expected one of note, report, exposure, outcome", v);
}

static int s_check_time(struct eng_event *ev, const char *path,
                        struct ds_span v, struct ds_diag *diag)
{
    int rc = eng_time_parse(v.p, v.n, &ev->time_ms);
    if (rc == DS_ERANGE)
        return s_bad_value(diag, path, "date or time field out of range", v);
    if (rc != 0)
        return s_bad_value(diag, path, "not an RFC 3339 date-time with offset",
                           v);
    return 0;
}

static int s_check_product_code(struct eng_event *ev, const char *path,
                                struct ds_span v, struct ds_diag *diag)
{
    (void)ev;
    if (eng_event_check_product_code(v))
        return 0;
    return s_bad_value(diag, path, "expected 3 upper-case letters A-Z", v);
}

static int s_check_action(struct eng_event *ev, const char *path,
                          struct ds_span v, struct ds_diag *diag)
{
    if (ds_span_eq(v, "implanted"))
        ev->proc_action = ENG_PROC_IMPLANTED;
    else if (ds_span_eq(v, "explanted"))
        ev->proc_action = ENG_PROC_EXPLANTED;
    else if (ds_span_eq(v, "revised"))
        ev->proc_action = ENG_PROC_REVISED;
    else
        return s_bad_value(diag, path,
                           "expected one of implanted, explanted, revised", v);
    return 0;
}

static int s_check_imdrf(struct eng_event *ev, const char *path,
                         struct ds_span v, struct ds_diag *diag)
{
    (void)ev;
    if (eng_event_check_imdrf(v))
        return 0;
    return s_bad_value(diag, path,
                       "expected an IMDRF code (a letter A-G then 2, 4, 6 "
                       "or 8 digits)",
                       v);
}

/* ---- the envelope: every known string field, in the order checked ---- */

#define SPAN(member) offsetof(struct eng_event, member)
#define ANY          0, SIZE_MAX

static const struct s_field s_fields[] = {
    {"id", 1, 128, true, SPAN(id), s_check_no_controls},
    {"kind", ANY, true, NO_SPAN, s_check_kind},
    {"time", ANY, true, NO_SPAN, s_check_time},
    {"patient", 1, 128, false, SPAN(patient), s_check_no_controls},
    {"encounter", 1, 128, false, SPAN(encounter), s_check_no_controls},
    {"device.product_code", ANY, false, SPAN(product_code),
     s_check_product_code},
    {"device.udi", 1, 256, false, SPAN(udi), NULL},
    {"device.brand", 1, 256, false, SPAN(brand), NULL},
    {"device.model", 1, 256, false, SPAN(model), NULL},
    {"procedure.code", 1, 64, false, SPAN(proc_code), NULL},
    {"procedure.action", ANY, false, NO_SPAN, s_check_action},
    {"event.code", ANY, false, SPAN(event_code), s_check_imdrf},
    {"event.term", 1, 256, false, SPAN(event_term), NULL},
    {"text", ANY, false, SPAN(text), NULL},
};

/* Member at path ("key" or "object.key") of root into *out (NULL when
 * absent). DS_EINVAL when the parent of a nested key is not an object. */
static int s_lookup(const struct ds_json_node *root, const char *path,
                    const struct ds_json_node **out, struct ds_diag *diag)
{
    const char *dot = strchr(path, '.');
    *out = NULL;
    if (!dot) {
        *out = ds_json_getz(root, path);
        return 0;
    }
    int plen = (int)(dot - path);
    struct ds_span pkey = {path, (size_t)plen};
    const struct ds_json_node *parent = ds_json_get(root, pkey);
    if (!parent)
        return 0;
    if (parent->type != DS_JSON_OBJECT)
        return ds_diag_set(diag, NULL, 0, "%.*s: expected object, got %s", plen,
                           path, ds_json_type_name(parent));
    *out = ds_json_getz(parent, dot + 1);
    return 0;
}

static int s_read_field(const struct ds_json_node *root,
                        const struct s_field *f, struct eng_event *ev,
                        struct ds_diag *diag)
{
    const struct ds_json_node *v;
    int rc = s_lookup(root, f->path, &v, diag);
    if (rc != 0)
        return rc;
    if (!v)
        return f->required ? ds_diag_set(diag, NULL, 0, "%s: required", f->path)
                           : 0;
    if (v->type != DS_JSON_STRING)
        return ds_diag_set(diag, NULL, 0, "%s: expected string, got %s",
                           f->path, ds_json_type_name(v));
    struct ds_span s = ds_json_str(v);
    if (s.n < f->min || s.n > f->max)
        return ds_diag_set(diag, NULL, 0,
                           "%s: expected %zu..%zu bytes, got %zu", f->path,
                           f->min, f->max, s.n);
    if (f->check && (rc = f->check(ev, f->path, s, diag)) != 0)
        return rc;
    if (f->off != NO_SPAN)
        memcpy((char *)ev + f->off, &s, sizeof s);
    return 0;
}

static int s_validate(const struct ds_json_node *root, struct eng_event *ev,
                      struct ds_diag *diag)
{
    if (root->type != DS_JSON_OBJECT)
        return ds_diag_set(diag, NULL, 0, "top level: expected object, got %s",
                           ds_json_type_name(root));
    for (size_t i = 0; i < sizeof s_fields / sizeof s_fields[0]; i++) {
        int rc = s_read_field(root, &s_fields[i], ev, diag);
        if (rc != 0)
            return rc;
    }
    return eng_event_check_kind_rules(ev, diag);
}

/* Parse the native envelope p[0..n) into self->json; its root to *root.
 * A scalar at top level is a syntax error, as jansson has it. */
static int s_parse(eng_decoder_t *self, const char *p, size_t n,
                   const struct ds_json_node **root, struct ds_diag *diag)
{
    struct ds_json *j = &self->json;
    int rc = ds_json_parse(j, p, n);
    if (rc == DS_ENOMEM)
        return ds_diag_set_code(diag, DS_ENOMEM, NULL, 0,
                                "out of memory parsing JSON");
    if (rc != 0)
        return s_json_error(j->err_line, j->err_column, j->err_reason, diag);
    *root = ds_json_root(j);
    if ((*root)->type != DS_JSON_OBJECT && (*root)->type != DS_JSON_ARRAY) {
        int line, column;
        ds_json_locate(p, (size_t)((*root)->raw - p), &line, &column);
        return s_json_error(line, column, "'[' or '{' expected", diag);
    }
    return 0;
}

/* Parse the FHIR resource p[0..n) into self->root with jansson. */
static int s_load(eng_decoder_t *self, const char *p, size_t n,
                  struct ds_diag *diag)
{
    json_error_t err;
    memset(&err, 0, sizeof err);
    s_json_failed = 0;
    self->root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
    if (s_json_failed || json_error_code(&err) == json_error_out_of_memory) {
        json_decref(self->root);
        self->root = NULL;
        return ds_diag_set_code(diag, DS_ENOMEM, NULL, 0,
                                "out of memory parsing JSON");
    }
    return self->root ? 0 : s_json_error(err.line, err.column, err.text, diag);
}

int eng_decoder_decode(eng_decoder_t *self, struct ds_span ctype,
                       const char *payload, size_t n, struct eng_event *ev,
                       struct ds_diag *diag)
{
    assert(self && ev && (payload || n == 0));
    memset(ev, 0, sizeof *ev);
    ds_diag_clear(diag);
    json_decref(self->root);
    self->root = NULL;
    bool fhir = eng_fhir_ctype_ok(ctype);
    if (!fhir && !eng_event_check_ctype(ctype))
        return s_unsupported(ctype, diag);
    const struct ds_json_node *root = NULL;
    const char *p = payload ? payload : "";
    int rc = fhir ? s_load(self, p, n, diag) : s_parse(self, p, n, &root, diag);
    if (rc == 0 && fhir)
        rc = eng_fhir_map(self->root, &self->fhir, ev, diag);
    else if (rc == 0)
        rc = s_validate(root, ev, diag);
    if (rc != 0) {
        json_decref(self->root);
        self->root = NULL;
        memset(ev, 0, sizeof *ev);
    }
    return rc;
}
