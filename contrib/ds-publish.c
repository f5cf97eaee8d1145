/*
 * ds-publish - the hospital side: send a file of native envelopes to a
 * devsurv engine over ZeroMQ (DEALER -> ROUTER, DSV1 frames) and exit only
 * when the engine has acknowledged (committed) every one.
 *
 * Protocol (reference/reliability.md 1.3, publisher rules): HELLO first;
 * seq = 1, 2, 3... over the non-blank lines; at most `window` events in
 * flight un-ACKed (the engine's credit caps it); on RESEND, on an ACK
 * timeout, go-back-N from the last ACK. The in-flight events are kept in a
 * ring in memory, so a resend never needs the file again.
 *
 * Deliberately not here yet (later work): the durable SQLite journal that
 * survives a publisher crash, identifier pseudonymisation, CURVE keys,
 * FHIR/MAUDE input, directory tailing and --status. Until then a publisher
 * crash means re-running it: the engine drops what it already has.
 */
#include "devsurv/eng_event.h"
#include "devsurv/eng_wire.h"
#include "devsurv/eng_zmq.h"
#include "devsurv/ds_alloc.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

struct s_slot {
    char *line;
    size_t n;
    int64_t ts_ms;
};

struct s_pub {
    const char *endpoint, *source, *file;
    uint64_t epoch;
    size_t window; /* ring size: the most we ever have in flight */
    size_t limit;  /* in flight allowed now: min(window, credit) */
    int64_t timeout_ms;
    FILE *in;
    void *ctx, *sock;
    eng_decoder_t *dec;
    struct s_slot *ring; /* seq s lives at ring[s % window] */
    uint64_t read_seq;   /* last seq read from the file */
    uint64_t next_send;  /* next seq to send */
    uint64_t acked;      /* highest seq the engine committed */
    uint64_t sent;       /* EV messages sent, resends included */
    bool eof;
    int64_t last_progress_ms, last_ack_ms;
};

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_help(void)
{
    printf("usage: ds-publish --endpoint EP --source NAME [--epoch N]\n"
           "                  [--window N] [--timeout SEC] FILE|-\n\n"
           "Send newline-delimited devsurv envelopes to an engine and wait\n"
           "until the engine has committed them all (cumulative ACK).\n\n"
           "  --endpoint EP   engine ROUTER endpoint (e.g. ipc:///tmp/x.ipc)\n"
           "  --source NAME   this site's source id ([A-Za-z0-9._-], 1-64)\n"
           "  --epoch N       stream epoch (default 1)\n"
           "  --window N      max events in flight un-ACKed (default 1000)\n"
           "  --timeout SEC   give up after SEC seconds without progress\n"
           "                  (default 30)\n\n"
           "exit: 0 all acknowledged, 64 usage, 66 cannot read FILE,\n"
           "69 engine unreachable or not acknowledging (timeout)\n");
}

/* Event time for the EV frame; 0 when the line is not a valid envelope
 * (the engine decides, and quarantines it). */
static int64_t s_ts(struct s_pub *P, const char *line, size_t n)
{
    struct eng_event ev;
    if (eng_decoder_decode(P->dec, ds_span_str(ENG_CTYPE_EVENT_JSON), line, n,
                           &ev, NULL) != 0)
        return 0;
    return ev.time_ms;
}

/* Read the next non-blank line into the ring; false at EOF. */
static bool s_read_one(struct s_pub *P)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, P->in)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (strspn(line, " \t") == (size_t)len)
            continue;
        struct s_slot *s = &P->ring[++P->read_seq % P->window];
        free(s->line);
        *s = (struct s_slot){line, (size_t)len, s_ts(P, line, (size_t)len)};
        return true;
    }
    free(line);
    P->eof = true;
    return false;
}

static int s_send_ev(struct s_pub *P, uint64_t seq)
{
    const struct s_slot *s = &P->ring[seq % P->window];
    struct eng_wire_msg m = {
        .cmd = ENG_WIRE_EV,
        .source = ds_span_str(P->source),
        .epoch = P->epoch,
        .seq = seq,
        .ts_ms = s->ts_ms,
        .ctype = ds_span_str(ENG_CTYPE_EVENT_JSON),
        .payload = {s->line, s->n},
    };
    if (eng_zmq_send(P->sock, NULL, 0, &m, ZMQ_DONTWAIT) != 0)
        return -1;
    P->sent++;
    return 0;
}

static void s_hello(struct s_pub *P)
{
    struct eng_wire_msg m = {.cmd = ENG_WIRE_HELLO,
                             .source = ds_span_str(P->source),
                             .epoch = P->epoch};
    eng_zmq_send(P->sock, NULL, 0, &m, ZMQ_DONTWAIT);
    P->last_ack_ms = s_now_ms();
}

/* Send while the window has room. */
static void s_pump(struct s_pub *P)
{
    while (P->next_send - P->acked - 1 < P->limit) {
        while (P->read_seq < P->next_send) /* skip what is ACKed */
            if (P->eof || !s_read_one(P))
                return;
        if (s_send_ev(P, P->next_send) != 0)
            return; /* HWM reached: try again after the next poll */
        P->next_send++;
    }
}

