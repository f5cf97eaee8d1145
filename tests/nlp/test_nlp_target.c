/*
 * test_nlp_target.c - the context of a caller-given span (nlp_target.h):
 * locating a phrase the way the NegEx test set is scored (case, whitespace
 * runs, the upper-case occurrence, word boundaries, the longest whole-word
 * prefix), then ConText on that span with the repository's rule tree
 * (run from the repository root), allocation-free after warm-up and
 * DS_ENOMEM on every failed allocation. Sentences are written for the test, not
 * taken from any evaluation set.
 */
#include "devsurv/nlp_target.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#define RULES "rules"

static nlp_rules_t *s_rules;
static nlp_extract_t *s_x;
static struct nlp_target s_tg;

/* Locate phrase in text; the located bytes as a string in out. */
static enum nlp_target_found s_find(const char *text, const char *phrase,
                                    char *out, size_t cap)
{
    size_t b = 0, e = 0;
    enum nlp_target_found f =
        nlp_target_find(ds_span_str(text), ds_span_str(phrase), &b, &e);
    snprintf(out, cap, "%.*s", (int)(e - b), text + b);
    return f;
}

TEST(find_ignores_case_and_whitespace_runs)
{
    char got[128];
    CHECK_INT(s_find("Blood grew STAPH   bacteremia.", "staph bacteremia", got,
                     sizeof got),
              NLP_FOUND_WHOLE);
    CHECK_STR(got, "STAPH   bacteremia");
    CHECK_INT(s_find("old\nfracture seen", "old  fracture", got, sizeof got),
              NLP_FOUND_WHOLE);
    CHECK_STR(got, "old\nfracture");
}

TEST(find_prefers_the_marked_occurrence)
{
    char got[128];
    const char *t = "Asthma: she has had ASTHMA since childhood.";
    size_t b = 0, e = 0;
    CHECK_INT(nlp_target_find(ds_span_str(t), ds_span_str("asthma"), &b, &e),
              NLP_FOUND_WHOLE);
    CHECK_INT(b, strstr(t, "ASTHMA") - t);
    /* on word boundaries before inside a word */
    CHECK_INT(
        s_find("Admitted to Medicine to exclude MI.", "mi", got, sizeof got),
        NLP_FOUND_WHOLE);
    CHECK_STR(got, "MI");
    /* inside a word when that is all there is ("no space" typos) */
    CHECK_INT(s_find("no MASSESto suggest", "masses", got, sizeof got),
              NLP_FOUND_WHOLE);
    CHECK_STR(got, "MASSES");
}

TEST(find_falls_back_to_a_whole_word_prefix)
{
    char got[128];
    CHECK_INT(
        s_find("Abdomen:  Soft.", "abdomen: soft. no masses", got, sizeof got),
        NLP_FOUND_PREFIX);
    CHECK_STR(got, "Abdomen:  Soft.");
    CHECK_INT(
        s_find("lungs clear bilat", "lungs clear bilaterally", got, sizeof got),
        NLP_FOUND_PREFIX);
    CHECK_STR(got, "lungs clear");
    CHECK_INT(s_find("no chills", "fever", got, sizeof got), NLP_FOUND_NONE);
    CHECK_INT(s_find("no chills", "  ", got, sizeof got), NLP_FOUND_NONE);
    CHECK_INT(s_find("", "fever", got, sizeof got), NLP_FOUND_NONE);
}

/* Flags of phrase in text, run as one sentence. */
static int s_flags(const char *text, const char *phrase)
{
    size_t b, e;
    struct ds_span t = ds_span_str(text);
    if (nlp_target_find(t, ds_span_str(phrase), &b, &e) == NLP_FOUND_NONE)
        return -1;
    int rc = nlp_target_run(&s_tg, s_x, t, b, e, NLP_X_ONE_SENTENCE);
    return rc == 0 ? s_tg.t.flags : rc;
}

