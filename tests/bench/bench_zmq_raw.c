/*
 * bench_zmq_raw.c - the raw libzmq baseline of bench_e2e.sh: N messages of
 * SIZE bytes PUSH -> PULL over ipc:// between two threads, each with its
 * own ZeroMQ context (so its own I/O thread, as two processes would have),
 * plaintext or CURVE, and the rate in messages/s.
 *
 * Usage: bench_zmq_raw N SIZE DIR [plain|curve]. The socket file is
 * DIR/zmq-raw-<mode>.ipc. The sender uses ds-publish's send high-water
 * mark (10,000) and the receiver the engine's (100,000). With curve, both
 * key pairs are made fresh (zmq_curve_keypair) and there is no ZAP
 * handler, so the handshake and the per-message encryption are what is
 * measured, not key checks. A send or receive that waits 10 s fails the
 * run instead of hanging it. 1,000 messages of warm-up are not timed; the
 * clock runs from the first timed message received to the last. Prints
 * one line:
 *   bench_zmq_raw: MODE PUSH->PULL ipc, N msgs of SIZE B: S s, R msgs/s,
 *   M MB/s
 * and exits 0, or 1 with a message when something fails (a short or lost
 * message included). What is not here: DSV1 framing (one frame per
 * message), ACKs, any journal or store: that is the point of a baseline.
 */
#include "bench_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define S_WARM 1000
#define S_KEY  41 /* Z85 key, 40 characters and the NUL */

struct s_tx {
    const char *ep;
    size_t n, size;
    bool curve;
    char server_pub[S_KEY];
    int err; /* errno of a failed call, 0 when all were sent */
};

static int s_set_str(void *s, int opt, const char *v)
{
    return zmq_setsockopt(s, opt, v, strlen(v));
}

/* The sender thread: its own context, PUSH, warm-up then n messages. */
static void *s_sender(void *arg)
{
    struct s_tx *z = arg;
    char pub[S_KEY], sec[S_KEY];
    int hwm = 10000, linger = 10000, tmo = 10000;
    void *ctx = zmq_ctx_new();
    void *s = ctx ? zmq_socket(ctx, ZMQ_PUSH) : NULL;
    char *buf = bench_xrealloc(NULL, z->size);
    memset(buf, 'x', z->size);
    if (!s || zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(s, ZMQ_SNDTIMEO, &tmo, sizeof tmo) != 0 ||
        (z->curve && (zmq_curve_keypair(pub, sec) != 0 ||
                      s_set_str(s, ZMQ_CURVE_SERVERKEY, z->server_pub) != 0 ||
                      s_set_str(s, ZMQ_CURVE_PUBLICKEY, pub) != 0 ||
                      s_set_str(s, ZMQ_CURVE_SECRETKEY, sec) != 0)) ||
        zmq_connect(s, z->ep) != 0)
        z->err = errno ? errno : EINVAL;
    for (size_t k = 0; k < S_WARM + z->n && !z->err; k++) {
        memcpy(buf, &k, z->size < sizeof k ? z->size : sizeof k);
        if (zmq_send(s, buf, z->size, 0) < 0)
            z->err = errno;
    }
    if (s)
        zmq_close(s); /* linger: what is queued is still delivered */
    if (ctx)
        zmq_ctx_term(ctx);
    free(buf);
    return NULL;
}

/* Receive the warm-up, then time n messages of exactly size bytes. */
static int s_receive(void *pull, size_t n, size_t size, uint64_t *ns)
{
    zmq_msg_t m;
    int rc = 0;
    uint64_t t0 = 0;
    zmq_msg_init(&m);
    for (size_t k = 0; rc == 0 && k < S_WARM + n; k++) {
        if (k == S_WARM)
            t0 = bench_now_ns();
        if (zmq_msg_recv(&m, pull, 0) < 0)
            rc = bench_fail("recv", "%s", zmq_strerror(errno));
        else if (zmq_msg_size(&m) != size)
            rc = bench_fail("recv", "message %zu has %zu bytes, not %zu", k,
                            zmq_msg_size(&m), size);
    }
    *ns = bench_now_ns() - t0;
    zmq_msg_close(&m);
    return rc;
}

static int s_usage(void)
{
    fprintf(stderr, "usage: bench_zmq_raw N SIZE DIR [plain|curve]\n");
    return 1;
}

static int s_parse(const char *s, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < 1 || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct s_tx z = {0};
    char ep[4096], sec[S_KEY];
    int hwm = 100000, one = 1, tmo = 10000, rc = 0;
    uint64_t ns = 0;
    pthread_t th;
    bench_init("bench_zmq_raw", true);
    if (argc < 4 || argc > 5 || s_parse(argv[1], 100000000, &z.n) != 0 ||
        s_parse(argv[2], 64 << 20, &z.size) != 0)
        return s_usage();
    const char *mode = argc == 5 ? argv[4] : "plain";
    if (strcmp(mode, "plain") != 0 && strcmp(mode, "curve") != 0)
        return s_usage();
    z.curve = strcmp(mode, "curve") == 0;
    snprintf(ep, sizeof ep, "ipc://%s/zmq-raw-%s.ipc", argv[3], mode);
    z.ep = ep;
    void *ctx = zmq_ctx_new();
    void *pull = ctx ? zmq_socket(ctx, ZMQ_PULL) : NULL;
    if (!pull || zmq_setsockopt(pull, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(pull, ZMQ_RCVTIMEO, &tmo, sizeof tmo) != 0 ||
        (z.curve &&
         (zmq_curve_keypair(z.server_pub, sec) != 0 ||
          zmq_setsockopt(pull, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
          s_set_str(pull, ZMQ_CURVE_SECRETKEY, sec) != 0)) ||
        zmq_bind(pull, ep) != 0) {
        rc = bench_fail("bind", "%s: %s", ep, zmq_strerror(errno));
    } else if (pthread_create(&th, NULL, s_sender, &z) != 0) {
        rc = bench_fail("start", "cannot start the sender thread");
    } else {
        rc = s_receive(pull, z.n, z.size, &ns);
        pthread_join(th, NULL);
        if (rc == 0 && z.err)
            rc = bench_fail("send", "%s", zmq_strerror(z.err));
    }
    if (pull)
        zmq_close(pull);
    if (ctx)
        zmq_ctx_term(ctx);
    if (rc != 0)
        return 1;
    double s = ns > 0 ? (double)ns / 1e9 : 1e-9;
    printf("bench_zmq_raw: %s PUSH->PULL ipc, %zu msgs of %zu B: %.6f s, "
           "%.0f msgs/s, %.1f MB/s\n",
           mode, z.n, z.size, s, (double)z.n / s,
           (double)z.n * (double)z.size / s / 1e6);
    return 0;
}
