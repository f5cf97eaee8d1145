/*
 * test_eng_audit_events.c - the events_stored entry: its payload layout,
 * runs and subject (eng_audit_events), the queue in eng_audit (one entry
 * per batch, flushed before an entry of another kind and at the end,
 * forgotten on rollback), the audit_events rows of schema 7, and what
 * verify (eng_audit_records) catches: an edited or deleted event row, an
 * edited audit_events row.
 *
 * Oracles: the first item's bytes are written out by hand from the format
 * in eng_audit_events.h; digests are recomputed with libsodium's SHA-256,
 * not the engine's ds_sha256. Each test uses its own files in a temp dir.
 */
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_events.h"
#include "devsurv/eng_audit_verify.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-audev-XXXXXX";

static uint8_t s_d[3][32]; /* digests of "p0", "p1", "p2" */

static struct eng_audit_events_item s_item(const char *src, int64_t epoch,
                                           int64_t seq, int i)
{
    struct eng_audit_events_item it = {
        ds_span_str(src),  epoch,     seq, 1000 + seq,
        ds_span_str("ct"), s_d[i % 3]};
    return it;
}

TEST(payload_is_the_documented_layout_and_reads_back)
{
    struct eng_audit_events b = {0};
    struct {
        uint8_t p[512];
        size_t n;
    } out; /* a copy of the payload */
    const uint8_t *pl;
    size_t npl;
    struct eng_audit_events_item a = s_item("a", 1, 5, 0);
    struct eng_audit_events_item a2 = s_item("a", 1, 6, 1);
    struct eng_audit_events_item c = s_item("bb", 2, 7, 2);
    CHECK_INT(eng_audit_events_add(&b, &a), 0);
    CHECK_INT(eng_audit_events_add(&b, &a2), 0);
    CHECK_INT(eng_audit_events_add(&b, &c), 0);
    CHECK_INT(b.n, 3);
    CHECK_INT(b.ts, 1007);
    CHECK_INT(eng_audit_events_payload(&b, &pl, &npl), 0);
    CHECK(npl <= sizeof out.p);
    memcpy(out.p, pl, npl);
    out.n = npl;
    static const uint8_t head[] = {
        0, 0, 0, 0, 0,   0,   0,    3,    /* u64 count */
        0, 0, 0, 1, 'a',                  /* str(source) */
        0, 0, 0, 0, 0,   0,   0,    1,    /* i64 epoch */
        0, 0, 0, 0, 0,   0,   0,    5,    /* i64 seq */
        0, 0, 0, 0, 0,   0,   0x03, 0xed, /* i64 ts 1005 */
        0, 0, 0, 2, 'c', 't', 0,    0,
        0, 32}; /* str(ctype), digest length */
    CHECK(out.n > sizeof head + 32);
    CHECK(memcmp(out.p, head, sizeof head) == 0);
    CHECK(memcmp(out.p + sizeof head, s_d[0], 32) == 0);
    char subj[2 * ENG_AUDIT_KEY_MAX + 2];
    CHECK(ds_span_eq(eng_audit_events_subject(&b, subj, sizeof subj),
                     "a/1/5..bb/2/7"));
    CHECK_INT(b.nruns, 2);
    CHECK_STR(b.runs[0].source, "a");
    CHECK_INT(b.runs[0].first, 5);
    CHECK_INT(b.runs[0].last, 6);
    CHECK_STR(b.runs[1].source, "bb");
    CHECK_INT(b.runs[1].first, 7);
    struct eng_audit_events empty = {0}; /* no runs: no keys */
    CHECK(
        ds_span_eq(eng_audit_events_subject(&empty, subj, sizeof subj), ".."));
    /* read back */
    struct eng_audit_rd r;
    struct eng_audit_events_item it;
    uint64_t count;
    CHECK_INT(eng_audit_events_open(&r, out.p, out.n, &count), 0);
    CHECK_INT(count, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(eng_audit_events_next(&r, &it), 0);
        CHECK_INT(it.seq, 5 + i);
        CHECK_INT(it.ts, 1005 + i);
        CHECK(memcmp(it.digest, s_d[i], 32) == 0);
    }
    CHECK(ds_span_eq(it.source, "bb"));
    CHECK_INT(r.n, 0);
    /* malformed: cut short, a count larger than the bytes can hold */
    CHECK_INT(eng_audit_events_open(&r, out.p, out.n - 1, &count), 0);
    for (int i = 0; i < 2; i++)
        CHECK_INT(eng_audit_events_next(&r, &it), 0);
    CHECK_INT(eng_audit_events_next(&r, &it), DS_EPARSE);
    out.p[7] = 200;
    CHECK_INT(eng_audit_events_open(&r, out.p, out.n, &count), DS_EPARSE);
    CHECK_INT(eng_audit_events_open(&r, out.p, 5, &count), DS_EPARSE);
    eng_audit_events_clear(&b);
}

