/*
 * test_eng_publish.c - the dashboard fan-out as a subscriber sees it: one
 * seq over all topics starting at 1 with the run id in every body, signal /
 * stats / health payloads, coalesced and rate-limited stats, the snapshot
 * reply (its seq, its signals and cells, the topic prefix filter, nothing
 * while a batch is open), bad requests, an inactive fan-out, a bad
 * endpoint. Everything runs in one process: the PUB on inproc:// (same
 * context), the snapshot ROUTER on ipc:// in a temp dir, a real store.
 * Every receive is a poll with a timeout.
 */
#include "devsurv/ds_clock.h"
#include "../test.h"

#include "devsurv/ds_err.h"
#include "devsurv/eng_publish.h"
#include "devsurv/eng_store_cells.h"
#include "devsurv/eng_store_events.h"

#include <jansson.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static char s_dir[64];
static int s_n; /* a fresh endpoint / store per test */
static void *s_ctx;

struct s_fix {
    struct eng_config cfg;
    eng_store_t *store;
    eng_publish_t *pub;
    void *sub, *dealer;
};

static void s_cell(eng_store_t *st, const char *p, const char *e, int64_t obs,
                   double llr, enum eng_cell_status status)
{
    struct eng_cell c = {
        .observed = obs, .expected = 1.5, .llr = llr, .status = status};
    snprintf(c.product_code, sizeof c.product_code, "%s", p);
    snprintf(c.event_code, sizeof c.event_code, "%s", e);
    eng_store_cell_put(st, &c, 0);
}

static struct eng_signal s_sig(const char *p, const char *e)
{
    struct eng_signal s = {.method = "maxsprt-poisson",
                           .statistic = 4.25,
                           .threshold = 3.628123,
                           .observed = 9,
                           .expected = 3.5,
                           .ts_event = 1767571200000,
                           .epoch = 1,
                           .seq = 77};
    snprintf(s.product_code, sizeof s.product_code, "%s", p);
    snprintf(s.event_code, sizeof s.event_code, "%s", e);
    snprintf(s.source, sizeof s.source, "hospA");
    snprintf(s.params, sizeof s.params, "{\"alpha\":0.05}");
    return s;
}

/* A store holding a signal and two cells, a fan-out on it (both
 * endpoints unless pub_only), a subscriber to everything, a DEALER. */
static int s_setup(struct s_fix *f, bool snapshot)
{
    char path[128];
    memset(f, 0, sizeof *f);
    eng_config_defaults(&f->cfg);
    s_n++;
    snprintf(path, sizeof path, "%s/t%d.db", s_dir, s_n);
    snprintf(f->cfg.publish.endpoint, sizeof f->cfg.publish.endpoint,
             "inproc://pub%d", s_n);
    if (snapshot)
        snprintf(f->cfg.publish.snapshot, sizeof f->cfg.publish.snapshot,
                 "ipc://%s/snap%d.ipc", s_dir, s_n);
    f->cfg.publish.health_ms = 100;
    f->store = eng_store_open(path, false, NULL);
    struct eng_signal sig = s_sig("MGB", "E0505");
    if (!f->store || eng_store_begin(f->store) != 0)
        return -1;
    s_cell(f->store, "MGB", "E0505", 9, 4.25, ENG_CELL_SIGNALLED);
    s_cell(f->store, "LZG", "E1205", 2, 0, ENG_CELL_WATCHING);
    eng_store_signal_put(f->store, &sig);
    eng_store_source_put(f->store, ds_span_str("hospA"), 1, 842);
    if (eng_store_commit(f->store) != 0)
        return -1;
    f->pub = eng_publish_new(s_ctx, f->store, &f->cfg, NULL);
    f->sub = zmq_socket(s_ctx, ZMQ_SUB);
    f->dealer = zmq_socket(s_ctx, ZMQ_DEALER);
    if (!f->pub || zmq_connect(f->sub, f->cfg.publish.endpoint) != 0 ||
        zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "", 0) != 0)
        return -1;
    if (snapshot && zmq_connect(f->dealer, f->cfg.publish.snapshot) != 0)
        return -1;
    return 0;
}

