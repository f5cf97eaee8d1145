/*
 * test_eng_alert.c - the alert lifecycle (eng_alert.h) on a real store:
 * allowed and refused transitions, the dense alert_log, the audit entry
 * each transition appends (decoded field by field) and a chain that still
 * verifies; and the concurrency it relies on: eng_audit_reload() follows
 * an entry appended by another connection, and a checkpoint made after
 * such an append covers it (eng_checkpoint re-reads the head).
 *
 * Each test builds its own database in a temp dir: one signal and its
 * alert rows inserted with SQL, as the engine would leave them.
 */
#include "devsurv/eng_alert.h"
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_canon.h"
#include "devsurv/eng_audit_verify.h"
#include "devsurv/eng_checkpoint.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-alert-XXXXXX";

static const char *s_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s.db", s_dir, name);
    return p;
}

/* A fresh database file */
static const char *s_db(const char *name)
{
    const char *p = s_path(name);
    unlink(p);
    return p;
}

static int s_exec(eng_store_t *st, const char *sql)
{
    return sqlite3_exec(eng_store_db(st), sql, NULL, NULL, NULL);
}

static long long s_int(eng_store_t *st, const char *sql)
{
    sqlite3_stmt *q;
    long long v = -1;
    if (sqlite3_prepare_v2(eng_store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
        return -2;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* A store with two signals, alerts 1 and 2 (new), and one audit entry. */
static eng_store_t *s_fixture(const char *name)
{
    eng_store_t *st = eng_store_open(s_db(name), false, NULL);
    if (!st)
        return NULL;
    eng_audit_t *a = eng_audit_new(st, NULL);
    int rc = s_exec(
        st, "INSERT INTO signals(id, plan, product_code, event_code, method,"
            " statistic, threshold, observed, expected, ts_event, source,"
            " epoch, seq, params) VALUES"
            " (7, 'p', 'DTB', 'E0505', 'maxsprt-poisson', 3.5, 2.9, 6, 1.5,"
            "  1700000000000, 'replay', 1, 40, '{}'),"
            " (8, 'p', 'DTB', 'E0506', 'maxsprt-poisson', 3.1, 2.9, 5, 1.2,"
            "  1700000001000, 'replay', 1, 41, '{}');"
            "INSERT INTO alerts(signal_id, status, opened, updated) VALUES"
            " (7, 'new', 1700000000000, 1700000000000),"
            " (8, 'new', 1700000001000, 1700000001000);");
    if (rc == 0 && a && eng_store_begin(st) == 0 &&
        eng_audit_append(a, ENG_AUDIT_CONFIG_LOADED, 5, ds_span_str("config"),
                         (const uint8_t *)"", 0) == 0 &&
        eng_store_commit(st) == 0) {
        eng_audit_destroy(&a);
        return st;
    }
    eng_audit_destroy(&a);
    eng_store_destroy(&st);
    return NULL;
}

static int s_move(eng_store_t *st, int64_t id, enum eng_alert_status to,
                  const char *by, const char *reason, struct ds_diag *d)
{
    struct eng_alert_move m = {id, to, by, reason, 1800000000000 + id};
    return eng_alert_move(st, &m, NULL, d);
}

static int s_verify(eng_store_t *st, struct eng_audit_verify_report *r)
{
    struct eng_audit_verify_opts o = {NULL, NULL};
    return eng_audit_verify(eng_store_db(st), &o, r, NULL);
}

TEST(allowed_transitions_update_log_and_audit)
{
    struct ds_diag d;
    struct eng_audit_verify_report r;
    eng_store_t *st = s_fixture("allowed");
    CHECK(st);
    CHECK_INT(s_move(st, 1, ENG_ALERT_ACKNOWLEDGED, "alice", "looking", &d), 0);
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "bob", "field action", &d), 0);
    CHECK_INT(s_move(st, 2, ENG_ALERT_CLOSED, "carol", "duplicate", &d), 0);
    CHECK_INT(s_int(st, "SELECT count(*) FROM alerts WHERE id = 1 AND"
                        " status = 'closed' AND by = 'bob' AND"
                        " reason = 'field action' AND updated = 1800000000001"),
              1);
    CHECK_INT(s_int(st, "SELECT opened FROM alerts WHERE id = 1"),
              1700000000000);
    /* the log is dense per alert and says from -> to */
    CHECK_INT(s_int(st, "SELECT group_concat(n || from_status || to_status"
                        " || by, ',') = '1newacknowledgedalice,2acknowledged"
                        "closedbob' FROM (SELECT * FROM alert_log WHERE"
                        " alert_id = 1 ORDER BY n)"),
              1);
    CHECK_INT(s_int(st, "SELECT n FROM alert_log WHERE alert_id = 2"), 1);
    /* one audit entry per transition, after the fixture's entry */
    CHECK_INT(s_int(st, "SELECT count(*) FROM audit WHERE"
                        " kind = 'alert_transition'"),
              3);
    CHECK_INT(s_int(st, "SELECT seq FROM audit WHERE subject = 'alert/2'"), 4);
    CHECK_INT(s_verify(st, &r), 0);
    CHECK_INT(r.entries, 4);
    eng_store_destroy(&st);
}

TEST(audit_entry_holds_signal_from_to_by_reason)
{
    struct ds_diag d;
    eng_store_t *st = s_fixture("payload");
    CHECK(st);
    CHECK_INT(s_move(st, 1, ENG_ALERT_ACKNOWLEDGED, "alice", "why not", &d), 0);
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(eng_store_db(st),
                                 "SELECT canonical FROM audit WHERE seq = 2",
                                 -1, &q, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    struct eng_audit_entry e;
    CHECK_INT(eng_audit_canon_decode(sqlite3_column_blob(q, 0),
                                     (size_t)sqlite3_column_bytes(q, 0), &e),
              0);
    CHECK_INT(e.kind, ENG_AUDIT_ALERT_TRANSITION);
    CHECK_INT(e.ts, 1800000000001);
    CHECK(ds_span_eq(e.subject, "alert/1"));
    /* i64 signal, then str from, to, by, reason (u32 length + bytes) */
    struct eng_audit_buf want = {0};
    eng_audit_buf_i64(&want, 7);
    eng_audit_buf_str(&want, ds_span_str("new"));
    eng_audit_buf_str(&want, ds_span_str("acknowledged"));
    eng_audit_buf_str(&want, ds_span_str("alice"));
    eng_audit_buf_str(&want, ds_span_str("why not"));
    CHECK_INT(e.npayload, want.n);
    CHECK(memcmp(e.payload, want.p, want.n) == 0);
    eng_audit_buf_clear(&want);
    sqlite3_finalize(q);
    eng_store_destroy(&st);
}

TEST(refused_transitions_change_nothing)
{
    struct ds_diag d;
    eng_store_t *st = s_fixture("refused");
    CHECK(st);
    CHECK_INT(s_move(st, 1, ENG_ALERT_NEW, "a", "b", &d), DS_EINVAL);
    CHECK_INT(s_move(st, 1, ENG_ALERT_ACKNOWLEDGED, "a", "b", &d), 0);
    CHECK_INT(s_move(st, 1, ENG_ALERT_ACKNOWLEDGED, "a", "b", &d), DS_EINVAL);
    CHECK_HAS(d.msg, "alert 1 is acknowledged");
    CHECK_INT(s_move(st, 1, ENG_ALERT_NEW, "a", "b", &d), DS_EINVAL);
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "a", "b", &d), 0);
    CHECK_INT(s_move(st, 1, ENG_ALERT_ACKNOWLEDGED, "a", "b", &d), DS_EINVAL);
    CHECK_HAS(d.msg, "closed is final");
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "a", "b", &d), DS_EINVAL);
    CHECK_INT(s_move(st, 99, ENG_ALERT_CLOSED, "a", "b", &d), DS_ENOTFOUND);
    CHECK_HAS(d.msg, "no alert 99");
    CHECK_INT(s_int(st, "SELECT count(*) FROM alert_log"), 2);
    CHECK_INT(s_int(st, "SELECT count(*) FROM audit"), 3);
    CHECK_INT(s_int(st, "SELECT count(*) FROM alerts WHERE id = 2 AND"
                        " status = 'new' AND by = ''"),
              1);
    CHECK(!eng_store_in_batch(st));
    eng_store_destroy(&st);
}

