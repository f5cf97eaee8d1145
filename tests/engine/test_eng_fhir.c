/*
 * test_eng_fhir.c - FHIR R4 input as the engine and ds-publish use it:
 * single resources decoded through eng_decoder_decode() with
 * application/fhir+json (the reliability.md 7.1 shapes with ids, codes
 * and contained devices added as a hospital would send them), every
 * reject with the FHIR path in its reason, and eng_fhir_site_prepare() on
 * the Bundles of fixtures/fhir/: split, Devices contained, references
 * rewritten, identifiers pseudonymised and absent from the bytes sent.
 *
 * JSON is written with ' for " (s_q) to stay readable. Not here: random
 * inputs (tests/fuzz/fuzz_fhir.c), the native envelope (test_eng_event.c).
 */
#include "devsurv/eng_fhir.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>
#include <stdlib.h>

#define FIXTURES "fixtures/fhir/"

/* json with every ' turned into " (static buffer: one at a time). */
static const char *s_q(const char *json)
{
    static char buf[8192];
    size_t n = strlen(json);
    if (n >= sizeof buf)
        abort();
    for (size_t i = 0; i <= n; i++)
        buf[i] = json[i] == '\'' ? '"' : json[i];
    return buf;
}

static int s_dec(eng_decoder_t *d, const char *json, struct eng_event *ev,
                 struct ds_diag *diag)
{
    const char *j = s_q(json);
    return eng_decoder_decode(d, ds_span_str(ENG_CTYPE_FHIR_JSON), j, strlen(j),
                              ev, diag);
}

static int64_t s_live(void)
{
    struct ds_alloc_stats st;
    ds_alloc_stats(&st);
    return (int64_t)(st.allocs - st.frees);
}

/* The 7.1 Device, contained as "dev1", with an FDA product code. */
#define DEVICE                                                                 \
    "{'resourceType':'Device','id':'dev1',"                                    \
    "'udiCarrier':[{'deviceIdentifier':'00614141999996',"                      \
    "'issuer':'http://hl7.org/fhir/NamingSystem/gs1-di',"                      \
    "'carrierHRF':'(01)00614141999996(17)261231(10)LOT42(21)SN0001',"          \
    "'entryType':'barcode'}],"                                                 \
    "'deviceName':[{'name':'Acme friendly','type':'user-friendly-name'},"      \
    "{'name':'Acme DF-4 ICD lead','type':'udi-label-name'}],"                  \
    "'type':{'coding':[{'system':'http://snomed.info/sct','code':'ABC'},"      \
    "{'system':'http://www.accessdata.fda.gov/productcode','code':'LWS'}]},"   \
    "'manufacturer':'Acme Cardio','modelNumber':'DF4-58'}"

static const char *const s_proc =
    "{'resourceType':'Procedure','id':'rev-1','status':'completed',"
    "'subject':{'reference':'Patient/p1'},"
    "'encounter':{'reference':'Encounter/e12'},"
    "'code':{'coding':[{'system':'http://snomed.info/sct','code':'447365002'}],"
    "'text':'ICD lead revision'},'performedDateTime':'2026-03-02T10:15:00Z',"
    "'contained':[" DEVICE "],"
    "'focalDevice':[{'action':{'coding':[{'system':"
    "'http://hl7.org/fhir/device-action','code':'removed'}]},"
    "'manipulated':{'reference':'#dev1'}}],"
    "'note':[{'text':'Lead fracture confirmed at explant.'},{'text':'Sent "
    "to lab.'}]}";

/* "Cardiology note: ICD lead fracture, \xc3\xa9" in base64. */
#define NOTE_B64 "Q2FyZGlvbG9neSBub3RlOiBJQ0QgbGVhZCBmcmFjdHVyZSwgw6k="

static const char *const s_doc =
    "{'resourceType':'DocumentReference','id':'n-1','status':'current',"
    "'subject':{'reference':'https://ehr.example/fhir/Patient/p1'},"
    "'type':{'coding':[{'system':'http://loinc.org','code':'11506-3'}]},"
    "'date':'2026-03-02T11:00:00+01:00',"
    "'content':[{'attachment':{'contentType':'text/plain; charset=utf-8',"
    "'language':'en','data':'Q2FyZGlvbG9neSBub3RlOiBJQ0QgbGVhZCBm\\n"
    "cmFjdHVyZSwgw6k='}}],"
    "'context':{'encounter':[{'reference':'EpisodeOfCare/x'},"
    "{'reference':'Encounter/e12/_history/3'}]}}";

