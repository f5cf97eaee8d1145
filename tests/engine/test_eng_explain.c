/*
 * test_eng_explain.c - the lineage of a signal (eng_explain.h) from a
 * database built with the real schema (eng_store_open), real event rows
 * (decoded and stored as the pipeline does) and real audit appends: a
 * signal with two text-derived contributions (a native note with a
 * multi-byte character before the span, and a FHIR DocumentReference whose
 * text is a base64 attachment) and one structured outcome, plus rows that
 * must NOT show (another cell, a later contribution, an unrelated event).
 * Checked field by field against values computed here from the texts.
 */
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_checkpoint.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_explain.h"
#include "devsurv/eng_store_events.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-explain-XXXXXX";
static char s_db[600];

#define CT_EV   ENG_CTYPE_EVENT_JSON
#define CT_FHIR ENG_CTYPE_FHIR_JSON

static const char s_note_text[] =
    "Seen by Dr. M\xc3\xbcller. Impression: lead fracture, possible "
    "infection.";
static const char *const s_payloads[][2] = {
    {CT_EV,
     "{\"id\":\"n1\",\"kind\":\"note\",\"time\":\"2026-03-01T10:00:00Z\","
     "\"patient\":\"p1\",\"text\":\"Seen by Dr. M\xc3\xbcller. "
     "Impression: lead fracture, possible infection.\"}"},
    {CT_FHIR,
     "{\"resourceType\":\"DocumentReference\",\"id\":\"note-77\",\"status\":"
     "\"current\",\"subject\":{\"reference\":\"Patient/p1\"},\"date\":"
     "\"2026-03-02T11:00:00Z\",\"content\":[{\"attachment\":{\"contentType\":"
     "\"text/plain; charset=utf-8\",\"data\":\"Q2FyZGlvbG9neSBmb2xsb3ctdXAuI"
     "FBhdGllbnQgcmVwb3J0cyB0d28gc2hvY2tzIGxhc3QgbmlnaHQgd2hpbGUgYXQgcmVzdC4"
     "gRGV2aWNlIGludGVycm9nYXRpb246IGhpZ2gtdm9sdGFnZSBsZWFkIGltcGVkYW5jZSA+M"
     "jAwIG9obXMsIG5vaXNlIG9uIHRoZSBuZWFyLWZpZWxkIEVHTS4gSW1wcmVzc2lvbjogSUN"
     "EIGxlYWQgZnJhY3R1cmUgKEFjbWUgREYtNCkuIFBsYW46IGxlYWQgcmV2aXNpb24gdG9tb"
     "3Jyb3cuCg==\"}}]}"},
    {CT_EV, "{\"id\":\"o1\",\"kind\":\"outcome\",\"time\":"
            "\"2026-03-03T09:00:00Z\",\"patient\":\"p2\",\"device\":"
            "{\"product_code\":\"DTB\"},\"event\":{\"code\":\"A0401\"}}"},
    {CT_EV, "{\"id\":\"x1\",\"kind\":\"exposure\",\"time\":"
            "\"2026-03-03T09:30:00Z\",\"patient\":\"p3\",\"device\":"
            "{\"product_code\":\"DTB\"}}"},
    {CT_EV, "{\"id\":\"o2\",\"kind\":\"outcome\",\"time\":"
            "\"2026-03-05T09:00:00Z\",\"patient\":\"p4\",\"device\":"
            "{\"product_code\":\"DTB\"},\"event\":{\"code\":\"A0401\"}}"},
};
#define S_NEV 5
static const char s_fhir_text[] =
    "Cardiology follow-up. Patient reports two shocks last night while at "
    "rest. Device interrogation: high-voltage lead impedance >200 ohms, "
    "noise on the near-field EGM. Impression: ICD lead fracture (Acme "
    "DF-4). Plan: lead revision tomorrow.\n";
static int64_t s_ts[S_NEV];
static char s_head[65]; /* entry hash of the signal's entry, hex */

static int s_exec(eng_store_t *st, const char *sql)
{
    return sqlite3_exec(eng_store_db(st), sql, NULL, NULL, NULL);
}

