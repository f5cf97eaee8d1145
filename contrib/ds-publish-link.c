/*
 * ds-publish-link.c - ds-publish's network side: journal -> engine over a
 * ZeroMQ DEALER (DSV1 frames, CURVE client keys, handshake monitor), the
 * send window and go-back-N, ACK and RESEND handling (see ds-publish.h and
 * the protocol notes at the top of ds-publish.c).
 */
#include "ds-publish.h"
#include "devsurv/ds_clock.h"
#include "devsurv/eng_wire.h"
#include "devsurv/eng_zmq.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sysexits.h>
#include <zmq.h>

static int s_curve(struct pub *P)
{
    int on = 0;
    if (!P->o.key)
        return 0;
    zmq_setsockopt(P->sock, ZMQ_CURVE_SERVER, &on, sizeof on);
    if (zmq_setsockopt(P->sock, ZMQ_CURVE_SERVERKEY, P->srv.pub, 41) != 0 ||
        zmq_setsockopt(P->sock, ZMQ_CURVE_PUBLICKEY, P->own.pub, 41) != 0 ||
        zmq_setsockopt(P->sock, ZMQ_CURVE_SECRETKEY, P->own.sec, 41) != 0) {
        pub_log("CURVE options refused: %s", zmq_strerror(errno));
        return EX_SOFTWARE;
    }
    return 0;
}

void pub_link_close(struct pub *P)
{
    eng_zmon_destroy(&P->mon);
    if (P->sock)
        zmq_close(P->sock);
    P->sock = NULL;
    P->connected = false;
}

void pub_link_hello(struct pub *P)
{
    struct eng_wire_msg m = {.cmd = ENG_WIRE_HELLO,
                             .source = ds_span_str(P->o.source),
                             .epoch = P->epoch};
    if (P->sock)
        eng_zmq_send(P->sock, NULL, 0, &m, ZMQ_DONTWAIT);
    P->last_ack_ms = ds_mono_ms();
}

