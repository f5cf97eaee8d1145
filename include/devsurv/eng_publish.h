/*
 * eng_publish.h - the engine -> dashboard fan-out: PUB topics with a global
 * seq, and a ROUTER that answers late joiners with a snapshot.
 *
 * Protocol (reference/reliability.md 1.1 and the end of 1.3: the zguide
 * Clone pattern; DESIGN.md section 4):
 *   PUB, bound on publish.endpoint (off when empty), multipart
 *   [topic, body]. Topics:
 *     signal.<PRODUCT>.<EVENT>  a signal, sent after its batch COMMITted
 *     stats.<PRODUCT>.<EVENT>   a cell's observed, expected, llr, status
 *                               after committed batches changed it
 *     health                    every publish.health_ms: counters of this
 *                               run, sources with their committed seq
 *   body is one compact JSON object with "seq" (u64, +1 per message over
 *   ALL topics, 1 for the first message of a run), "run" (16 hex digits,
 *   random per engine run: a subscriber seeing seq restart knows why) and
 *   the payload fields.
 *   ROUTER, bound on publish.snapshot (off when empty). A client DEALER
 *   sends ["SNAPSHOT"] or ["SNAPSHOT", PREFIX]; the reply is one message
 *   ["SNAPSHOT", body], body {"run", "seq": the last seq published before
 *   the snapshot was taken, "signals": [...], "cells": [...]} holding the
 *   items whose topic starts with PREFIX (all when absent or empty). Any
 *   other request gets ["ERROR", why].
 *
 * Client rule (Clone): subscribe to everything FIRST, then request the
 * snapshot, then apply only messages with seq > the snapshot's seq; a seq
 * that jumps means PUB dropped messages (a slow subscriber past its HWM, a
 * reconnect): alarm and re-request the snapshot. Because seq is global, a
 * client that wants gap detection subscribes to "" and filters locally
 * (contrib/ds-tap does). A new run id means the engine restarted.
 *
 * Never blocks the engine: PUB with ENG_PUBLISH_SNDHWM per subscriber and
 * ZMQ_DONTWAIT. libzmq drops silently for a subscriber past its HWM
 * (zmq_socket(3): "zmq_send() shall never block for this socket type"),
 * so only send errors are counted here ("dropped" in health); subscribers
 * see every loss as a seq gap.
 *
 * Stats are coalesced and rate-limited: after a commit the cells table is
 * scanned and each cell whose counters differ from what was last published
 * is sent with its latest values, at most once per ENG_PUBLISH_STATS_MS
 * (or ten times the last scan's duration, if longer, so scanning a large
 * table never takes more than ~10% of the loop). A cell that changed twice
 * between scans is published once.
 *
 * Not here: the engine loop (eng_serve calls these), authentication of
 * dashboards (CURVE on the fan-out is later work), alert acknowledgement.
 */
#ifndef DEVSURV_ENG_PUBLISH_H
#define DEVSURV_ENG_PUBLISH_H

#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_cells.h"

#define ENG_PUBLISH_SNDHWM    10000 /* messages queued per subscriber */
#define ENG_PUBLISH_STATS_MS  200   /* shortest interval between stats scans */
#define ENG_PUBLISH_RUN_LEN   16    /* hex digits of a run id */
#define ENG_PUBLISH_TOPIC_MAX 64    /* "stats." + 2 codes + dots, with NUL */

typedef struct eng_publish eng_publish_t;

/* Counters of the engine run for the health message (the caller's). */
struct eng_publish_health {
    uint64_t events, quarantined, signals; /* pipeline, committed */
    uint64_t duplicates, gaps;             /* ingest sequencing */
    uint64_t malformed;                    /* unparseable frames */
};

/* What the fan-out itself did. */
struct eng_publish_stats {
    uint64_t seq;       /* last seq stamped (published or dropped) */
    uint64_t dropped;   /* sends that failed (the seq was used) */
    uint64_t snapshots; /* snapshot replies sent */
};

/* New fan-out on ctx (the engine's zmq context, borrowed), reading the
 * store (borrowed; both must outlive it) and binding the endpoints of
 * cfg->publish (copied). With both endpoints empty it is created inactive
 * and every call is a no-op. NULL with diag set when an endpoint cannot be
 * bound, the store cannot be read, or on OOM. Call with no batch open.
 * Caller owns the result; free it with eng_publish_destroy(). */
eng_publish_t *eng_publish_new(void *ctx, eng_store_t *store,
                               const struct eng_config *cfg,
                               struct ds_diag *diag);

/* Close the sockets and free. NULLs *self_p; safe on NULL. */
void eng_publish_destroy(eng_publish_t **self_p);

/* This run's id, ENG_PUBLISH_RUN_LEN hex digits. */
const char *eng_publish_run(const eng_publish_t *self);

/* The snapshot ROUTER for the caller's zmq_poll (POLLIN), NULL when off. */
void *eng_publish_snapshot_socket(const eng_publish_t *self);

/* Publish a COMMITTED signal on signal.<PRODUCT>.<EVENT>. 0, or DS_ENOMEM
 * (nothing sent, and no seq used). A failed send is counted, not
 * returned. */
int eng_publish_signal(eng_publish_t *self, const struct eng_signal *s);

/* A batch was committed at now_ms (monotonic): cells may have changed.
 * Scans and publishes stats now when the rate limit allows, else at a later
 * eng_publish_tick(). Call right after the commit (no batch open). */
int eng_publish_committed(eng_publish_t *self, int64_t now_ms);

/* Periodic work: due stats and the health message built from h. Call once
 * per loop turn with no batch open. 0, DS_ENOMEM or DS_ESTORE. */
int eng_publish_tick(eng_publish_t *self, int64_t now_ms,
                     const struct eng_publish_health *h);

/* Milliseconds until eng_publish_tick() has work, at most max. */
long eng_publish_timeout(const eng_publish_t *self, int64_t now_ms, long max);

/* Answer the snapshot requests waiting on the ROUTER (a few per call, so
 * ingest is never starved). Pending stats are published first, so the
 * snapshot and its seq agree. With a batch open it answers nothing (the
 * store would show uncommitted rows) and returns 0: call again after the
 * commit. 0, DS_ENOMEM or DS_ESTORE. */
int eng_publish_snapshot_serve(eng_publish_t *self);

const struct eng_publish_stats *eng_publish_stats(const eng_publish_t *self);

#endif
