/*
 * test_nlp_ac.c - the Aho-Corasick dictionary matcher (nlp_ac.h) as the
 * extraction code uses it: build a dictionary, scan a note, read offsets;
 * case folding, whitespace runs, word boundaries, UTF-8, duplicates,
 * rejected terms, callbacks, leftmost-longest selection. Then the
 * allocation budget (no allocation in 1000 scans after warm-up) and
 * allocation failure at every point of a build.
 *
 * Not here: the oracle comparisons and 10 MB texts
 * (test_nlp_ac_oracle.c), speed (tests/bench/bench_ac.c) and
 * libFuzzer-driven inputs (tests/fuzz/fuzz_ac.c).
 */
#include "devsurv/ds_alloc.h"
#include "ac_test_util.h"
#include "../test.h"

#include <stdlib.h>

/* ---- usage examples ---------------------------------------------------- */

TEST(example_device_terms_in_a_note)
{
    static const struct term terms[] = {{"insulin pump", 1, 0},
                                        {"pump", 2, 0},
                                        {"lead fracture", 3, 0},
                                        {"alarm", 4, 0}};
    const char *note = "Pt's INSULIN\n  PUMP alarmed; pumping stopped. "
                       "Lead fracture.";
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, terms, 4), 0);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str(note), &hits), 0);
    CHECK_INT(hits.n, 3);
    size_t ins = s_at(note, "INSULIN"), pump = s_at(note, "PUMP");
    CHECK(s_hit_is(&hits.v[0], ins, pump + 4, 1));
    CHECK(s_hit_is(&hits.v[1], pump, pump + 4, 2));
    size_t lead = s_at(note, "Lead");
    CHECK(s_hit_is(&hits.v[2], lead, lead + 13, 3));
    /* "alarmed" and "pumping" are not whole words */
    CHECK_INT(nlp_ac_longest(hits.v, hits.n), 2);
    CHECK_INT(hits.v[0].id, 1);
    CHECK_INT(hits.v[1].id, 3);
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
    CHECK(ac == NULL);
}