TEST(by_and_reason_are_required_and_checked)
{
    struct ds_diag d;
    eng_store_t *st = s_fixture("args");
    CHECK(st);
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "", "x", &d), DS_EINVAL);
    CHECK_HAS(d.msg, "by is required");
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, NULL, "x", &d), DS_EINVAL);
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "a", "", &d), DS_EINVAL);
    CHECK_HAS(d.msg, "reason is required");
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "a", "two\nlines", &d),
              DS_EINVAL);
    CHECK_HAS(d.msg, "control character");
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "a\xff", "x", &d), DS_EINVAL);
    CHECK_HAS(d.msg, "not valid UTF-8");
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, "a", "\xed\xa0\x80", &d),
              DS_EINVAL); /* a UTF-16 surrogate */
    char big[ENG_ALERT_BY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, big, "x", &d), DS_EINVAL);
    big[ENG_ALERT_BY_MAX] = '\0';
    CHECK_INT(s_move(st, 1, ENG_ALERT_CLOSED, big, "caf\xc3\xa9", &d), 0);
    CHECK_INT(s_int(st, "SELECT count(*) FROM alert_log"), 1);
    eng_store_destroy(&st);
}

static int s_collect(void *arg, const struct eng_alert_row *a)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%lld:%s:%s:%s:%s;", (long long)a->id, a->status,
             a->device, a->event, a->by);
    return 0;
}