static int s_events(eng_store_t *st, eng_audit_t *a)
{
    eng_decoder_t *dec = eng_decoder_new();
    int rc = dec ? 0 : DS_ENOMEM;
    for (int i = 0; rc == 0 && i < S_NEV; i++) {
        struct eng_event ev;
        struct eng_store_key k = {ds_span_str("replay"), 1, i + 1};
        struct ds_span ct = ds_span_str(s_payloads[i][0]);
        const char *p = s_payloads[i][1];
        rc = eng_decoder_decode(dec, ct, p, strlen(p), &ev, NULL);
        if (rc == 0)
            rc = eng_store_event_put(st, &k, &ev, ct, p, strlen(p));
        if (rc == 0)
            rc = eng_audit_log_event(a, &k, ev.time_ms, ct, p, strlen(p));
        if (rc == 0 && i < 2)
            rc = eng_audit_append(a, ENG_AUDIT_MENTIONS, ev.time_ms,
                                  ds_span_str(i ? "replay/1/2" : "replay/1/1"),
                                  (const uint8_t *)"m", 1);
        s_ts[i] = ev.time_ms;
    }
    eng_decoder_destroy(&dec);
    return rc;
}

static size_t s_off(const char *text, const char *needle)
{
    return (size_t)(strstr(text, needle) - text);
}

/* mentions, contributions, the cell and the signal row */
static int s_rows(eng_store_t *st)
{
    char sql[4096];
    size_t nb = s_off(s_note_text, "lead"), ns = s_off(s_note_text, "Impr");
    size_t fb = s_off(s_fhir_text, "lead fracture");
    size_t fs = s_off(s_fhir_text, "Impression"),
           fe = s_off(s_fhir_text, " Plan");
    snprintf(
        sql, sizeof sql,
        "INSERT INTO mentions VALUES"
        " ('replay', 1, 1, 0, 'event', 0, 4, 0, 19, 'X', 'imdrf', 'x',"
        "  'events/x.tsv:1', 1, 0, '[]', 'r'),"
        " ('replay', 1, 1, 1, 'event', %zu, %zu, %zu, %zu, 'A0401', 'imdrf',"
        "  'Lead fracture', 'events/imdrf_a.tsv:A0401-2', 17, 8,"
        "  '[{\"category\":\"historical\",\"trigger\":\"seen\",\"rule\":"
        "\"context/triggers.tsv:t9\",\"line\":9,\"begin\":0,\"end\":4}]',"
        "  'rulesha'),"
        " ('replay', 1, 2, 0, 'event', %zu, %zu, %zu, %zu, 'A0401', 'imdrf',"
        "  'Lead fracture', 'events/imdrf_a.tsv:A0401-1', 16, 0, '[]',"
        "  'rulesha');"
        "INSERT INTO contributions VALUES"
        " ('icd-lead', 'DTB', 'A0401', 'event', 'replay', 1, 3, -1,"
        "  'structured', %lld),"
        " ('icd-lead', 'DTB', 'A0401', 'event', 'replay', 1, 2, 0,"
        "  'patient-exposure', %lld),"
        " ('icd-lead', 'DTB', 'A0401', 'event', 'replay', 1, 1, 1,"
        "  'sentence', %lld),"
        " ('icd-lead', 'DTB', 'A0401', 'event', 'replay', 1, 5, -1,"
        "  'structured', %lld),"
        " ('other', 'DTB', 'A0401', 'event', 'replay', 1, 1, 1,"
        "  'sentence', %lld);"
        "INSERT INTO plan_cells VALUES ('icd-lead', 'DTB', 'A0401', 3, 0.5,"
        "  40, 0, 0, 3.25, 2.8, 'signalled', 0, %lld, x'00');"
        "INSERT INTO signals(id, plan, product_code, event_code, method,"
        " statistic, threshold, observed, expected, ts_event, source, epoch,"
        " seq, params, rules, plans, generation) VALUES (1, 'icd-lead',"
        " 'DTB', 'A0401', 'maxsprt-poisson', 3.25, 2.8, 3, 0.5, %lld,"
        " 'replay', 1, 3, '{\"alpha\":0.05,\"min_events\":1}', 'rulesha',"
        " 'plansha', 0);",
        nb, nb + 13, ns, strlen(s_note_text), fb, fb + 13, fs, fe,
        (long long)s_ts[2], (long long)s_ts[1], (long long)s_ts[0],
        (long long)s_ts[4], (long long)s_ts[0], (long long)s_ts[2],
        (long long)s_ts[2]);
    return s_exec(st, sql);
}

