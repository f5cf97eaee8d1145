/*
 * test_nlp_extract.c - the extraction library as a caller uses it, on the
 * real rule tree (./rules: run from the repository root): load the rules,
 * build an extractor, run notes into one reused struct nlp_result, read
 * each mention's code, span, rule and context with its cause.
 *
 * The hard requirement of the hot path is checked here: after one warm-up
 * pass over a set of notes, 1,000 more passes allocate nothing
 * (ds_alloc_stats). Bad input must neither crash nor give nonsense:
 * invalid UTF-8, NUL bytes, an empty note, punctuation-only lines, a 10 MB
 * note (timed; the MB/s is printed, not asserted: CI does not time
 * anything), and every allocation failing in turn.
 *
 * Not here: the golden cases of what a clinician expects
 * (fixtures/nlp/<name>.cases, run by `devsurv extract --check`), ConText
 * and the dictionary matcher alone (test_nlp_context.c, test_nlp_ac.c).
 */
#include "devsurv/nlp_extract.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdlib.h>
#include <time.h>

#define RULES "rules"

static nlp_rules_t *s_rules;
static nlp_extract_t *s_x;
static struct nlp_result s_r;

static const char *const s_notes[] = {
    "PAST MEDICAL HISTORY:\nStroke, DVT.\nHPI:\nNo haematoma but bleeding "
    "at the groin after the vascular closure device was deployed.",
    "IT WAS REPORTED THAT THE INSULIN PUMP ALARMED. THERE WAS NO PATIENT "
    "INJURY REPORTED. IT WAS ALLEGED THAT THE PATIENT EXPERIENCED "
    "HYPOGLYCEMIA. THE DEVICE MAY HAVE CAUSED OR CONTRIBUTED TO A DEATH.",
    "UDI (01)00614141999996(17)261231(10)LOT42 of the pacemaker lead; "
    "box label +H123CATNO1Y.",
    "FAMILY HISTORY:\nMother had a myocardial infarction.\nSOCIAL "
    "HISTORY:\nPatient **NAME[AAA, BBB] denies chest pain.",
    "Possible pocket infection. Return if fever or oedema. Status post "
    "ICD implant, now with an inappropriate shock.",
    "",
};
#define S_NNOTES (sizeof s_notes / sizeof s_notes[0])

/* Run the extractor on a NUL-terminated note. */
static int s_run(const char *note)
{
    return nlp_extract_run(s_x, ds_span_str(note), 0, &s_r);
}

/* Mention i's surface text, for messages and checks. */
static const char *s_text(const char *note, size_t i)
{
    static char buf[256];
    const struct nlp_mention *m = &s_r.m[i];
    snprintf(buf, sizeof buf, "%.*s", (int)(m->end - m->begin),
             note + m->begin);
    return buf;
}

static bool s_code_is(size_t i, const char *code)
{
    return i < s_r.n && ds_span_eq(s_r.m[i].code, code);
}

TEST(load_the_rules_and_build_an_extractor)
{
    struct ds_diag diag;
    CHECK_INT(nlp_rules_load(&s_rules, RULES, &diag), 0);
    CHECK_INT(nlp_extract_new(&s_x, s_rules, &diag), 0);
    CHECK(nlp_extract_rules(s_x) == s_rules);
    CHECK_INT(strlen(nlp_rules_sha256(s_rules)), 64);
    nlp_result_init(&s_r);
}

TEST(devices_and_events_with_spans_and_rules)
{
    static const char note[] = "Pacemaker lead fracture. No haematoma.";
    CHECK(s_x);
    CHECK_INT(s_run(note), 0);
    CHECK_INT(s_r.n, 3);
    CHECK_INT(s_r.m[0].kind, NLP_MENTION_DEVICE);
    CHECK(s_code_is(0, "DTB"));
    CHECK_STR(s_text(note, 0), "Pacemaker lead");
    CHECK_STR(s_r.m[0].system, "fda-product-code");
    CHECK_STR(s_r.m[0].label, "Permanent Pacemaker Electrode");
    CHECK_INT(s_r.m[1].kind, NLP_MENTION_EVENT);
    CHECK(s_code_is(1, "A040101"));
    CHECK_STR(s_r.m[1].system, "imdrf-a");
    CHECK_STR(s_text(note, 2), "haematoma");
    CHECK(s_code_is(2, "E0505"));
    CHECK_STR(s_r.m[2].rule_file, "terms/health_effect.tsv");
    CHECK(s_r.m[2].rule_line > 0);
    CHECK(strncmp(s_r.m[2].rule_id, "he.E0505.", 9) == 0);
    CHECK_INT(s_r.m[1].sentence, 0);
    CHECK_INT(s_r.m[2].sentence, 1);
    CHECK_STR(nlp_mention_kind_name(s_r.m[2].kind), "event");
}