static const char *const s_ae =
    "{'resourceType':'AdverseEvent','id':'ae-1','actuality':'actual',"
    "'subject':{'reference':'Patient/p1'},"
    "'event':{'coding':[{'system':'http://snomed.info/sct','code':'1'},"
    "{'system':'http://www.IMDRF.org/ae/annex-e','code':'E0505',"
    "'display':'Inappropriate shock'}],"
    "'text':'Inappropriate ICD shocks due to lead fracture'},"
    "'date':'2026-03-01T22:40:00Z','contained':[" DEVICE "],"
    "'suspectEntity':[{'instance':{'reference':'#dev1'},"
    "'causality':[{'productRelatedness':'probable'}]}]}";

TEST(procedure_is_an_exposure_of_the_contained_device)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    CHECK_INT(s_dec(d, s_proc, &ev, &diag), 0);
    CHECK_STR(diag.msg, "");
    CHECK_INT(ev.kind, ENG_EV_EXPOSURE);
    CHECK(ds_span_eq(ev.id, "Procedure/rev-1"));
    /* date -d 2026-03-02T10:15:00Z +%s -> 1772446500 */
    CHECK_INT(ev.time_ms, 1772446500000LL);
    CHECK(ds_span_eq(ev.patient, "p1"));
    CHECK(ds_span_eq(ev.encounter, "e12"));
    CHECK(ds_span_eq(ev.product_code, "LWS"));
    CHECK(
        ds_span_eq(ev.udi, "(01)00614141999996(17)261231(10)LOT42(21)SN0001"));
    CHECK(ds_span_eq(ev.brand, "Acme DF-4 ICD lead"));
    CHECK(ds_span_eq(ev.model, "DF4-58"));
    CHECK(ds_span_eq(ev.proc_code, "447365002"));
    CHECK_INT(ev.proc_action, ENG_PROC_EXPLANTED);
    CHECK(ds_span_eq(ev.text, "Lead fracture confirmed at explant.\nSent "
                              "to lab."));
    eng_decoder_destroy(&d);
}

TEST(device_actions)
{
    static const struct {
        const char *code;
        enum eng_proc_action want;
    } cases[] = {{"implanted", ENG_PROC_IMPLANTED},
                 {"explanted", ENG_PROC_EXPLANTED},
                 {"replaced", ENG_PROC_REVISED},
                 {"manipulated", ENG_PROC_REVISED}};
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[4096];
        const char *at = strstr(s_proc, "'removed'");
        snprintf(json, sizeof json, "%.*s'%s'%s", (int)(at - s_proc), s_proc,
                 cases[i].code, at + strlen("'removed'"));
        CHECK_INT(s_dec(d, json, &ev, &diag), 0);
        CHECK_INT(ev.proc_action, cases[i].want);
    }
    eng_decoder_destroy(&d);
}

TEST(document_reference_is_a_note_with_decoded_text)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    CHECK_INT(s_dec(d, s_doc, &ev, &diag), 0);
    CHECK_STR(diag.msg, "");
    CHECK_INT(ev.kind, ENG_EV_NOTE);
    CHECK(ds_span_eq(ev.id, "DocumentReference/n-1"));
    CHECK_INT(ev.time_ms, 1772445600000LL); /* 10:00Z */
    CHECK(ds_span_eq(ev.patient, "p1"));
    CHECK(ds_span_eq(ev.encounter, "e12"));
    CHECK(ds_span_eq(ev.text, "Cardiology note: ICD lead fracture, \xc3\xa9"));
    CHECK(ev.product_code.n == 0 && ev.proc_action == ENG_PROC_NONE);
    eng_decoder_destroy(&d);
}

TEST(document_time_falls_back_to_context_period)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *json =
        "{'resourceType':'DocumentReference','id':'n2','status':'current',"
        "'context':{'period':{'start':'2026-03-02T10:15:00Z'}},"
        "'content':[{'attachment':{'url':'http://x/1'}},"
        "{'attachment':{'data':'" NOTE_B64 "'}}]}";
    CHECK_INT(s_dec(d, json, &ev, &diag), 0);
    CHECK_INT(ev.time_ms, 1772446500000LL);
    CHECK(ev.patient.n == 0 && ev.encounter.n == 0);
    CHECK(ds_span_eq(ev.text, "Cardiology note: ICD lead fracture, \xc3\xa9"));
    eng_decoder_destroy(&d);
}

TEST(coded_adverse_event_is_an_outcome)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    CHECK_INT(s_dec(d, s_ae, &ev, &diag), 0);
    CHECK_STR(diag.msg, "");
    CHECK_INT(ev.kind, ENG_EV_OUTCOME);
    CHECK(ds_span_eq(ev.id, "AdverseEvent/ae-1"));
    CHECK_INT(ev.time_ms, 1772404800000LL); /* 2026-03-01T22:40:00Z */
    CHECK(ds_span_eq(ev.patient, "p1"));
    CHECK(ds_span_eq(ev.event_code, "E0505"));
    CHECK(ds_span_eq(ev.event_term, "Inappropriate shock"));
    CHECK(ds_span_eq(ev.product_code, "LWS"));
    CHECK(ds_span_eq(ev.text, "Inappropriate ICD shocks due to lead fracture"));
    eng_decoder_destroy(&d);
}