TEST(runs_split_on_source_epoch_and_order_and_the_entry_has_a_limit)
{
    struct eng_audit_events b = {0};
    int64_t seqs[] = {1, 2, 4, 3}; /* 4 then 3: a new run */
    for (int i = 0; i < 4; i++) {
        struct eng_audit_events_item it = s_item("s", 1, seqs[i], i);
        CHECK_INT(eng_audit_events_add(&b, &it), 0);
    }
    struct eng_audit_events_item e2 = s_item("s", 2, 5, 0);
    CHECK_INT(eng_audit_events_add(&b, &e2), 0);
    CHECK_INT(b.nruns, 3);
    CHECK_INT(b.runs[0].first, 1);
    CHECK_INT(b.runs[0].last, 4);
    CHECK_INT(b.runs[1].first, 3);
    CHECK_INT(b.runs[2].epoch, 2);
    eng_audit_events_reset(&b);
    CHECK_INT(b.n, 0);
    CHECK_INT(b.nruns, 0);
    char longsrc[ENG_SOURCE_MAX + 1];
    memset(longsrc, 'x', sizeof longsrc - 1);
    longsrc[ENG_SOURCE_MAX] = '\0';
    struct eng_audit_events_item bad = s_item(longsrc, 1, 1, 0);
    CHECK_INT(eng_audit_events_add(&b, &bad), DS_EINVAL);
    for (int i = 0; i < ENG_AUDIT_EVENTS_MAX; i++) {
        struct eng_audit_events_item it = s_item("s", 1, i + 1, i);
        CHECK_INT(eng_audit_events_add(&b, &it), 0);
    }
    struct eng_audit_events_item more = s_item("s", 1, 99999, 0);
    CHECK_INT(eng_audit_events_add(&b, &more), DS_EINVAL);
    CHECK_INT(b.nruns, 1);
    eng_audit_events_clear(&b);
}

struct s_fix {
    eng_store_t *st;
    eng_audit_t *a;
};

static int s_exec(struct s_fix *f, const char *sql)
{
    return sqlite3_exec(eng_store_db(f->st), sql, NULL, NULL, NULL);
}

/* Store event seq of source "h" epoch 1 (payload "p<i>") and queue it. */
static int s_event(struct s_fix *f, int64_t seq, int i)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO events(source, epoch, seq, id, kind, ts_event,"
             " content_type, payload) VALUES ('h', 1, %lld, 'e%lld',"
             " 'outcome', %lld, 'ct', CAST('p%d' AS BLOB))",
             (long long)seq, (long long)seq, (long long)(1000 + seq), i % 3);
    if (s_exec(f, sql) != SQLITE_OK)
        return -1;
    struct eng_audit_events_item it = s_item("h", 1, seq, i);
    return eng_audit_add_event(f->a, &it);
}