static void s_teardown(struct s_fix *f)
{
    int zero = 0;
    zmq_setsockopt(f->sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(f->dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(f->sub);
    zmq_close(f->dealer);
    eng_publish_destroy(&f->pub);
    eng_store_destroy(&f->store);
}

/* Next message on sock within ms: frame 0 into a[], frame 1 parsed as
 * JSON (NULL on timeout or a bad body). */
static json_t *s_recv(void *sock, char *a, size_t an, int ms)
{
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    char body[65536];
    if (zmq_poll(&it, 1, ms) != 1)
        return NULL;
    int n = zmq_recv(sock, a, an - 1, 0);
    a[n < 0 ? 0 : (size_t)n < an ? n : (int)an - 1] = '\0';
    int more = 0;
    size_t ml = sizeof more;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
    if (!more)
        return NULL;
    n = zmq_recv(sock, body, sizeof body - 1, 0);
    if (n < 0 || n >= (int)sizeof body)
        return NULL;
    body[n] = '\0';
    return json_loads(body, 0, NULL);
}

static long long s_int(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *s_str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* Send SNAPSHOT [prefix], let the fan-out answer, receive the reply. */
static json_t *s_snapshot(struct s_fix *f, const char *prefix, char *cmd,
                          size_t cn)
{
    zmq_send(f->dealer, "SNAPSHOT", 8, prefix ? ZMQ_SNDMORE : 0);
    if (prefix)
        zmq_send(f->dealer, prefix, strlen(prefix), 0);
    zmq_pollitem_t it = {eng_publish_snapshot_socket(f->pub), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 5000) != 1)
        return NULL;
    if (eng_publish_snapshot_serve(f->pub) != 0)
        return NULL;
    return s_recv(f->dealer, cmd, cn, 5000);
}

TEST(seq_counts_every_topic_from_one)
{
    struct s_fix f;
    char topic[128];
    CHECK(s_setup(&f, false) == 0);
    struct eng_signal sig = s_sig("MGB", "E0505");
    struct eng_publish_health h = {.events = 842, .quarantined = 2};
    CHECK_INT(eng_publish_signal(f.pub, &sig), 0);
    eng_store_begin(f.store);
    s_cell(f.store, "LZG", "E1205", 3, 0.5, ENG_CELL_WATCHING);
    eng_store_commit(f.store);
    CHECK_INT(eng_publish_committed(f.pub, ds_mono_ms()), 0);
    CHECK_INT(eng_publish_tick(f.pub, ds_mono_ms() + 1000, &h), 0);
    const char *want[] = {"signal.MGB.E0505", "stats.LZG.E1205", "health"};
    for (int i = 0; i < 3; i++) {
        json_t *b = s_recv(f.sub, topic, sizeof topic, 5000);
        CHECK(b != NULL);
        CHECK_STR(topic, want[i]);
        CHECK_INT(s_int(b, "seq"), i + 1);
        CHECK_STR(s_str(b, "run"), eng_publish_run(f.pub));
        json_decref(b);
    }
    CHECK_INT(strlen(eng_publish_run(f.pub)), ENG_PUBLISH_RUN_LEN);
    CHECK_INT(eng_publish_stats(f.pub)->seq, 3);
    CHECK_INT(eng_publish_stats(f.pub)->dropped, 0);
    s_teardown(&f);
}

TEST(signal_body_carries_the_signal)
{
    struct s_fix f;
    char topic[128];
    CHECK(s_setup(&f, false) == 0);
    struct eng_signal sig = s_sig("MGB", "E0505");
    sig.id = 1;
    eng_publish_signal(f.pub, &sig);
    json_t *b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b != NULL);
    CHECK_STR(s_str(b, "product_code"), "MGB");
    CHECK_STR(s_str(b, "event_code"), "E0505");
    CHECK_STR(s_str(b, "method"), "maxsprt-poisson");
    CHECK_NEAR(json_real_value(json_object_get(b, "llr")), 4.25, 1e-12);
    CHECK_NEAR(json_real_value(json_object_get(b, "cv")), 3.628123, 1e-9);
    CHECK_INT(s_int(b, "observed"), 9);
    CHECK_INT(s_int(json_object_get(b, "trigger"), "seq"), 77);
    CHECK_NEAR(
        json_real_value(json_object_get(json_object_get(b, "params"), "alpha")),
        0.05, 1e-12);
    json_decref(b);
    s_teardown(&f);
}

TEST(stats_only_for_changed_cells_coalesced_and_rate_limited)
{
    struct s_fix f;
    char topic[128];
    CHECK(s_setup(&f, false) == 0);
    int64_t t0 = ds_mono_ms();
    eng_store_begin(f.store);
    s_cell(f.store, "MGB", "E0505", 10, 4.5, ENG_CELL_SIGNALLED);
    eng_store_commit(f.store);
    CHECK_INT(eng_publish_committed(f.pub, t0), 0); /* scans at once */
    /* Two more changes inside the rate-limit window: held back... */
    eng_store_begin(f.store);
    s_cell(f.store, "MGB", "E0505", 11, 4.75, ENG_CELL_SIGNALLED);
    eng_store_commit(f.store);
    CHECK_INT(eng_publish_committed(f.pub, t0 + 1), 0);
    eng_store_begin(f.store);
    s_cell(f.store, "MGB", "E0505", 12, 5.0, ENG_CELL_SIGNALLED);
    eng_store_commit(f.store);
    CHECK_INT(eng_publish_committed(f.pub, t0 + 2), 0);
    CHECK(eng_publish_timeout(f.pub, t0 + 2, 5000) > 0);
    CHECK(eng_publish_timeout(f.pub, t0 + 2, 5000) <= ENG_PUBLISH_STATS_MS);
    json_t *b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b != NULL);
    CHECK_STR(topic, "stats.MGB.E0505");
    CHECK_INT(s_int(b, "observed"), 10);
    CHECK_STR(s_str(b, "status"), "signalled");
    json_decref(b);
    CHECK(s_recv(f.sub, topic, sizeof topic, 50) == NULL);
    /* ...then published once, with the latest values, when due. */
    struct eng_publish_health h = {0};
    CHECK_INT(eng_publish_tick(f.pub, t0 + ENG_PUBLISH_STATS_MS + 2, &h), 0);
    b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b != NULL);
    CHECK_STR(topic, "stats.MGB.E0505");
    CHECK_INT(s_int(b, "observed"), 12);
    CHECK_NEAR(json_real_value(json_object_get(b, "llr")), 5.0, 1e-12);
    CHECK_INT(s_int(b, "seq"), 2);
    json_decref(b);
    b = s_recv(f.sub, topic, sizeof topic, 5000); /* not LZG: unchanged */
    CHECK(b != NULL);
    CHECK_STR(topic, "health"); /* the tick was past health_ms as well */
    json_decref(b);
    CHECK(s_recv(f.sub, topic, sizeof topic, 50) == NULL);
    s_teardown(&f);
}