static void s_hex(const uint8_t *h, char *out)
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int s_build(void)
{
    struct eng_config cfg;
    eng_config_defaults(&cfg);
    snprintf(s_db, sizeof s_db, "%s/explain.db", s_dir);
    eng_store_t *st = eng_store_open(s_db, false, NULL);
    eng_audit_t *a = st ? eng_audit_new(st, NULL) : NULL;
    eng_checkpoint_t *cp = a ? eng_checkpoint_new(st, a, &cfg, NULL) : NULL;
    int rc = cp ? eng_store_begin(st) : DS_ENOMEM;
    if (rc == 0)
        rc = s_events(st, a); /* audit seq 1..4 */
    if (rc == 0)
        rc = eng_audit_flush(a); /* seq 5: events 3-5 */
    if (rc == 0 && (rc = eng_store_commit(st)) == 0)
        eng_audit_committed(a);
    if (rc == 0)
        rc = eng_checkpoint_make(cp, NULL, NULL); /* n = 5, entry 6 */
    if (rc == 0)
        rc = eng_store_begin(st);
    if (rc == 0)
        rc = s_rows(st) == SQLITE_OK ? 0 : DS_ESTORE;
    if (rc == 0)
        rc = eng_audit_append(a, ENG_AUDIT_SIGNAL_RAISED, s_ts[2],
                              ds_span_str("signal/1"), (const uint8_t *)"s", 1);
    if (rc == 0 && (rc = eng_store_commit(st)) == 0)
        eng_audit_committed(a);
    if (a)
        s_hex(eng_audit_head(a), s_head);
    eng_checkpoint_destroy(&cp);
    eng_audit_destroy(&a);
    eng_store_destroy(&st);
    return rc;
}

static json_t *s_explain(int64_t id, int *rc)
{
    char *out = NULL;
    size_t n = 0;
    struct ds_diag d;
    eng_store_t *st = eng_store_open(s_db, true, NULL);
    *rc = st ? eng_explain_json(eng_store_db(st), id, &out, &n, &d) : -100;
    eng_store_destroy(&st);
    json_t *j = out ? json_loadb(out, n, 0, NULL) : NULL;
    ds_free(out);
    return j;
}

#define GET(o, k) json_object_get((o), (k))
#define STR(o, k) json_string_value(GET(o, k))
#define INT(o, k) json_integer_value(GET(o, k))

TEST(signal_fields_params_and_cell)
{
    int rc;
    json_t *j = s_explain(1, &rc);
    CHECK_INT(rc, 0);
    CHECK(j);
    CHECK_INT(INT(j, "signal"), 1);
    CHECK_STR(STR(j, "plan"), "icd-lead");
    CHECK_STR(STR(j, "method"), "maxsprt-poisson");
    CHECK_NEAR(json_real_value(GET(GET(j, "params"), "alpha")), 0.05, 0);
    CHECK_INT(INT(GET(j, "params"), "min_events"), 1);
    CHECK_NEAR(json_real_value(GET(j, "statistic")), 3.25, 0);
    CHECK_NEAR(json_real_value(GET(j, "threshold")), 2.8, 0);
    CHECK_INT(INT(j, "observed"), 3);
    CHECK_NEAR(json_real_value(GET(j, "expected")), 0.5, 0);
    CHECK_STR(STR(j, "time"), "2026-03-03T09:00:00Z");
    CHECK_INT(INT(j, "time_ms"), s_ts[2]);
    CHECK_INT(INT(j, "generation"), 0);
    CHECK_STR(STR(GET(j, "trigger"), "source"), "replay");
    CHECK_INT(INT(GET(j, "trigger"), "seq"), 3);
    CHECK_STR(STR(j, "rules"), "rulesha");
    CHECK_STR(STR(j, "plans"), "plansha");
    json_t *cell = GET(j, "cell");
    CHECK_STR(STR(cell, "plan"), "icd-lead");
    CHECK_STR(STR(cell, "device"), "DTB");
    CHECK_STR(STR(cell, "event"), "A0401");
    CHECK_INT(INT(GET(cell, "current"), "exposures"), 40);
    CHECK_STR(STR(GET(cell, "current"), "status"), "signalled");
    json_decref(j);
}

