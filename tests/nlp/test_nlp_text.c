/*
 * test_nlp_text.c - tokens, sentences and sections of clinical notes and
 * MAUDE narratives (nlp_text.h), as the extractor uses them.
 */
#include "devsurv/nlp_text.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdlib.h>

static struct nlp_doc s_d;

static int s_split(const char *text)
{
    return nlp_doc_split(&s_d, ds_span_str(text));
}

/* Sentence i as a string (static buffer). */
static const char *s_sent(size_t i)
{
    static char buf[512];
    const struct nlp_sent *s = &s_d.sent[i];
    snprintf(buf, sizeof buf, "%.*s", (int)(s->end - s->begin),
             s_d.text.p + s->begin);
    return buf;
}

static const char *s_tok(size_t i)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(s_d.tok[i].end - s_d.tok[i].begin),
             s_d.text.p + s_d.tok[i].begin);
    return buf;
}

TEST(sentences_end_at_terminal_punctuation)
{
    CHECK_INT(s_split("No chest pain. Patient denies fever! Why?"), 0);
    CHECK_INT(s_d.nsent, 3);
    CHECK_STR(s_sent(0), "No chest pain.");
    CHECK_STR(s_sent(1), "Patient denies fever!");
    CHECK_STR(s_sent(2), "Why?");
}

TEST(all_caps_maude_narrative_with_abbreviations)
{
    CHECK_INT(s_split("IT WAS REPORTED THAT THE PUMP ALARMED. THE PT. WAS "
                      "HOSPITALIZED FOR DKA. NO INJURY REPORTED."),
              0);
    CHECK_INT(s_d.nsent, 3);
    CHECK_STR(s_sent(1), "THE PT. WAS HOSPITALIZED FOR DKA.");
}

TEST(abbreviations_initials_and_numbers_do_not_split)
{
    CHECK_INT(s_split("Dr. Smith saw J. Doe, e.g. on day 2.5 at No. 4 bed."),
              0);
    CHECK_INT(s_d.nsent, 1);
    CHECK_INT(s_split("There was no. Then it failed."), 0);
    CHECK_INT(s_d.nsent, 2);
}

TEST(headings_open_sections_and_stand_alone)
{
    CHECK_INT(s_split("HISTORY OF PRESENT ILLNESS: pt with ICD.\n"
                      "Family history: mother had a pacemaker."),
              0);
    CHECK_INT(s_d.nsec, 3);
    CHECK_INT(s_d.sec[0].head_end - s_d.sec[0].head_begin, 0);
    const struct nlp_doc_section *h = &s_d.sec[1];
    CHECK(h->head_end - h->head_begin == 26 &&
          memcmp(s_d.text.p + h->head_begin, "HISTORY OF PRESENT ILLNESS",
                 26) == 0);
    CHECK_INT(s_d.nsent, 4);
    CHECK_STR(s_sent(0), "HISTORY OF PRESENT ILLNESS:");
    CHECK_STR(s_sent(1), "pt with ICD.");
    CHECK_STR(s_sent(3), "mother had a pacemaker.");
    CHECK_INT(s_d.sent[1].section, 1);
    CHECK_INT(s_d.sent[3].section, 2);
    CHECK_INT(s_d.sec[1].end, s_d.sec[2].begin);
    CHECK_INT(s_d.sec[2].end, s_d.text.n);
}

TEST(a_colon_in_a_sentence_is_not_a_heading)
{
    CHECK_INT(s_split("The patient said the following: no pain at all.\n"
                      "Exam, as noted: normal."),
              0);
    CHECK_INT(s_d.nsec, 1);
    CHECK_INT(s_d.nsent, 2);
    CHECK_INT(s_split("PAST MEDICAL HISTORY OF THE PATIENT: none"), 0);
    CHECK_INT(s_d.nsec, 2); /* six upper-case words still make one */
}

TEST(blank_lines_and_list_items_split)
{
    CHECK_INT(s_split("no fever\n\nlead fracture noted\n- hematoma\n"
                      "2) infection\nwraps onto\nthis line"),
              0);
    CHECK_INT(s_d.nsent, 4);
    CHECK_STR(s_sent(0), "no fever");
    CHECK_STR(s_sent(1), "lead fracture noted");
    CHECK_STR(s_sent(2), "- hematoma");
    CHECK_STR(s_sent(3), "2) infection\nwraps onto\nthis line");
}

