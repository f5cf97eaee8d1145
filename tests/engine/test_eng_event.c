/*
 * test_eng_event.c - decoding native event envelopes, as ingest uses
 * eng_event.h: one decoder reused for every message, spans read before the
 * next decode, every reject answered with a code and a reason that starts
 * with the field path.
 *
 * Also here: decoder reuse without memory growth, and allocation-failure
 * torture (every allocation of new + decode failed in turn, the
 * parser's included). Not here: random inputs (tests/fuzz/fuzz_event.c) and
 * time arithmetic (test_eng_time.c).
 */
#include "devsurv/eng_event.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>

/* A full note: every field of the envelope set. */
static const char *const s_note =
    "{\"id\":\"hospA-000042\",\"kind\":\"note\","
    "\"time\":\"2026-03-02T10:15:00.250+01:00\","
    "\"patient\":\"p-7f3a\",\"encounter\":\"e-12\","
    "\"device\":{\"product_code\":\"DTB\","
    "\"udi\":\"(01)00614141999996(21)SN1\",\"brand\":\"Acme\","
    "\"model\":\"Pace 2\"},"
    "\"procedure\":{\"code\":\"0JH606Z\",\"action\":\"implanted\"},"
    "\"event\":{\"code\":\"E0505\",\"term\":\"pocket pain\"},"
    "\"text\":\"Pocket pain two weeks after implant.\"}";

/* Decode NUL-terminated json with the native content type. */
static int s_decode(eng_decoder_t *d, const char *json, struct eng_event *ev,
                    struct ds_diag *diag)
{
    return eng_decoder_decode(d, ds_span_str(ENG_CTYPE_EVENT_JSON), json,
                              strlen(json), ev, diag);
}

/* Live blocks according to the ds_alloc counters (a resizing realloc
 * counts as an allocation: ds_alloc.h). */
static int64_t s_live(void)
{
    struct ds_alloc_stats st;
    ds_alloc_stats(&st);
    return (int64_t)(st.allocs - st.frees - st.reallocs);
}

TEST(note_with_every_field)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    CHECK(d != NULL);
    CHECK_INT(s_decode(d, s_note, &ev, &diag), 0);
    CHECK_STR(diag.msg, "");
    CHECK_INT(ev.kind, ENG_EV_NOTE);
    /* date -d 2026-03-02T10:15:00.250+01:00 +%s%3N -> 1772442900250 */
    CHECK_INT(ev.time_ms, 1772442900250LL);
    CHECK(ds_span_eq(ev.id, "hospA-000042"));
    CHECK(ds_span_eq(ev.patient, "p-7f3a"));
    CHECK(ds_span_eq(ev.encounter, "e-12"));
    CHECK(ds_span_eq(ev.product_code, "DTB"));
    CHECK(ds_span_eq(ev.udi, "(01)00614141999996(21)SN1"));
    CHECK(ds_span_eq(ev.brand, "Acme"));
    CHECK(ds_span_eq(ev.model, "Pace 2"));
    CHECK(ds_span_eq(ev.proc_code, "0JH606Z"));
    CHECK_INT(ev.proc_action, ENG_PROC_IMPLANTED);
    CHECK(ds_span_eq(ev.event_code, "E0505"));
    CHECK(ds_span_eq(ev.event_term, "pocket pain"));
    CHECK(ds_span_eq(ev.text, "Pocket pain two weeks after implant."));
    eng_decoder_destroy(&d);
    CHECK(d == NULL);
}

TEST(report_minimal_absent_fields_are_empty)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *json = "{\"id\":\"r1\",\"kind\":\"report\","
                       "\"time\":\"1970-01-01T00:00:00Z\","
                       "\"text\":\"Lead fractured \\u00e9\\n\\\"x\\\"\"}";
    CHECK_INT(s_decode(d, json, &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_REPORT);
    CHECK_INT(ev.time_ms, 0);
    CHECK(ds_span_eq(ev.id, "r1"));
    CHECK(ds_span_eq(ev.text, "Lead fractured \xc3\xa9\n\"x\""));
    CHECK(ev.patient.p == NULL && ev.patient.n == 0);
    CHECK(ev.encounter.p == NULL && ev.product_code.p == NULL);
    CHECK(ev.udi.p == NULL && ev.brand.p == NULL && ev.model.p == NULL);
    CHECK(ev.proc_code.p == NULL && ev.event_code.p == NULL);
    CHECK(ev.event_term.p == NULL);
    CHECK_INT(ev.proc_action, ENG_PROC_NONE);
    eng_decoder_destroy(&d);
}

