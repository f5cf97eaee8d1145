/*
 * ds-tap - a dashboard-side subscriber to the engine's fan-out: prints the
 * current signals from a snapshot, then every signal, stats and health
 * message live, and says so when messages were lost.
 *
 * Protocol (the zguide Clone pattern, reference/reliability.md 1.1; frames
 * in include/devsurv/eng_publish.h): SUBSCRIBE to everything first (seq is
 * global over all topics, so gap detection needs every message; --topic
 * filters what is printed, not what is received); wait up to a second for
 * the first live message (proof that the subscription reached the engine),
 * then ask the snapshot ROUTER for ["SNAPSHOT", prefix]; apply only
 * messages with seq > the snapshot's seq. A seq that jumps is a loss (PUB
 * drops for a slow subscriber): warn on stderr and re-request the snapshot;
 * a new run id (engine restarted, seq restarted) re-requests it too.
 * Signals carry their store id: a signal already printed is not printed
 * again after a re-snapshot, and one lost in a gap is printed from the
 * snapshot. A snapshot request unanswered for 2 s is re-sent on a new
 * DEALER (Lazy Pirate).
 *
 * Not here: CURVE (the fan-out is plaintext for now), a UI.
 */
#include "devsurv/ds_clock.h"
#include "devsurv/eng_cmd.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <zmq.h>

#define S_RETRY_MS 2000 /* re-send an unanswered snapshot request */
#define S_FIRST_MS 1000 /* wait for a first live message before it */

struct s_opts {
    const char *endpoint, *snapshot, *topic;
    bool json;
    long long count;    /* exit after this many signal lines; 0 = never */
    int64_t timeout_ms; /* exit 69 after this long without input; 0 = no */
    int rcvhwm;         /* 0 = libzmq default */
};

struct s_tap {
    struct s_opts o;
    void *ctx, *sub, *dealer;
    char run[64];
    uint64_t last; /* last seq applied */
    bool synced;   /* last and run are known */
    int64_t *ids;  /* signal ids printed (this store) */
    size_t nids, capids;
    long long printed; /* signal lines */
    int64_t last_rx_ms;
};

static volatile sig_atomic_t s_stop;

static void s_on_stop(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ds-tap: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void s_help(void)
{
    printf(
        "usage: ds-tap --endpoint PUB_EP [--snapshot SNAP_EP] [--json]\n"
        "              [--topic PREFIX] [--count N] [--timeout SEC]\n"
        "              [--rcvhwm N]\n\n"
        "Subscribe to a devsurv engine's fan-out (publish.endpoint) and print\n"
        "one line per message: signals, cell stats, health. With --snapshot\n"
        "(publish.snapshot) it first prints the current signals, then only\n"
        "newer messages; on a seq gap (lost messages) or an engine restart\n"
        "it warns on stderr and fetches the snapshot again.\n\n"
        "  --endpoint EP   the engine's PUB endpoint\n"
        "  --snapshot EP   the engine's snapshot ROUTER endpoint\n"
        "  --json          print each message as one JSON object with its\n"
        "                  \"topic\" (the snapshot as topic \"SNAPSHOT\")\n"
        "  --topic PREFIX  print only topics starting with PREFIX\n"
        "                  (signal., stats.MGB, health)\n"
        "  --count N       exit 0 after printing N signals\n"
        "  --timeout SEC   exit 69 when nothing arrives for SEC seconds\n"
        "  --rcvhwm N      receive queue limit in messages (default 1000)\n\n"
        "exit: 0 done (--count reached, or interrupted), 64 usage,\n"
        "69 nothing received in time, 70 ZeroMQ error\n");
}

/* ---- options ---- */

static int s_num(const char *arg, long long max, long long *out)
{
    if (eng_cmd_int(arg, 1, max, out))
        return 0;
    s_log("bad number '%s' (1..%lld)", arg, max);
    return EX_USAGE;
}

static int s_opt(struct s_opts *o, int c, const char *arg)
{
    long long v = 0;
    int rc = 0;
    switch (c) {
    case 'e': o->endpoint = arg; break;
    case 's': o->snapshot = arg; break;
    case 'p': o->topic = arg; break;
    case 'j': o->json = true; break;
    case 'c': rc = s_num(arg, 1LL << 40, &o->count); break;
    case 't':
        rc = s_num(arg, 86400 * 365, &v);
        o->timeout_ms = v * 1000;
        break;
    case 'H':
        rc = s_num(arg, 1000000000, &v);
        o->rcvhwm = (int)v;
        break;
    default: rc = EX_USAGE;
    }
    return rc;
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'},
        {"snapshot", required_argument, NULL, 's'},
        {"topic", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"count", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"rcvhwm", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            s_help();
            return -1;
        }
        if ((rc = s_opt(o, c, optarg)) != 0)
            return rc;
    }
    if (!o->endpoint || optind != argc) {
        s_log("usage: ds-tap --endpoint EP [--snapshot EP] [options] "
              "(--help)");
        return EX_USAGE;
    }
    if (!o->topic)
        o->topic = "";
    return 0;
}

