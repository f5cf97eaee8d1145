/*
 * bench_stages_zmq.c - bench_stages' rows "ZeroMQ alone": DSV1-shaped EV
 * messages DEALER -> ROUTER over ipc:// between two threads (throughput),
 * and one EV -> ACK round trip at a time (latency).
 */
#include "bench_stages.h"
#include "bench_util.h"

/* ---- ZeroMQ alone ---- */

#define S_EV_FRAMES 7

static void s_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)(v & 0xff);
}

/* EV source epoch seq ts content-type payload, as ds-publish sends it. */
static int s_zmq_send_ev(void *sock, const struct bsg_stream *st, size_t i)
{
    uint8_t epoch[8], seq[8], ts[8];
    s_be64(epoch, 1);
    s_be64(seq, (uint64_t)i + 1);
    s_be64(ts, (uint64_t)bsg_ts_ms(i));
    const struct {
        const void *p;
        size_t n;
    } f[S_EV_FRAMES] = {
        {"EV", 2},
        {BSG_SOURCE, sizeof BSG_SOURCE - 1},
        {epoch, 8},
        {seq, 8},
        {ts, 8},
        {ENG_CTYPE_EVENT_JSON, sizeof ENG_CTYPE_EVENT_JSON - 1},
        {bsg_env(st, i), st->items[i].n},
    };
    for (int k = 0; k < S_EV_FRAMES; k++)
        if (zmq_send(sock, f[k].p, f[k].n,
                     k + 1 < S_EV_FRAMES ? ZMQ_SNDMORE : 0) < 0)
            return -1;
    return 0;
}