TEST(exposure_needs_only_a_product_code)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *json = "{\"id\":\"x-9\",\"kind\":\"exposure\","
                       "\"time\":\"2000-02-29T12:00:00Z\","
                       "\"device\":{\"product_code\":\"LWS\"},"
                       "\"procedure\":{\"action\":\"explanted\"}}";
    CHECK_INT(s_decode(d, json, &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_EXPOSURE);
    /* date -d 2000-02-29T12:00:00Z +%s -> 951825600 */
    CHECK_INT(ev.time_ms, 951825600000LL);
    CHECK(ds_span_eq(ev.id, "x-9"));
    CHECK(ds_span_eq(ev.product_code, "LWS"));
    CHECK_INT(ev.proc_action, ENG_PROC_EXPLANTED);
    CHECK(ev.proc_code.n == 0 && ev.text.n == 0);
    eng_decoder_destroy(&d);
}

TEST(outcome_with_short_imdrf_code)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *json = "{\"kind\":\"outcome\",\"id\":\"o-1\","
                       "\"time\":\"2026-03-02 10:15:00z\","
                       "\"device\":{\"product_code\":\"NIQ\"},"
                       "\"procedure\":{\"code\":\"P1\",\"action\":\"revised\"},"
                       "\"event\":{\"code\":\"E05\"}}";
    CHECK_INT(s_decode(d, json, &ev, &diag), 0);
    CHECK_INT(ev.kind, ENG_EV_OUTCOME);
    /* date -d 2026-03-02T10:15:00Z +%s -> 1772446500 */
    CHECK_INT(ev.time_ms, 1772446500000LL);
    CHECK(ds_span_eq(ev.product_code, "NIQ"));
    CHECK(ds_span_eq(ev.event_code, "E05"));
    CHECK(ds_span_eq(ev.proc_code, "P1"));
    CHECK_INT(ev.proc_action, ENG_PROC_REVISED);
    CHECK(ev.event_term.n == 0);
    eng_decoder_destroy(&d);
}

TEST(unknown_members_are_ignored)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    const char *json = "{\"id\":\"u\",\"kind\":\"exposure\",\"v\":2,"
                       "\"time\":\"2026-03-02T10:15:00Z\","
                       "\"extra\":{\"deep\":[1,2.5,null,true]},"
                       "\"device\":{\"product_code\":\"DTB\",\"colour\":7},"
                       "\"procedure\":{\"side\":\"left\"}}";
    CHECK_INT(s_decode(d, json, &ev, &diag), 0);
    CHECK(ds_span_eq(ev.product_code, "DTB"));
    CHECK_INT(ev.proc_action, ENG_PROC_NONE);
    eng_decoder_destroy(&d);
}

TEST(content_type_with_charset)
{
    static const char *const ok[] = {
        ENG_CTYPE_EVENT_JSON "; charset=utf-8",
        ENG_CTYPE_EVENT_JSON ";charset=UTF-8",
        ENG_CTYPE_EVENT_JSON " ; Charset=Utf-8 ",
    };
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int rc = eng_decoder_decode(d, ds_span_str(ok[i]), s_note,
                                    strlen(s_note), &ev, &diag);
        if (rc != 0)
            TEST_FAIL_("'%s': %d %s", ok[i], rc, diag.msg);
        CHECK(ds_span_eq(ev.id, "hospA-000042"));
    }
    eng_decoder_destroy(&d);
}

