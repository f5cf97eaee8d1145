/*
 * eng_store_schema.c - the numbered schema migrations of the store.
 *
 * Migration i (1-based) brings PRAGMA user_version from i-1 to i. Append new
 * migrations; never edit one that has shipped. Tables (DESIGN.md section 5):
 *   sources     committed seq per (source, epoch): the ingest watermark
 *   events      every accepted event, raw payload + decoded key fields,
 *               keyed (source, epoch, seq) so a repeat is a no-op
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