TEST(uncoded_adverse_event_is_a_report)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    /* the 7.1 AdverseEvent with an id and the device contained */
    const char *json =
        "{'resourceType':'AdverseEvent','id':'ae-2','actuality':'actual',"
        "'subject':{'reference':'Patient/p1'},"
        "'event':{'text':'Inappropriate ICD shocks due to lead fracture'},"
        "'description':'Two shocks at rest.',"
        "'recordedDate':'2026-03-01T22:40:00Z','contained':[" DEVICE "],"
        "'suspectEntity':[{'instance':{'reference':'#dev1'}}]}";
    CHECK_INT(s_dec(d, json, &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_REPORT);
    CHECK(ds_span_eq(ev.text, "Inappropriate ICD shocks due to lead "
                              "fracture\nTwo shocks at rest."));
    CHECK(ev.event_code.n == 0);
    CHECK(ds_span_eq(ev.product_code, "LWS"));
    CHECK_INT(ev.time_ms, 1772404800000LL);
    eng_decoder_destroy(&d);
}

TEST(content_type_with_charset)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *j = s_q(s_doc);
    CHECK_INT(eng_decoder_decode(d,
                                 ds_span_str("application/fhir+json; "
                                             "charset=UTF-8"),
                                 j, strlen(j), &ev, &diag),
              0);
    CHECK_INT(eng_decoder_decode(d, ds_span_str("application/fhir+xml"), j,
                                 strlen(j), &ev, &diag),
              DS_EUNSUPP);
    eng_decoder_destroy(&d);
}

/* Replace the first occurrence of from in base by to; decode; expect. */
struct s_case {
    const char *base, *from, *to;
    int rc;
    const char *msg;
};

static const struct s_case s_rejects[] = {
    {NULL, NULL, NULL, DS_EINVAL,
     "top level: expected a FHIR resource (object), got array"},
    {"{'id':'x'}", NULL, NULL, DS_EINVAL, "resourceType: required"},
    {"{'resourceType':'Bundle','type':'collection'}", NULL, NULL, DS_EINVAL,
     "Bundle: one message carries one event; split bundles at the site "
     "(ds-publish does)"},
    {DEVICE, NULL, NULL, DS_EINVAL,
     "Device: a Device alone is not an event (no event time); send it "
     "inside a Bundle with the Procedure or AdverseEvent that references "
     "it"},
    {"{'resourceType':'Patient','id':'p1'}", NULL, NULL, DS_EUNSUPP,
     "Patient: resource type not supported as an event (DocumentReference, "
     "Procedure, AdverseEvent)"},
    {NULL, "'id':'rev-1',", "", DS_EINVAL, "Procedure.id: required"},
    {NULL, "'rev-1'", "'rev_1'", DS_EINVAL,
     "Procedure.id: expected a FHIR id (1-64 of A-Z a-z 0-9 - .), got "
     "\"rev_1\""},
    {NULL, "'completed'", "'in-progress'", DS_EINVAL,
     "Procedure.status: only a completed procedure is an exposure, got "
     "\"in-progress\""},
    {NULL, "'subject':{'reference':'Patient/p1'},", "", DS_EINVAL,
     "Procedure.subject: required"},
    {NULL, "'Patient/p1'", "'Group/g1'", DS_EINVAL,
     "Procedure.subject.reference: expected Patient/<id>, got \"Group/g1\""},
    {NULL, "'performedDateTime'", "'performedX'", DS_EINVAL,
     "Procedure.performedDateTime: required (or performedPeriod.start)"},
    {NULL, "'2026-03-02T10:15:00Z'", "'2026-03-02'", DS_EINVAL,
     "Procedure.performedDateTime: expected a date-time with a time zone "
     "(FHIR instant), got \"2026-03-02\""},
    {NULL, "'focalDevice'", "'focalDevic'", DS_EINVAL,
     "Procedure.focalDevice: required (an exposure needs the device)"},
    {NULL, "'removed'", "'cleaned'", DS_EINVAL,
     "Procedure.focalDevice[0].action.coding[0].code: expected implanted, "
     "explanted, removed, revised, replaced or manipulated, got \"cleaned\""},
    {NULL, "'#dev1'", "'Device/dev1'", DS_EINVAL,
     "Procedure.focalDevice[0].manipulated.reference: expected \"#id\" of "
     "a contained Device (the engine resolves nothing outside the message; "
     "ds-publish copies Bundle Devices in), got \"Device/dev1\""},
    {NULL, "'#dev1'", "'#dev2'", DS_EINVAL,
     "Procedure.focalDevice[0].manipulated.reference: no contained "
     "resource has this id, got \"#dev2\""},
    {NULL, "'code':'LWS'", "'code':'lws'", DS_EINVAL,
     "Procedure.contained[0].type.coding[1].code: expected an FDA product "
     "code (3 upper-case letters A-Z), got \"lws\""},
    {NULL, "'http://www.accessdata.fda.gov/productcode'", "'urn:x'", DS_EINVAL,
     "Procedure.contained[0].type: no FDA product code (a coding whose "
     "system contains \"fda\" with a 3-letter code); a exposure needs one"},
    {NULL, "'manipulated':{'reference':'#dev1'}", "'x':1", DS_EINVAL,
     "Procedure.focalDevice[0].manipulated: required"},
    {NULL, "'note':[{", "'note':[7,{", DS_EINVAL,
     "Procedure.note[0]: expected object, got number"},
};