TEST(unsupported_content_types)
{
    static const char *const bad[] = {
        "application/json",
        "application/fhir+xml", /* application/fhir+json is eng_fhir.h's */
        "APPLICATION/VND.DEVSURV.EVENT+JSON",
        ENG_CTYPE_EVENT_JSON "x",
        ENG_CTYPE_EVENT_JSON "; charset=latin1",
        ENG_CTYPE_EVENT_JSON "; charset=utf-8; q=1",
        ENG_CTYPE_EVENT_JSON ";",
        "",
    };
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = eng_decoder_decode(d, ds_span_str(bad[i]), s_note,
                                    strlen(s_note), &ev, &diag);
        if (rc != DS_EUNSUPP)
            TEST_FAIL_("'%s' gave %d", bad[i], rc);
        CHECK_HAS(diag.msg, "unsupported content type '");
        CHECK_HAS(diag.msg, bad[i]);
    }
    eng_decoder_destroy(&d);
}

TEST(unsupported_content_type_is_escaped_and_cut)
{
    char ctype[300];
    memset(ctype, 'a', sizeof ctype);
    memcpy(ctype, "text/\n'\x01\xff", 9);
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    struct ds_span ct = {ctype, sizeof ctype};
    CHECK_INT(eng_decoder_decode(d, ct, "{}", 2, &ev, &diag), DS_EUNSUPP);
    CHECK_HAS(diag.msg, "'text/\\x0A\\'\\x01\\xFFaaa");
    CHECK_HAS(diag.msg, "aaa...'");
    CHECK(strlen(diag.msg) < 160);
    /* a NULL span is a content type too: the empty one */
    struct ds_span none = {NULL, 0};
    CHECK_INT(eng_decoder_decode(d, none, "{}", 2, &ev, &diag), DS_EUNSUPP);
    CHECK_STR(diag.msg, "unsupported content type ''");
    eng_decoder_destroy(&d);
}

/* One reject: payload, expected code, a substring of the diag. */
struct s_reject {
    const char *json;
    int rc;
    const char *has;
};

/* Every case must fail with its code, a diag naming the field, no file
 * name and an event left zeroed. 0, or a description of the first miss. */
static int s_rejects(const struct s_reject *cases, size_t ncases, char *why,
                     size_t cap)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev, zero;
    struct ds_diag diag;
    memset(&zero, 0, sizeof zero);
    int bad = 0;
    for (size_t i = 0; i < ncases && !bad; i++) {
        const struct s_reject *c = &cases[i];
        int rc = eng_decoder_decode(d, ds_span_str(ENG_CTYPE_EVENT_JSON),
                                    c->json, strlen(c->json), &ev, &diag);
        if (rc != c->rc || !strstr(diag.msg, c->has) || diag.file[0] ||
            memcmp(&ev, &zero, sizeof ev) != 0)
            bad = snprintf(why, cap, "case %zu: rc %d (want %d), \"%s\"", i, rc,
                           c->rc, diag.msg);
    }
    eng_decoder_destroy(&d);
    return bad;
}

#define CHECK_REJECTS(cases)                                                   \
    do {                                                                       \
        char why_[700] = "";                                                   \
        s_rejects(cases, sizeof cases / sizeof cases[0], why_, sizeof why_);   \
        CHECK_STR(why_, "");                                                   \
    } while (0)

#define T0 "\"time\":\"2026-03-02T10:15:00Z\""

TEST(rejects_invalid_json)
{
    static const struct s_reject cases[] = {
        {"", DS_EPARSE, "invalid JSON at line 1 column 1: "},
        {"not json", DS_EPARSE, "invalid JSON at line 1"},
        {"42", DS_EPARSE, "'[' or '{' expected"},
        {"{\"id\":\"a\",\"id\":\"b\"}", DS_EPARSE, "duplicate object key"},
        {"{\"id\":\"a\\u0000b\"}", DS_EPARSE, "\\u0000 is not allowed"},
        {"{\"a\\u0000\":1}", DS_EPARSE, "NUL byte in object key"},
        {"{\"id\":\"a\xff\"}", DS_EPARSE, "unable to decode byte 0xff"},
        {"{\"id\":\"\xc3\x28\"}", DS_EPARSE, "unable to decode byte"},
        {"{\"id\":\"a\"} {}", DS_EPARSE, "end of file expected"},
        {"{\"id\":\"a\",}", DS_EPARSE, "line 1 column 11"},
        {"{\"id\":\n\"a\n\"}", DS_EPARSE,
         "line 2 column 3: unexpected newline"},
        {"[1,2]", DS_EINVAL, "top level: expected object, got array"},
    };
    CHECK_REJECTS(cases);
}