TEST(list_filters_by_status)
{
    struct ds_diag d;
    char out[256] = "";
    eng_store_t *st = s_fixture("list");
    CHECK(st);
    CHECK_INT(s_move(st, 2, ENG_ALERT_ACKNOWLEDGED, "bob", "x", &d), 0);
    CHECK_INT(eng_alert_each(st, NULL, s_collect, out, &d), 0);
    CHECK_STR(out, "1:new:DTB:E0505:;2:acknowledged:DTB:E0506:bob;");
    out[0] = '\0';
    CHECK_INT(eng_alert_each(st, "new", s_collect, out, &d), 0);
    CHECK_STR(out, "1:new:DTB:E0505:;");
    out[0] = '\0';
    CHECK_INT(eng_alert_each(st, "closed", s_collect, out, &d), 0);
    CHECK_STR(out, "");
    enum eng_alert_status s;
    CHECK(eng_alert_status_parse("acknowledged", &s));
    CHECK_INT(s, ENG_ALERT_ACKNOWLEDGED);
    CHECK(!eng_alert_status_parse("Closed", &s));
    CHECK(eng_alert_allowed(ENG_ALERT_NEW, ENG_ALERT_CLOSED));
    CHECK(!eng_alert_allowed(ENG_ALERT_CLOSED, ENG_ALERT_NEW));
    eng_store_destroy(&st);
}

/* The engine's chain object (connection A) after `devsurv alert`
 * (connection B) appended: stale without reload, right with it. */
TEST(reload_follows_an_append_by_another_connection)
{
    struct ds_diag d;
    struct eng_audit_verify_report r;
    eng_store_t *a = s_fixture("reload");
    eng_audit_t *au = a ? eng_audit_new(a, NULL) : NULL;
    eng_store_t *b = eng_store_open(s_path("reload"), false, NULL);
    CHECK(au && b);
    CHECK_INT(eng_audit_seq(au), 1);
    CHECK_INT(s_move(b, 1, ENG_ALERT_ACKNOWLEDGED, "bob", "x", &d), 0);
    CHECK_INT(eng_audit_seq(au), 1); /* stale */
    /* appending from the stale head collides with seq 2 */
    CHECK_INT(eng_store_begin(a), 0);
    CHECK_INT(eng_audit_append(au, ENG_AUDIT_CONFIG_LOADED, 6,
                               ds_span_str("config"), (const uint8_t *)"", 0),
              DS_ESTORE);
    eng_store_rollback(a);
    eng_audit_rollback(au);
    /* the engine's way: reload right after BEGIN */
    CHECK_INT(eng_store_begin(a), 0);
    CHECK_INT(eng_audit_reload(au), 0);
    CHECK_INT(eng_audit_seq(au), 2);
    CHECK_INT(eng_audit_ts(au), 1800000000001);
    CHECK_INT(eng_audit_append(au, ENG_AUDIT_CONFIG_LOADED, 6,
                               ds_span_str("config"), (const uint8_t *)"", 0),
              0);
    CHECK_INT(eng_store_commit(a), 0);
    eng_audit_committed(au);
    CHECK_INT(eng_audit_seq(au), 3);
    CHECK_INT(s_verify(b, &r), 0);
    CHECK_INT(r.entries, 3);
    eng_audit_destroy(&au);
    eng_store_destroy(&b);
    eng_store_destroy(&a);
}

TEST(checkpoint_covers_entries_appended_by_another_connection)
{
    struct ds_diag d;
    struct eng_config cfg;
    struct eng_audit_sth sth;
    struct eng_audit_verify_report r;
    eng_config_defaults(&cfg);
    cfg.audit.checkpoint_every = 1;
    eng_store_t *a = s_fixture("cp");
    eng_store_t *b = eng_store_open(s_path("cp"), false, NULL);
    eng_audit_t *au = a ? eng_audit_new(a, NULL) : NULL;
    eng_checkpoint_t *cp = au ? eng_checkpoint_new(a, au, &cfg, &d) : NULL;
    CHECK(b && cp);
    CHECK_INT(s_move(b, 1, ENG_ALERT_CLOSED, "bob", "x", &d), 0);
    CHECK_INT(eng_checkpoint_make(cp, &sth, &d), 0);
    CHECK_INT(sth.n, 2); /* the fixture's entry and bob's */
    CHECK_INT(eng_audit_seq(au), 3);
    CHECK_INT(s_move(b, 2, ENG_ALERT_CLOSED, "bob", "y", &d), 0);
    CHECK_INT(eng_checkpoint_make(cp, &sth, &d), 0);
    CHECK_INT(sth.n, 4);
    CHECK_INT(s_verify(b, &r), 0);
    CHECK_INT(r.entries, 5);
    CHECK_INT(r.checkpoints, 2);
    eng_checkpoint_destroy(&cp);
    eng_audit_destroy(&au);
    eng_store_destroy(&b);
    eng_store_destroy(&a);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(allowed_transitions_update_log_and_audit);
    RUN(audit_entry_holds_signal_from_to_by_reason);
    RUN(refused_transitions_change_nothing);
    RUN(by_and_reason_are_required_and_checked);
    RUN(list_filters_by_status);
    RUN(reload_follows_an_append_by_another_connection);
    RUN(checkpoint_covers_entries_appended_by_another_connection);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