TEST(health_shape)
{
    struct s_fix f;
    char topic[128];
    CHECK(s_setup(&f, false) == 0);
    struct eng_publish_health h = {.events = 840,
                                   .quarantined = 2,
                                   .signals = 1,
                                   .duplicates = 5,
                                   .gaps = 1,
                                   .malformed = 3};
    int64_t now = ds_mono_ms();
    CHECK_INT(eng_publish_tick(f.pub, now, &h), 0); /* not due yet */
    CHECK(s_recv(f.sub, topic, sizeof topic, 50) == NULL);
    CHECK(eng_publish_timeout(f.pub, now, 5000) <= 100);
    CHECK_INT(eng_publish_tick(f.pub, now + 100, &h), 0);
    json_t *b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b != NULL);
    CHECK_STR(topic, "health");
    CHECK_INT(s_int(b, "seq"), 1);
    CHECK_INT(s_int(b, "events"), 840);
    CHECK_INT(s_int(b, "quarantined"), 2);
    CHECK_INT(s_int(b, "signals"), 1);
    CHECK_INT(s_int(b, "duplicates"), 5);
    CHECK_INT(s_int(b, "gaps"), 1);
    CHECK_INT(s_int(b, "malformed"), 3);
    CHECK_INT(s_int(b, "dropped"), 0);
    CHECK(json_is_integer(json_object_get(b, "uptime_ms")));
    json_t *src = json_array_get(json_object_get(b, "sources"), 0);
    CHECK_STR(s_str(src, "source"), "hospA");
    CHECK_INT(s_int(src, "epoch"), 1);
    CHECK_INT(s_int(src, "committed"), 842);
    json_decref(b);
    /* The next one is health_ms later. */
    CHECK_INT(eng_publish_tick(f.pub, now + 150, &h), 0);
    CHECK(s_recv(f.sub, topic, sizeof topic, 50) == NULL);
    CHECK_INT(eng_publish_tick(f.pub, now + 200, &h), 0);
    b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b != NULL);
    CHECK_INT(s_int(b, "seq"), 2);
    json_decref(b);
    s_teardown(&f);
}