static void s_on_reply(struct s_pub *P, const struct eng_wire_msg *w)
{
    if (!ds_span_eq(w->source, P->source) || w->epoch != P->epoch)
        return;
    if (w->cmd == ENG_WIRE_ACK) {
        P->last_ack_ms = s_now_ms();
        if (w->seq > P->acked) {
            P->acked = w->seq;
            P->last_progress_ms = P->last_ack_ms;
        }
        if (P->next_send <= P->acked)
            P->next_send = P->acked + 1; /* engine already has these */
        if (w->credit) /* the engine's credit caps our window */
            P->limit = w->credit < P->window ? w->credit : P->window;
    } else if (w->cmd == ENG_WIRE_RESEND && w->seq > P->acked &&
               w->seq < P->next_send) {
        P->next_send = w->seq; /* go-back-N */
    }
}

static void s_recv_all(struct s_pub *P)
{
    struct eng_zmq_in in = {.n = 0};
    struct eng_wire_msg w;
    while (eng_zmq_recv(P->sock, &in, ZMQ_DONTWAIT) == 0) {
        if (!in.truncated && eng_wire_parse(in.frames, in.n, &w, NULL) == 0)
            s_on_reply(P, &w);
    }
    eng_zmq_in_close(&in);
}

static bool s_done(const struct s_pub *P)
{
    return P->eof && P->acked >= P->read_seq;
}

static int s_run(struct s_pub *P)
{
    P->last_progress_ms = s_now_ms();
    s_hello(P);
    while (!s_done(P)) {
        s_pump(P);
        zmq_pollitem_t it = {P->sock, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, 100);
        s_recv_all(P);
        int64_t now = s_now_ms();
        if (now - P->last_progress_ms > P->timeout_ms)
            return EX_UNAVAILABLE;
        if (P->next_send > P->acked + 1 && now - P->last_ack_ms > 1000) {
            s_hello(P); /* no ACK for 1 s: ask, and go back N */
            P->next_send = P->acked + 1;
        } else if (P->next_send == P->acked + 1 && P->eof &&
                   now - P->last_ack_ms > 1000) {
            s_hello(P);
        }
    }
    return EX_OK;
}

static int s_parse(int argc, char **argv, struct s_pub *P)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'},
        {"source", required_argument, NULL, 's'},
        {"epoch", required_argument, NULL, 'E'},
        {"window", required_argument, NULL, 'w'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end = NULL;
    long long v;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            s_help();
            return -1;
        }
        if (c == 'e' || c == 's') {
            *(c == 'e' ? &P->endpoint : &P->source) = optarg;
            continue;
        }
        if (c == '?')
            return EX_USAGE;
        errno = 0;
        v = strtoll(optarg, &end, 10);
        if (errno || *end || v < 1 || v > 100000000) {
            fprintf(stderr, "ds-publish: bad number '%s'\n", optarg);
            return EX_USAGE;
        }
        if (c == 'E')
            P->epoch = (uint64_t)v;
        else if (c == 'w')
            P->window = (size_t)v;
        else
            P->timeout_ms = v * 1000;
    }
    if (!P->endpoint || !P->source || optind + 1 != argc) {
        fprintf(stderr, "usage: ds-publish --endpoint EP --source NAME "
                        "[options] FILE|-  (--help)\n");
        return EX_USAGE;
    }
    if (!eng_wire_source_ok(ds_span_str(P->source))) {
        fprintf(stderr, "ds-publish: --source must be 1-64 of "
                        "[A-Za-z0-9._-]\n");
        return EX_USAGE;
    }
    P->file = argv[optind];
    return 0;
}

static int s_open(struct s_pub *P)
{
    int linger = 0, hwm = 10000;
    P->in = strcmp(P->file, "-") == 0 ? stdin : fopen(P->file, "rb");
    if (!P->in) {
        fprintf(stderr, "ds-publish: %s: %s\n", P->file, strerror(errno));
        return EX_NOINPUT;
    }
    P->ring = ds_calloc(P->window, sizeof *P->ring);
    P->dec = eng_decoder_new();
    P->ctx = zmq_ctx_new();
    P->sock = P->ctx ? zmq_socket(P->ctx, ZMQ_DEALER) : NULL;
    if (!P->ring || !P->dec || !P->sock) {
        fprintf(stderr, "ds-publish: out of memory\n");
        return EX_OSERR;
    }
    zmq_setsockopt(P->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(P->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(P->sock, P->endpoint) != 0) {
        fprintf(stderr, "ds-publish: cannot connect to %s: %s\n", P->endpoint,
                zmq_strerror(errno));
        return EX_UNAVAILABLE;
    }
    return 0;
}

static void s_close(struct s_pub *P)
{
    for (size_t i = 0; P->ring && i < P->window; i++)
        free(P->ring[i].line);
    ds_free(P->ring);
    eng_decoder_destroy(&P->dec);
    if (P->sock)
        zmq_close(P->sock);
    if (P->ctx)
        zmq_ctx_term(P->ctx);
    if (P->in && P->in != stdin)
        fclose(P->in);
}

int main(int argc, char **argv)
{
    struct s_pub P = {.epoch = 1, .window = 1000, .timeout_ms = 30000};
    int rc = s_parse(argc, argv, &P);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    P.limit = P.window;
    if ((rc = s_open(&P)) == 0)
        rc = s_run(&P);
    if (rc == EX_OK || rc == EX_UNAVAILABLE)
        fprintf(stderr,
                "ds-publish: %s epoch %" PRIu64 ": %" PRIu64
                " events read, %" PRIu64 " sent (with resends), %" PRIu64
                " acknowledged%s\n",
                P.source, P.epoch, P.read_seq, P.sent, P.acked,
                rc == EX_OK ? "" : "; engine not acknowledging: timed out");
    s_close(&P);
    return rc;
}
