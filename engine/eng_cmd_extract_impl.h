/*
 * eng_cmd_extract_impl.h - private to eng_cmd_extract*.c: the JSON record
 * writer that `devsurv extract` prints one line per input record with.
 * Not installed.
 */
#ifndef DEVSURV_ENG_CMD_EXTRACT_IMPL_H
#define DEVSURV_ENG_CMD_EXTRACT_IMPL_H

#include <stdbool.h>
#include <stdio.h>

#include "devsurv/ds_span.h"
#include "devsurv/nlp_extract.h"

/* A record id: a JSON string (the envelope's "id", MDR_TEXT_KEY) or a
 * number (a line number). */
struct eng_x_id {
    bool is_num;
    long long num;
    struct ds_span str;
};

/* Write one record as one line of JSON to out: {"id", "rules" (the rule-set
 * SHA-256), "mentions": [...]} with every mention's kind, byte span, surface
 * text, code, system, label, rule ("file:id"), the five context flags and
 * "why" (per set flag, the trigger or section heading id and its text as
 * written in the note). text is the input r was extracted from. Strings are
 * written as valid UTF-8: a byte that is not part of a valid UTF-8
 * sequence becomes U+FFFD. Buffered through out: allocates nothing. */
void eng_x_json_record(FILE *out, const struct eng_x_id *id,
                       const nlp_rules_t *rules, struct ds_span text,
                       const struct nlp_result *r);

#endif