TEST(text_contributions_show_sentence_span_rule_and_context)
{
    int rc;
    json_t *j = s_explain(1, &rc);
    json_t *cs = GET(j, "contributions");
    CHECK_INT(json_array_size(cs), 3); /* not seq 5 (later), not 'other' */
    json_t *c = json_array_get(cs, 0);
    CHECK_INT(INT(c, "seq"), 1);
    CHECK_STR(STR(c, "time"), "2026-03-01T10:00:00Z");
    CHECK_STR(STR(c, "role"), "event");
    CHECK_STR(STR(c, "link"), "sentence");
    CHECK_INT(INT(c, "mention"), 1);
    CHECK_STR(STR(c, "sentence"),
              "Impression: lead fracture, possible infection.");
    CHECK_INT(INT(c, "span_begin"), 12); /* bytes, from the sentence */
    CHECK_INT(INT(c, "span_end"), 25);
    CHECK_STR(STR(c, "text"), "lead fracture");
    CHECK_INT(INT(c, "begin"), s_off(s_note_text, "lead"));
    CHECK_STR(STR(c, "code"), "A0401");
    CHECK_STR(STR(c, "label"), "Lead fracture");
    CHECK_STR(STR(c, "rule"), "events/imdrf_a.tsv:A0401-2");
    CHECK_INT(INT(c, "rule_line"), 17);
    CHECK_INT(INT(c, "flags"), 8);
    CHECK_STR(json_string_value(json_array_get(GET(c, "flag_names"), 0)),
              "historical");
    json_t *ctx = json_array_get(GET(c, "context"), 0);
    CHECK_STR(STR(ctx, "category"), "historical");
    CHECK_STR(STR(ctx, "rule"), "context/triggers.tsv:t9");
    CHECK_INT(INT(ctx, "line"), 9);
    CHECK_STR(STR(c, "rules"), "rulesha");
    c = json_array_get(cs, 1); /* FHIR: text from the attachment */
    CHECK_INT(INT(c, "seq"), 2);
    CHECK_STR(STR(c, "link"), "patient-exposure");
    CHECK_STR(STR(c, "sentence"), "Impression: ICD lead fracture (Acme DF-4).");
    CHECK_INT(INT(c, "span_begin"), 16);
    CHECK_STR(STR(c, "text"), "lead fracture");
    CHECK_INT(json_array_size(GET(c, "flag_names")), 0);
    json_decref(j);
}

TEST(structured_contribution_has_no_sentence)
{
    int rc;
    json_t *j = s_explain(1, &rc);
    json_t *c = json_array_get(GET(j, "contributions"), 2);
    CHECK_INT(INT(c, "seq"), 3);
    CHECK_INT(INT(c, "mention"), -1);
    CHECK_STR(STR(c, "link"), "structured");
    CHECK(!GET(c, "sentence"));
    CHECK(!GET(c, "code"));
    CHECK(!GET(c, "missing"));
    json_decref(j);
}

