/*
 * test_nlp_context.c - ConText decisions (nlp_context.h) on small notes
 * with a hand-made trigger table, so each rule of the algorithm is shown
 * alone: directions, scope cuts by terminators and same-category
 * triggers, max_scope, leftmost-longest selection with pseudo-triggers,
 * triggers that straddle a target, brackets, targets inside a trigger
 * phrase, section categories, and the recorded cause of every flag.
 */
#include "devsurv/nlp_context.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

/* trigger table: phrase, category, direction, max_scope */
static const struct nlp_trigger s_trig[] = {
    {.id = "t0",
     .phrase = "no",
     .category = NLP_CTX_NEGATED,
     .direction = NLP_DIR_FORWARD},
    {.id = "t1",
     .phrase = "but",
     .category = NLP_CTX_TERMINATE,
     .direction = NLP_DIR_NONE},
    {.id = "t2",
     .phrase = "no increase",
     .category = NLP_CTX_PSEUDO,
     .direction = NLP_DIR_NONE},
    {.id = "t3",
     .phrase = "ruled out",
     .category = NLP_CTX_NEGATED,
     .direction = NLP_DIR_BACKWARD},
    {.id = "t4",
     .phrase = "history of",
     .category = NLP_CTX_HISTORICAL,
     .direction = NLP_DIR_FORWARD},
    {.id = "t5",
     .phrase = "possible",
     .category = NLP_CTX_POSSIBLE,
     .direction = NLP_DIR_FORWARD,
     .max_scope = 2},
    {.id = "t6",
     .phrase = "no patient injury",
     .category = NLP_CTX_NEGATED,
     .direction = NLP_DIR_FORWARD},
    {.id = "t7",
     .phrase = "mother",
     .category = NLP_CTX_FAMILY,
     .direction = NLP_DIR_BIDIRECTIONAL},
    {.id = "t8",
     .phrase = "no injury",
     .category = NLP_CTX_NEGATED,
     .direction = NLP_DIR_FORWARD},
};
#define S_NTRIG (sizeof s_trig / sizeof s_trig[0])

static const struct nlp_section s_secs[] = {
    {.id = "s0", .heading = "FAMILY HISTORY", .category = NLP_CTX_FAMILY},
};

static struct nlp_doc s_d;
static struct nlp_ctx s_c;
static struct nlp_ctx_hit s_h[16];
static size_t s_nh;
static struct nlp_ctx_target s_t[8];
static size_t s_nt;

/* Token index of the k-th occurrence (0-based) of word w. */
static uint32_t s_at(const char *w, int k)
{
    size_t n = strlen(w);
    for (size_t i = 0; i < s_d.ntok; i++) {
        const struct nlp_tok *t = &s_d.tok[i];
        if (t->end - t->begin == n &&
            memcmp(s_d.text.p + t->begin, w, n) == 0 && k-- == 0)
            return (uint32_t)i;
    }
    return UINT32_MAX;
}

static void s_note(const char *text)
{
    nlp_doc_split(&s_d, ds_span_str(text));
    s_nh = s_nt = 0;
}

static void s_hit(const char *first_word, int k, uint32_t ntok, uint32_t tr)
{
    uint32_t b = s_at(first_word, k);
    s_h[s_nh++] = (struct nlp_ctx_hit){b, b + ntok, tr};
}

static void s_target(const char *first_word, int k, uint32_t ntok)
{
    uint32_t b = s_at(first_word, k);
    s_t[s_nt++] = (struct nlp_ctx_target){.tok_begin = b, .tok_end = b + ntok};
}

static int s_run(const int32_t *sec_rule, size_t nsec)
{
    return nlp_context_apply(&s_c, &s_d, s_trig, S_NTRIG, s_secs, sec_rule,
                             nsec, s_h, s_nh, s_t, s_nt);
}