/* ---- receiving ---- */

/* Wait up to ms (forever when < 0) for sock to be readable: 1 readable,
 * 0 timeout or stop, -1 error. */
static int s_wait(void *sock, long ms)
{
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    int n = zmq_poll(&it, 1, ms);
    if (n < 0 && errno == EINTR)
        return 0;
    return n;
}

/* Receive a two-frame message: frame 0 as a string into a[], frame 1
 * parsed as JSON. Extra frames are drained. NULL when the body is not a
 * JSON object (warned) or on error (*err set). */
static json_t *s_recv2(void *sock, char *a, size_t an, bool *err)
{
    zmq_msg_t m;
    json_t *body = NULL;
    *err = false;
    zmq_msg_init(&m);
    for (int i = 0;; i++) {
        if (zmq_msg_recv(&m, sock, 0) < 0) {
            *err = errno != EINTR;
            break;
        }
        size_t n = zmq_msg_size(&m);
        if (i == 0)
            snprintf(a, an, "%.*s", (int)(n < an ? n : an - 1),
                     (const char *)zmq_msg_data(&m));
        else if (i == 1)
            body = json_loadb(zmq_msg_data(&m), n, 0, NULL);
        if (!zmq_msg_more(&m))
            break;
    }
    zmq_msg_close(&m);
    if (body && !json_is_object(body)) {
        json_decref(body);
        body = NULL;
    }
    return body;
}

/* ---- printing ---- */