TEST(tokens_keep_words_numbers_and_deid_whole)
{
    CHECK_INT(s_split("Seen by **NAME[AAA, BBB] re CRT-D; patient's dose "
                      "2.5 mg x 1,000 [**Hospital 12**]."),
              0);
    CHECK_STR(s_tok(2), "**NAME[AAA, BBB]");
    CHECK_INT(s_d.tok[2].kind, NLP_TOK_DEID);
    CHECK_STR(s_tok(4), "CRT-D");
    CHECK_INT(s_d.tok[4].kind, NLP_TOK_WORD);
    CHECK_STR(s_tok(5), ";");
    CHECK_STR(s_tok(6), "patient's");
    CHECK_STR(s_tok(8), "2.5");
    CHECK_INT(s_d.tok[8].kind, NLP_TOK_NUM);
    CHECK_STR(s_tok(11), "1,000");
    CHECK_STR(s_tok(12), "[**Hospital 12**]");
    CHECK_INT(s_d.tok[12].kind, NLP_TOK_DEID);
}

TEST(empty_and_punctuation_only_texts)
{
    CHECK_INT(s_split(""), 0);
    CHECK_INT(s_d.ntok + s_d.nsent, 0);
    CHECK_INT(s_d.nsec, 1);
    CHECK_INT(s_split("....!!!?"), 0);
    CHECK_INT(s_d.ntok, 8);
    CHECK_INT(s_d.nsent, 1);
    CHECK_INT(nlp_doc_split(&s_d, (struct ds_span){"ab\0cd. ef", 9}), 0);
    CHECK_INT(s_d.nsent, 2);
}

TEST(long_run_is_cut_into_bounded_sentences)
{
    size_t n = 5000 * 4;
    char *t = malloc(n + 1);
    CHECK(t != NULL);
    for (size_t i = 0; i < n; i += 4)
        memcpy(t + i, "abc ", 4);
    t[n] = '\0';
    int rc = s_split(t);
    size_t nsent = s_d.nsent;
    uint32_t len0 = s_d.sent[0].tok_end - s_d.sent[0].tok_begin;
    free(t);
    CHECK_INT(rc, 0);
    CHECK_INT(nsent, 5);
    CHECK_INT(len0, NLP_SENT_MAX_TOKENS);
}

TEST(lookups_by_offset_and_token)
{
    CHECK_INT(s_split("One two. Three four."), 0);
    CHECK_INT(nlp_doc_tok_at(&s_d, 0), 0);
    CHECK_INT(nlp_doc_tok_at(&s_d, 3), 1); /* the space: next token */
    CHECK_INT(nlp_doc_tok_at(&s_d, 10), 3);
    CHECK_INT(nlp_doc_tok_at(&s_d, 100), s_d.ntok);
    CHECK_INT(nlp_doc_sent_of(&s_d, 2), 0);
    CHECK_INT(nlp_doc_sent_of(&s_d, 3), 1);
}

TEST(no_allocation_after_warm_up)
{
    const char *note = "PAST MEDICAL HISTORY: ICD placed 2019.\nNo lead "
                       "fracture. Denies shocks! Plan: follow up.";
    struct ds_alloc_stats a, b;
    CHECK_INT(s_split(note), 0);
    ds_alloc_stats(&a);
    for (int i = 0; i < 1000; i++)
        CHECK_INT(s_split(note), 0);
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs - a.allocs, 0);
}

TEST(allocation_failure_leaves_an_empty_valid_doc)
{
    struct nlp_doc d;
    int rc = DS_ENOMEM;
    for (uint64_t k = 1; k < 100 && rc != 0; k++) {
        nlp_doc_init(&d);
        ds_alloc_fail_at(k);
        rc = nlp_doc_split(&d, ds_span_str("A b. C d.\n\nE: f"));
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        CHECK(rc == 0 || (rc == DS_ENOMEM && d.ntok + d.nsent == 0));
        CHECK(rc != 0 || !fired);
        nlp_doc_clear(&d);
    }
    CHECK_INT(rc, 0);
}

int main(void)
{
    nlp_doc_init(&s_d);
    RUN(sentences_end_at_terminal_punctuation);
    RUN(all_caps_maude_narrative_with_abbreviations);
    RUN(abbreviations_initials_and_numbers_do_not_split);
    RUN(headings_open_sections_and_stand_alone);
    RUN(a_colon_in_a_sentence_is_not_a_heading);
    RUN(blank_lines_and_list_items_split);
    RUN(tokens_keep_words_numbers_and_deid_whole);
    RUN(empty_and_punctuation_only_texts);
    RUN(long_run_is_cut_into_bounded_sentences);
    RUN(lookups_by_offset_and_token);
    RUN(no_allocation_after_warm_up);
    RUN(allocation_failure_leaves_an_empty_valid_doc);
    nlp_doc_clear(&s_d);
    return test_report();
}