static int64_t s_int(struct s_fix *f, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(eng_store_db(f->st), sql, -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int s_verify(struct s_fix *f, struct eng_audit_verify_report *r)
{
    struct eng_audit_verify_opts o = {NULL, NULL};
    return eng_audit_verify(eng_store_db(f->st), &o, r, NULL);
}

TEST(the_queue_becomes_one_entry_in_store_order_and_verify_checks_it)
{
    char path[512];
    struct s_fix f;
    struct eng_audit_verify_report r;
    snprintf(path, sizeof path, "%s/q.db", s_dir);
    f.st = eng_store_open(path, false, NULL);
    f.a = f.st ? eng_audit_new(f.st, NULL) : NULL;
    CHECK(f.a != NULL);
    /* a rolled-back batch leaves nothing queued */
    CHECK_INT(eng_store_begin(f.st), 0);
    CHECK_INT(s_event(&f, 1, 0), 0);
    eng_store_rollback(f.st);
    eng_audit_rollback(f.a);
    /* batch: events 1-3, a rules entry, events 4-5, flush, commit */
    CHECK_INT(eng_store_begin(f.st), 0);
    CHECK_INT(eng_audit_reload(f.a), 0);
    for (int i = 1; i <= 3; i++)
        CHECK_INT(s_event(&f, i, i), 0);
    CHECK_INT(eng_audit_seq(f.a), 0); /* queued, not yet appended */
    CHECK_INT(eng_audit_ts(f.a), 1003);
    CHECK_INT(eng_audit_append(f.a, ENG_AUDIT_RULES_LOADED, 1003,
                               ds_span_str("rules"), (const uint8_t *)"x", 1),
              0);
    CHECK_INT(eng_audit_seq(f.a), 2);
    CHECK_INT(s_event(&f, 4, 4), 0);
    CHECK_INT(s_event(&f, 5, 5), 0);
    CHECK_INT(eng_audit_flush(f.a), 0);
    CHECK_INT(eng_audit_flush(f.a), 0); /* nothing queued: no entry */
    CHECK_INT(eng_store_commit(f.st), 0);
    eng_audit_committed(f.a);
    CHECK_INT(eng_audit_seq(f.a), 3);
    CHECK_INT(s_int(&f, "SELECT count(*) FROM audit"), 3);
    CHECK_INT(s_int(&f, "SELECT seq FROM audit WHERE kind = 'rules_loaded'"),
              2);
    CHECK_INT(s_int(&f, "SELECT seq FROM audit WHERE subject = "
                        "'h/1/1..h/1/3' AND kind = 'events_stored'"),
              1);
    CHECK_INT(s_int(&f, "SELECT entry FROM audit_events WHERE last = 5"), 3);
    CHECK_INT(s_int(&f, "SELECT first FROM audit_events WHERE last = 5"), 4);
    CHECK_INT(s_int(&f, "SELECT ts FROM audit WHERE seq = 3"), 1005);
    CHECK_INT(s_verify(&f, &r), 0);
    CHECK_INT(r.entries, 3);
    /* an edited event row */
    CHECK_INT(s_exec(&f, "UPDATE events SET payload = CAST('zz' AS BLOB) "
                         "WHERE seq = 4"),
              SQLITE_OK);
    CHECK_INT(s_verify(&f, &r), DS_EINVAL);
    CHECK_INT(r.bad_seq, 3);
    CHECK_HAS(r.what, "h/1/4 payload differs");
    CHECK_INT(s_exec(&f, "UPDATE events SET payload = CAST('p1' AS BLOB) "
                         "WHERE seq = 4"),
              SQLITE_OK);
    CHECK_INT(s_verify(&f, &r), 0);
    /* an edited lineage row, then a deleted event */
    CHECK_INT(s_exec(&f, "UPDATE audit_events SET first = 1 WHERE last = 5"),
              SQLITE_OK);
    CHECK_INT(s_verify(&f, &r), DS_EINVAL);
    CHECK_HAS(r.what, "audit_events has no row for events h/1/4..5");
    CHECK_INT(s_exec(&f, "UPDATE audit_events SET first = 4 WHERE last = 5"),
              SQLITE_OK);
    CHECK_INT(s_exec(&f, "DELETE FROM events WHERE seq = 2"), SQLITE_OK);
    CHECK_INT(s_verify(&f, &r), DS_EINVAL);
    CHECK_INT(r.bad_seq, 1);
    CHECK_HAS(r.what, "h/1/2 is missing");
    eng_audit_destroy(&f.a);
    eng_store_destroy(&f.st);
}

int main(void)
{
    if (sodium_init() < 0 || !mkdtemp(s_dir))
        return 1;
    for (int i = 0; i < 3; i++) {
        char p[3] = {'p', (char)('0' + i), 0};
        crypto_hash_sha256(s_d[i], (const unsigned char *)p, 2);
    }
    RUN(payload_is_the_documented_layout_and_reads_back);
    RUN(runs_split_on_source_epoch_and_order_and_the_entry_has_a_limit);
    RUN(the_queue_becomes_one_entry_in_store_order_and_verify_checks_it);
    test_rmdir(s_dir);
    return test_report();
}