/* Receive one message of exactly `want` frames into m[0..want). */
static int s_zmq_recv(void *sock, zmq_msg_t *m, size_t want)
{
    size_t f = 0;
    int more = 1;
    while (more) {
        zmq_msg_t *dst = &m[f < want ? f : want - 1];
        if (zmq_msg_recv(dst, sock, 0) < 0)
            return -1;
        more = zmq_msg_more(dst);
        f++;
    }
    if (f != want) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

struct s_zsend {
    void *ctx;
    const char *endpoint;
    const struct bsg_stream *st;
    size_t warm, n;
    int err; /* errno of a failed send, 0 when all were sent */
};

/* The sender thread: DEALER, SNDHWM as ds-publish, warm-up then n. */
static void *s_zmq_sender(void *arg)
{
    struct s_zsend *z = arg;
    int hwm = 10000, linger = 2000;
    void *s = zmq_socket(z->ctx, ZMQ_DEALER);
    if (!s || zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(s, z->endpoint) != 0) {
        z->err = errno;
        if (s)
            zmq_close(s);
        return NULL;
    }
    for (size_t k = 0; k < z->warm + z->n && !z->err; k++)
        if (s_zmq_send_ev(s, z->st, k < z->warm ? k : k - z->warm) != 0)
            z->err = errno;
    zmq_close(s); /* what is still queued is delivered (linger) */
    return NULL;
}

/* Receive the warm-up, then time n messages; check each payload size. */
static int s_zmq_receive(struct bsg_ctx *c, void *router, size_t warm,
                         uint64_t *ns)
{
    zmq_msg_t m[S_EV_FRAMES + 1];
    int rc = 0;
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_init(&m[f]);
    uint64_t t0 = 0;
    for (size_t k = 0; rc == 0 && k < warm + c->n; k++) {
        size_t i = k < warm ? k : k - warm;
        if (k == warm)
            t0 = bench_now_ns();
        if (s_zmq_recv(router, m, S_EV_FRAMES + 1) != 0)
            rc = bench_fail("ZeroMQ alone", "recv: %s", zmq_strerror(errno));
        else if (zmq_msg_size(&m[S_EV_FRAMES]) != c->st.items[i].n)
            rc = bench_fail("ZeroMQ alone", "message %zu: wrong payload", k);
    }
    *ns = bench_now_ns() - t0;
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_close(&m[f]);
    return rc;
}

static int s_run_zmq(struct bsg_ctx *c, void *ctx)
{
    char ep[300];
    int hwm = 100000; /* the engine's RCVHWM */
    uint64_t ns = 0;
    pthread_t th;
    snprintf(ep, sizeof ep, "ipc://%s/zmq-alone.ipc", c->dir);
    struct s_zsend z = {.ctx = ctx,
                        .endpoint = ep,
                        .st = &c->st,
                        .warm = c->warm < c->n ? c->warm : c->n,
                        .n = c->n};
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    if (!router || zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_bind(router, ep) != 0) {
        int rc =
            bench_fail("ZeroMQ alone", "bind %s: %s", ep, zmq_strerror(errno));
        if (router)
            zmq_close(router);
        return rc;
    }
    if (pthread_create(&th, NULL, s_zmq_sender, &z) != 0) {
        zmq_close(router);
        return bench_fail("ZeroMQ alone", "cannot start the sender thread");
    }
    int rc = s_zmq_receive(c, router, z.warm, &ns);
    if (rc != 0)
        zmq_ctx_shutdown(ctx); /* unblock the sender */
    pthread_join(th, NULL);
    zmq_close(router);
    if (rc == 0 && z.err)
        rc = bench_fail("ZeroMQ alone", "send: %s", zmq_strerror(z.err));
    if (rc == 0)
        bsg_row_add("baseline", "ZeroMQ alone (DEALER->ROUTER)", c->n, ns,
                    (double)c->st.bytes, NULL);
    return rc;
}

/* One EV -> ACK round trip at a time, both sockets in this thread. */
struct s_rtt {
    const struct bsg_stream *st;
    void *dealer, *router;
    zmq_msg_t m[S_EV_FRAMES + 1];
};

static int s_rtt_item(void *self, size_t i, bool warm)
{
    struct s_rtt *r = self;
    uint8_t seq[8];
    (void)warm;
    s_be64(seq, (uint64_t)i + 1);
    if (s_zmq_send_ev(r->dealer, r->st, i) != 0 ||
        s_zmq_recv(r->router, r->m, S_EV_FRAMES + 1) != 0 ||
        zmq_send(r->router, zmq_msg_data(&r->m[0]), zmq_msg_size(&r->m[0]),
                 ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, "ACK", 3, ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, BSG_SOURCE, sizeof BSG_SOURCE - 1, ZMQ_SNDMORE) <
            0 ||
        zmq_send(r->router, zmq_msg_data(&r->m[3]), 8, ZMQ_SNDMORE) < 0 ||
        zmq_send(r->router, seq, 8, 0) < 0 ||
        s_zmq_recv(r->dealer, r->m, 4) != 0)
        return bench_fail("ZeroMQ round trip", "%s", zmq_strerror(errno));
    return 0;
}

static int s_run_rtt(struct bsg_ctx *c, void *ctx)
{
    static const struct bsg_bench b = {.what = "baseline",
                                       .name = "ZeroMQ round trip (EV->ACK)",
                                       .item = s_rtt_item};
    struct s_rtt r = {.st = &c->st};
    char ep[300];
    size_t n = c->n < BSG_RTT_MAX ? c->n : BSG_RTT_MAX;
    double bytes = 0;
    int rc = 0;
    snprintf(ep, sizeof ep, "ipc://%s/zmq-rtt.ipc", c->dir);
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_init(&r.m[f]);
    r.router = zmq_socket(ctx, ZMQ_ROUTER);
    r.dealer = zmq_socket(ctx, ZMQ_DEALER);
    if (!r.router || !r.dealer || zmq_bind(r.router, ep) != 0 ||
        zmq_connect(r.dealer, ep) != 0)
        rc = bench_fail("ZeroMQ round trip", "%s: %s", ep, zmq_strerror(errno));
    for (size_t i = 0; i < n; i++)
        bytes += (double)c->st.items[i].n;
    if (rc == 0)
        rc = bsg_drive(c, &b, &r, n, bytes);
    for (int f = 0; f <= S_EV_FRAMES; f++)
        zmq_msg_close(&r.m[f]);
    if (r.dealer)
        zmq_close(r.dealer);
    if (r.router)
        zmq_close(r.router);
    return rc;
}

int bsg_run_zeromq(struct bsg_ctx *c)
{
    void *ctx = zmq_ctx_new();
    if (!ctx)
        return bench_fail("ZeroMQ", "zmq_ctx_new: %s", zmq_strerror(errno));
    int rc = s_run_zmq(c, ctx);
    if (rc == 0)
        rc = s_run_rtt(c, ctx);
    zmq_ctx_term(ctx);
    if (rc == 0)
        bsg_note(c,
                 "ZeroMQ alone: pipelined between two threads (RCVHWM "
                 "100000, SNDHWM 10000 as serve / ds-publish), so no "
                 "per-message latency; the round trip row sends one EV and "
                 "waits for its ACK, in one thread, %zu times.\n",
                 c->n < BSG_RTT_MAX ? c->n : BSG_RTT_MAX);
    return rc;
}

/* ---- set-up, notes, main ---- */