TEST(context_flags_name_their_cause)
{
    static const char note[] = "No haematoma.\nFAMILY HISTORY:\nStroke.";
    size_t ntrig, nsec;
    const struct nlp_trigger *trig = nlp_rules_triggers(s_rules, &ntrig);
    const struct nlp_section *sec = nlp_rules_sections(s_rules, &nsec);
    CHECK(s_x);
    CHECK_INT(s_run(note), 0);
    CHECK_INT(s_r.n, 2);
    const struct nlp_mention *m = &s_r.m[0];
    CHECK_INT(m->flags, NLP_F_NEGATED);
    CHECK_INT(m->cause[NLP_CTX_NEGATED].why, NLP_WHY_TRIGGER);
    CHECK(m->cause[NLP_CTX_NEGATED].rule < ntrig);
    CHECK_STR(trig[m->cause[NLP_CTX_NEGATED].rule].id, "neg.001");
    const struct nlp_tok *t = &s_r.doc.tok[m->cause[NLP_CTX_NEGATED].tok_begin];
    CHECK(strncmp(note + t->begin, "No", t->end - t->begin) == 0);
    m = &s_r.m[1];
    CHECK_INT(m->flags, NLP_F_FAMILY);
    CHECK_INT(m->cause[NLP_CTX_FAMILY].why, NLP_WHY_SECTION);
    CHECK(m->cause[NLP_CTX_FAMILY].rule < nsec);
    CHECK_STR(sec[m->cause[NLP_CTX_FAMILY].rule].id, "sec.001");
}

TEST(udis_count_only_when_the_check_verifies)
{
    static const char note[] = "UDI (01)00614141999996(21)SN1, not "
                               "(01)00614141999993(21)SN1; +H123CATNO1Y.";
    CHECK(s_x);
    CHECK_INT(s_run(note), 0);
    CHECK_INT(s_r.n, 2);
    CHECK_INT(s_r.m[0].kind, NLP_MENTION_UDI);
    CHECK(s_code_is(0, "00614141999996"));
    CHECK_STR(s_r.m[0].system, "gs1");
    CHECK_STR(s_r.m[0].rule_id, "udi.gs1");
    CHECK_STR(s_text(note, 0), "(01)00614141999996(21)SN1");
    CHECK(s_code_is(1, "H123CATNO1"));
    CHECK_STR(s_r.m[1].system, "hibcc");
}

TEST(ambiguous_terms_need_a_cue)
{
    CHECK(s_x);
    CHECK_INT(s_run("Blood lead level was raised."), 0);
    CHECK_INT(s_r.n, 0);
    CHECK_INT(s_run("The pacemaker lead was fractured."), 0);
    CHECK_INT(s_r.n, 2);
    CHECK(s_code_is(1, "A040101")); /* "fractured" has its cue now */
}

TEST(one_sentence_option)
{
    static const char note[] = "No fever. Bleeding.";
    CHECK(s_x);
    CHECK_INT(s_run(note), 0);
    CHECK_INT(s_r.n, 2);
    CHECK_INT(s_r.m[1].flags, 0);
    CHECK_INT(nlp_extract_run(s_x, ds_span_str(note), NLP_X_ONE_SENTENCE, &s_r),
              0);
    CHECK_INT(s_r.n, 2);
    CHECK_INT(s_r.m[1].flags, NLP_F_NEGATED); /* "No" now reaches it */
}

TEST(a_result_is_replaced_by_the_next_run)
{
    CHECK(s_x);
    CHECK_INT(s_run(s_notes[1]), 0);
    CHECK(s_r.n > 3);
    CHECK_INT(s_run("Haematoma."), 0);
    CHECK_INT(s_r.n, 1);
    CHECK_INT(s_run(""), 0);
    CHECK_INT(s_r.n, 0);
}

TEST(zero_allocations_per_note_after_warm_up)
{
    struct ds_alloc_stats a, b;
    size_t found = 0;
    CHECK(s_x);
    for (size_t i = 0; i < S_NNOTES; i++)
        CHECK_INT(s_run(s_notes[i]), 0);
    ds_alloc_stats(&a);
    for (int round = 0; round < 1000; round++)
        for (size_t i = 0; i < S_NNOTES; i++) {
            if (s_run(s_notes[i]) != 0)
                TEST_FAIL_("round %d note %zu", round, i);
            found += s_r.n;
        }
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs - a.allocs, 0);
    CHECK_INT(b.frees - a.frees, 0);
    CHECK(found > 1000 * 10);
}