TEST(rejects_deep_nesting)
{
    static char json[5001];
    memset(json, '[', sizeof json - 1);
    struct s_reject cases[] = {{json, DS_EPARSE, "maximum parsing depth"}};
    CHECK_REJECTS(cases);
}

TEST(rejects_raw_nul_byte)
{
    /* The payload is bytes, not a C string: a NUL inside is just input. */
    static const char json[] = "{\"id\":\"a\0\"}";
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    CHECK_INT(eng_decoder_decode(d, ds_span_str(ENG_CTYPE_EVENT_JSON), json,
                                 sizeof json - 1, &ev, &diag),
              DS_EPARSE);
    CHECK_HAS(diag.msg, "control character 0x0");
    eng_decoder_destroy(&d);
}

TEST(rejects_missing_required)
{
    static const struct s_reject cases[] = {
        {"{\"kind\":\"note\"," T0 ",\"text\":\"t\"}", DS_EINVAL,
         "id: required"},
        {"{\"id\":\"a\"," T0 ",\"text\":\"t\"}", DS_EINVAL, "kind: required"},
        {"{\"id\":\"a\",\"kind\":\"note\",\"text\":\"t\"}", DS_EINVAL,
         "time: required"},
        {"{}", DS_EINVAL, "id: required"},
    };
    CHECK_REJECTS(cases);
}

TEST(rejects_wrong_types)
{
    static const struct s_reject cases[] = {
        {"{\"id\":42}", DS_EINVAL, "id: expected string, got number"},
        {"{\"id\":\"a\",\"kind\":null}", DS_EINVAL,
         "kind: expected string, got null"},
        {"{\"id\":\"a\",\"kind\":\"note\",\"time\":1.5e9}", DS_EINVAL,
         "time: expected string, got number"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"patient\":false}", DS_EINVAL,
         "patient: expected string, got boolean"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"device\":\"DTB\"}",
         DS_EINVAL, "device: expected object, got string"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"device\":{\"udi\":[1]}}",
         DS_EINVAL, "device.udi: expected string, got array"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"procedure\":[]}", DS_EINVAL,
         "procedure: expected object, got array"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"event\":{\"term\":{}}}",
         DS_EINVAL, "event.term: expected string, got object"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"text\":true}", DS_EINVAL,
         "text: expected string, got boolean"},
    };
    CHECK_REJECTS(cases);
}

TEST(rejects_bad_values)
{
    static const struct s_reject cases[] = {
        {"{\"id\":\"a\",\"kind\":\"Note\"}", DS_EINVAL,
         "kind: expected one of note, report, exposure, outcome, got "
         "\"Note\""},
        {"{\"id\":\"a\",\"kind\":\"note\",\"time\":\"2026-03-02T10:15:00\"}",
         DS_EINVAL, "time: not an RFC 3339 date-time with offset, got "},
        {"{\"id\":\"a\",\"kind\":\"note\",\"time\":\"2025-02-29T00:00:00Z\"}",
         DS_EINVAL, "time: date or time field out of range"},
        {"{\"id\":\"a\",\"kind\":\"exposure\"," T0
         ",\"device\":{\"product_code\":\"dtb1\"}}",
         DS_EINVAL,
         "device.product_code: expected 3 upper-case letters A-Z, got "
         "\"dtb1\""},
        {"{\"id\":\"a\",\"kind\":\"outcome\"," T0
         ",\"event\":{\"code\":\"E050\"}}",
         DS_EINVAL, "event.code: expected an IMDRF code"},
        {"{\"id\":\"a\",\"kind\":\"outcome\"," T0
         ",\"event\":{\"code\":\"X0505\"}}",
         DS_EINVAL, "got \"X0505\""},
        {"{\"id\":\"\",\"kind\":\"note\"}", DS_EINVAL,
         "id: expected 1..128 bytes, got 0"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"patient\":\"p\\u0001q\"}",
         DS_EINVAL, "patient: control characters not allowed, got \"p\\x01q\""},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"encounter\":\"e\\u0085\"}",
         DS_EINVAL, "encounter: control characters not allowed"},
        {"{\"id\":\"a\\u007f\",\"kind\":\"note\"}", DS_EINVAL,
         "id: control characters not allowed, got \"a\\x7F\""},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0
         ",\"procedure\":{\"action\":\"removed\"}}",
         DS_EINVAL,
         "procedure.action: expected one of implanted, explanted, revised"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"device\":{\"brand\":\"\"}}",
         DS_EINVAL, "device.brand: expected 1..256 bytes, got 0"},
        {"{\"id\":\"a\",\"kind\":\"a\\\"b\\\\c\"}", DS_EINVAL,
         "got \"a\\\"b\\\\c\""},
    };
    CHECK_REJECTS(cases);
}

