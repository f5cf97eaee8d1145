/*
 * ds-publish.h - what the two files of ds-publish share (private to the
 * tool, not installed): its options, its state, and the network side
 * (ds-publish-link.c: the DEALER link to the engine). ds-publish.c holds
 * main, the options, the input side (input -> journal) and the loop.
 */
#ifndef DEVSURV_DS_PUBLISH_H
#define DEVSURV_DS_PUBLISH_H

#include "devsurv/eng_curve.h"
#include "devsurv/eng_journal.h"
#include "devsurv/eng_lat.h"
#include "devsurv/eng_pseudo.h"
#include "devsurv/eng_site_input.h"
#include "devsurv/eng_zmon.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PUB_BACKOFF_MAX 60000 /* ms between socket re-creations */

struct pub_opts {
    const char *endpoint, *source, *journal, *foidev, *mdrfoi, *pseudo_key,
        *new_pseudo_key, *server_key, *key, *watch, *file;
    enum eng_site_format format;
    bool insecure, status;
    size_t window;
    int64_t timeout_ms, progress_ms;
    uint64_t drop_every;
    int64_t rate; /* new events sent per second at most; 0 = no limit */
    char journal_buf[128];
};

struct pub {
    struct pub_opts o;
    eng_journal_t *j;
    eng_site_input_t *in;
    char in_name[4096]; /* the file being read */
    struct eng_pseudo_key pkey;
    bool has_pkey;
    struct eng_curve_pair srv, own;
    FILE *rej;
    void *ctx, *sock;
    eng_zmon_t *mon; /* handshake events of sock */
    int nsock;
    uint64_t handshakes; /* on this socket: the first is no reconnect */
    uint64_t epoch, limit, next_send, drop_hw;
    uint64_t journaled, sent, dropped, resends, rejected, read_units;
    bool input_done, auth_failed, proto_logged, connected;
    int64_t last_progress_ms, last_ack_ms, last_report_ms, last_scan_ms;
    int64_t reopen_at_ms, backoff_ms;
    /* publish-to-commit latency: first-send time of each in-flight seq
     * (a ring of --window entries: in flight never exceeds it) */
    struct pub_sent {
        uint64_t seq;
        int64_t us;
    } * sent_at;
    eng_lat_t *lat;
    uint64_t high_sent;    /* highest seq sent at least once */
    uint64_t pace_base;    /* --rate: high_sent when pacing began */
    int64_t pace_start_ms; /* --rate: when pacing began, 0 = not yet */
};

/* "ds-publish: " + the message, on stderr. */
void pub_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The link (ds-publish-link.c). open: a new DEALER (options, CURVE keys,
 * handshake monitor), connected, HELLO sent, sending restarts at acked+1;
 * 0 or an EX_* code. close: monitor and socket gone (safe when closed). */
int pub_link_open(struct pub *P);
void pub_link_close(struct pub *P);

/* HELLO (asks the engine for an ACK with its credit). */
void pub_link_hello(struct pub *P);

/* React to pending handshake events: reconnect -> go-back-N; refused key
 * -> close and reopen after a doubling backoff. */
void pub_link_monitor(struct pub *P);

/* Send journaled rows while the window (min(--window, credit)) has room.
 * 0 or EX_IOERR. */
int pub_link_pump(struct pub *P);

/* Apply every pending ACK and RESEND. 0, or EX_CONFIG when the engine's
 * ACK is beyond this journal (an old copy of it). */
int pub_link_recv(struct pub *P);

#endif
