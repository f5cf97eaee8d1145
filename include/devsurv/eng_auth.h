/*
 * eng_auth.h - who may publish to the engine: CURVE on the ingest socket,
 * the ZAP allowlist, and the per-message check that a frame's source is the
 * one its key was admitted as.
 *
 * Secure mode (the default): the ingest ROUTER is a CURVE server with the
 * secret key from ingest.server_key; ZAP (eng_zap) admits only allowlisted
 * client keys, fail-closed (ZMQ_ZAP_DOMAIN + ZMQ_ZAP_ENFORCE_DOMAIN, handler
 * bound before the ingest socket). A plaintext client, an unknown key and a
 * client holding the wrong server key never complete a handshake; those
 * refusals are counted by libzmq's handshake path and by eng_zap. Then
 * every message's "User-Id" property (the allowlisted source of its key)
 * must equal the source named in its frames and its key must still be
 * listed (so a SIGHUP that removes a key stops that key's messages at
 * once); otherwise the message is dropped unstored and counted
 * (stats.mismatched, stats.revoked).
 *
 * Insecure mode (ingest.insecure = true, local demos only): no CURVE, no
 * ZAP, every message passes; eng_auth_new logs a warning.
 */
#ifndef DEVSURV_ENG_AUTH_H
#define DEVSURV_ENG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"
#include "devsurv/eng_config.h"

struct eng_auth_stats {
    uint64_t admitted;   /* handshakes allowed by ZAP */
    uint64_t denied;     /* handshakes refused by ZAP */
    uint64_t mismatched; /* messages whose source != their key's source */
    uint64_t revoked;    /* messages from a key no longer allowlisted */
    uint64_t reloads;    /* allowlist reloads that took effect */
};

typedef struct eng_auth eng_auth_t;

/* Set up authentication for cfg in zmq context ctx: in secure mode load
 * ingest.server_key and ingest.allowlist and bind the ZAP handler. NULL
 * with diag when a key file or the allowlist is missing or invalid, or the
 * handler cannot bind: the engine must not start. Caller owns the result;
 * free it with eng_auth_destroy() before terminating ctx. */
eng_auth_t *eng_auth_new(void *ctx, const struct eng_config *cfg,
                         struct ds_diag *diag);

void eng_auth_destroy(eng_auth_t **self_p);

/* Apply the security options to the ingest socket (before zmq_bind).
 * 0 or DS_ENET with diag. */
int eng_auth_setup(eng_auth_t *self, void *sock, struct ds_diag *diag);

/* The ZAP socket to poll (NULL in insecure mode) and its handler. */
void *eng_auth_zap_socket(eng_auth_t *self);
void eng_auth_handle(eng_auth_t *self);

/* Re-read the allowlist (SIGHUP). On error the old list stays; diag says
 * why. 0 or a DS_E* code; 0 in insecure mode. */
int eng_auth_reload(eng_auth_t *self, struct ds_diag *diag);

/* Check one received message (any frame of it but the routing id) that
 * names source. 0 when it may be applied; DS_EINVAL with why[0..n) filled
 * when it must be rejected (counted): the caller drops it unstored. */
int eng_auth_check(eng_auth_t *self, const zmq_msg_t *frame,
                   struct ds_span source, char *why, size_t n);

bool eng_auth_secure(const eng_auth_t *self);

/* Counters, ZAP's included. */
struct eng_auth_stats eng_auth_stats(const eng_auth_t *self);

#endif