TEST(forward_negation_until_a_terminator)
{
    s_note("no fever but hematoma at the site.");
    s_hit("no", 0, 1, 0);
    s_hit("but", 0, 1, 1);
    s_target("fever", 0, 1);
    s_target("hematoma", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[0].cause[NLP_CTX_NEGATED].why, NLP_WHY_TRIGGER);
    CHECK_INT(s_t[0].cause[NLP_CTX_NEGATED].rule, 0);
    CHECK_INT(s_t[1].flags, 0);
}

TEST(scope_ends_at_the_sentence)
{
    s_note("No fever. Hematoma present.");
    s_hit("No", 0, 1, 0);
    s_target("Hematoma", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, 0);
}

TEST(backward_trigger_and_same_category_cut)
{
    s_note("infection no hematoma ruled out");
    s_hit("no", 0, 1, 0);
    s_hit("ruled", 0, 2, 3);
    s_target("infection", 0, 1);
    s_target("hematoma", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    /* "ruled out" looks back only to "no" (same category): hematoma */
    CHECK_INT(s_t[0].flags, 0);
    CHECK_INT(s_t[1].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[1].cause[NLP_CTX_NEGATED].rule, 0); /* "no" is nearer */
}

TEST(pseudo_trigger_outcompetes_the_shorter_one)
{
    s_note("no increase in pain");
    s_hit("no", 0, 1, 0);
    s_hit("no", 0, 2, 2);
    s_target("pain", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, 0);
}

TEST(max_scope_limits_tokens)
{
    s_note("possible lead fracture and later an infection");
    s_hit("possible", 0, 1, 5);
    s_target("lead", 0, 2);
    s_target("infection", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_POSSIBLE);
    CHECK_INT(s_t[1].flags, 0);
}

TEST(target_inside_a_trigger_phrase_is_modified)
{
    s_note("THERE WAS NO PATIENT INJURY REPORTED.");
    s_hit("NO", 0, 3, 6);
    s_hit("NO", 0, 1, 0);
    s_target("INJURY", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[0].cause[NLP_CTX_NEGATED].rule, 6);
}

TEST(trigger_straddling_a_target_gives_way)
{
    /* "no injury" would swallow the target's first word: "no" negates */
    s_note("No injury proximal to his wrist.");
    s_hit("No", 0, 2, 8);
    s_hit("No", 0, 1, 0);
    s_target("injury", 0, 5);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[0].cause[NLP_CTX_NEGATED].rule, 0);
    /* a target wholly inside the trigger keeps it */
    s_note("no injury reported");
    s_hit("no", 0, 2, 8);
    s_hit("no", 0, 1, 0);
    s_target("injury", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].cause[NLP_CTX_NEGATED].rule, 8);
}

