/*
 * eng_mentions.h - an event's extracted mentions into the mentions table,
 * with their sentence, rule, context decisions and the rule-set hash, and
 * one audit entry per event covering the batch.
 *
 * Audit entry "mentions", subject "source/epoch/seq", ts = the event's
 * time; payload: str(rule-set SHA-256), i64 count, bytes(SHA-256 over the
 * rows as stored: per mention its kind, begin, end, code, rule and flags,
 * length-prefixed). An event without mentions gets no entry.
 *
 * Kinds stored: device, component, event, udi, model, lot, serial (dates
 * are not: they carry no safety meaning on their own).
 * Not here: extraction (nlp_extract), linking (eng_link).
 */
#ifndef DEVSURV_ENG_MENTIONS_H
#define DEVSURV_ENG_MENTIONS_H

#include "devsurv/eng_audit.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_events.h"
#include "devsurv/nlp_extract.h"

/* Store r's mentions of event k (text = the text they index, rules = the
 * rule set that found them) inside the open transaction and audit them.
 * *stored receives the number of rows. 0, DS_ESTORE or DS_ENOMEM. */
int eng_mentions_put(eng_store_t *store, eng_audit_t *audit,
                     const struct eng_store_key *k, int64_t ts,
                     const nlp_rules_t *rules, const struct nlp_result *r,
                     size_t *stored);

/* The context decisions of mention m as a JSON array into buf (cap
 * bytes, NUL-terminated; truncated arrays stay valid JSON). */
void eng_mentions_context(const nlp_rules_t *rules, const struct nlp_result *r,
                          const struct nlp_mention *m, char *buf, size_t cap);

#endif