static const struct s_case s_doc_rejects[] = {
    {NULL, "'data':'Q2Fy", "'data':'*Q2Fy", DS_EINVAL,
     "DocumentReference.content[0].attachment.data: not valid base64"},
    {NULL, "'data':'Q2FyZGlvbG9neSBub3RlOiBJQ0QgbGVhZCBm\\ncmFjdHVyZSwgw6k='",
     "'data':''", DS_EINVAL,
     "DocumentReference.content[0].attachment.data: empty (a note needs "
     "text)"},
    {NULL, "'data':'Q2FyZGlvbG9neSBub3RlOiBJQ0QgbGVhZCBm\\ncmFjdHVyZSwgw6k='",
     "'data':'wyg='", DS_EINVAL,
     "DocumentReference.content[0].attachment.data: decoded text not valid "
     "UTF-8 (at byte 0)"},
    {NULL, "'data':'Q2FyZGlvbG9neSBub3RlOiBJQ0QgbGVhZCBm\\ncmFjdHVyZSwgw6k='",
     "'data':'YQBi'", DS_EINVAL,
     "DocumentReference.content[0].attachment.data: decoded text contains "
     "a NUL byte (at byte 1)"},
    {NULL, "'data':'Q2FyZGlvbG9neSBub3RlOiBJQ0QgbGVhZCBm\\ncmFjdHVyZSwgw6k='",
     "'url':'https://ehr.example/Binary/9'", DS_EINVAL,
     "DocumentReference.content[0].attachment.url: the engine does not "
     "fetch attachments; send the text inline in attachment.data "
     "(base64)"},
    {NULL, "'text/plain; charset=utf-8'", "'application/pdf'", DS_EINVAL,
     "DocumentReference.content[0].attachment.contentType: expected "
     "text/plain (UTF-8): the engine reads plain text notes only, got "
     "\"application/pdf\""},
    {NULL, "'content':[", "'content':[],'x':[", DS_EINVAL,
     "DocumentReference.content: required (empty array)"},
    {NULL, "'date':", "'dat':", DS_EINVAL,
     "DocumentReference.date: required (or context.period.start)"},
    {NULL, "'https://ehr.example/fhir/Patient/p1'", "'urn:uuid:1'", DS_EINVAL,
     "DocumentReference.subject.reference: expected Patient/<id>, got "
     "\"urn:uuid:1\""},
};

static const struct s_case s_ae_rejects[] = {
    {NULL, "'actual'", "'potential'", DS_EINVAL,
     "AdverseEvent.actuality: a potential adverse event is not an event "
     "(only actual ones are counted)"},
    {NULL, "'actuality':'actual',", "", DS_EINVAL,
     "AdverseEvent.actuality: required"},
    {NULL, "'subject'", "'subj'", DS_EINVAL, "AdverseEvent.subject: required"},
    {NULL, "'E0505'", "'E050'", DS_EINVAL,
     "AdverseEvent.event.coding[1].code: expected an IMDRF code (a letter "
     "A-G then 2, 4, 6 or 8 digits), got \"E050\""},
    {NULL, "'suspectEntity'", "'suspect'", DS_EINVAL,
     "AdverseEvent.suspectEntity: required for a coded (IMDRF) event: the "
     "suspect Device"},
    {NULL, "'#dev1'", "'Medication/m1'", DS_EINVAL,
     "AdverseEvent.suspectEntity[0].instance.reference: expected \"#id\" "
     "of a contained Device (the engine resolves nothing outside the "
     "message; ds-publish copies Bundle Devices in), got \"Medication/m1\""},
    {NULL, "'date'", "'dat'", DS_EINVAL,
     "AdverseEvent.date: required (or detected or recordedDate)"},
    {NULL, "'resourceType':'Device'", "'resourceType':'Substance'", DS_EINVAL,
     "AdverseEvent.suspectEntity[0].instance.reference: expected a "
     "reference to a Device, got \"Substance\""},
};