TEST(rejects_overlong_strings_and_cuts_the_quote)
{
    char id[200], code[200];
    snprintf(id, sizeof id, "{\"id\":\"%0129d\"}", 7);
    snprintf(code, sizeof code, "{\"id\":\"a\",\"kind\":\"%060d\"}", 0);
    struct s_reject cases[] = {
        {id, DS_EINVAL, "id: expected 1..128 bytes, got 129"},
        {code, DS_EINVAL,
         "got \"0000000000000000000000000000000000000000...\""},
    };
    CHECK_REJECTS(cases);
}

TEST(rejects_kind_rules)
{
    static const struct s_reject cases[] = {
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 "}", DS_EINVAL,
         "text: required for kind note"},
        {"{\"id\":\"a\",\"kind\":\"note\"," T0 ",\"text\":\"\"}", DS_EINVAL,
         "text: required for kind note"},
        {"{\"id\":\"a\",\"kind\":\"report\"," T0 "}", DS_EINVAL,
         "text: required for kind report"},
        {"{\"id\":\"a\",\"kind\":\"exposure\"," T0 ",\"text\":\"t\"}",
         DS_EINVAL, "device.product_code: required for kind exposure"},
        {"{\"id\":\"a\",\"kind\":\"outcome\"," T0
         ",\"event\":{\"code\":\"E05\"}}",
         DS_EINVAL, "device.product_code: required for kind outcome"},
        {"{\"id\":\"a\",\"kind\":\"outcome\"," T0
         ",\"device\":{\"product_code\":\"DTB\"}}",
         DS_EINVAL, "event.code: required for kind outcome"},
    };
    CHECK_REJECTS(cases);
}

TEST(diag_may_be_null)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    CHECK_INT(s_decode(d, "{}", &ev, NULL), DS_EINVAL);
    CHECK_INT(s_decode(d, s_note, &ev, NULL), 0);
    eng_decoder_destroy(&d);
    eng_decoder_destroy(&d); /* safe twice */
    eng_decoder_destroy(NULL);
}

TEST(reuse_does_not_grow_memory)
{
    eng_decoder_t *d = eng_decoder_new();
    struct eng_event ev;
    struct ds_diag diag;
    CHECK_INT(s_decode(d, s_note, &ev, &diag), 0);
    int64_t live = s_live();
    for (int i = 0; i < 1000; i++) {
        int rc = s_decode(d, i % 3 ? s_note : "{\"id\":1}", &ev, &diag);
        if (rc != (i % 3 ? 0 : DS_EINVAL))
            TEST_FAIL_("decode %d: %d %s", i, rc, diag.msg);
    }
    CHECK_INT(s_decode(d, s_note, &ev, &diag), 0);
    CHECK_INT(s_live(), live);
    eng_decoder_destroy(&d);
}

/* Fail allocation 1, 2, ... of new + decode(json) until one run needs no
 * injected failure. Every run must give want or DS_ENOMEM, leak nothing,
 * and a success must carry the right id. */