TEST(forward_scope_started_in_brackets_ends_with_them)
{
    s_note("(no slides submitted) shows leukemia");
    s_hit("no", 0, 1, 0);
    s_target("slides", 0, 1);
    s_target("leukemia", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[1].flags, 0);
    s_note("no (or minimal) edema");
    s_hit("no", 0, 1, 0);
    s_target("edema", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
}

TEST(trigger_inside_brackets_cuts_no_outer_scope)
{
    /* the inner "no" neither stops the outer one nor leaves its bracket */
    s_note("no bleeding (no overt) but anaemia, no fever [no rash] pain");
    s_hit("no", 0, 1, 0);
    s_hit("no", 1, 1, 0);
    s_hit("but", 0, 1, 1);
    s_hit("no", 2, 1, 0);
    s_hit("no", 3, 1, 0);
    s_target("bleeding", 0, 1);
    s_target("overt", 0, 1);
    s_target("anaemia", 0, 1);
    s_target("rash", 0, 1);
    s_target("pain", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[1].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[2].flags, 0); /* "but" still cuts */
    CHECK_INT(s_t[3].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[4].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[4].cause[NLP_CTX_NEGATED].tok_begin, s_at("no", 2));
}

TEST(backward_trigger_in_brackets_reaches_what_they_annotate)
{
    s_note("pneumonia (ruled out) and effusion");
    s_hit("ruled", 0, 2, 3);
    s_target("pneumonia", 0, 1);
    s_target("effusion", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[1].flags, 0);
}

TEST(flags_accumulate_and_bidirectional_family)
{
    s_note("no history of hematoma in her mother");
    s_hit("no", 0, 1, 0);
    s_hit("history", 0, 2, 4);
    s_hit("mother", 0, 1, 7);
    s_target("hematoma", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED | NLP_F_HISTORICAL | NLP_F_FAMILY);
}

TEST(section_heading_sets_its_category)
{
    s_note("HPI: device check.\nFAMILY HISTORY: pacemaker in father.");
    s_target("device", 0, 1);
    s_target("pacemaker", 0, 1);
    const int32_t sec_rule[] = {-1, -1, 0};
    CHECK_INT(s_d.nsec, 3);
    CHECK_INT(s_run(sec_rule, 3), 0);
    CHECK_INT(s_t[0].flags, 0);
    CHECK_INT(s_t[1].flags, NLP_F_FAMILY);
    CHECK_INT(s_t[1].cause[NLP_CTX_FAMILY].why, NLP_WHY_SECTION);
}

TEST(one_sentence_mode_for_sentence_level_sets)
{
    s_note("Neck: Supple. No lymphadenopathy.");
    nlp_doc_one_sentence(&s_d);
    CHECK_INT(s_d.nsent, 1);
    s_hit("No", 0, 1, 0);
    s_target("lymphadenopathy", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    CHECK_INT(s_t[0].flags, NLP_F_NEGATED);
}

TEST(bad_ranges_are_refused)
{
    s_note("no fever");
    s_hit("no", 0, 1, S_NTRIG); /* unknown trigger */
    CHECK_INT(s_run(NULL, 0), DS_EINVAL);
    s_note("no fever");
    s_target("fever", 0, 5); /* past the last token */
    CHECK_INT(s_run(NULL, 0), DS_EINVAL);
}

TEST(no_allocation_after_warm_up)
{
    struct ds_alloc_stats a, b;
    s_note("no fever but hematoma, no bleeding");
    s_hit("no", 0, 1, 0);
    s_hit("but", 0, 1, 1);
    s_hit("no", 1, 1, 0);
    s_target("fever", 0, 1);
    s_target("hematoma", 0, 1);
    s_target("bleeding", 0, 1);
    CHECK_INT(s_run(NULL, 0), 0);
    ds_alloc_stats(&a);
    for (int i = 0; i < 1000; i++)
        CHECK_INT(s_run(NULL, 0), 0);
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs - a.allocs, 0);
    CHECK_INT(s_t[2].flags, NLP_F_NEGATED);
    CHECK_INT(s_t[1].flags, 0);
}

int main(void)
{
    nlp_doc_init(&s_d);
    nlp_ctx_init(&s_c);
    RUN(forward_negation_until_a_terminator);
    RUN(scope_ends_at_the_sentence);
    RUN(backward_trigger_and_same_category_cut);
    RUN(pseudo_trigger_outcompetes_the_shorter_one);
    RUN(max_scope_limits_tokens);
    RUN(target_inside_a_trigger_phrase_is_modified);
    RUN(trigger_straddling_a_target_gives_way);
    RUN(forward_scope_started_in_brackets_ends_with_them);
    RUN(trigger_inside_brackets_cuts_no_outer_scope);
    RUN(backward_trigger_in_brackets_reaches_what_they_annotate);
    RUN(flags_accumulate_and_bidirectional_family);
    RUN(section_heading_sets_its_category);
    RUN(one_sentence_mode_for_sentence_level_sets);
    RUN(bad_ranges_are_refused);
    RUN(no_allocation_after_warm_up);
    nlp_ctx_clear(&s_c);
    nlp_doc_clear(&s_d);
    return test_report();
}
