/*
 * eng_zmq.h - multipart send/receive of DSV1 messages over ZeroMQ.
 *
 * Receiving keeps each frame in a zmq_msg_t owned by struct eng_zmq_in, so
 * the spans handed to eng_wire_parse borrow the library's buffers (no
 * copy). Messages with more frames than fit are drained and flagged, never
 * half-read. Used by the engine (ROUTER: first frame is the routing id) and
 * by contrib tools (DEALER: no routing id).
 */
#ifndef DEVSURV_ENG_ZMQ_H
#define DEVSURV_ENG_ZMQ_H

#include <stdbool.h>
#include <stddef.h>
#include <zmq.h>

#include "devsurv/ds_span.h"
#include "devsurv/eng_wire.h"

#define ENG_ZMQ_MAX_FRAMES (ENG_WIRE_MAX_FRAMES + 1) /* + routing id */

struct eng_zmq_in {
    zmq_msg_t msgs[ENG_ZMQ_MAX_FRAMES];
    struct ds_span frames[ENG_ZMQ_MAX_FRAMES];
    size_t n;       /* frames held */
    bool truncated; /* the message had more frames; extras were dropped */
};

/* Receive one whole multipart message into *in (releasing what it held).
 * flags: 0 or ZMQ_DONTWAIT. Returns 0, or -1 with errno (EAGAIN, EINTR,
 * ETERM...). */
int eng_zmq_recv(void *sock, struct eng_zmq_in *in, int flags);

/* Release the frames held by *in. Safe to call twice. */
void eng_zmq_in_close(struct eng_zmq_in *in);

/* Send m as one multipart message, prefixed by rid[0..rid_len) when rid is
 * not NULL (ROUTER replies). flags as zmq_send (ZMQ_DONTWAIT). 0 or -1. */
int eng_zmq_send(void *sock, const void *rid, size_t rid_len,
                 const struct eng_wire_msg *m, int flags);

#endif