TEST(context_of_a_span_with_the_real_rules)
{
    CHECK(s_x);
    CHECK_INT(s_flags("Denies chest pain but reports dyspnea.", "chest pain"),
              NLP_F_NEGATED);
    CHECK_INT(s_flags("Denies chest pain but reports dyspnea.", "dyspnea"), 0);
    /* "no injury" is a trigger; the target's own word is not */
    CHECK_INT(
        s_flags("No injury to the left wrist.", "injury to the left wrist"),
        NLP_F_NEGATED);
    CHECK_INT(s_flags("He did not become hypotensive.", "hypotensive"),
              NLP_F_NEGATED);
    CHECK_INT(s_flags("Return to clinic if fever develops.", "fever"),
              NLP_F_HYPOTHETICAL);
    CHECK_INT(s_flags("History of atrial fibrillation.", "atrial fibrillation"),
              NLP_F_HISTORICAL);
    CHECK_INT(s_flags("Her mother had breast cancer.", "breast cancer"),
              NLP_F_FAMILY);
    CHECK_INT(s_flags("CT head without contrast for headache.", "headache"), 0);
    CHECK_INT(s_flags("Thorax: clear. No effusion.", "effusion"),
              NLP_F_NEGATED);
}

TEST(run_refuses_bad_spans)
{
    CHECK(s_x);
    struct ds_span t = ds_span_str("no fever");
    CHECK_INT(nlp_target_run(&s_tg, s_x, t, 3, 3, 0), DS_EINVAL);
    CHECK_INT(nlp_target_run(&s_tg, s_x, t, 3, 9, 0), DS_EINVAL);
    CHECK_INT(nlp_target_run(&s_tg, s_x, ds_span_str("a   b"), 1, 3, 0),
              DS_EINVAL);
}

TEST(no_allocation_after_warm_up)
{
    CHECK(s_x);
    struct ds_alloc_stats a, b;
    const char *t = "No fever, chills or night sweats (per the patient).";
    CHECK_INT(s_flags(t, "night sweats"), NLP_F_NEGATED);
    ds_alloc_stats(&a);
    for (int i = 0; i < 200; i++)
        CHECK_INT(s_flags(t, "chills"), NLP_F_NEGATED);
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs - a.allocs, 0);
}

TEST(allocation_failures_return_enomem)
{
    CHECK(s_x);
    const char *text = "Fever (no chills) and a history of asthma.";
    struct ds_span t = ds_span_str(text);
    size_t b = (size_t)(strstr(text, "asthma") - text);
    uint64_t k;
    int rc = 0;
    for (k = 1; k < 1000; k++) {
        struct nlp_target tg;
        nlp_target_init(&tg);
        ds_alloc_fail_at(k);
        rc = nlp_target_run(&tg, s_x, t, b, b + 6, NLP_X_ONE_SENTENCE);
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        unsigned flags = tg.t.flags;
        nlp_target_clear(&tg);
        if (!fired) {
            CHECK_INT(flags, NLP_F_HISTORICAL);
            break;
        }
        CHECK_INT(rc, DS_ENOMEM);
    }
    CHECK_INT(rc, 0);
    CHECK(k > 1);
    printf("# allocation failures: %llu injected, all DS_ENOMEM\n",
           (unsigned long long)(k - 1));
}

int main(void)
{
    struct ds_diag diag;
    char buf[1024];
    nlp_target_init(&s_tg);
    if (nlp_rules_load(&s_rules, RULES, &diag) != 0 ||
        nlp_extract_new(&s_x, s_rules, &diag) != 0)
        printf("# rules: %s\n", ds_diag_format(&diag, buf, sizeof buf));
    RUN(find_ignores_case_and_whitespace_runs);
    RUN(find_prefers_the_marked_occurrence);
    RUN(find_falls_back_to_a_whole_word_prefix);
    RUN(context_of_a_span_with_the_real_rules);
    RUN(run_refuses_bad_spans);
    RUN(no_allocation_after_warm_up);
    RUN(allocation_failures_return_enomem);
    nlp_target_clear(&s_tg);
    nlp_extract_destroy(&s_x);
    nlp_rules_destroy(&s_rules);
    return test_report();
}