TEST(overlapping_he_she_his_hers)
{
    static const struct term terms[] = {{"he", 1, NLP_AC_NOBOUND},
                                        {"she", 2, NLP_AC_NOBOUND},
                                        {"his", 3, NLP_AC_NOBOUND},
                                        {"hers", 4, NLP_AC_NOBOUND}};
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, terms, 4), 0);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str("USHERS"), &hits), 0);
    CHECK_INT(hits.n, 3);
    CHECK(s_hit_is(&hits.v[0], 1, 4, 2)); /* she */
    CHECK(s_hit_is(&hits.v[1], 2, 4, 1)); /* he */
    CHECK(s_hit_is(&hits.v[2], 2, 6, 4)); /* hers */
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(word_boundaries_and_nobound)
{
    static const struct term terms[] = {
        {"pump", 1, 0}, {"ectomy", 2, NLP_AC_NOBOUND}, {"(b)(6)", 3, 0}};
    const char *t = "pumps pump-x xpump PUMP2 (pump) lobectomy x(b)(6) "
                    "(B)(6)";
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, terms, 3), 0);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str(t), &hits), 0);
    CHECK_INT(hits.n, 4);
    CHECK(s_hit_is(&hits.v[0], 6, 10, 1));
    CHECK(
        s_hit_is(&hits.v[1], s_at(t, "(pump)") + 1, s_at(t, "(pump)") + 5, 1));
    CHECK(s_hit_is(&hits.v[2], s_at(t, "ectomy"), s_at(t, "ectomy") + 6, 2));
    CHECK(s_hit_is(&hits.v[3], s_at(t, "(B)"), s_at(t, "(B)") + 6, 3));
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(utf8_bytes_are_exact_and_word_bytes)
{
    static const struct term terms[] = {{"caf\xc3\xa9", 1, 0}, {"pump", 2, 0}};
    const char *t = "CAF\xc3\xa9 CAF\xc3\x89 pump\xc3\xa9 \xc3\xa9pump "
                    "\xff\xfepump\xc3";
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, terms, 2), 0);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str(t), &hits), 0);
    CHECK_INT(hits.n, 1); /* only "CAFé"; É is not é, é is a word byte */
    CHECK(s_hit_is(&hits.v[0], 0, 5, 1));
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(whitespace_runs_match_one_space)
{
    static const struct term terms[] = {{"  Insulin \t PUMP\n", 7, 0},
                                        {"a b c", 8, 0}};
    const char *t = "insulin\r\n\tpump; insulin pump;insulinpump;"
                    "A\n\n\nB \fC";
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, terms, 2), 0);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str(t), &hits), 0);
    CHECK_INT(hits.n, 3);
    CHECK(s_hit_is(&hits.v[0], 0, 14, 7));
    CHECK(s_hit_is(&hits.v[1], 16, 28, 7));
    CHECK(s_hit_is(&hits.v[2], s_at(t, "A\n"), strlen(t), 8));
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(duplicate_terms_report_each_id_once)
{
    static const struct term terms[] = {{"stent", 5, 0},
                                        {"STENT", 3, 0},
                                        {"stent", 5, 0},
                                        {"Stent", 3, NLP_AC_NOBOUND}};
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    struct nlp_ac_info info;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, terms, 4), 0);
    nlp_ac_info(ac, &info);
    CHECK_INT(info.terms, 2);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str("a stent; xstent"), &hits), 0);
    CHECK_INT(hits.n, 3); /* ids 3 and 5 at 2; only NOBOUND id 3 at 10 */
    CHECK(hits.v[0].id + hits.v[1].id == 8 && hits.v[0].begin == 2 &&
          hits.v[1].begin == 2);
    CHECK(s_hit_is(&hits.v[2], 10, 15, 3));
    CHECK_INT(nlp_ac_longest(hits.v, hits.n), 2);
    CHECK(s_hit_is(&hits.v[0], 2, 7, 3)); /* tie: lower id */
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(bad_terms_are_rejected_with_a_reason)
{
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    struct ds_diag d;
    char longterm[NLP_AC_TERM_MAX + 2];
    char spaced[2 * (NLP_AC_SPACES_MAX + 1) + 2];
    CHECK(b != NULL);
    ds_diag_clear(&d);
    CHECK_INT(nlp_ac_builder_add(b, ds_span_str(""), 9, 0, &d), DS_EINVAL);
    CHECK_HAS(d.msg, "empty term (id 9)");
    CHECK_INT(nlp_ac_builder_add(b, ds_span_str(" \t\n"), 1, 0, &d), DS_EINVAL);
    CHECK_INT(nlp_ac_builder_add(b, (struct ds_span){NULL, 0}, 1, 0, &d),
              DS_EINVAL);
    CHECK_INT(nlp_ac_builder_add(b, ds_span_str("x"), 1, 0x10, &d), DS_EINVAL);
    CHECK_HAS(d.msg, "flags");
    memset(longterm, 'x', sizeof longterm - 1);
    longterm[sizeof longterm - 1] = '\0';
    CHECK_INT(nlp_ac_builder_add(b, ds_span_str(longterm), 1, 0, &d),
              DS_ETOOBIG);
    longterm[NLP_AC_TERM_MAX] = '\0';
    CHECK_INT(nlp_ac_builder_add(b, ds_span_str(longterm), 1, 0, NULL), 0);
    for (size_t i = 0; i + 1 < sizeof spaced; i++)
        spaced[i] = i % 2 ? ' ' : 'a';
    spaced[sizeof spaced - 1] = '\0';
    CHECK_INT(nlp_ac_builder_add(b, ds_span_str(spaced), 1, 0, &d), DS_ETOOBIG);
    CHECK_HAS(d.msg, "spaces");
    CHECK_INT(nlp_ac_builder_count(b), 1);
    nlp_ac_builder_destroy(&b);
    CHECK(b == NULL);
}