static long long s_i(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static double s_d(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static const char *s_s(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "?";
}

static bool s_seen(struct s_tap *T, int64_t id)
{
    for (size_t i = 0; i < T->nids; i++)
        if (T->ids[i] == id)
            return true;
    if (T->nids == T->capids) {
        size_t cap = T->capids ? T->capids * 2 : 64;
        int64_t *v = realloc(T->ids, cap * sizeof *v);
        if (!v)
            return false;
        T->ids = v;
        T->capids = cap;
    }
    T->ids[T->nids++] = id;
    return false;
}

static void s_print_signal(json_t *s, const char *where)
{
    printf("signal %s x %s %s llr=%.4f cv=%.4f observed=%lld "
           "expected=%.4f id=%lld %s\n",
           s_s(s, "product_code"), s_s(s, "event_code"), s_s(s, "method"),
           s_d(s, "llr"), s_d(s, "cv"), s_i(s, "observed"), s_d(s, "expected"),
           s_i(s, "id"), where);
}

static void s_print_sources(json_t *arr)
{
    size_t i;
    json_t *v;
    printf(" sources=");
    json_array_foreach(arr, i, v)
    {
        printf("%s%s/%lld:%lld", i ? "," : "", s_s(v, "source"),
               s_i(v, "epoch"), s_i(v, "committed"));
    }
    if (json_array_size(arr) == 0)
        printf("-");
}

static void s_print_human(const char *topic, json_t *b)
{
    char where[40];
    snprintf(where, sizeof where, "seq=%lld", s_i(b, "seq"));
    if (strncmp(topic, "signal.", 7) == 0) {
        s_print_signal(b, where);
    } else if (strncmp(topic, "stats.", 6) == 0) {
        printf("stats %s x %s observed=%lld expected=%.4f llr=%.4f "
               "status=%s %s\n",
               s_s(b, "product_code"), s_s(b, "event_code"), s_i(b, "observed"),
               s_d(b, "expected"), s_d(b, "llr"), s_s(b, "status"), where);
    } else if (strcmp(topic, "health") == 0) {
        printf("health events=%lld quarantined=%lld signals=%lld "
               "duplicates=%lld gaps=%lld malformed=%lld dropped=%lld "
               "uptime=%.1fs",
               s_i(b, "events"), s_i(b, "quarantined"), s_i(b, "signals"),
               s_i(b, "duplicates"), s_i(b, "gaps"), s_i(b, "malformed"),
               s_i(b, "dropped"), (double)s_i(b, "uptime_ms") / 1000);
        s_print_sources(json_object_get(b, "sources"));
        printf(" %s\n", where);
    } else {
        char *t = json_dumps(b, JSON_COMPACT);
        printf("%s %s\n", topic, t ? t : "?");
        free(t);
    }
}

static void s_print_json(const char *topic, json_t *b)
{
    json_t *o = json_pack("{s:s}", "topic", topic);
    char *t = NULL;
    if (o && json_object_update(o, b) == 0)
        t = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
    printf("%s\n", t ? t : "{}");
    free(t);
    json_decref(o);
}

/* Print one live message that passed the seq checks. */
static void s_apply(struct s_tap *T, const char *topic, json_t *b)
{
    size_t plen = strlen(T->o.topic);
    if (strncmp(topic, T->o.topic, plen) != 0)
        return;
    bool sig = strncmp(topic, "signal.", 7) == 0;
    if (sig && s_seen(T, s_i(b, "id")))
        return;
    if (T->o.json)
        s_print_json(topic, b);
    else
        s_print_human(topic, b);
    T->printed += sig;
}

/* ---- the snapshot ---- */

static void s_print_snapshot(struct s_tap *T, json_t *snap)
{
    size_t i;
    json_t *s;
    if (T->o.json)
        s_print_json("SNAPSHOT", snap);
    else
        printf("snapshot run=%s seq=%lld signals=%zu cells=%zu\n",
               s_s(snap, "run"), s_i(snap, "seq"),
               json_array_size(json_object_get(snap, "signals")),
               json_array_size(json_object_get(snap, "cells")));
    json_array_foreach(json_object_get(snap, "signals"), i, s)
    {
        if (s_seen(T, s_i(s, "id")))
            continue;
        if (!T->o.json)
            s_print_signal(s, "(snapshot)");
        T->printed++;
    }
}

static int s_dealer(struct s_tap *T)
{
    int zero = 0;
    if (T->dealer)
        zmq_close(T->dealer);
    T->dealer = zmq_socket(T->ctx, ZMQ_DEALER);
    if (!T->dealer)
        return -1;
    zmq_setsockopt(T->dealer, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(T->dealer, T->o.snapshot) != 0) {
        s_log("cannot connect %s: %s", T->o.snapshot, zmq_strerror(errno));
        return -1;
    }
    return 0;
}

/* Send the request and wait for ["SNAPSHOT", body]; re-send on a new
 * DEALER every S_RETRY_MS. 0 and *out, EX_UNAVAILABLE on --timeout,
 * EX_OK when stopped, EX_SOFTWARE on a socket error. */
static int s_request(struct s_tap *T, json_t **out)
{
    int64_t start = ds_mono_ms();
    char cmd[32];
    bool err;
    *out = NULL;
    while (!s_stop) {
        if (!T->dealer && s_dealer(T) != 0)
            return EX_SOFTWARE;
        zmq_send(T->dealer, "SNAPSHOT", 8, ZMQ_SNDMORE);
        zmq_send(T->dealer, T->o.topic, strlen(T->o.topic), 0);
        int r = s_wait(T->dealer, S_RETRY_MS);
        if (r < 0)
            return EX_SOFTWARE;
        if (r > 0) {
            json_t *b = s_recv2(T->dealer, cmd, sizeof cmd, &err);
            if (b && strcmp(cmd, "SNAPSHOT") == 0) {
                *out = b;
                return 0;
            }
            s_log("snapshot request refused (%s)", cmd);
            json_decref(b);
            return EX_PROTOCOL;
        }
        if (T->o.timeout_ms && ds_mono_ms() - start >= T->o.timeout_ms) {
            s_log("no snapshot from %s", T->o.snapshot);
            return EX_UNAVAILABLE;
        }
        if (s_dealer(T) != 0) /* Lazy Pirate: a fresh socket */
            return EX_SOFTWARE;
    }
    return EX_OK;
}

static int s_sync(struct s_tap *T)
{
    json_t *snap;
    int rc = s_request(T, &snap);
    if (rc != 0 || !snap)
        return rc;
    snprintf(T->run, sizeof T->run, "%s", s_s(snap, "run"));
    T->last = (uint64_t)s_i(snap, "seq");
    T->synced = true;
    s_print_snapshot(T, snap);
    json_decref(snap);
    return 0;
}

/* ---- the live loop ---- */

/* Seq and run checks for body; 1 apply, 0 discard, or an exit code. */
static int s_check_seq(struct s_tap *T, json_t *b)
{
    uint64_t seq = (uint64_t)s_i(b, "seq");
    const char *run = s_s(b, "run");
    if (!T->synced || strcmp(run, T->run) != 0) {
        if (T->synced)
            s_log("engine run changed (%s -> %s)%s", T->run, run,
                  T->o.snapshot ? "; re-requesting snapshot" : "");
        if (!T->o.snapshot) {
            snprintf(T->run, sizeof T->run, "%s", run);
            T->last = seq - 1;
            T->synced = true;
            return 1;
        }
        int rc = s_sync(T);
        if (rc != 0)
            return rc;
        return strcmp(run, T->run) == 0 && seq > T->last;
    }
    if (seq <= T->last)
        return 0;
    if (seq == T->last + 1)
        return 1;
    s_log("gap: expected seq %" PRIu64 ", got %" PRIu64 " (%" PRIu64 " lost)%s",
          T->last + 1, seq, seq - T->last - 1,
          T->o.snapshot ? "; re-requesting snapshot" : "");
    if (!T->o.snapshot)
        return 1;
    int rc = s_sync(T);
    return rc != 0 ? rc : seq > T->last;
}

static bool s_done(const struct s_tap *T)
{
    return T->o.count && T->printed >= T->o.count;
}

/* One message from the SUB: check, print. 0 or an exit code. */
static int s_one(struct s_tap *T)
{
    char topic[256];
    bool err;
    json_t *b = s_recv2(T->sub, topic, sizeof topic, &err);
    if (err)
        return EX_SOFTWARE;
    T->last_rx_ms = ds_mono_ms();
    if (!b) {
        s_log("message on %s without a JSON body ignored", topic);
        return 0;
    }
    int rc = s_check_seq(T, b);
    if (rc == 1) {
        T->last = (uint64_t)s_i(b, "seq");
        s_apply(T, topic, b);
        rc = 0;
    }
    json_decref(b);
    return rc;
}

static int s_loop(struct s_tap *T)
{
    int rc = 0;
    T->last_rx_ms = ds_mono_ms();
    while (rc == 0 && !s_stop && !s_done(T)) {
        long left = -1;
        if (T->o.timeout_ms) {
            left = (long)(T->last_rx_ms + T->o.timeout_ms - ds_mono_ms());
            if (left <= 0) {
                s_log("nothing received for %lld s",
                      (long long)T->o.timeout_ms / 1000);
                return EX_UNAVAILABLE;
            }
        }
        int r = s_wait(T->sub, left);
        if (r < 0)
            return EX_SOFTWARE;
        if (r > 0)
            rc = s_one(T);
        fflush(stdout);
    }
    return rc;
}

static int s_open(struct s_tap *T)
{
    T->ctx = zmq_ctx_new();
    T->sub = T->ctx ? zmq_socket(T->ctx, ZMQ_SUB) : NULL;
    if (!T->sub)
        return EX_SOFTWARE;
    int zero = 0;
    zmq_setsockopt(T->sub, ZMQ_LINGER, &zero, sizeof zero);
    if (T->o.rcvhwm)
        zmq_setsockopt(T->sub, ZMQ_RCVHWM, &T->o.rcvhwm, sizeof T->o.rcvhwm);
    if (zmq_connect(T->sub, T->o.endpoint) != 0 ||
        zmq_setsockopt(T->sub, ZMQ_SUBSCRIBE, "", 0) != 0) {
        s_log("cannot subscribe to %s: %s", T->o.endpoint, zmq_strerror(errno));
        return EX_SOFTWARE;
    }
    return 0;
}

static void s_close(struct s_tap *T)
{
    if (T->dealer)
        zmq_close(T->dealer);
    if (T->sub)
        zmq_close(T->sub);
    if (T->ctx)
        zmq_ctx_term(T->ctx);
    free(T->ids);
}

int main(int argc, char **argv)
{
    struct s_tap T = {.o = {.count = 0}};
    int rc = s_parse(argc, argv, &T.o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa = {.sa_handler = s_on_stop};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = s_open(&T);
    if (rc == 0 && T.o.snapshot) {
        s_wait(T.sub, S_FIRST_MS); /* subscribed for real: see the top */
        rc = s_sync(&T);
    }
    if (rc == 0 && !s_done(&T))
        rc = s_loop(&T);
    s_close(&T);
    return rc;
}
