/*
 * eng_zmon.c - socket monitor event counting (see eng_zmon.h). Event frame
 * layout (libzmq 4.3 zmq_socket_monitor): frame 1 = u16 event id + u32
 * value in host order; frame 2 = the peer endpoint.
 */
#include "devsurv/eng_zmon.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define S_EVENTS                                                               \
    (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |                             \
     ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |         \
     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                                     \
     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

struct eng_zmon {
    void *pair;
    struct eng_zmon_stats stats;
};

eng_zmon_t *eng_zmon_new(void *ctx, void *sock, const char *name,
                         struct ds_diag *diag)
{
    char ep[128];
    snprintf(ep, sizeof ep, "inproc://%s", name);
    eng_zmon_t *self = ds_calloc(1, sizeof *self);
    if (!self || zmq_socket_monitor(sock, ep, S_EVENTS) != 0 ||
        !(self->pair = zmq_socket(ctx, ZMQ_PAIR)) ||
        zmq_connect(self->pair, ep) != 0) {
        ds_diag_set_code(diag, DS_ENET, "", 0, "cannot monitor %s: %s", ep,
                         zmq_strerror(errno));
        eng_zmon_destroy(&self);
    }
    return self;
}

void eng_zmon_destroy(eng_zmon_t **self_p)
{
    eng_zmon_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->pair) {
        int linger = 0;
        zmq_setsockopt(self->pair, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(self->pair);
    }
    ds_free(self);
    *self_p = NULL;
}

void *eng_zmon_socket(eng_zmon_t *self)
{
    return self->pair;
}

static void s_count(eng_zmon_t *self, uint16_t ev, uint32_t val,
                    const char *peer)
{
    struct eng_zmon_stats *s = &self->stats;
    switch (ev) {
    case ZMQ_EVENT_ACCEPTED: s->accepted++; return;
    case ZMQ_EVENT_DISCONNECTED: s->disconnected++; return;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: s->handshakes++; return;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        s->failed_auth++;
        ds_warn("ingest: handshake refused by the allowlist (%s)", peer);
        return;
    default: break;
    }
    if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
        val == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
        s->failed_mech++;
        ds_warn("ingest: client without CURVE refused (%s)", peer);
    } else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
               val == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) {
        s->failed_crypto++;
        ds_warn("ingest: CURVE handshake failed, wrong server key? (%s)", peer);
    } else {
        s->failed_other++;
        ds_warn("ingest: handshake failed, event 0x%x value 0x%x (%s)", ev,
                (unsigned)val, peer);
    }
}

int eng_zmon_next(eng_zmon_t *self, struct eng_zmon_event *ev)
{
    zmq_msg_t m1, m2;
    memset(ev, 0, sizeof *ev);
    zmq_msg_init(&m1);
    if (zmq_msg_recv(&m1, self->pair, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m1);
        return 0;
    }
    zmq_msg_init(&m2);
    if (zmq_msg_more(&m1) && zmq_msg_recv(&m2, self->pair, 0) >= 0) {
        size_t n = zmq_msg_size(&m2);
        n = n < sizeof ev->peer - 1 ? n : sizeof ev->peer - 1;
        memcpy(ev->peer, zmq_msg_data(&m2), n);
    }
    if (zmq_msg_size(&m1) >= 6) {
        memcpy(&ev->id, zmq_msg_data(&m1), 2);
        memcpy(&ev->value, (char *)zmq_msg_data(&m1) + 2, 4);
    }
    zmq_msg_close(&m1);
    zmq_msg_close(&m2);
    return 1;
}

void eng_zmon_handle(eng_zmon_t *self)
{
    struct eng_zmon_event ev;
    while (eng_zmon_next(self, &ev))
        if (ev.id)
            s_count(self, ev.id, ev.value, ev.peer);
}

const struct eng_zmon_stats *eng_zmon_stats(const eng_zmon_t *self)
{
    return &self->stats;
}