static int s_check_cases(const struct s_case *c, size_t n, const char *base,
                         char *why, size_t cap)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev, zero = {0};
    struct ds_diag diag;
    char json[8192];
    for (size_t i = 0; i < n; i++) {
        const char *b = c[i].base ? c[i].base : base;
        if (!c[i].base && !c[i].from)
            b = "[1]";
        snprintf(json, sizeof json, "%s", b);
        if (c[i].from) {
            const char *at = strstr(b, c[i].from);
            if (!at)
                return snprintf(why, cap, "case %zu: no '%s'", i, c[i].from);
            snprintf(json, sizeof json, "%.*s%s%s", (int)(at - b), b, c[i].to,
                     at + strlen(c[i].from));
        }
        int rc = s_dec(d, json, &ev, &diag);
        if (rc != c[i].rc || strcmp(diag.msg, c[i].msg) != 0 ||
            memcmp(&ev, &zero, sizeof ev) != 0) {
            eng_decoder_destroy(&d);
            return snprintf(why, cap, "case %zu: rc %d \"%s\"", i, rc,
                            diag.msg);
        }
    }
    eng_decoder_destroy(&d);
    return 0;
}

TEST(rejects_name_the_fhir_path)
{
    char why[1024] = "";
    s_check_cases(s_rejects, sizeof s_rejects / sizeof s_rejects[0], s_proc,
                  why, sizeof why);
    CHECK_STR(why, "");
    s_check_cases(s_doc_rejects, sizeof s_doc_rejects / sizeof s_doc_rejects[0],
                  s_doc, why, sizeof why);
    CHECK_STR(why, "");
    s_check_cases(s_ae_rejects, sizeof s_ae_rejects / sizeof s_ae_rejects[0],
                  s_ae, why, sizeof why);
    CHECK_STR(why, "");
}

TEST(map_alone_zeroes_on_error_and_diag_may_be_null)
{
    struct eng_fhir_scratch s = {0};
    struct eng_event ev, zero = {0};
    json_t *res = json_loads(s_q(s_ae), 0, NULL);
    CHECK(res != NULL);
    CHECK_INT(eng_fhir_map(res, &s, &ev, NULL), 0);
    CHECK(ds_span_eq(ev.id, "AdverseEvent/ae-1"));
    json_object_set_new(res, "actuality", json_string("potential"));
    CHECK_INT(eng_fhir_map(res, &s, &ev, NULL), DS_EINVAL);
    CHECK(memcmp(&ev, &zero, sizeof ev) == 0);
    int64_t ms = 0;
    CHECK_INT(eng_fhir_event_time(res, &ms), 0);
    CHECK_INT(ms, 1772404800000LL);
    json_decref(res);
    eng_fhir_scratch_clear(&s);
    CHECK(s.p == NULL && s.cap == 0);
}

TEST(reuse_does_not_grow_memory)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *in[] = {s_proc, s_doc, s_ae, "{'resourceType':'Patient'}"};
    CHECK_INT(s_dec(d, s_doc, &ev, &diag), 0);
    CHECK_INT(s_dec(d, s_proc, &ev, &diag), 0);
    int64_t live = s_live();
    for (int i = 0; i < 400; i++) {
        int rc = s_dec(d, in[i % 4], &ev, &diag);
        if (rc != (i % 4 == 3 ? DS_EUNSUPP : 0))
            TEST_FAIL_("decode %d: %d %s", i, rc, diag.msg);
    }
    CHECK_INT(s_dec(d, s_proc, &ev, &diag), 0);
    CHECK_INT(s_live(), live);
    eng_decoder_destroy(&d);
}

/* Fail allocation 1, 2, ... of new + decode until one run needs no
 * injected failure; each must give want or DS_ENOMEM and leak nothing. */
static int s_torture(const char *json, int want, char *why, size_t cap)
{
    for (uint64_t k = 1; k < 100000; k++) {
        int64_t live = s_live();
        struct eng_event ev;
        struct ds_diag diag;
        ds_alloc_fail_at(k);
        eng_decoder_t *d = eng_decoder_new();
        int rc = d ? s_dec(d, json, &ev, &diag) : DS_ENOMEM;
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        eng_decoder_destroy(&d);
        if (rc != (fired ? DS_ENOMEM : want) || s_live() != live)
            return snprintf(why, cap, "k=%llu fired=%d rc=%d",
                            (unsigned long long)k, fired, rc);
        if (!fired)
            return 0;
    }
    return snprintf(why, cap, "never succeeded");
}

