/*
 * eng_wire.h - DSV1 frames between a hospital publisher and the engine.
 *
 * Protocol: ../shared/reference/reliability.md section 1.3 and DESIGN.md
 * section 4. Multipart ZeroMQ messages, first frame the command name;
 * integers are 8-byte unsigned big-endian:
 *     P->E  HELLO  source epoch
 *     E->P  ACK    source epoch committed_seq [credit]
 *     P->E  EV     source epoch seq ts_event_ms content-type payload
 *     E->P  RESEND source epoch from_seq
 * (The ROUTER's routing-id frame is not part of these.) source is 1-64
 * bytes of [A-Za-z0-9._-]; epoch >= 1; seq >= 1 for EV.
 *
 * Pure: parsing borrows the frames and builds nothing; building fills spans
 * over the caller's message and a caller-provided scratch for integers.
 * Sending and receiving live in eng_zmq.h.
 */
#ifndef DEVSURV_ENG_WIRE_H
#define DEVSURV_ENG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/ds_span.h"

#define ENG_WIRE_MAX_FRAMES 7
#define ENG_WIRE_SOURCE_MAX 64

enum eng_wire_cmd {
    ENG_WIRE_HELLO = 1,
    ENG_WIRE_EV,
    ENG_WIRE_ACK,
    ENG_WIRE_RESEND
};

struct eng_wire_msg {
    enum eng_wire_cmd cmd;
    struct ds_span source;
    uint64_t epoch;
    uint64_t seq;  /* EV: seq; ACK: committed; RESEND: from; HELLO: 0 */
    int64_t ts_ms; /* EV only: event time (Unix ms), as the publisher saw it */
    uint64_t credit;        /* ACK only; 0 when absent */
    struct ds_span ctype;   /* EV only */
    struct ds_span payload; /* EV only */
};

/* Scratch for the integer frames of one built message. */
struct eng_wire_scratch {
    uint8_t ints[4][8];
};

/* Parse frames[0..n) into *out (spans borrow the frames). Returns 0, or
 * DS_EPARSE with diag saying which frame is wrong (unknown command, frame
 * count, integer width, bad source id, epoch 0, seq 0). */
int eng_wire_parse(const struct ds_span *frames, size_t n,
                   struct eng_wire_msg *out, struct ds_diag *diag);

/* Frames for *m into frames[ENG_WIRE_MAX_FRAMES]; integers are written to
 * *scratch, which must outlive the frames. Returns the frame count. */
size_t eng_wire_build(const struct eng_wire_msg *m, struct ds_span *frames,
                      struct eng_wire_scratch *scratch);

/* True when s is a valid source id. */
bool eng_wire_source_ok(struct ds_span s);

/* 8-byte big-endian helpers. */
void eng_wire_put_u64(uint8_t out[8], uint64_t v);
uint64_t eng_wire_get_u64(const uint8_t in[8]);

#endif
