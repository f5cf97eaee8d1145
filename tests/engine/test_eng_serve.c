/*
 * test_eng_serve.c - the engine loop against a hand-driven DEALER peer:
 * HELLO -> ACK, in-order EV -> ACK after commit, a gap -> RESEND from the
 * expected seq, a duplicate -> re-ACK without a new row, malformed frames
 * and bad envelopes -> quarantine rows with reasons while the loop keeps
 * serving, and a stop request -> clean return. The loop runs in a thread
 * on an ipc:// endpoint in a temp dir; every wait is a poll with a timeout.
 */
#include "../test.h"

#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"
#include "devsurv/eng_serve.h"
#include "devsurv/eng_zmq.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

static char s_dir[64];
static struct eng_config s_cfg;
static volatile sig_atomic_t s_stop;
static int s_rc = -999;
static void *s_ctx, *s_sock;

static const char s_env[] =
    "{\"id\":\"x%d\",\"kind\":\"exposure\",\"time\":\"2026-01-01T00:00:00Z\","
    "\"device\":{\"product_code\":\"MGB\"}}";

static void *s_engine(void *arg)
{
    struct ds_diag diag;
    (void)arg;
    s_rc = eng_serve_run(&s_cfg, &s_stop, NULL, NULL, NULL, &diag);
    return NULL;
}

static void s_send_ev(uint64_t seq, const char *payload)
{
    struct eng_wire_msg m = {.cmd = ENG_WIRE_EV,
                             .source = ds_span_str("hospT"),
                             .epoch = 1,
                             .seq = seq,
                             .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON),
                             .payload = ds_span_str(payload)};
    eng_zmq_send(s_sock, NULL, 0, &m, 0);
}

static void s_send_raw(int n, const char *const *frames)
{
    for (int i = 0; i < n; i++)
        zmq_send(s_sock, frames[i], strlen(frames[i]),
                 i + 1 < n ? ZMQ_SNDMORE : 0);
}

/* Next reply from the engine within 5 s; 0 on success. */
static int s_reply(struct eng_wire_msg *w, struct eng_zmq_in *in)
{
    zmq_pollitem_t it = {s_sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 5000) != 1 || eng_zmq_recv(s_sock, in, 0) != 0)
        return -1;
    return eng_wire_parse(in->frames, in->n, w, NULL);
}

/* Replies until an ACK with committed >= want (5 s each). */
static int s_wait_ack(uint64_t want)
{
    struct eng_wire_msg w;
    struct eng_zmq_in in = {.n = 0};
    int rc;
    while ((rc = s_reply(&w, &in)) == 0)
        if (w.cmd == ENG_WIRE_ACK && w.seq >= want)
            break;
    eng_zmq_in_close(&in);
    return rc;
}

static long s_count(const char *sql)
{
    char path[128];
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = -1;
    snprintf(path, sizeof path, "%s/t.db", s_dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

TEST(hello_gets_ack_of_zero)
{
    struct eng_wire_msg h = {
        .cmd = ENG_WIRE_HELLO, .source = ds_span_str("hospT"), .epoch = 1};
    struct eng_wire_msg w;
    struct eng_zmq_in in = {.n = 0};
    CHECK_INT(eng_zmq_send(s_sock, NULL, 0, &h, 0), 0);
    CHECK_INT(s_reply(&w, &in), 0);
    CHECK_INT(w.cmd, ENG_WIRE_ACK);
    CHECK(ds_span_eq(w.source, "hospT"));
    CHECK_INT(w.seq, 0);
    CHECK_INT(w.credit, s_cfg.ingest.credit);
    eng_zmq_in_close(&in);
}

TEST(in_order_events_are_acked_after_commit)
{
    char buf[256];
    for (int i = 1; i <= 3; i++) {
        snprintf(buf, sizeof buf, s_env, i);
        s_send_ev((uint64_t)i, buf);
    }
    CHECK_INT(s_wait_ack(3), 0);
    /* ACK means committed: a separate reader sees the rows now */
    CHECK_INT(s_count("select count(*) from events"), 3);
    CHECK_INT(s_count("select committed from sources"), 3);
}

TEST(gap_asks_for_resend_from_expected)
{
    struct eng_wire_msg w;
    struct eng_zmq_in in = {.n = 0};
    s_send_ev(6, "{}");
    CHECK_INT(s_reply(&w, &in), 0);
    eng_zmq_in_close(&in);
    CHECK_INT(w.cmd, ENG_WIRE_RESEND);
    CHECK_INT(w.seq, 4);
    CHECK_INT(s_count("select count(*) from events where seq = 6"), 0);
}

TEST(duplicate_is_reacked_not_stored)
{
    char buf[256];
    snprintf(buf, sizeof buf, s_env, 2);
    s_send_ev(2, buf);
    CHECK_INT(s_wait_ack(3), 0);
    CHECK_INT(s_count("select count(*) from events"), 3);
}

TEST(bad_envelope_is_quarantined_and_acked)
{
    s_send_ev(4, "{\"id\":\"q\",\"kind\":\"exposure\"}");
    CHECK_INT(s_wait_ack(4), 0);
    CHECK_INT(s_count("select count(*) from quarantine where seq = 4 and "
                      "reason like 'time:%'"),
              1);
}

TEST(malformed_frames_are_quarantined_and_loop_continues)
{
    const char *bogus[] = {"BOGUS", "x"};
    const char *short_ev[] = {"EV", "hospT", "12345678"};
    s_send_raw(2, bogus);
    s_send_raw(3, short_ev);
    char buf[256];
    snprintf(buf, sizeof buf, s_env, 5);
    s_send_ev(5, buf);
    CHECK_INT(s_wait_ack(5), 0);
    CHECK_INT(s_count("select count(*) from quarantine where seq is null "
                      "and reason like 'malformed DSV1 message%'"),
              2);
    CHECK_INT(s_count("select count(*) from events"), 4);
}

TEST(stop_returns_cleanly)
{
    s_stop = 1;
}

int main(void)
{
    pthread_t th;
    char ep[128];
    ds_log_set_level(DS_LOG_ERROR);
    snprintf(s_dir, sizeof s_dir, "/tmp/devsurv-serve-XXXXXX");
    if (!mkdtemp(s_dir))
        return 1;
    eng_config_defaults(&s_cfg);
    s_cfg.ingest.insecure = true;
    snprintf(s_cfg.store.path, sizeof s_cfg.store.path, "%s/t.db", s_dir);
    snprintf(ep, sizeof ep, "ipc://%s/in.ipc", s_dir);
    snprintf(s_cfg.ingest.endpoint, sizeof s_cfg.ingest.endpoint, "%s", ep);
    s_ctx = zmq_ctx_new();
    s_sock = zmq_socket(s_ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s_sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(s_sock, ep);
    pthread_create(&th, NULL, s_engine, NULL);
    RUN(hello_gets_ack_of_zero);
    RUN(in_order_events_are_acked_after_commit);
    RUN(gap_asks_for_resend_from_expected);
    RUN(duplicate_is_reacked_not_stored);
    RUN(bad_envelope_is_quarantined_and_acked);
    RUN(malformed_frames_are_quarantined_and_loop_continues);
    RUN(stop_returns_cleanly);
    pthread_join(th, NULL);
    printf("%s - engine_loop_exit_code: %d\n", s_rc == 0 ? "ok" : "FAIL", s_rc);
    zmq_close(s_sock);
    zmq_ctx_term(s_ctx);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        return 1;
    return test_report() || s_rc != 0;
}