TEST(snapshot_holds_state_and_last_seq)
{
    struct s_fix f;
    char cmd[64], topic[128];
    CHECK(s_setup(&f, true) == 0);
    struct eng_signal sig = s_sig("MGB", "E0505");
    eng_publish_signal(f.pub, &sig);
    eng_publish_signal(f.pub, &sig);
    json_t *b = s_snapshot(&f, NULL, cmd, sizeof cmd);
    CHECK(b != NULL);
    CHECK_STR(cmd, "SNAPSHOT");
    CHECK_STR(s_str(b, "run"), eng_publish_run(f.pub));
    CHECK_INT(s_int(b, "seq"), 2);
    json_t *sigs = json_object_get(b, "signals");
    CHECK_INT(json_array_size(sigs), 1);
    CHECK_STR(s_str(json_array_get(sigs, 0), "product_code"), "MGB");
    CHECK_INT(s_int(json_array_get(sigs, 0), "id"), 1);
    json_t *cells = json_object_get(b, "cells");
    CHECK_INT(json_array_size(cells), 2);
    CHECK_STR(s_str(json_array_get(cells, 0), "product_code"), "LZG");
    CHECK_STR(s_str(json_array_get(cells, 1), "status"), "signalled");
    json_decref(b);
    CHECK_INT(eng_publish_stats(f.pub)->snapshots, 1);
    /* Nothing was published by the snapshot itself. */
    b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b && s_int(b, "seq") == 1);
    json_decref(b);
    b = s_recv(f.sub, topic, sizeof topic, 5000);
    CHECK(b && s_int(b, "seq") == 2);
    json_decref(b);
    CHECK(s_recv(f.sub, topic, sizeof topic, 50) == NULL);
    s_teardown(&f);
}

TEST(snapshot_publishes_pending_stats_first)
{
    struct s_fix f;
    char cmd[64], topic[128];
    CHECK(s_setup(&f, true) == 0);
    int64_t t0 = ds_mono_ms();
    eng_store_begin(f.store);
    s_cell(f.store, "LZG", "E1205", 3, 0.5, ENG_CELL_WATCHING);
    eng_store_commit(f.store);
    eng_publish_committed(f.pub, t0); /* seq 1 */
    eng_store_begin(f.store);
    s_cell(f.store, "LZG", "E1205", 4, 0.75, ENG_CELL_WATCHING);
    eng_store_commit(f.store);
    eng_publish_committed(f.pub, t0 + 1); /* rate-limited: pending */
    json_t *b = s_snapshot(&f, "stats.LZG", cmd, sizeof cmd);
    CHECK(b != NULL);
    CHECK_INT(s_int(b, "seq"), 2); /* the pending stats went out first */
    CHECK_INT(json_array_size(json_object_get(b, "signals")), 0);
    json_t *cells = json_object_get(b, "cells");
    CHECK_INT(json_array_size(cells), 1);
    CHECK_INT(s_int(json_array_get(cells, 0), "observed"), 4);
    json_decref(b);
    for (int i = 1; i <= 2; i++) {
        b = s_recv(f.sub, topic, sizeof topic, 5000);
        CHECK(b && s_int(b, "seq") == i);
        json_decref(b);
    }
    s_teardown(&f);
}

TEST(snapshot_prefix_filters_topics)
{
    struct s_fix f;
    char cmd[64];
    CHECK(s_setup(&f, true) == 0);
    json_t *b = s_snapshot(&f, "signal.", cmd, sizeof cmd);
    CHECK(b != NULL);
    CHECK_INT(json_array_size(json_object_get(b, "signals")), 1);
    CHECK_INT(json_array_size(json_object_get(b, "cells")), 0);
    CHECK_INT(s_int(b, "seq"), 0); /* nothing published yet */
    json_decref(b);
    b = s_snapshot(&f, "signal.LZG", cmd, sizeof cmd);
    CHECK(b != NULL);
    CHECK_INT(json_array_size(json_object_get(b, "signals")), 0);
    json_decref(b);
    s_teardown(&f);
}

TEST(snapshot_waits_for_open_batch)
{
    struct s_fix f;
    char cmd[64];
    CHECK(s_setup(&f, true) == 0);
    zmq_send(f.dealer, "SNAPSHOT", 8, 0);
    zmq_pollitem_t it = {eng_publish_snapshot_socket(f.pub), 0, ZMQ_POLLIN, 0};
    CHECK(zmq_poll(&it, 1, 5000) == 1);
    eng_store_begin(f.store);
    struct eng_signal uncommitted = s_sig("LZG", "E1205");
    eng_store_signal_put(f.store, &uncommitted);
    CHECK_INT(eng_publish_snapshot_serve(f.pub), 0);
    CHECK(s_recv(f.dealer, cmd, sizeof cmd, 50) == NULL);
    eng_store_rollback(f.store);
    CHECK_INT(eng_publish_snapshot_serve(f.pub), 0);
    json_t *b = s_recv(f.dealer, cmd, sizeof cmd, 5000);
    CHECK(b != NULL);
    CHECK_INT(json_array_size(json_object_get(b, "signals")), 1);
    json_decref(b);
    s_teardown(&f);
}