TEST(empty_dictionary_empty_text_and_nul_bytes)
{
    static const char text[] = "x\0y \0pump\0 z";
    static const struct term terms[] = {{"pump", 1, 0}};
    nlp_ac_t *ac = NULL;
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(nlp_ac_build(&ac, &b, NULL), 0);
    CHECK(b == NULL);
    CHECK_INT(nlp_ac_scan(ac, (struct ds_span){text, sizeof text}, &hits), 0);
    CHECK_INT(hits.n, 0);
    nlp_ac_destroy(&ac);
    CHECK_INT(s_make(&ac, terms, 1), 0);
    CHECK_INT(nlp_ac_scan(ac, (struct ds_span){NULL, 0}, &hits), 0);
    CHECK_INT(hits.n, 0);
    CHECK_INT(nlp_ac_scan(ac, (struct ds_span){text, sizeof text}, &hits), 0);
    CHECK_INT(hits.n, 1);
    CHECK(s_hit_is(&hits.v[0], 5, 9, 1));
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(terms_with_nul_bytes)
{
    static const char term[] = "a\0b";
    static const char text[] = "a\0b a\0bc";
    nlp_ac_t *ac = NULL;
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(nlp_ac_builder_add(b, (struct ds_span){term, 3}, 4, 0, NULL), 0);
    CHECK_INT(nlp_ac_build(&ac, &b, NULL), 0);
    CHECK_INT(nlp_ac_scan(ac, (struct ds_span){text, sizeof text - 1}, &hits),
              0);
    CHECK_INT(hits.n, 1);
    CHECK(s_hit_is(&hits.v[0], 0, 3, 4));
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

struct stop_after {
    int calls, limit;
};

static int s_stop_after(void *ctx, const struct nlp_ac_hit *hit)
{
    struct stop_after *s = ctx;
    (void)hit;
    return ++s->calls == s->limit ? 7 : 0;
}

TEST(callback_sees_hits_and_can_stop)
{
    static const struct term terms[] = {{"lead", 1, 0}};
    nlp_ac_t *ac = NULL;
    struct stop_after st = {0, 2};
    CHECK_INT(s_make(&ac, terms, 1), 0);
    CHECK_INT(
        nlp_ac_scan_cb(ac, ds_span_str("lead lead lead"), s_stop_after, &st),
        7);
    CHECK_INT(st.calls, 2);
    st.limit = 100;
    st.calls = 0;
    CHECK_INT(
        nlp_ac_scan_cb(ac, ds_span_str("lead lead lead"), s_stop_after, &st),
        0);
    CHECK_INT(st.calls, 3);
    nlp_ac_destroy(&ac);
}

TEST(longest_selection_is_leftmost_longest)
{
    struct nlp_ac_hit v[] = {{5, 9, 2},  {0, 4, 1},  {0, 9, 3},  {10, 12, 4},
                             {9, 11, 5}, {9, 11, 0}, {11, 13, 6}};
    CHECK_INT(nlp_ac_longest(v, 7), 3);
    CHECK(s_hit_is(&v[0], 0, 9, 3));
    CHECK(s_hit_is(&v[1], 9, 11, 0));
    CHECK(s_hit_is(&v[2], 11, 13, 6));
    CHECK_INT(nlp_ac_longest(v, 0), 0);
}

TEST(info_reports_sizes)
{
    static const struct term terms[] = {{"pump", 1, 0}, {"pump alarm", 2, 0}};
    nlp_ac_t *ac = NULL;
    struct nlp_ac_info info;
    CHECK_INT(s_make(&ac, terms, 2), 0);
    nlp_ac_info(ac, &info);
    CHECK_INT(info.terms, 2);
    CHECK_INT(info.entry_bytes, 2);
    CHECK(info.states >= 11 && info.states < 30);
    CHECK_INT(info.classes, 3 + 6); /* fixed three + p u m a l r */
    CHECK(info.bytes > info.states * info.classes * 2);
    nlp_ac_destroy(&ac);
}

/* ---- allocation budget and failure ------------------------------------- */

static const struct term s_lexicon[] = {{"insulin pump", 1, 0},
                                        {"infusion pump", 2, 0},
                                        {"pump", 3, 0},
                                        {"lead", 4, 0},
                                        {"lead fracture", 5, 0},
                                        {"battery depletion", 6, 0},
                                        {"catheter", 7, 0},
                                        {"occlusion", 8, 0},
                                        {"alarm", 9, 0},
                                        {"pump alarmed", 10, 0},
                                        {"no patient injury", 11, 0},
                                        {"(b)(6)", 12, 0},
                                        {"stent", 13, 0},
                                        {"ectomy", 14, NLP_AC_NOBOUND},
                                        {"glucose meter", 15, 0},
                                        {"spinal cord stimulator", 16, 0}};
#define S_NLEX (sizeof s_lexicon / sizeof s_lexicon[0])

static const char s_note[] =
    "IT WAS REPORTED THAT THE INSULIN PUMP ALARMED (B)(6). THE PT'S\n"
    "GLUCOSE METER READ HIGH; NO PATIENT INJURY. Lead fracture noted at\n"
    "revision; battery   depletion suspected. Catheter occlusion cleared.\n"
    "Spinal cord stimulator explanted after laminectomy. Stent patent.\n";

TEST(no_allocation_in_1000_scans_after_warm_up)
{
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    struct ds_alloc_stats before, after;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, s_lexicon, S_NLEX), 0);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str(s_note), &hits), 0);
    CHECK(hits.n >= 14);
    ds_alloc_stats(&before);
    for (int i = 0; i < 1000; i++) {
        if (nlp_ac_scan(ac, ds_span_str(s_note), &hits) != 0)
            break;
        nlp_ac_longest(hits.v, hits.n);
    }
    ds_alloc_stats(&after);
    CHECK_INT(after.allocs - before.allocs, 0);
    CHECK_INT(after.frees - before.frees, 0);
    CHECK_INT(after.failures - before.failures, 0);
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(allocation_failure_anywhere_in_build)
{
    static char names[300][24];
    static struct term terms[300];
    nlp_ac_t *ac = NULL;
    int rc = 0, fired = 1;
    uint64_t k;
    for (size_t i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "device %zu part %zx", i, i * 7);
        terms[i] = (struct term){names[i], (uint32_t)i, (unsigned)(i % 2)};
    }
    for (k = 1; fired && k < 100000; k++) {
        ds_alloc_fail_at(k);
        rc = s_make(&ac, terms, 300);
        fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (fired && (rc != DS_ENOMEM || ac != NULL))
            TEST_FAIL_("fail_at %llu: rc %d", (unsigned long long)k, rc);
    }
    CHECK_INT(rc, 0);
    CHECK(k > 20); /* the builder and the build each failed many ways */
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(nlp_ac_scan(ac, ds_span_str("see DEVICE 17 part 77."), &hits), 0);
    CHECK_INT(hits.n, 1);
    CHECK(s_hit_is(&hits.v[0], 4, 21, 17));
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

