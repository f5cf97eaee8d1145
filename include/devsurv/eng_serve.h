/*
 * eng_serve.h - the engine's event loop: ZeroMQ ROUTER ingest into the
 * pipeline, group commit, ACK after COMMIT.
 *
 * One thread, one loop (Redis-style): poll the ROUTER with a timeout that
 * is the time left in the open batch; drain what is readable, sequencing
 * each EV through eng_ingest and applying it through eng_pipeline; commit
 * when the batch is store.batch_events long or store.batch_ms old; then
 * (before sleeping again) ACK every source whose watermark moved. A stop
 * request (SIGINT/SIGTERM sets *stop) commits the open batch, ACKs, and
 * returns. Malformed frames are quarantined with the reason and counted;
 * they never stop the loop.
 *
 * Security (eng_auth): CURVE + ZAP allowlist, fail-closed, with every
 * message's source checked against its key's; handshake refusals are
 * counted by a socket monitor (eng_zmon). ingest.insecure = true turns it
 * off for local demos, with a warning.
 *
 * Fan-out (eng_publish): committed signals, changed cells and a periodic
 * health message go out on the PUB socket of publish.endpoint, and late
 * joiners get a snapshot on publish.snapshot; a fan-out failure is logged
 * and never stops ingest.
 *
 * Not here yet (later work): HTTP.
 */
#ifndef DEVSURV_ENG_SERVE_H
#define DEVSURV_ENG_SERVE_H

#include <signal.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_pipeline.h"

/* Run until *stop becomes non-zero. When reload is not NULL and *reload
 * becomes non-zero (SIGHUP), the loop clears it and re-reads the ingest
 * allowlist (eng_auth_reload). Returns 0 after a clean stop, or a
 * DS_E* code with diag set (cannot open the store, cannot bind, a commit
 * failed). on_signal (may be NULL) is called for each committed signal. */
int eng_serve_run(const struct eng_config *cfg, volatile sig_atomic_t *stop,
                  volatile sig_atomic_t *reload, eng_signal_fn *on_signal,
                  void *arg, struct ds_diag *diag);

#endif
