/*
 * eng_zmon.h - count connection and handshake outcomes on a ZeroMQ socket
 * (zmq_socket_monitor), so refused clients are visible, not silent.
 *
 * libzmq reports a refused CURVE handshake only through monitor events:
 * HANDSHAKE_FAILED_AUTH (ZAP said 400: unknown key), HANDSHAKE_FAILED_
 * PROTOCOL (a plaintext client: ZMTP mechanism mismatch; a client holding
 * the wrong server key: ZMTP cryptographic error), HANDSHAKE_FAILED_NO_
 * DETAIL (no ZAP handler with the domain enforced). This module owns a PAIR
 * socket connected to the monitor endpoint; the engine loop polls it and
 * calls eng_zmon_handle, which counts and logs each outcome; a client
 * (ds-publish) reads the events with eng_zmon_next and reacts to them. Counting
 * is best effort (monitor events travel an inproc queue); nothing here decides
 * access.
 */
#ifndef DEVSURV_ENG_ZMON_H
#define DEVSURV_ENG_ZMON_H

#include <stdint.h>

#include "devsurv/ds_diag.h"

struct eng_zmon_stats {
    uint64_t accepted;      /* connections accepted */
    uint64_t handshakes;    /* handshakes that succeeded */
    uint64_t failed_auth;   /* refused by ZAP (unknown key) */
    uint64_t failed_mech;   /* mechanism mismatch (plaintext client) */
    uint64_t failed_crypto; /* cryptographic error (wrong server key) */
    uint64_t failed_other;  /* any other handshake failure */
    uint64_t disconnected;
};

typedef struct eng_zmon eng_zmon_t;

/* Monitor sock (in context ctx) on inproc://<name>. NULL with diag on
 * failure. Caller owns the result; destroy before closing sock's context. */
eng_zmon_t *eng_zmon_new(void *ctx, void *sock, const char *name,
                         struct ds_diag *diag);

void eng_zmon_destroy(eng_zmon_t **self_p);

/* The PAIR socket to poll for ZMQ_POLLIN. */
void *eng_zmon_socket(eng_zmon_t *self);

/* One monitor event: its ZMQ_EVENT_* id, value and peer endpoint. */
struct eng_zmon_event {
    uint16_t id;
    uint32_t value;
    char peer[96];
};

/* Read the next pending event into *ev without blocking: 1 when one was
 * read, 0 when none is pending. Not counted (for callers that react to
 * events themselves, such as ds-publish). */
int eng_zmon_next(eng_zmon_t *self, struct eng_zmon_event *ev);

/* Read, count and log every pending event without blocking. */
void eng_zmon_handle(eng_zmon_t *self);

const struct eng_zmon_stats *eng_zmon_stats(const eng_zmon_t *self);

#endif