/* Mentions inside [0, n), non-empty, in order, with codes. */
static bool s_sane(size_t n)
{
    for (size_t i = 0; i < s_r.n; i++) {
        const struct nlp_mention *m = &s_r.m[i];
        if (m->begin >= m->end || m->end > n || m->code.n == 0 ||
            (i && m->begin < s_r.m[i - 1].begin))
            return false;
    }
    return true;
}

TEST(invalid_utf8_and_nul_bytes)
{
    static const char note[] = "No\0 haematoma \xff\xfe bleeding \xc3\x28 "
                               "caf\xc3\xa9 pump\0lead \xe2\x82 stroke";
    size_t n = sizeof note - 1;
    CHECK(s_x);
    CHECK_INT(nlp_extract_run(s_x, (struct ds_span){note, n}, 0, &s_r), 0);
    CHECK(s_sane(n));
    CHECK_INT(s_r.n, 3); /* haematoma, bleeding, stroke */
    CHECK(s_code_is(0, "E0505"));
    CHECK(s_code_is(1, "E0506"));
    CHECK(s_code_is(2, "E0133"));
}

TEST(empty_and_punctuation_only_notes)
{
    static const char punct[] = "....\n!!!\n---\n***\n\n;;;;(((())))\n"
                                "- \n* \n1.\n:\n";
    CHECK(s_x);
    CHECK_INT(nlp_extract_run(s_x, (struct ds_span){NULL, 0}, 0, &s_r), 0);
    CHECK_INT(s_r.n, 0);
    CHECK_INT(s_run(punct), 0);
    CHECK_INT(s_r.n, 0);
    CHECK_INT(s_run("\n\n\n"), 0);
    CHECK_INT(s_r.n, 0);
}

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(ten_megabyte_note)
{
    static const char unit[] =
        "IT WAS REPORTED THAT THE INSULIN PUMP ALARMED AND THE PATIENT WAS "
        "HOSPITALIZED FOR DKA. NO PATIENT INJURY. Possible pocket infection "
        "after the pacemaker lead fracture; no haematoma. ";
    size_t n = 10u << 20, k = sizeof unit - 1;
    char *big = malloc(n);
    CHECK(big != NULL);
    for (size_t i = 0; i < n; i++)
        big[i] = unit[i % k];
    double t0 = s_now();
    int rc = nlp_extract_run(s_x, (struct ds_span){big, n}, 0, &s_r);
    double dt = s_now() - t0;
    bool sane = s_sane(n);
    size_t found = s_r.n;
    free(big);
    CHECK_INT(rc, 0);
    CHECK(sane);
    CHECK(found > n / k * 5);
    printf("# 10 MB note: %zu mentions in %.3f s, %.1f MB/s\n", found, dt,
           10.0 / dt);
}

TEST(every_allocation_failure_is_enomem)
{
    struct nlp_result r;
    int rc = DS_ENOMEM;
    uint64_t k;
    CHECK(s_x);
    for (k = 1; rc == DS_ENOMEM && k < 1000; k++) {
        nlp_result_init(&r);
        ds_alloc_fail_at(k);
        rc = nlp_extract_run(s_x, ds_span_str(s_notes[0]), 0, &r);
        bool fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (rc == DS_ENOMEM && (r.n != 0 || !fired))
            TEST_FAIL_("failure %llu: n %zu", (unsigned long long)k, r.n);
        if (rc != 0 && rc != DS_ENOMEM)
            TEST_FAIL_("failure %llu: rc %d", (unsigned long long)k, rc);
        nlp_result_clear(&r);
    }
    CHECK_INT(rc, 0);
    printf("# allocation failures: %llu injected, all DS_ENOMEM\n",
           (unsigned long long)(k - 2));
}

int main(void)
{
    RUN(load_the_rules_and_build_an_extractor);
    RUN(devices_and_events_with_spans_and_rules);
    RUN(context_flags_name_their_cause);
    RUN(udis_count_only_when_the_check_verifies);
    RUN(ambiguous_terms_need_a_cue);
    RUN(one_sentence_option);
    RUN(a_result_is_replaced_by_the_next_run);
    RUN(zero_allocations_per_note_after_warm_up);
    RUN(invalid_utf8_and_nul_bytes);
    RUN(empty_and_punctuation_only_notes);
    RUN(ten_megabyte_note);
    RUN(every_allocation_failure_is_enomem);
    nlp_result_clear(&s_r);
    nlp_extract_destroy(&s_x);
    nlp_rules_destroy(&s_rules);
    return test_report();
}