int pub_link_open(struct pub *P)
{
    int linger = 0, hwm = 10000, hb = 5000, hbt = 15000, rmax = 5000;
    char mon_name[64];
    P->sock = zmq_socket(P->ctx, ZMQ_DEALER);
    if (!P->sock)
        return EX_OSERR;
    zmq_setsockopt(P->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(P->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(P->sock, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
    zmq_setsockopt(P->sock, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
    zmq_setsockopt(P->sock, ZMQ_RECONNECT_IVL_MAX, &rmax, sizeof rmax);
    int rc = s_curve(P);
    if (rc != 0)
        return rc;
    snprintf(mon_name, sizeof mon_name, "ds-publish-mon-%d", P->nsock++);
    P->mon = eng_zmon_new(P->ctx, P->sock, mon_name, NULL);
    if (zmq_connect(P->sock, P->o.endpoint) != 0) {
        pub_log("cannot connect to %s: %s", P->o.endpoint, zmq_strerror(errno));
        return EX_UNAVAILABLE;
    }
    P->next_send = eng_journal_acked(P->j) + 1;
    P->handshakes = 0;
    pub_link_hello(P);
    return 0;
}

static void s_on_auth_failed(struct pub *P, unsigned status)
{
    pub_log("the engine REFUSED this site's key (ZAP status %u): public key "
            "%s is not allowlisted for source '%s' on %s; retrying in %" PRId64
            " s",
            status, P->own.pub[0] ? P->own.pub : "(none)", P->o.source,
            P->o.endpoint, P->backoff_ms / 1000);
    pub_link_close(P);
    P->auth_failed = true;
    P->reopen_at_ms = ds_mono_ms() + P->backoff_ms;
    P->backoff_ms = P->backoff_ms * 2 > PUB_BACKOFF_MAX ? PUB_BACKOFF_MAX
                                                        : P->backoff_ms * 2;
}

static void s_on_event(struct pub *P, unsigned ev, unsigned value)
{
    if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        if (!P->connected)
            pub_log("connected to %s%s", P->o.endpoint,
                    P->o.key ? " (CURVE)" : " (plaintext)");
        P->connected = true;
        P->proto_logged = P->auth_failed = false;
        P->backoff_ms = 1000;
        if (P->handshakes++ > 0) { /* a reconnect: go-back-N */
            P->next_send = eng_journal_acked(P->j) + 1;
            pub_link_hello(P);
        }
    } else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
        s_on_auth_failed(P, value);
    } else if (ev == ZMQ_EVENT_DISCONNECTED) {
        if (P->connected)
            pub_log("disconnected from %s; reconnecting", P->o.endpoint);
        P->connected = false;
    } else if (!P->proto_logged) {
        P->proto_logged = true;
        pub_log("handshake with %s failed (%s %u): wrong --server-key, or "
                "the engine and this site disagree on CURVE vs --insecure",
                P->o.endpoint,
                ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol error"
                                                          : "no detail",
                value);
    }
}

void pub_link_monitor(struct pub *P)
{
    struct eng_zmon_event ev;
    while (P->mon && eng_zmon_next(P->mon, &ev))
        s_on_event(P, ev.id, ev.value);
}

/* --rate: may one more new event go out now? */
static bool s_paced_ok(struct pub *P)
{
    if (!P->o.rate)
        return true;
    int64_t now = ds_mono_ms();
    if (!P->pace_start_ms) {
        P->pace_start_ms = now;
        P->pace_base = P->high_sent;
    }
    uint64_t allowed =
        (uint64_t)((now - P->pace_start_ms + 1) * P->o.rate / 1000);
    return P->high_sent - P->pace_base < allowed;
}

/* The first send of seq: remember when, for its latency at ACK. */
static void s_first_send(struct pub *P, uint64_t seq)
{
    struct pub_sent *e = &P->sent_at[seq % P->o.window];
    P->high_sent = seq;
    e->seq = seq;
    e->us = ds_mono_us();
}

/* seqs (from, to] are committed: record each one's first-send latency. */
static void s_acked(struct pub *P, uint64_t from, uint64_t to)
{
    int64_t now = ds_mono_us();
    for (uint64_t s = from + 1; s <= to; s++) {
        struct pub_sent *e = &P->sent_at[s % P->o.window];
        if (e->seq == s) {
            eng_lat_add(P->lat, now - e->us);
            e->seq = 0;
        }
    }
}

static int s_send_row(void *arg, const struct eng_journal_row *r)
{
    struct pub *P = arg;
    uint64_t d = P->o.drop_every;
    if (r->seq > P->high_sent && !s_paced_ok(P))
        return 1; /* paced: try again after the next poll */
    if (d && r->seq % d == 0 && r->seq > P->drop_hw) {
        P->drop_hw = r->seq; /* test fault: the first send is "lost" */
        P->dropped++;
        P->next_send = r->seq + 1;
        return 0;
    }
    struct eng_wire_msg m = {
        .cmd = ENG_WIRE_EV,
        .source = ds_span_str(P->o.source),
        .epoch = P->epoch,
        .seq = r->seq,
        .ts_ms = r->ts_ms,
        .ctype = r->ctype,
        .payload = r->payload,
    };
    if (eng_zmq_send(P->sock, NULL, 0, &m, ZMQ_DONTWAIT) != 0)
        return 1; /* HWM: try again after the next poll */
    if (r->seq > P->high_sent)
        s_first_send(P, r->seq);
    P->sent++;
    P->next_send = r->seq + 1;
    return 0;
}

/* Send committed rows while the window has room. */
int pub_link_pump(struct pub *P)
{
    while (P->sock) {
        uint64_t acked = eng_journal_acked(P->j);
        if (P->next_send <= acked)
            P->next_send = acked + 1;
        uint64_t from = P->next_send, used = from - acked - 1;
        if (from > eng_journal_durable(P->j) || used >= P->limit)
            return 0;
        size_t room = (size_t)(P->limit - used);
        int n = eng_journal_read(P->j, from, room < 512 ? room : 512,
                                 s_send_row, P, NULL);
        if (n < 0)
            return EX_IOERR;
        if (P->next_send == from)
            return 0; /* nothing went out: HWM */
    }
    return 0;
}

static int s_on_ack(struct pub *P, const struct eng_wire_msg *w)
{
    struct ds_diag d;
    char buf[600];
    P->last_ack_ms = ds_mono_ms();
    uint64_t before = eng_journal_acked(P->j);
    if (w->seq > before) {
        if (eng_journal_ack(P->j, w->seq, &d) != 0) {
            pub_log("%s: this journal is an old copy or belongs to another "
                    "site with the same epoch; move it away and start a new "
                    "journal (a new epoch)",
                    ds_diag_format(&d, buf, sizeof buf));
            return EX_CONFIG;
        }
        P->last_progress_ms = P->last_ack_ms;
        s_acked(P, before, w->seq);
    }
    if (P->next_send <= eng_journal_acked(P->j))
        P->next_send = eng_journal_acked(P->j) + 1;
    /* the first ACK (the reply to HELLO) opens the window: until then the
     * engine's credit is unknown and nothing is sent */
    P->limit = w->credit && w->credit < P->o.window ? w->credit : P->o.window;
    return 0;
}

int pub_link_recv(struct pub *P)
{
    struct eng_zmq_in in = {.n = 0};
    struct eng_wire_msg w;
    int rc = 0;
    while (rc == 0 && P->sock &&
           eng_zmq_recv(P->sock, &in, ZMQ_DONTWAIT) == 0) {
        if (in.truncated || eng_wire_parse(in.frames, in.n, &w, NULL) != 0 ||
            !ds_span_eq(w.source, P->o.source) || w.epoch != P->epoch)
            continue;
        if (w.cmd == ENG_WIRE_ACK) {
            rc = s_on_ack(P, &w);
        } else if (w.cmd == ENG_WIRE_RESEND) {
            P->resends++;
            if (w.seq > eng_journal_acked(P->j) && w.seq < P->next_send)
                P->next_send = w.seq; /* go-back-N */
        }
    }
    eng_zmq_in_close(&in);
    return rc;
}
