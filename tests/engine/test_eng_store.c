/*
 * test_eng_store.c - the SQLite store as the engine and the CLI use it:
 * open (migrating), batches, idempotent event / quarantine rows, source
 * watermarks, exposures, cells, signals, and the read-only queries.
 *
 * Every test works on its own database file in a temporary directory
 * (mkdtemp under /tmp) that main() removes at the end. Row counts are read
 * with plain SQL through eng_store_db(), not through the code under test.
 */
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/eng_store_events.h"
#include "devsurv/eng_store_read.h"
#include "devsurv/eng_store_schema.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-store-XXXXXX";

/* Path of a fresh database file `name` in the temp dir. */
static const char *s_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", s_dir, name);
    return buf;
}

static eng_store_t *s_open(const char *name)
{
    char p[512];
    return eng_store_open(s_path(p, sizeof p, name), false, NULL);
}

/* A new store `name` with a batch open, NULL on failure. */
static eng_store_t *s_batch(const char *name)
{
    eng_store_t *st = s_open(name);
    if (st && eng_store_begin(st) != 0)
        eng_store_destroy(&st);
    return st;
}

/* One integer from sql on db (plain SQLite, no devsurv code), -1 on error. */
static int64_t s_qdb(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static int64_t s_q(eng_store_t *st, const char *sql)
{
    return s_qdb(eng_store_db(st), sql);
}

/* s_qdb() on a raw SQLite file `name`: one statement, also to make one. */
static int64_t s_raw(const char *name, const char *sql)
{
    char p[512];
    sqlite3 *db;
    sqlite3_open(s_path(p, sizeof p, name), &db);
    int64_t v = s_qdb(db, sql);
    sqlite3_close(db);
    return v;
}

static struct eng_store_key s_key(const char *src, int64_t epoch, int64_t seq)
{
    return (struct eng_store_key){ds_span_str(src), epoch, seq};
}

/* Store exposure event h1/1/seq. */
static int s_put_ev(eng_store_t *st, int64_t seq)
{
    struct eng_store_key k = s_key("h1", 1, seq);
    struct eng_event ev = {.kind = ENG_EV_EXPOSURE, .time_ms = 1700000000000};
    ev.id = ds_span_str("e");
    ev.product_code = ds_span_str("DTB");
    return eng_store_event_put(st, &k, &ev, ds_span_str("t"), "{}", 2);
}

static int s_put_q(eng_store_t *st, const struct eng_store_key *k)
{
    return eng_store_quarantine_put(st, k, DS_EINVAL, "kind: bad",
                                    ds_span_str("t"), "x", 1);
}

TEST(migrates_from_empty)
{
    eng_store_t *st = s_open("empty.db");
    CHECK(st != NULL);
    CHECK_INT(eng_store_schema_version(st), eng_store_schema_latest());
    CHECK_INT(s_q(st, "PRAGMA user_version"), eng_store_schema_latest());
    CHECK_INT(s_q(st, "SELECT count(*) FROM sqlite_master WHERE type ="
                      " 'table' AND name IN ('sources', 'events', 'quarantine',"
                      " 'exposures', 'cells', 'signals')"),
              6);
    CHECK(!eng_store_in_batch(st));
    CHECK_INT(eng_store_commit(st), DS_EINVAL); /* none open */
    CHECK_INT(eng_store_begin(st), 0);
    CHECK(eng_store_in_batch(st));
    CHECK_INT(eng_store_begin(st), DS_EINVAL);
    eng_store_rollback(st);
    CHECK(!eng_store_in_batch(st));
    eng_store_rollback(st); /* no-op */
    eng_store_destroy(&st);
    CHECK(st == NULL);
    eng_store_destroy(&st); /* safe on NULL */
}

TEST(reopen_does_not_rerun_migrations)
{
    eng_store_t *st = s_batch("reopen.db");
    CHECK(st != NULL);
    CHECK_INT(s_put_ev(st, 1), 0);
    CHECK_INT(eng_store_commit(st), 0);
    int64_t objects = s_q(st, "SELECT count(*) FROM sqlite_master");
    eng_store_destroy(&st);
    st = s_open("reopen.db");
    CHECK(st != NULL); /* re-running CREATE TABLE would have failed */
    CHECK_INT(eng_store_schema_version(st), eng_store_schema_latest());
    CHECK_INT(s_q(st, "SELECT count(*) FROM sqlite_master"), objects);
    CHECK_INT(s_q(st, "SELECT count(*) FROM events"), 1);
    eng_store_destroy(&st);
}

/* A new store gets 8 KB pages; a store created with SQLite's 4 KB pages
 * (before this default, or by another tool) keeps them, and still takes
 * events. */
TEST(page_size_new_8k_existing_kept)
{
    eng_store_t *st = s_batch("pages8.db");
    CHECK(st != NULL);
    CHECK_INT(s_q(st, "PRAGMA page_size"), 8192);
    CHECK_INT(s_put_ev(st, 1), 0);
    CHECK_INT(eng_store_commit(st), 0);
    eng_store_destroy(&st);
    s_raw("pages4.db", "PRAGMA page_size=4096");
    s_raw("pages4.db", "PRAGMA journal_mode=WAL"); /* writes the header */
    CHECK_INT(s_raw("pages4.db", "PRAGMA page_size"), 4096);
    st = s_open("pages4.db");
    CHECK(st != NULL);
    CHECK_INT(s_q(st, "PRAGMA page_size"), 4096);
    CHECK_INT(eng_store_begin(st), 0);
    CHECK_INT(s_put_ev(st, 1), 0);
    CHECK_INT(eng_store_commit(st), 0);
    eng_store_destroy(&st);
    st = s_open("pages4.db");
    CHECK(st != NULL);
    CHECK_INT(s_q(st, "PRAGMA page_size"), 4096);
    CHECK_INT(s_q(st, "SELECT count(*) FROM events"), 1);
    eng_store_destroy(&st);
}

/* A version-4 store holding events is migrated to rowid events: rows and
 * their key survive, a repeat is still a no-op, and pages are full. */
TEST(migration_5_keeps_events)
{
    char p[512];
    sqlite3 *db;
    CHECK_INT(sqlite3_open(s_path(p, sizeof p, "v4.db"), &db), SQLITE_OK);
    for (int i = 1; i <= 4; i++)
        CHECK_INT(
            sqlite3_exec(db, eng_store_schema_migration(i), NULL, NULL, NULL),
            SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "INSERT INTO events VALUES('h1', 1, 2, 'b',"
                           " 'note', 5, 'p', 'DTB', NULL, 'c', x'7b7d'),"
                           "('h1', 1, 1, 'a', 'note', 6, 'p', 'DTB', NULL,"
                           " 'c', x'7b7d'); PRAGMA user_version=4;",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(s_raw("v4.db", "SELECT count(*) FROM sqlite_master WHERE"
                             " name = 'events' AND sql LIKE '%WITHOUT ROWID%'"),
              1);
    eng_store_t *st = s_batch("v4.db");
    CHECK(st != NULL);
    CHECK_INT(s_q(st, "PRAGMA user_version"), eng_store_schema_latest());
    CHECK_INT(s_q(st, "SELECT count(*) FROM events"), 2);
    CHECK_INT(s_q(st, "SELECT seq FROM events WHERE rowid = 1"), 1);
    CHECK_INT(s_q(st, "SELECT ts_event FROM events WHERE seq = 2"), 5);
    CHECK_INT(s_put_ev(st, 1), DS_EDUP); /* (h1, 1, 1) again: ignored */
    CHECK_INT(s_put_ev(st, 3), 0);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(s_q(st, "SELECT count(*) FROM events"), 3);
    CHECK_INT(s_q(st, "SELECT id = 'a' FROM events WHERE seq = 1"), 1);
    CHECK_INT(s_q(st, "SELECT count(*) FROM sqlite_master WHERE"
                      " name = 'events_ts'"),
              1);
    eng_store_destroy(&st);
}

TEST(newer_database_is_refused_untouched)
{
    char sql[64], p[512];
    struct ds_diag diag;
    int newer = eng_store_schema_latest() + 1;
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d;", newer);
    s_raw("newer.db", sql);
    eng_store_t *st =
        eng_store_open(s_path(p, sizeof p, "newer.db"), false, &diag);
    CHECK(st == NULL);
    CHECK_HAS(diag.msg, "newer");
    CHECK_HAS(diag.file, "newer.db");
    st = eng_store_open(p, true, &diag); /* readers refuse it too */
    CHECK(st == NULL);
    CHECK_INT(s_raw("newer.db", "SELECT count(*) FROM sqlite_master"), 0);
    CHECK_INT(s_raw("newer.db", "PRAGMA user_version"), newer);
}

TEST(read_only_refuses_foreign_sqlite_file)
{
    char p[512];
    struct ds_diag diag;
    s_raw("foreign.db", "CREATE TABLE notes(x)");
    eng_store_t *st =
        eng_store_open(s_path(p, sizeof p, "foreign.db"), true, &diag);
    CHECK(st == NULL);
    CHECK_HAS(diag.msg, "not a devsurv database");
    st = eng_store_open(s_path(p, sizeof p, "missing.db"), true, &diag);
    CHECK(st == NULL);
    CHECK(access(p, F_OK) != 0); /* read-only never creates */
}

TEST(event_insert_is_idempotent)
{
    eng_store_t *st = s_batch("idem.db");
    CHECK(st != NULL);
    CHECK_INT(s_put_ev(st, 1), 0);
    CHECK_INT(s_put_ev(st, 1), DS_EDUP);
    CHECK_INT(s_put_ev(st, 2), 0);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(s_q(st, "SELECT count(*) FROM events WHERE seq = 1"), 1);
    CHECK_INT(s_q(st, "SELECT count(*) FROM events"), 2);
    CHECK_INT(s_q(st, "SELECT ts_event FROM events WHERE seq = 1"),
              1700000000000);
    eng_store_destroy(&st);
}

TEST(key_is_event_or_quarantine_never_both)
{
    eng_store_t *st = s_batch("both.db");
    struct eng_store_key k2 = s_key("h1", 1, 2);
    CHECK(st != NULL);
    CHECK_INT(s_put_ev(st, 1), 0); /* event first */
    struct eng_store_key k1 = s_key("h1", 1, 1);
    CHECK_INT(s_put_q(st, &k1), DS_EDUP);
    CHECK_INT(s_put_q(st, &k2), 0); /* quarantine first */
    CHECK_INT(s_put_ev(st, 2), DS_EDUP);
    CHECK_INT(s_put_q(st, &k2), DS_EDUP);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(s_q(st, "SELECT count(*) FROM events"), 1);
    CHECK_INT(s_q(st, "SELECT count(*) FROM quarantine"), 1);
    CHECK_INT(s_q(st, "SELECT seq FROM quarantine"), 2);
    eng_store_destroy(&st);
}

TEST(keyless_quarantine_rows_repeat)
{
    eng_store_t *st = s_batch("keyless.db");
    struct eng_store_key k0 = s_key("h1", 1, 0);
    CHECK(st != NULL);
    CHECK_INT(s_put_q(st, &k0), 0);
    CHECK_INT(s_put_q(st, &k0), 0);
    CHECK_INT(s_put_q(st, NULL), 0);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(s_q(st, "SELECT count(*) FROM quarantine"), 3);
    CHECK_INT(s_q(st, "SELECT count(*) FROM quarantine WHERE seq IS NULL"
                      " AND source IS NULL AND reason = 'kind: bad'"
                      " AND code = 'invalid value'"),
              3);
    eng_store_destroy(&st);
}

/* Watermark of (src, epoch), -1 on error. */
static int64_t s_wm(eng_store_t *st, const char *src, int64_t epoch)
{
    int64_t c = -1;
    if (eng_store_source_get(st, ds_span_str(src), epoch, &c) != 0)
        return -1;
    return c;
}

TEST(source_watermark_never_moves_back)
{
    eng_store_t *st = s_batch("wm.db");
    struct ds_span h1 = ds_span_str("h1");
    CHECK(st != NULL);
    CHECK_INT(s_wm(st, "h1", 1), 0); /* unknown pair */
    CHECK_INT(eng_store_source_put(st, h1, 1, 5), 0);
    CHECK_INT(eng_store_source_put(st, h1, 1, 3), 0);
    CHECK_INT(s_wm(st, "h1", 1), 5);
    CHECK_INT(eng_store_source_put(st, h1, 1, 9), 0);
    CHECK_INT(s_wm(st, "h1", 1), 9);
    CHECK_INT(s_wm(st, "h1", 2), 0); /* another epoch is another stream */
    CHECK_INT(s_wm(st, "h2", 1), 0);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(s_wm(st, "h1", 1), 9); /* durable */
    eng_store_destroy(&st);
}

TEST(exposures_count_up)
{
    eng_store_t *st = s_batch("expo.db");
    struct ds_span dtb = ds_span_str("DTB"), lws = ds_span_str("LWS");
    int64_t n = -1;
    CHECK(st != NULL);
    CHECK_INT(eng_store_exposure_get(st, dtb, &n), 0);
    CHECK_INT(n, 0);
    for (int64_t i = 1; i <= 3; i++) {
        CHECK_INT(eng_store_exposure_add(st, dtb, 1000 + i, &n), 0);
        CHECK_INT(n, i);
    }
    CHECK_INT(eng_store_exposure_add(st, lws, 5, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(eng_store_exposure_get(st, dtb, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(eng_store_commit(st), 0);
    eng_store_destroy(&st);
}

TEST(cells_get_put)
{
    eng_store_t *st = s_batch("cells.db");
    struct ds_span dtb = ds_span_str("DTB"), e = ds_span_str("E0505");
    struct eng_cell c, back;
    memset(&c, 0x5a, sizeof c);
    CHECK(st != NULL);
    CHECK_INT(eng_store_cell_get(st, dtb, e, &c), 0);
    CHECK_STR(c.product_code, "DTB");
    CHECK_STR(c.event_code, "E0505");
    CHECK_INT(c.observed, 0);
    CHECK_NEAR(c.expected, 0, 0);
    CHECK_NEAR(c.llr, 0, 0);
    CHECK_INT(c.status, ENG_CELL_WATCHING);
    c.observed = 7;
    c.expected = 2.5;
    c.llr = 3.25;
    c.status = ENG_CELL_SIGNALLED;
    CHECK_INT(eng_store_cell_put(st, &c, 99), 0);
    CHECK_INT(eng_store_cell_get(st, dtb, e, &back), 0);
    CHECK_INT(back.observed, 7);
    CHECK_NEAR(back.expected, 2.5, 0);
    CHECK_NEAR(back.llr, 3.25, 0);
    CHECK_INT(back.status, ENG_CELL_SIGNALLED);
    c.status = ENG_CELL_ENDED; /* put replaces */
    CHECK_INT(eng_store_cell_put(st, &c, 100), 0);
    CHECK_INT(eng_store_cell_get(st, dtb, e, &back), 0);
    CHECK_INT(back.status, ENG_CELL_ENDED);
    CHECK_INT(s_q(st, "SELECT count(*) FROM cells"), 1);
    CHECK_INT(
        eng_store_cell_get(st, ds_span_str("DTBDTBDTBDTBDTBDTB"), e, &back),
        DS_EINVAL);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_STR(eng_cell_status_name(ENG_CELL_SIGNALLED), "signalled");
    eng_store_destroy(&st);
}

static struct eng_signal s_sig(const char *event_code, int64_t seq)
{
    struct eng_signal s = {.method = "maxsprt-poisson", .statistic = 4.5};
    s.observed = 5;
    s.expected = 1.25;
    s.ts_event = 1234;
    s.seq = seq;
    snprintf(s.product_code, sizeof s.product_code, "DTB");
    snprintf(s.event_code, sizeof s.event_code, "%s", event_code);
    snprintf(s.source, sizeof s.source, "h1");
    snprintf(s.params, sizeof s.params, "{\"cv\":3.6}");
    return s;
}

TEST(signal_rows_one_per_cell_and_method)
{
    eng_store_t *st = s_batch("sig.db");
    struct eng_signal a = s_sig("E0505", 7), b = s_sig("E0505", 8),
                      c = s_sig("E01", 9);
    CHECK(st != NULL);
    CHECK_INT(eng_store_signal_put(st, &a), 0);
    CHECK(a.id > 0);
    CHECK_INT(eng_store_signal_put(st, &b), DS_EDUP);
    CHECK_INT(eng_store_signal_put(st, &c), 0);
    CHECK(c.id > a.id);
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(s_q(st, "SELECT count(*) FROM signals"), 2);
    CHECK_INT(s_q(st, "SELECT seq FROM signals WHERE event_code = 'E0505'"), 7);
    eng_store_destroy(&st);
}

/* Events in the store as eng_store_totals() counts them, -1 on error. */
static int64_t s_events(eng_store_t *st)
{
    struct eng_store_totals t;
    return eng_store_totals(st, &t) == 0 ? t.events : -1;
}

TEST(commit_visible_to_reader_rollback_discarded)
{
    char p[512];
    eng_store_t *w = s_open("rw.db");
    CHECK(w != NULL);
    eng_store_t *r = eng_store_open(s_path(p, sizeof p, "rw.db"), true, NULL);
    CHECK(r != NULL);
    CHECK_INT(eng_store_begin(w), 0);
    CHECK_INT(s_put_ev(w, 1), 0);
    CHECK_INT(s_events(w), 1); /* the writer sees its own batch */
    CHECK_INT(s_events(r), 0); /* not yet committed */
    CHECK_INT(eng_store_commit(w), 0);
    CHECK_INT(s_events(r), 1);
    CHECK_INT(eng_store_begin(w), 0);
    CHECK_INT(s_put_ev(w, 2), 0);
    eng_store_rollback(w);
    CHECK_INT(s_events(r), 1);
    CHECK_INT(s_events(w), 1);
    eng_store_destroy(&r);
    eng_store_destroy(&w);
}

struct s_seen {
    int n, stop_at;
    struct eng_signal s[4];
};

static int s_each(void *arg, const struct eng_signal *s)
{
    struct s_seen *seen = arg;
    seen->s[seen->n] = *s;
    return ++seen->n == seen->stop_at ? 42 : 0;
}

TEST(totals_and_signals_each)
{
    eng_store_t *st = s_batch("totals.db");
    struct eng_store_key k0 = s_key("h1", 1, 0);
    struct eng_store_totals t;
    const char *codes[] = {"E01", "E0505", "A02"};
    int64_t n;
    CHECK(st != NULL);
    CHECK_INT(s_put_ev(st, 1), 0);
    CHECK_INT(s_put_ev(st, 2), 0);
    CHECK_INT(s_put_q(st, &k0), 0);
    for (int i = 0; i < 3; i++) {
        struct eng_signal s = s_sig(codes[i], 10 + i);
        struct eng_cell c;
        CHECK_INT(eng_store_exposure_add(st, ds_span_str(codes[i]), 1, &n), 0);
        CHECK_INT(eng_store_signal_put(st, &s), 0);
        CHECK_INT(eng_store_cell_get(st, ds_span_str("DTB"),
                                     ds_span_str(codes[i]), &c),
                  0);
        CHECK_INT(eng_store_cell_put(st, &c, 1), 0);
    }
    CHECK_INT(eng_store_commit(st), 0);
    CHECK_INT(eng_store_totals(st, &t), 0);
    CHECK_INT(t.events, 2);
    CHECK_INT(t.quarantined, 1);
    CHECK_INT(t.signals, 3);
    CHECK_INT(t.exposures, 3);
    CHECK_INT(t.cells, 3);
    struct s_seen seen = {.n = 0, .stop_at = 0};
    CHECK_INT(eng_store_signals_each(st, s_each, &seen), 0);
    CHECK_INT(seen.n, 3);
    for (int i = 0; i < 3; i++)
        CHECK_STR(seen.s[i].event_code, codes[i]); /* id order */
    CHECK(seen.s[0].id < seen.s[1].id && seen.s[1].id < seen.s[2].id);
    CHECK_STR(seen.s[1].method, "maxsprt-poisson");
    CHECK_STR(seen.s[1].params, "{\"cv\":3.6}");
    CHECK_INT(seen.s[1].seq, 11);
    seen = (struct s_seen){.n = 0, .stop_at = 2};
    CHECK_INT(eng_store_signals_each(st, s_each, &seen), 42);
    CHECK_INT(seen.n, 2);
    eng_store_destroy(&st);
}

int main(void)
{
    if (!mkdtemp(s_dir)) {
        printf("FAIL - mkdtemp: %s\n", s_dir);
        return 1;
    }
    RUN(migrates_from_empty);
    RUN(reopen_does_not_rerun_migrations);
    RUN(page_size_new_8k_existing_kept);
    RUN(migration_5_keeps_events);
    RUN(newer_database_is_refused_untouched);
    RUN(read_only_refuses_foreign_sqlite_file);
    RUN(event_insert_is_idempotent);
    RUN(key_is_event_or_quarantine_never_both);
    RUN(keyless_quarantine_rows_repeat);
    RUN(source_watermark_never_moves_back);
    RUN(exposures_count_up);
    RUN(cells_get_put);
    RUN(signal_rows_one_per_cell_and_method);
    RUN(commit_visible_to_reader_rollback_discarded);
    RUN(totals_and_signals_each);
    test_rmdir(s_dir);
    return test_report();
}