TEST(allocation_failure_torture)
{
    char why[160] = "";
    s_torture(s_doc, 0, why, sizeof why);
    CHECK_STR(why, "");
    s_torture(s_proc, 0, why, sizeof why);
    CHECK_STR(why, "");
}

/* ---- site preparation ---- */

struct s_out {
    char *msg[16];
    int64_t ts[16];
    size_t n;
};

static int s_collect(void *arg, const char *json, size_t n, int64_t ts_ms)
{
    struct s_out *o = arg;
    if (o->n == 16)
        return DS_ERANGE;
    o->msg[o->n] = strndup(json, n);
    o->ts[o->n++] = ts_ms;
    return 0;
}

static void s_out_free(struct s_out *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->msg[i]);
    o->n = 0;
}

/* Line k (1-based) of a fixture file, malloc'd. */
static char *s_line(const char *file, int k)
{
    FILE *f = fopen(file, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = -1;
    for (int i = 0; f && i < k; i++)
        len = getline(&line, &cap, f);
    if (f)
        fclose(f);
    if (len <= 0) {
        free(line);
        return NULL;
    }
    line[strcspn(line, "\n")] = '\0';
    return line;
}

static int s_prepare(const char *file, int k, const struct eng_pseudo_key *key,
                     struct s_out *o, struct eng_fhir_site_stats *st,
                     struct ds_diag *diag)
{
    char *line = s_line(file, k);
    if (!line)
        return -999;
    int rc =
        eng_fhir_site_prepare(line, strlen(line), key, s_collect, o, st, diag);
    free(line);
    return rc;
}

static int s_dec_raw(eng_decoder_t *d, const char *json, struct eng_event *ev,
                     struct ds_diag *diag)
{
    return eng_decoder_decode(d, ds_span_str(ENG_CTYPE_FHIR_JSON), json,
                              strlen(json), ev, diag);
}

TEST(bundle_split_contains_the_device)
{
    struct s_out o = {0};
    struct eng_fhir_site_stats st = {0};
    struct ds_diag diag;
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    CHECK_INT(s_prepare(FIXTURES "bundle_icd.ndjson", 1, NULL, &o, &st, &diag),
              0);
    CHECK_INT(o.n, 1); /* Patient and Encounter stay, the Device is inside */
    CHECK_INT(st.skipped, 2);
    CHECK_INT(st.contained, 1);
    CHECK_INT(st.emitted, 1);
    CHECK_INT(st.lines, 1);
    CHECK_HAS(o.msg[0], "\"focalDevice\":[{\"action\":{\"coding\":[{\"system\":"
                        "\"http://hl7.org/fhir/device-action\",\"code\":"
                        "\"implanted\"}]},\"manipulated\":{\"reference\":"
                        "\"#d1\"}}]");
    CHECK_HAS(o.msg[0], "\"usedReference\":[{\"reference\":\"#d1\"}]");
    CHECK_HAS(o.msg[0], "\"contained\":[{\"resourceType\":\"Device\","
                        "\"id\":\"d1\"");
    CHECK(strstr(o.msg[0], "Device/d1") == NULL);
    /* 2026-01-10T09:30:00+01:00 = 08:30Z: date -d ... +%s -> 1768033800 */
    CHECK_INT(o.ts[0], 1768033800000LL);
    CHECK_INT(s_dec_raw(d, o.msg[0], &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_EXPOSURE);
    CHECK_INT(ev.proc_action, ENG_PROC_IMPLANTED);
    CHECK(ds_span_eq(ev.product_code, "LWS"));
    CHECK(ds_span_eq(ev.patient, "p1"));
    CHECK(ds_span_eq(ev.encounter, "e12"));
    CHECK_INT(ev.time_ms, o.ts[0]);
    s_out_free(&o);
    eng_decoder_destroy(&d);
}

TEST(bundle_urn_references_become_type_and_id)
{
    struct s_out o = {0};
    struct eng_fhir_site_stats st = {0};
    struct ds_diag diag;
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    CHECK_INT(s_prepare(FIXTURES "bundle_icd.ndjson", 2, NULL, &o, &st, &diag),
              0);
    CHECK_INT(o.n, 1);
    CHECK(strstr(o.msg[0], "urn:uuid") == NULL);
    CHECK_INT(s_dec_raw(d, o.msg[0], &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_NOTE);
    CHECK(ds_span_eq(ev.patient, "p1"));
    CHECK(ds_span_eq(ev.encounter, "e13"));
    CHECK_HAS(ev.text.p, "ICD lead fracture (Acme DF-4)");
    s_out_free(&o);
    eng_decoder_destroy(&d);
}

TEST(bundle_shared_device_and_unreferenced_device)
{
    struct s_out o = {0};
    struct eng_fhir_site_stats st = {0};
    struct ds_diag diag;
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    CHECK_INT(s_prepare(FIXTURES "bundle_icd.ndjson", 3, NULL, &o, &st, &diag),
              0);
    CHECK_INT(o.n, 3); /* AdverseEvent, Procedure, the spare Device */
    CHECK_INT(st.contained, 2);
    CHECK_INT(s_dec_raw(d, o.msg[0], &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_OUTCOME);
    CHECK(ds_span_eq(ev.event_code, "E0505"));
    CHECK_HAS(o.msg[0], "{\"reference\":\"#dev0\"}");
    CHECK_INT(s_dec_raw(d, o.msg[1], &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_EXPOSURE);
    CHECK_INT(ev.proc_action, ENG_PROC_EXPLANTED);
    CHECK_INT(ev.time_ms, o.ts[1]);
    CHECK_INT(o.ts[2], 0);
    CHECK_HAS(o.msg[2], "\"id\":\"spare\"");
    CHECK_INT(s_dec_raw(d, o.msg[2], &ev, &diag), DS_EINVAL);
    CHECK_HAS(diag.msg, "Device: a Device alone is not an event");
    s_out_free(&o);
    eng_decoder_destroy(&d);
}

static void s_key(struct eng_pseudo_key *key, uint8_t fill)
{
    memset(key->k, fill, sizeof key->k);
}

TEST(pseudonymised_output_holds_no_raw_identifier)
{
    static const char *const raw[] = {
        "Patient/p1\"", "Encounter/e12", "Encounter/e13", "MRN-884213",
        "Martin",       "Claire",        "OR-2026-0042",  "DOC-99812",
        "identifier",   "\"div\"",       "\"p1\"",
    };
    struct eng_pseudo_key key;
    char p1[ENG_PSEUDO_LEN + 1], e12[ENG_PSEUDO_LEN + 1];
    struct s_out o = {0};
    struct eng_fhir_site_stats st = {0};
    struct ds_diag diag;
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    s_key(&key, 7);
    eng_pseudo_id(&key, ENG_PSEUDO_PATIENT, ds_span_str("p1"), p1);
    eng_pseudo_id(&key, ENG_PSEUDO_ENCOUNTER, ds_span_str("e12"), e12);
    for (int line = 1; line <= 3; line++)
        CHECK_INT(
            s_prepare(FIXTURES "bundle_icd.ndjson", line, &key, &o, &st, &diag),
            0);
    CHECK_INT(o.n, 5);
    for (size_t i = 0; i < o.n; i++)
        for (size_t r = 0; r < sizeof raw / sizeof raw[0]; r++)
            if (strstr(o.msg[i], raw[r]))
                TEST_FAIL_("message %zu holds %s: %s", i, raw[r], o.msg[i]);
    /* 3 + 2 + 5 references; Procedure identifier and subject display,
     * DocumentReference identifier */
    if (st.pseudonyms != 10 || st.removed != 3)
        TEST_FAIL_("pseudonyms %llu removed %llu",
                   (unsigned long long)st.pseudonyms,
                   (unsigned long long)st.removed);
    /* the implant: same pseudonym as the revision in another Bundle */
    CHECK_INT(s_dec_raw(d, o.msg[0], &ev, &diag), 0);
    CHECK(ds_span_eq(ev.patient, p1));
    CHECK(ds_span_eq(ev.encounter, e12));
    CHECK_INT(s_dec_raw(d, o.msg[3], &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_EXPOSURE);
    CHECK(ds_span_eq(ev.patient, p1));
    /* the note's urn:uuid subject resolved, then pseudonymised */
    CHECK_INT(s_dec_raw(d, o.msg[1], &ev, &diag), 0);
    CHECK(ds_span_eq(ev.patient, p1));
    s_out_free(&o);
    /* another key, other pseudonyms */
    s_key(&key, 8);
    CHECK_INT(s_prepare(FIXTURES "bundle_icd.ndjson", 1, &key, &o, &st, &diag),
              0);
    CHECK(strstr(o.msg[0], p1) == NULL);
    s_out_free(&o);
    eng_decoder_destroy(&d);
}

TEST(contained_patient_removed_under_pseudonymisation)
{
    struct eng_pseudo_key key;
    struct s_out o = {0};
    struct ds_diag diag;
    const char *json =
        s_q("{'resourceType':'AdverseEvent','id':'a','actuality':'actual',"
            "'text':{'status':'generated','div':'<div>Jane Roe</div>'},"
            "'contained':[{'resourceType':'Patient','id':'pt','name':"
            "[{'family':'Roe'}]}],'subject':{'reference':'Patient/123 456',"
            "'identifier':{'value':'MRN9'},'display':'Jane Roe'},"
            "'event':{'text':'x'},'date':'2026-03-01T22:40:00Z'}");
    s_key(&key, 1);
    CHECK_INT(eng_fhir_site_prepare(json, strlen(json), &key, s_collect, &o,
                                    NULL, &diag),
              0);
    CHECK_INT(o.n, 1);
    CHECK(strstr(o.msg[0], "Roe") == NULL && strstr(o.msg[0], "MRN9") == NULL);
    CHECK(strstr(o.msg[0], "123 456") == NULL);
    CHECK_HAS(o.msg[0], "\"subject\":{\"reference\":\"Patient/ps-");
    CHECK_HAS(o.msg[0], "\"contained\":[]");
    CHECK_INT(o.ts[0], 1772404800000LL);
    s_out_free(&o);
}

TEST(invalid_lines_emit_nothing)
{
    static const struct {
        int rc;
        const char *msg;
    } want[] = {
        {DS_EPARSE, "invalid JSON at line 1 column 3: '[' or '{' expected "
                    "near 'not'"},
        {DS_EINVAL, "top level: expected a FHIR resource (object), got array"},
        {DS_EINVAL, "resourceType: required (not a FHIR resource)"},
        {DS_EINVAL, "Bundle.type: expected collection, transaction, message, "
                    "batch or searchset, got \"document\""},
        {DS_EINVAL, "Bundle.entry[0].resource.resourceType: required"},
        {DS_EINVAL, "Bundle.entry[0].resource: a Bundle inside a Bundle is "
                    "not supported"},
        {DS_EUNSUPP, "Observation: not a resource the engine reads; kept at "
                     "the site"},
        {DS_EINVAL, "conditional reference cannot be pseudonymised; resolve "
                    "it to Patient/<id> or Encounter/<id>"},
    };
    struct eng_pseudo_key key;
    struct s_out o = {0};
    struct ds_diag diag;
    s_key(&key, 3);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int rc = s_prepare(FIXTURES "invalid.ndjson", (int)i + 1, &key, &o,
                           NULL, &diag);
        if (rc != want[i].rc || strcmp(diag.msg, want[i].msg) || o.n)
            TEST_FAIL_("line %zu: rc %d n %zu \"%s\"", i + 1, rc, o.n,
                       diag.msg);
    }
    /* without a key the conditional reference goes on (engine decides) */
    CHECK_INT(s_prepare(FIXTURES "invalid.ndjson", 8, NULL, &o, NULL, &diag),
              0);
    CHECK_INT(o.n, 1);
    s_out_free(&o);
}

static int s_refuse(void *arg, const char *json, size_t n, int64_t ts_ms)
{
    (void)arg, (void)json, (void)n, (void)ts_ms;
    return DS_EIO;
}

TEST(emit_error_stops_and_is_returned)
{
    struct ds_diag diag;
    struct eng_fhir_site_stats st = {0};
    char *line = s_line(FIXTURES "bundle_icd.ndjson", 3);
    CHECK(line != NULL);
    int rc = eng_fhir_site_prepare(line, strlen(line), NULL, s_refuse, NULL,
                                   &st, &diag);
    free(line);
    CHECK_INT(rc, DS_EIO);
    CHECK_INT(st.emitted, 0);
    CHECK_INT(st.lines, 0);
}

int main(void)
{
    eng_decoder_t *d = eng_decoder_new(); /* jansson on ds_alloc first */
    eng_decoder_destroy(&d);
    RUN(procedure_is_an_exposure_of_the_contained_device);
    RUN(device_actions);
    RUN(document_reference_is_a_note_with_decoded_text);
    RUN(document_time_falls_back_to_context_period);
    RUN(coded_adverse_event_is_an_outcome);
    RUN(uncoded_adverse_event_is_a_report);
    RUN(content_type_with_charset);
    RUN(rejects_name_the_fhir_path);
    RUN(map_alone_zeroes_on_error_and_diag_may_be_null);
    RUN(reuse_does_not_grow_memory);
    RUN(allocation_failure_torture);
    RUN(bundle_split_contains_the_device);
    RUN(bundle_urn_references_become_type_and_id);
    RUN(bundle_shared_device_and_unreferenced_device);
    RUN(pseudonymised_output_holds_no_raw_identifier);
    RUN(contained_patient_removed_under_pseudonymisation);
    RUN(invalid_lines_emit_nothing);
    RUN(emit_error_stops_and_is_returned);
    return test_report();
}