TEST(bad_request_gets_error)
{
    struct s_fix f;
    char cmd[64], body[256];
    CHECK(s_setup(&f, true) == 0);
    zmq_send(f.dealer, "ICANHAZ?", 8, 0);
    zmq_pollitem_t it = {eng_publish_snapshot_socket(f.pub), 0, ZMQ_POLLIN, 0};
    CHECK(zmq_poll(&it, 1, 5000) == 1);
    CHECK_INT(eng_publish_snapshot_serve(f.pub), 0);
    it.socket = f.dealer;
    CHECK(zmq_poll(&it, 1, 5000) == 1);
    int n = zmq_recv(f.dealer, cmd, sizeof cmd - 1, 0);
    CHECK(n == 5);
    cmd[n] = '\0';
    CHECK_STR(cmd, "ERROR");
    n = zmq_recv(f.dealer, body, sizeof body - 1, 0);
    CHECK(n > 0);
    body[n] = '\0';
    CHECK_HAS(body, "SNAPSHOT");
    CHECK_INT(eng_publish_stats(f.pub)->snapshots, 0);
    s_teardown(&f);
}

TEST(inactive_when_no_endpoint)
{
    struct eng_config cfg;
    char path[128];
    eng_config_defaults(&cfg);
    snprintf(path, sizeof path, "%s/off.db", s_dir);
    eng_store_t *st = eng_store_open(path, false, NULL);
    eng_publish_t *p = eng_publish_new(s_ctx, st, &cfg, NULL);
    CHECK(p != NULL);
    struct eng_signal sig = s_sig("MGB", "E0505");
    struct eng_publish_health h = {0};
    CHECK_INT(eng_publish_signal(p, &sig), 0);
    CHECK_INT(eng_publish_committed(p, ds_mono_ms()), 0);
    CHECK_INT(eng_publish_tick(p, ds_mono_ms() + 100000, &h), 0);
    CHECK(eng_publish_snapshot_socket(p) == NULL);
    CHECK_INT(eng_publish_timeout(p, ds_mono_ms(), 250), 250);
    CHECK_INT(eng_publish_stats(p)->seq, 0);
    eng_publish_destroy(&p);
    CHECK(p == NULL);
    eng_publish_destroy(&p);
    eng_store_destroy(&st);
}

TEST(unbindable_endpoint_fails_with_diag)
{
    struct eng_config cfg;
    struct ds_diag diag;
    char path[128];
    eng_config_defaults(&cfg);
    snprintf(path, sizeof path, "%s/bad.db", s_dir);
    snprintf(cfg.publish.endpoint, sizeof cfg.publish.endpoint,
             "ipc:///nonexistent-dir/x/pub.ipc");
    eng_store_t *st = eng_store_open(path, false, NULL);
    ds_diag_clear(&diag);
    CHECK(eng_publish_new(s_ctx, st, &cfg, &diag) == NULL);
    CHECK_HAS(diag.msg, "cannot bind ipc:///nonexistent-dir/x/pub.ipc");
    eng_store_destroy(&st);
}

int main(void)
{
    char cmd[128];
    snprintf(s_dir, sizeof s_dir, "/tmp/devsurv-publish-XXXXXX");
    if (!mkdtemp(s_dir))
        return 1;
    s_ctx = zmq_ctx_new();
    RUN(seq_counts_every_topic_from_one);
    RUN(signal_body_carries_the_signal);
    RUN(stats_only_for_changed_cells_coalesced_and_rate_limited);
    RUN(health_shape);
    RUN(snapshot_holds_state_and_last_seq);
    RUN(snapshot_publishes_pending_stats_first);
    RUN(snapshot_prefix_filters_topics);
    RUN(snapshot_waits_for_open_batch);
    RUN(bad_request_gets_error);
    RUN(inactive_when_no_endpoint);
    RUN(unbindable_endpoint_fails_with_diag);
    zmq_ctx_term(s_ctx);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