TEST(hit_list_growth_failure_is_reported)
{
    nlp_ac_t *ac = NULL;
    struct nlp_ac_hits hits;
    nlp_ac_hits_init(&hits);
    CHECK_INT(s_make(&ac, s_lexicon, S_NLEX), 0);
    ds_alloc_fail_at(1);
    int rc = nlp_ac_scan(ac, ds_span_str(s_note), &hits);
    ds_alloc_fail_at(0);
    CHECK_INT(rc, DS_ENOMEM);
    CHECK_INT(hits.n, 0);
    CHECK_INT(nlp_ac_hits_reserve(&hits, 2), 0);
    ds_alloc_fail_at(1);
    rc = nlp_ac_scan(ac, ds_span_str(s_note), &hits);
    ds_alloc_fail_at(0);
    CHECK_INT(rc, DS_ENOMEM);
    CHECK_INT(hits.n, 2); /* what fitted before the failed growth */
    CHECK_INT(nlp_ac_scan(ac, ds_span_str(s_note), &hits), 0);
    CHECK(hits.n >= 14);
    nlp_ac_hits_clear(&hits);
    nlp_ac_destroy(&ac);
}

int main(void)
{
    RUN(example_device_terms_in_a_note);
    RUN(overlapping_he_she_his_hers);
    RUN(word_boundaries_and_nobound);
    RUN(utf8_bytes_are_exact_and_word_bytes);
    RUN(whitespace_runs_match_one_space);
    RUN(duplicate_terms_report_each_id_once);
    RUN(bad_terms_are_rejected_with_a_reason);
    RUN(empty_dictionary_empty_text_and_nul_bytes);
    RUN(terms_with_nul_bytes);
    RUN(callback_sees_hits_and_can_stop);
    RUN(longest_selection_is_leftmost_longest);
    RUN(info_reports_sizes);
    RUN(no_allocation_in_1000_scans_after_warm_up);
    RUN(allocation_failure_anywhere_in_build);
    RUN(hit_list_growth_failure_is_reported);
    return test_report();
}