TEST(audit_entries_with_their_checkpoints)
{
    int rc;
    json_t *j = s_explain(1, &rc);
    json_t *au = GET(j, "audit");
    /* seq 1..4 (events_stored/mentions of events 1 and 2), 5 (events 3-5
     * stored: event 3 is counted), not 6 (checkpoint); 7 the signal */
    static const int seqs[] = {1, 2, 3, 4, 5, 7};
    static const char *kinds[] = {"events_stored", "mentions",
                                  "events_stored", "mentions",
                                  "events_stored", "signal_raised"};
    CHECK_INT(json_array_size(au), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *e = json_array_get(au, i);
        CHECK_INT(INT(e, "seq"), seqs[i]);
        CHECK_STR(STR(e, "kind"), kinds[i]);
        CHECK_INT(strlen(STR(e, "entry_hash")), 64);
        if (i < 5) {
            CHECK_INT(INT(GET(e, "checkpoint"), "n"), 5);
            CHECK(json_is_false(GET(GET(e, "checkpoint"), "signed")));
        }
    }
    json_t *last = json_array_get(au, 5);
    CHECK_STR(STR(last, "subject"), "signal/1");
    CHECK_STR(STR(last, "entry_hash"), s_head);
    CHECK(json_is_null(GET(last, "checkpoint")));
    CHECK_STR(STR(json_array_get(au, 0), "subject"), "replay/1/1..replay/1/1");
    CHECK_STR(STR(json_array_get(au, 4), "subject"), "replay/1/3..replay/1/5");
    json_decref(j);
}

TEST(text_marks_the_span_and_sealing)
{
    char *out = NULL, *again = NULL;
    size_t n = 0, n2 = 0;
    struct ds_diag d;
    eng_store_t *st = eng_store_open(s_db, true, NULL);
    CHECK(st);
    CHECK_INT(eng_explain_text(eng_store_db(st), 1, &out, &n, &d), 0);
    CHECK_INT(eng_explain_text(eng_store_db(st), 1, &again, &n2, &d), 0);
    CHECK(n == n2 && memcmp(out, again, n) == 0); /* deterministic */
    CHECK_HAS(out, "sentence  Impression: [[lead fracture]], possible");
    CHECK_HAS(out, "Impression: ICD [[lead fracture]] (Acme DF-4).");
    CHECK_HAS(out, "rule events/imdrf_a.tsv:A0401-2 line 17");
    CHECK_HAS(out, "context   historical: trigger \"seen\"");
    CHECK_HAS(out, "replay/1/3  2026-03-03T09:00:00Z  role event  link "
                   "structured  structured field");
    CHECK_HAS(out, "sealed by checkpoint 5 (unsigned)");
    CHECK_HAS(out, "signal/1");
    CHECK_HAS(out, "not yet sealed");
    CHECK_HAS(out, "statistic  3.25 >= boundary 2.8 (observed 3, expected "
                   "0.5)");
    ds_free(out);
    ds_free(again);
    CHECK_INT(eng_explain_text(eng_store_db(st), 2, &out, &n, &d),
              DS_ENOTFOUND);
    CHECK(out == NULL);
    eng_store_destroy(&st);
}

TEST(missing_signal_and_bad_offsets)
{
    int rc;
    json_t *j = s_explain(42, &rc);
    CHECK_INT(rc, DS_ENOTFOUND);
    CHECK(!j);
    eng_store_t *st = eng_store_open(s_db, false, NULL);
    CHECK(st);
    CHECK_INT(s_exec(st, "UPDATE mentions SET end = 100000 WHERE seq = 1 AND"
                         " n = 1"),
              SQLITE_OK);
    eng_store_destroy(&st);
    j = s_explain(1, &rc);
    CHECK_INT(rc, 0);
    json_t *c = json_array_get(GET(j, "contributions"), 0);
    CHECK_STR(STR(c, "text_error"), "offsets outside the text");
    CHECK(!GET(c, "sentence"));
    json_decref(j);
}

int main(void)
{
    if (!mkdtemp(s_dir) || s_build() != 0) {
        printf("FAIL - fixture: cannot build %s\n", s_db);
        return 1;
    }
    RUN(signal_fields_params_and_cell);
    RUN(text_contributions_show_sentence_span_rule_and_context);
    RUN(structured_contribution_has_no_sentence);
    RUN(audit_entries_with_their_checkpoints);
    RUN(text_marks_the_span_and_sealing);
    if (getenv("KEEP_T")) { /* for looking at the output by hand */
        printf("# kept %s\n", s_db);
        return test_report();
    }
    RUN(missing_signal_and_bad_offsets); /* last: it edits the fixture */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
