/*
 * eng_audit_log.h - the audit entries the engine writes, one function per
 * kind, each appending inside the caller's open transaction (eng_audit.h).
 *
 * Subjects and payloads (payload fields in eng_audit_canon encoding):
 *   events_stored      the stored events of a batch, queued by
 *                      eng_audit_log_event(): eng_audit_events.h
 *   event_stored       (stores written before schema 7: one per event)
 *                      "source/epoch/seq"; str(content type),
 *                      bytes(SHA-256 of the stored payload); ts = the
 *                      event's time
 *   event_quarantined  "source/epoch/seq"; i64 DS_E code, str(reason),
 *                      str(content type), bytes(SHA-256 of the raw bytes);
 *                      ts = the head's ts (a rejected message has no
 *                      trusted event time)
 *   signal_raised      "signal/<id>"; str(method), str(product code),
 *                      str(event code), f64 statistic, f64 threshold,
 *                      i64 observed, f64 expected, str(params JSON),
 *                      str("source/epoch/seq" of the triggering event),
 *                      str(plan id), str(device key), str(rule-set
 *                      SHA-256), str(plan-set SHA-256), i64 generation
 *                      ("" / 0 on the [maxsprt] path);
 *                      ts = the signal's event time
 *   config_loaded      "config"; bytes(SHA-256 of the configuration
 *                      text); ts = the head's ts
 *   alert_transition   "alert/<id>"; i64 signal id, str(from status),
 *                      str(to status), str(by), str(reason); ts = the
 *                      WALL clock in ms (an operational record written by
 *                      `devsurv alert`, not by a replay)
 *   mentions           "source/epoch/seq"; str(rule-set SHA-256), i64
 *                      count, bytes(SHA-256 of the rows: eng_mentions.h);
 *                      ts = the event's time
 *   event_late         "source/epoch/seq"; i64 event time, i64 watermark;
 *                      ts = the event's time
 *   rules_loaded,      "rules" / "plans"; str(SHA-256), str(file list);
 *   plans_loaded       ts = the head's ts
 *   source_discontinuity  "<source>/<epoch>"; see below
 * Using the head's ts where there is no event time keeps replays
 * deterministic: nothing here reads the wall clock.
 *
 * Not here: checkpoint entries (eng_checkpoint).
 */
#ifndef DEVSURV_ENG_AUDIT_LOG_H
#define DEVSURV_ENG_AUDIT_LOG_H

#include "devsurv/eng_audit.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/eng_store_events.h"

/* Returns of all: 0, or eng_audit_append()'s error. */
int eng_audit_log_event(eng_audit_t *a, const struct eng_store_key *k,
                        int64_t ts, struct ds_span ctype, const void *payload,
                        size_t n);

int eng_audit_log_quarantine(eng_audit_t *a, const struct eng_store_key *k,
                             int code, const char *reason, struct ds_span ctype,
                             const void *payload, size_t n);

int eng_audit_log_signal(eng_audit_t *a, const struct eng_signal *s);

int eng_audit_log_config(eng_audit_t *a, const char *text, size_t n);

int eng_audit_log_mentions(eng_audit_t *a, const struct eng_store_key *k,
                           int64_t ts, const char *rules_sha, int64_t count,
                           const uint8_t digest[ENG_AUDIT_HASH]);

int eng_audit_log_late(eng_audit_t *a, const struct eng_store_key *k,
                       int64_t ts, int64_t watermark);

/* kind: ENG_AUDIT_RULES_LOADED or ENG_AUDIT_PLANS_LOADED. */
int eng_audit_log_loaded(eng_audit_t *a, enum eng_audit_kind kind,
                         const char *sha, const char *files, int64_t ts);

/* One alert transition (eng_alert.h); strings borrowed, NUL-terminated. */
struct eng_audit_alert {
    int64_t alert, signal;
    const char *from, *to, *by, *reason;
    int64_t ts; /* wall clock, Unix ms */
};

int eng_audit_log_alert(eng_audit_t *a, const struct eng_audit_alert *t);

/* A source's new epoch after an earlier one (eng_store_epochs): subject
 * "<source>/<epoch>", payload the epoch and committed seq left behind. */
int eng_audit_log_discontinuity(eng_audit_t *a, struct ds_span source,
                                int64_t epoch, int64_t prev_epoch,
                                int64_t prev_committed, int64_t ts);

#endif
