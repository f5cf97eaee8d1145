/*
 * eng_store_schema.c - the numbered schema migrations of the store.
 *
 * Migration i (1-based) brings PRAGMA user_version from i-1 to i. Append new
 * migrations; never edit one that has shipped. Tables (DESIGN.md section 5):
 *   sources     committed seq per (source, epoch): the ingest watermark
 *   events      every accepted event, raw payload + decoded key fields,
 *               unique (source, epoch, seq) so a repeat is a no-op
 *   quarantine  every rejected message: raw bytes, DS_E code, reason
 *   exposures   devices exposed (implanted/used) per product code
 *   cells       product code x event code: observed, expected, statistic
 *   signals     each crossing: cell, method, statistic, threshold,
 *               observed, expected, event time, the triggering event
 *   discontinuities  a source's new epoch after an earlier one (the
 *               publisher lost its journal): which epoch and seq it left
 *               behind, and the event time of the new epoch's first event
 *   audit       the tamper-evident hash chain (eng_audit.h): one row per
 *               audited action, canonical bytes + prev_hash + entry_hash;
 *               triggers refuse UPDATE and DELETE
 *   checkpoints signed Merkle tree heads over audit 1..n (eng_checkpoint.h)
 *   rulesets    each rule set / plan set loaded: SHA-256 and file list
 *   mentions    what extraction found in an event's text (span, sentence,
 *               code, rule file:id and line, NLP_F_* flags, the context
 *               decisions as JSON, the rule-set hash)
 *   patient_devices  exposures per pseudonymised patient, for linking
 *   plan_cells  (plan, device key, plan event code): counts, statistic,
 *               boundary, status, generation and the opaque test state
 *   plan_series one row per change of a plan cell: the time series
 *   contributions  which event (and mention, -1 = structured field)
 *               counts in which plan cell, and how it was linked
 *   episodes    one complication per (plan, event, patient, window)
 *   trials      exposures of cusum plans whose window is still open
 *   late_events events older than the watermark: stored, not counted
 *   alerts, alert_log  one alert per signal; every transition, who, why
 * Times are event times in Unix milliseconds (INTEGER).
 */
#include "devsurv/eng_store_schema.h"

#include <stddef.h>

