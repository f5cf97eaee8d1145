/*
 * eng_zap.h - the engine's ZAP handler (ZeroMQ RFC 27): who may connect to
 * the ingest socket, and as which source.
 *
 * A REP socket bound to inproc://zeromq.zap.01 in the engine's context,
 * polled by the engine loop (no thread). libzmq asks it once per CURVE
 * handshake; the reply allows a client key found in the allowlist
 * (eng_allow) with User-Id = its source id and one metadata property
 * ENG_ZAP_KEY_PROP = the Z85 client key, and denies (400) anything else:
 * unknown key, a mechanism other than CURVE, a domain other than
 * ENG_ZAP_DOMAIN, a malformed request.
 *
 * Fail-closed (reference/reliability.md section 2): the ingest socket sets
 * ZMQ_ZAP_DOMAIN and ZMQ_ZAP_ENFORCE_DOMAIN, and this handler must be bound
 * before the ingest socket binds; without a handler libzmq then refuses
 * every handshake instead of admitting any key (the Stonehouse fail-open).
 *
 * ZAP runs only at handshake time, so a key removed from the list (SIGHUP
 * reload) would keep an established connection. The engine therefore also
 * checks every message: eng_zap_allowed(source, key property) against the
 * current list, which turns a revocation into rejected messages at once.
 */
#ifndef DEVSURV_ENG_ZAP_H
#define DEVSURV_ENG_ZAP_H

#include <stdbool.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#define ENG_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ENG_ZAP_DOMAIN   "devsurv-ingest"
#define ENG_ZAP_KEY_PROP "X-Devsurv-Key"

/* ZMQ_ZAP_ENFORCE_DOMAIN is declared only under ZMQ_BUILD_DRAFT_API in
 * libzmq 4.3's zmq.h, but the stable build accepts it (value 93). */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

struct eng_zap_stats {
    uint64_t allowed; /* handshakes admitted */
    uint64_t denied;  /* handshakes refused (unknown key, mechanism...) */
    uint64_t reloads; /* successful allowlist reloads */
};

typedef struct eng_zap eng_zap_t;

/* Load the allowlist at path and bind the handler in zmq context ctx.
 * NULL with diag when the list is invalid or the bind fails (the engine
 * must not start then). Caller owns the result; eng_zap_destroy(). */
eng_zap_t *eng_zap_new(void *ctx, const char *allowlist, struct ds_diag *diag);

void eng_zap_destroy(eng_zap_t **self_p);

/* The REP socket, to poll for ZMQ_POLLIN. */
void *eng_zap_socket(eng_zap_t *self);

/* Answer every pending request without blocking. */
void eng_zap_handle(eng_zap_t *self);

/* Re-read the allowlist. On error the old list stays in force and diag
 * says why. 0 or a DS_E* code. */
int eng_zap_reload(eng_zap_t *self, struct ds_diag *diag);

/* True when key_z85 (the ENG_ZAP_KEY_PROP of a message, may be NULL) is
 * still allowed for source. */
bool eng_zap_allowed(const eng_zap_t *self, struct ds_span source,
                     const char *key_z85);

const struct eng_zap_stats *eng_zap_stats(const eng_zap_t *self);

/* Entries in the current list. */
size_t eng_zap_count(const eng_zap_t *self);

#endif
