/*
 * eng_cases.h - golden extraction cases as data (fixtures/nlp/NAME.cases, run
 * by `devsurv extract --check`): read a .cases file case by case, and
 * compare one case with the mentions the extractor found in its note.
 *
 * The format, line by line (UTF-8 text; a CR before LF and trailing blanks
 * are ignored):
 *
 *   # comment                  anywhere; does not end a case
 *   known-gap: <why>           optional, first line of a case: the
 *                              extractor is known to get it wrong
 *   note: <text>               exactly one per case: the note, one line,
 *                              with the escapes \n \r \t \\ \" \xHH
 *   expect: <kind> <code> "<text>" [<flag>[=<rule id>]]...
 *   expect: none               the note must produce no mention
 *
 * A blank line ends a case. kind is device, component, event or udi (the
 * names of nlp_mention_kind_name()); code is the concept code (a UDI's
 * device identifier); text is the exact surface text (bytes, with the
 * escapes above); flags are negated, possible, hypothetical, historical
 * and family, each optionally pinned to the id of the trigger or section
 * heading that must have set it ("negated=neg.061", "family=sec.001").
 * A case passes when the mentions equal the expected ones as a multiset:
 * same kind, code, text and flags (exactly: an unlisted flag must be
 * unset), and the pinned causes.
 *
 * Ownership: struct eng_cases borrows the file's bytes and owns the
 * buffers that unescaped text lives in; a struct eng_case it returns
 * borrows both and is valid until the next eng_cases_next() or
 * eng_cases_clear().
 *
 * Not here: reading files, running the extractor and printing ok/FAIL
 * lines (engine/eng_cmd_extract.c).
 */
#ifndef DEVSURV_ENG_CASES_H
#define DEVSURV_ENG_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/nlp_extract.h"

#define ENG_CASES_EXPECT_MAX 64 /* expect: lines in one case */

/* One expected mention. */
struct eng_case_expect {
    int line;
    enum nlp_mention_kind kind;
    struct ds_span code;
    struct ds_span text;              /* unescaped */
    unsigned flags;                   /* NLP_F_* */
    struct ds_span why[NLP_CTX_NCAT]; /* pinned cause ids; n == 0: any */
};

/* One case. */
struct eng_case {
    int line;            /* the case's first line */
    struct ds_span gap;  /* the known-gap reason; n == 0 when none */
    struct ds_span note; /* unescaped */
    const struct eng_case_expect *expect;
    size_t nexpect; /* 0 for "expect: none" */
};

/* Reader state: embedded; eng_cases_init, eng_cases_next until it returns
 * 0 or an error, eng_cases_clear. Members are private. */
struct eng_cases {
    const char *name;    /* for diagnostics (borrowed) */
    struct ds_span text; /* the file (borrowed) */
    size_t pos;
    int line;
    char *buf; /* unescaped notes and texts */
    size_t nbuf, capbuf;
    size_t note_off, text_off[ENG_CASES_EXPECT_MAX];
    struct eng_case_expect x[ENG_CASES_EXPECT_MAX];
};

/* Start reading text (borrowed, the whole .cases file) named name
 * (borrowed, used in diagnostics). */
void eng_cases_init(struct eng_cases *self, const char *name,
                    struct ds_span text);

/* Free the buffers; self may be initialised again. */
void eng_cases_clear(struct eng_cases *self);

/* The next case into *out: 1, 0 at the end, DS_EPARSE with diag "name:
 * line: why" (an unknown line, a bad escape, kind or flag, a case without
 * note: or expect:, more than ENG_CASES_EXPECT_MAX expectations) or
 * DS_ENOMEM. diag may be NULL. */
int eng_cases_next(struct eng_cases *self, struct eng_case *out,
                   struct ds_diag *diag);

/* True when r (the extractor's result over c->note, with rules) holds
 * exactly the mentions c expects (see the top of this file). */
bool eng_case_equal(const struct eng_case *c, const nlp_rules_t *rules,
                    const struct nlp_result *r);

/* Print "expected [...], got [...]" (no newline): both sides in the
 * expect: syntax, the mentions found with every flag pinned to its cause,
 * so a rule author can see why and paste the line. */
void eng_case_print_diff(FILE *out, const struct eng_case *c,
                         const nlp_rules_t *rules, const struct nlp_result *r);

#endif