static const char *const s_migrations[] = {
    /* 1: first schema */
    "CREATE TABLE sources("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL,"
    "  committed INTEGER NOT NULL, PRIMARY KEY(source, epoch)"
    ") WITHOUT ROWID;"
    "CREATE TABLE events("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  id TEXT NOT NULL, kind TEXT NOT NULL, ts_event INTEGER NOT NULL,"
    "  patient TEXT, product_code TEXT, event_code TEXT,"
    "  content_type TEXT NOT NULL, payload BLOB NOT NULL,"
    "  PRIMARY KEY(source, epoch, seq)"
    ") WITHOUT ROWID;"
    "CREATE INDEX events_ts ON events(ts_event);"
    "CREATE TABLE quarantine("
    "  qid INTEGER PRIMARY KEY, source TEXT, epoch INTEGER, seq INTEGER,"
    "  code TEXT NOT NULL, reason TEXT NOT NULL, content_type TEXT,"
    "  payload BLOB NOT NULL, UNIQUE(source, epoch, seq));"
    "CREATE TABLE exposures("
    "  product_code TEXT PRIMARY KEY, n INTEGER NOT NULL,"
    "  last_ts INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE cells("
    "  product_code TEXT NOT NULL, event_code TEXT NOT NULL,"
    "  observed INTEGER NOT NULL, expected REAL NOT NULL,"
    "  llr REAL NOT NULL, status TEXT NOT NULL"
    "    CHECK(status IN ('watching', 'signalled', 'ended')),"
    "  last_ts INTEGER NOT NULL, PRIMARY KEY(product_code, event_code)"
    ") WITHOUT ROWID;"
    "CREATE TABLE signals("
    "  id INTEGER PRIMARY KEY, product_code TEXT NOT NULL,"
    "  event_code TEXT NOT NULL, method TEXT NOT NULL,"
    "  statistic REAL NOT NULL, threshold REAL NOT NULL,"
    "  observed INTEGER NOT NULL, expected REAL NOT NULL,"
    "  ts_event INTEGER NOT NULL, source TEXT NOT NULL,"
    "  epoch INTEGER NOT NULL, seq INTEGER NOT NULL, params TEXT NOT NULL,"
    "  UNIQUE(product_code, event_code, method));",
    /* 2: a publisher that lost its journal starts a new epoch */
    "CREATE TABLE discontinuities("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL,"
    "  prev_epoch INTEGER NOT NULL, prev_committed INTEGER NOT NULL,"
    "  ts_event INTEGER NOT NULL, PRIMARY KEY(source, epoch)"
    ") WITHOUT ROWID;",
    /* 3: tamper-evident audit trail (reliability.md 3.2). The triggers
     * guard against accidents, not attackers: `devsurv verify` and the
     * external anchors are what detect an edit. No trigger checks that
     * seq is dense on INSERT (it cost ~10% of replay throughput); the
     * appender writes max + 1 and verify refuses any gap. */
    "CREATE TABLE audit("
    "  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, ts INTEGER NOT NULL,"
    "  subject TEXT NOT NULL, canonical BLOB NOT NULL,"
    "  prev_hash BLOB NOT NULL CHECK(length(prev_hash) = 32),"
    "  entry_hash BLOB NOT NULL CHECK(length(entry_hash) = 32));"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
    "CREATE TABLE checkpoints("
    "  n INTEGER PRIMARY KEY, root BLOB NOT NULL CHECK(length(root) = 32),"
    "  head BLOB NOT NULL CHECK(length(head) = 32), ts INTEGER NOT NULL,"
    "  sig BLOB, pubkey BLOB);"
    "CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints"
    "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
    "CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
    "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;",
    /* 4: surveillance plans (eng_plan_run), linking (eng_link), alerts.
     * signals gains its plan, the rule-set and plan-set hashes and a
     * generation (a re-armed cell may signal again); plan '' is the
     * coded-outcome path of [maxsprt] (eng_counts). */
    "CREATE TABLE rulesets("
    "  sha256 TEXT NOT NULL, kind TEXT NOT NULL"
    "    CHECK(kind IN ('rules', 'plans')),"
    "  files TEXT NOT NULL, ts INTEGER NOT NULL,"
    "  PRIMARY KEY(sha256, kind)) WITHOUT ROWID;"
    "CREATE TABLE mentions("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, kind TEXT NOT NULL, begin INTEGER NOT NULL,"
    "  end INTEGER NOT NULL, sent_begin INTEGER NOT NULL,"
    "  sent_end INTEGER NOT NULL, code TEXT NOT NULL, system TEXT NOT NULL,"
    "  label TEXT NOT NULL, rule TEXT NOT NULL, rule_line INTEGER NOT NULL,"
    "  flags INTEGER NOT NULL, context TEXT NOT NULL, rules TEXT NOT NULL,"
    "  PRIMARY KEY(source, epoch, seq, n)) WITHOUT ROWID;"
    "CREATE TABLE patient_devices("
    "  patient TEXT NOT NULL, ts INTEGER NOT NULL,"
    "  product_code TEXT NOT NULL, brand TEXT NOT NULL, model TEXT NOT NULL,"
    "  udi_di TEXT NOT NULL, source TEXT NOT NULL, epoch INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  PRIMARY KEY(patient, ts, source, epoch, seq)) WITHOUT ROWID;"
    "CREATE TABLE plan_cells("
    "  plan TEXT NOT NULL, device TEXT NOT NULL, event TEXT NOT NULL,"
    "  observed INTEGER NOT NULL, expected REAL NOT NULL,"
    "  exposures INTEGER NOT NULL, comp_events INTEGER NOT NULL,"
    "  comp_exposures INTEGER NOT NULL, statistic REAL NOT NULL,"
    "  threshold REAL NOT NULL, status TEXT NOT NULL"
    "    CHECK(status IN ('watching', 'signalled', 'ended')),"
    "  generation INTEGER NOT NULL, last_ts INTEGER NOT NULL,"
    "  state BLOB NOT NULL,"
    "  PRIMARY KEY(plan, device, event)) WITHOUT ROWID;"
    "CREATE TABLE plan_series("
    "  plan TEXT NOT NULL, device TEXT NOT NULL, event TEXT NOT NULL,"
    "  n INTEGER NOT NULL, ts INTEGER NOT NULL, observed INTEGER NOT NULL,"
    "  expected REAL NOT NULL, statistic REAL NOT NULL,"
    "  threshold REAL NOT NULL,"
    "  PRIMARY KEY(plan, device, event, n)) WITHOUT ROWID;"
    "CREATE TABLE contributions("
    "  plan TEXT NOT NULL, device TEXT NOT NULL, event TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK(role IN ('event', 'comp_event')),"
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  mention INTEGER NOT NULL, link TEXT NOT NULL, ts INTEGER NOT NULL,"
    "  PRIMARY KEY(plan, device, event, source, epoch, seq, mention)"
    ") WITHOUT ROWID;"
    "CREATE TABLE episodes("
    "  plan TEXT NOT NULL, event TEXT NOT NULL, patient TEXT NOT NULL,"
    "  ts INTEGER NOT NULL, PRIMARY KEY(plan, event, patient, ts)"
    ") WITHOUT ROWID;"
    "CREATE TABLE trials("
    "  plan TEXT NOT NULL, device TEXT NOT NULL, event TEXT NOT NULL,"
    "  patient TEXT NOT NULL, ts INTEGER NOT NULL, closes INTEGER NOT NULL,"
    "  PRIMARY KEY(plan, device, event, patient, ts)) WITHOUT ROWID;"
    "CREATE INDEX trials_closes ON trials(closes);"
    "CREATE TABLE late_events("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  ts_event INTEGER NOT NULL, watermark INTEGER NOT NULL,"
    "  PRIMARY KEY(source, epoch, seq)) WITHOUT ROWID;"
    "CREATE TABLE signals_v4("
    "  id INTEGER PRIMARY KEY, plan TEXT NOT NULL DEFAULT '',"
    "  product_code TEXT NOT NULL, event_code TEXT NOT NULL,"
    "  method TEXT NOT NULL, statistic REAL NOT NULL,"
    "  threshold REAL NOT NULL, observed INTEGER NOT NULL,"
    "  expected REAL NOT NULL, ts_event INTEGER NOT NULL,"
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  params TEXT NOT NULL, rules TEXT NOT NULL DEFAULT '',"
    "  plans TEXT NOT NULL DEFAULT '', generation INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(plan, product_code, event_code, method, generation));"
    "INSERT INTO signals_v4(id, product_code, event_code, method, statistic,"
    "  threshold, observed, expected, ts_event, source, epoch, seq, params)"
    "  SELECT id, product_code, event_code, method, statistic, threshold,"
    "  observed, expected, ts_event, source, epoch, seq, params FROM signals;"
    "DROP TABLE signals;"
    "ALTER TABLE signals_v4 RENAME TO signals;"
    "CREATE TABLE alerts("
    "  id INTEGER PRIMARY KEY, signal_id INTEGER NOT NULL UNIQUE,"
    "  status TEXT NOT NULL"
    "    CHECK(status IN ('new', 'acknowledged', 'closed')),"
    "  opened INTEGER NOT NULL, updated INTEGER NOT NULL,"
    "  by TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE alert_log("
    "  alert_id INTEGER NOT NULL, n INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  from_status TEXT NOT NULL, to_status TEXT NOT NULL,"
    "  by TEXT NOT NULL, reason TEXT NOT NULL,"
    "  PRIMARY KEY(alert_id, n)) WITHOUT ROWID;",
    /* 5: events become a rowid table. As a WITHOUT ROWID table keyed
     * (source, epoch, seq) each ~1 KB row lived in an index b-tree, whose
     * appends split pages half-empty: a quarter of every page held data
     * and each event cost ~4.7 KB of WAL and database writes. A rowid
     * table appends into full pages; the key stays UNIQUE. */
    "CREATE TABLE events_v5("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  id TEXT NOT NULL, kind TEXT NOT NULL, ts_event INTEGER NOT NULL,"
    "  patient TEXT, product_code TEXT, event_code TEXT,"
    "  content_type TEXT NOT NULL, payload BLOB NOT NULL,"
    "  UNIQUE(source, epoch, seq));"
    "INSERT INTO events_v5 SELECT source, epoch, seq, id, kind, ts_event,"
    "  patient, product_code, event_code, content_type, payload"
    "  FROM events ORDER BY source, epoch, seq;"
    "DROP TABLE events;"
    "ALTER TABLE events_v5 RENAME TO events;"
    "CREATE INDEX events_ts ON events(ts_event);",
    /* 6: the lineage of a signal (devsurv explain, /api/signals/{id})
     * looks its audit entries up by subject; without an index each lookup
     * read the whole chain (a second per signal at a million entries). */
    "CREATE INDEX audit_subject ON audit(subject);",
    /* 7: stored events are audited per batch (events_stored entries,
     * eng_audit_events.h); each run of one (source, epoch) in an entry is
     * a row here, so a lineage finds the entry of an event by its key.
     * Written with the entry; `devsurv verify` checks them against it. */
    "CREATE TABLE audit_events("
    "  source TEXT NOT NULL, epoch INTEGER NOT NULL, last INTEGER NOT NULL,"
    "  first INTEGER NOT NULL, entry INTEGER NOT NULL,"
    "  PRIMARY KEY(source, epoch, last)) WITHOUT ROWID;",
};

int eng_store_schema_latest(void)
{
    return (int)(sizeof s_migrations / sizeof s_migrations[0]);
}

const char *eng_store_schema_migration(int i)
{
    if (i < 1 || i > eng_store_schema_latest())
        return NULL;
    return s_migrations[i - 1];
}