static int s_torture(const char *json, int want, const char *id, char *why,
                     size_t cap)
{
    for (uint64_t k = 1; k < 100000; k++) {
        int64_t live = s_live();
        struct eng_event ev;
        struct ds_diag diag;
        ds_alloc_fail_at(k);
        eng_decoder_t *d = eng_decoder_new();
        int rc = d ? s_decode(d, json, &ev, &diag) : DS_ENOMEM;
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (rc == 0 && !ds_span_eq(ev.id, id))
            rc = 1;
        eng_decoder_destroy(&d);
        if (rc != (fired ? DS_ENOMEM : want) || s_live() != live)
            return snprintf(why, cap, "k=%llu fired=%d rc=%d live %lld->%lld",
                            (unsigned long long)k, fired, rc, (long long)live,
                            (long long)s_live());
        if (!fired)
            return 0;
    }
    return snprintf(why, cap, "never succeeded");
}

TEST(allocation_failure_torture_valid)
{
    char why[160] = "";
    CHECK_INT(s_torture(s_note, 0, "hospA-000042", why, sizeof why), 0);
    CHECK_STR(why, "");
}

TEST(allocation_failure_torture_rejects)
{
    char why[160] = "";
    const char *dup = "{\"id\":\"a\",\"kind\":\"note\",\"id\":\"b\"}";
    const char *bad = "{\"id\":\"a\",\"kind\":\"note\"," T0
                      ",\"device\":{\"product_code\":\"dtb\"}}";
    CHECK_INT(s_torture(dup, DS_EPARSE, "", why, sizeof why), 0);
    CHECK_INT(s_torture(bad, DS_EINVAL, "", why, sizeof why), 0);
    CHECK_STR(why, "");
}

TEST(allocation_failure_torture_long_tokens)
{
    /* Tokens that made jansson's lexer buffer grow on their last byte
     * (14-byte key + quotes = 16, 15-digit number + ',' = 16, then 32...):
     * jansson 2.14 alone crashes when that growth fails (eng_event.c), and
     * the FHIR path still uses it; for ds_json they are just long tokens. */
    char why[160] = "";
    const char *json = "{\"abcdefghijklmn\":123456789012345,"
                       "\"abcdefghijklmnopqrstuvwxyz0123\":"
                       "1234567890123456789012345678901e0,"
                       "\"id\":\"a\",\"kind\":\"note\"," T0 ",\"text\":\"t\"}";
    CHECK_INT(s_torture(json, 0, "a", why, sizeof why), 0);
    CHECK_STR(why, "");
}

TEST(kind_names)
{
    CHECK_STR(eng_event_kind_name(ENG_EV_NOTE), "note");
    CHECK_STR(eng_event_kind_name(ENG_EV_REPORT), "report");
    CHECK_STR(eng_event_kind_name(ENG_EV_EXPOSURE), "exposure");
    CHECK_STR(eng_event_kind_name(ENG_EV_OUTCOME), "outcome");
    CHECK_STR(eng_event_kind_name((enum eng_event_kind)0), "?");
}

int main(void)
{
    RUN(note_with_every_field);
    RUN(report_minimal_absent_fields_are_empty);
    RUN(exposure_needs_only_a_product_code);
    RUN(outcome_with_short_imdrf_code);
    RUN(unknown_members_are_ignored);
    RUN(content_type_with_charset);
    RUN(unsupported_content_types);
    RUN(unsupported_content_type_is_escaped_and_cut);
    RUN(rejects_invalid_json);
    RUN(rejects_deep_nesting);
    RUN(rejects_raw_nul_byte);
    RUN(rejects_missing_required);
    RUN(rejects_wrong_types);
    RUN(rejects_bad_values);
    RUN(rejects_overlong_strings_and_cuts_the_quote);
    RUN(rejects_kind_rules);
    RUN(diag_may_be_null);
    RUN(reuse_does_not_grow_memory);
    RUN(allocation_failure_torture_valid);
    RUN(allocation_failure_torture_rejects);
    RUN(allocation_failure_torture_long_tokens);
    RUN(kind_names);
    return test_report();
}
