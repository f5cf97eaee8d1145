/*
 * eng_serve.c - the engine loop: ROUTER -> ingest sequencing -> pipeline ->
 * group commit -> ACK (see eng_serve.h).
 */
#include "devsurv/ds_clock.h"
#include "devsurv/eng_serve.h"
#include "devsurv/eng_auth.h"
#include "devsurv/eng_http.h"
#include "devsurv/eng_zmon.h"
#include "devsurv/eng_store_epochs.h"
#include "devsurv/eng_store_ckpt.h"
#include "devsurv/eng_ingest.h"
#include "devsurv/eng_publish.h"
#include "devsurv/eng_zmq.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct s_loop {
    const struct eng_config *cfg;
    void *ctx, *sock;
    eng_store_t *store;
    eng_store_ckpt_t *ckpt; /* WAL checkpoints off the ingest thread */
    eng_pipeline_t *pipe;
    eng_ingest_t *ingest;
    eng_auth_t *auth;
    eng_zmon_t *mon;          /* handshake outcomes on the ingest socket */
    eng_publish_t *pub;       /* dashboard fan-out (PUB + snapshot ROUTER) */
    eng_http_t *http;         /* read-only API, /metrics, dashboard */
    struct eng_http_stats hs; /* counters handed to it on each tick */
    eng_signal_fn *on_signal; /* the caller's, after the fan-out's */
    void *on_signal_arg;
    volatile sig_atomic_t *reload;
    int64_t batch_start; /* monotonic ms of the batch's first message */
    uint64_t malformed;
    uint64_t unauthorised;
    int64_t unauth_log_ms; /* when a rejection was last logged */
};

static void s_send_ack(void *arg, const struct eng_ingest_src *src)
{
    struct s_loop *L = arg;
    struct eng_wire_msg m = {
        .cmd = ENG_WIRE_ACK,
        .source = ds_span_str(src->source),
        .epoch = (uint64_t)src->epoch,
        .seq = (uint64_t)src->committed,
        .credit = (uint64_t)L->cfg->ingest.credit,
    };
    if (eng_zmq_send(L->sock, src->rid, src->rid_len, &m, ZMQ_DONTWAIT) < 0)
        ds_debug("ACK to %s not sent: %s", src->source, zmq_strerror(errno));
}

/* The fan-out never stops ingest: its errors are logged, not returned. */
static void s_fanout(int rc, const char *what)
{
    if (rc != 0)
        ds_warn("fan-out: %s: %s", what, ds_strerror(rc));
}

/* eng_signal_fn: a committed signal goes to dashboards, then the caller. */
static void s_on_signal(void *arg, const struct eng_signal *s)
{
    struct s_loop *L = arg;
    s_fanout(eng_publish_signal(L->pub, s), "signal not published");
    if (L->on_signal)
        L->on_signal(L->on_signal_arg, s);
}

/* Commit the open batch, then ACK, then stats to dashboards. A failed
 * commit is fatal for the batch only: sequencing rewinds so publishers'
 * resends are accepted again. */
static int s_flush(struct s_loop *L, struct ds_diag *diag)
{
    bool batch = eng_store_in_batch(L->store);
    int64_t t0 = ds_mono_us();
    int rc = eng_pipeline_commit(L->pipe);
    if (batch && rc == 0) {
        eng_http_hist_add(&L->hs.stage[0], "commit", ds_mono_us() - t0);
        eng_http_hist_add(&L->hs.stage[1], "batch",
                          (ds_mono_ms() - L->batch_start) * 1000);
    }
    if (rc != 0) {
        eng_ingest_rolled_back(L->ingest);
        return ds_diag_set_code(diag, rc, L->cfg->store.path, 0,
                                "commit failed: %s",
                                eng_store_errmsg(L->store));
    }
    eng_ingest_committed(L->ingest);
    eng_ingest_each_ack(L->ingest, s_send_ack, L);
    if (batch)
        s_fanout(eng_publish_committed(L->pub, ds_mono_ms()), "stats");
    return 0;
}

static void s_resend(struct s_loop *L, const struct eng_ingest_src *src)
{
    struct eng_wire_msg m = {
        .cmd = ENG_WIRE_RESEND,
        .source = ds_span_str(src->source),
        .epoch = (uint64_t)src->epoch,
        .seq = (uint64_t)src->expected,
    };
    eng_zmq_send(L->sock, src->rid, src->rid_len, &m, ZMQ_DONTWAIT);
}

/* The first event of a new epoch after an earlier one: recorded in the
 * same batch, so it commits (or rolls back) with the event. */
static int s_discontinuity(struct s_loop *L, const struct eng_ingest_src *src,
                           const struct eng_wire_msg *w)
{
    int rc = eng_pipeline_discontinuity(L->pipe, w->source, (int64_t)w->epoch,
                                        src->prev_epoch, src->prev_committed,
                                        w->ts_ms);
    if (rc == 0)
        ds_warn("ingest: source '%s' started epoch %" PRIu64
                " after epoch %lld (committed to seq %lld): journal lost? "
                "recorded as a discontinuity",
                src->source, w->epoch, (long long)src->prev_epoch,
                (long long)src->prev_committed);
    return rc;
}

static int s_on_ev(struct s_loop *L, struct eng_ingest_src *src,
                   const struct eng_wire_msg *w)
{
    bool resend;
    switch (eng_ingest_check(L->ingest, src, (int64_t)w->seq, ds_mono_ms(),
                             &resend)) {
    case ENG_INGEST_DUP: return 0;
    case ENG_INGEST_GAP:
        if (resend)
            s_resend(L, src);
        return 0;
    case ENG_INGEST_APPLY: break;
    }
    struct eng_msg m = {
        .key = {w->source, (int64_t)w->epoch, (int64_t)w->seq},
        .ctype = w->ctype,
        .payload = w->payload.p,
        .n = w->payload.n,
    };
    if (eng_pipeline_pending(L->pipe) == 0)
        L->batch_start = ds_mono_ms();
    int rc = eng_pipeline_submit(L->pipe, &m);
    if (rc != 0 && rc != DS_EDUP)
        return rc;
    if (w->seq == 1 && src->prev_epoch != 0 &&
        (rc = s_discontinuity(L, src, w)) != 0)
        return rc;
    eng_ingest_applied(L->ingest, src);
    return 0;
}

/* Store a message whose frames could not be parsed, with no key. */
static int s_malformed(struct s_loop *L, const struct eng_zmq_in *in,
                       const char *why)
{
    char reason[DS_DIAG_MSG_MAX + 32];
    const struct ds_span *f = &in->frames[1];
    size_t nf = in->n - 1;
    snprintf(reason, sizeof reason,
             "malformed DSV1 message (%zu frames%s): "
             "%s",
             nf, in->truncated ? ", truncated" : "", why);
    L->malformed++;
    struct eng_msg m = {.ctype = {0},
                        .payload = nf ? f[nf - 1].p : "",
                        .n = nf ? f[nf - 1].n : 0};
    if (eng_pipeline_pending(L->pipe) == 0)
        L->batch_start = ds_mono_ms();
    int rc = eng_pipeline_reject(L->pipe, &m, DS_EPARSE, reason);
    return rc == DS_EDUP ? 0 : rc;
}

/* A message whose source is not the one its key was admitted as, or whose
 * key was revoked: spoofed traffic never reaches the store (not even
 * quarantine: it could fill the disk or claim another source's seqs) and
 * is never ACKed. It is counted (eng_auth) and logged, at most once a
 * second so a flood cannot flood the log. */
static void s_unauthorised(struct s_loop *L, const struct eng_wire_msg *w,
                           const char *why)
{
    int64_t now = ds_mono_ms();
    L->unauthorised++;
    if (L->unauth_log_ms && now - L->unauth_log_ms < 1000)
        return;
    L->unauth_log_ms = now;
    ds_warn("ingest: rejected %s epoch %" PRIu64 " seq %" PRIu64
            ": %s (%" PRIu64 " rejected so far)",
            w->cmd == ENG_WIRE_EV ? "EV" : "HELLO", w->epoch, w->seq, why,
            L->unauthorised);
}

static int s_on_msg(struct s_loop *L, const struct eng_zmq_in *in,
                    struct ds_diag *diag)
{
    struct eng_wire_msg w;
    struct ds_diag why;
    ds_diag_clear(&why);
    if (in->n < 2 || in->truncated ||
        eng_wire_parse(&in->frames[1], in->n - 1, &w, &why) != 0)
        return s_malformed(L, in, in->truncated ? "too many frames" : why.msg);
    if (w.cmd != ENG_WIRE_HELLO && w.cmd != ENG_WIRE_EV)
        return s_malformed(L, in, "command not accepted by the engine");
    char deny[DS_DIAG_MSG_MAX];
    if (eng_auth_check(L->auth, &in->msgs[1], w.source, deny, sizeof deny)) {
        s_unauthorised(L, &w, deny);
        return 0;
    }
    struct eng_ingest_src *src =
        eng_ingest_src(L->ingest, w.source, (int64_t)w.epoch, in->frames[0].p,
                       in->frames[0].n);
    if (!src)
        return ds_diag_set_code(diag, DS_ESTORE, L->cfg->store.path, 0,
                                "cannot read source state");
    if (w.cmd == ENG_WIRE_EV)
        return s_on_ev(L, src, &w);
    src->need_ack = true; /* HELLO: commit what is open, then ACK */
    return s_flush(L, diag);
}

static int s_open(struct s_loop *L, struct ds_diag *diag)
{
    struct eng_counts_params params;
    int rc = eng_counts_params_init(&params, L->cfg, diag);
    if (rc != 0)
        return DS_ECONFIG;
    L->store = eng_store_open(L->cfg->store.path, false, diag);
    if (!L->store)
        return DS_ESTORE;
    struct ds_diag why;
    if (!(L->ckpt = eng_store_ckpt_start(eng_store_db(L->store),
                                         ENG_STORE_CKPT_PAGES, &why)))
        ds_log(DS_LOG_WARN, "checkpoints stay on the ingest thread: %s",
               why.msg);
    /* the pipeline says why it failed (rules or plans not loadable) */
    if (!(L->pipe = eng_pipeline_new(L->cfg, L->store, diag)))
        return DS_ECONFIG;
    L->ingest = eng_ingest_new(L->store);
    L->ctx = zmq_ctx_new();
    if (!L->ingest || !L->ctx)
        return ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
    /* ZAP first: it must be bound before the ingest socket exists */
    if (!(L->auth = eng_auth_new(L->ctx, L->cfg, diag)))
        return DS_ECONFIG;
    if (!(L->sock = zmq_socket(L->ctx, ZMQ_ROUTER)))
        return ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
    if (eng_auth_setup(L->auth, L->sock, diag) != 0)
        return DS_ENET;
    if (!(L->mon =
              eng_zmon_new(L->ctx, L->sock, "devsurv-ingest-monitor", diag)))
        return DS_ENET;
    if (!(L->pub = eng_publish_new(L->ctx, L->store, L->cfg, diag)))
        return DS_ENET;
    if (L->cfg->ingest.credit < 2 * L->cfg->store.batch_events)
        ds_warn("ingest.credit = %" PRId64 " is below 2 x store.batch_events "
                "(%" PRId64 "): a publisher runs out of credit while a full "
                "batch commits and waits for its ACK",
                L->cfg->ingest.credit, L->cfg->store.batch_events);
    int64_t maxmsg = L->cfg->ingest.max_msg_size + 4096;
    int one = 1, hwm = 100000, ivl = 5000, tmo = 15000, linger = 1000;
    zmq_setsockopt(L->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(L->sock, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    zmq_setsockopt(L->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(L->sock, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(L->sock, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo);
    zmq_setsockopt(L->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(L->sock, L->cfg->ingest.endpoint) != 0)
        return ds_diag_set_code(diag, DS_ENET, "", 0, "cannot bind %s: %s",
                                L->cfg->ingest.endpoint, zmq_strerror(errno));
    return eng_http_start(&L->http, L->cfg, diag);
}

static void s_close(struct s_loop *L)
{
    eng_http_stop(&L->http);
    if (L->sock)
        zmq_close(L->sock);
    eng_publish_destroy(&L->pub);
    eng_zmon_destroy(&L->mon);
    eng_auth_destroy(&L->auth);
    if (L->ctx)
        zmq_ctx_term(L->ctx);
    eng_ingest_destroy(&L->ingest);
    eng_pipeline_destroy(&L->pipe);
    eng_store_ckpt_stop(&L->ckpt);
    eng_store_destroy(&L->store);
}

/* Poll timeout: time left in the open batch, else a short idle tick so a
 * stop request is seen even if the signal raced the poll. */
static long s_timeout(const struct s_loop *L)
{
    if (eng_pipeline_pending(L->pipe) == 0)
        return eng_publish_timeout(L->pub, ds_mono_ms(), 250);
    int64_t left = L->batch_start + L->cfg->store.batch_ms - ds_mono_ms();
    return left > 0 ? (long)left : 0;
}

static bool s_batch_due(const struct s_loop *L)
{
    size_t n = eng_pipeline_pending(L->pipe);
    return n > 0 && ((int64_t)n >= L->cfg->store.batch_events ||
                     ds_mono_ms() - L->batch_start >= L->cfg->store.batch_ms);
}

/* Read what is ready, up to one batch, without blocking. */
static int s_drain(struct s_loop *L, struct eng_zmq_in *in,
                   struct ds_diag *diag)
{
    for (int64_t i = 0; i < L->cfg->store.batch_events; i++) {
        if (eng_zmq_recv(L->sock, in, ZMQ_DONTWAIT) != 0)
            return errno == EAGAIN || errno == EINTR ? 0 : DS_ENET;
        int rc = s_on_msg(L, in, diag);
        if (rc != 0)
            return rc;
        if (s_batch_due(L))
            return 0;
    }
    return 0;
}

/* SIGHUP: re-read the allowlist; a bad file keeps the old one. */
static void s_maybe_reload(struct s_loop *L)
{
    if (!L->reload || !*L->reload)
        return;
    *L->reload = 0;
    struct ds_diag d;
    ds_diag_clear(&d);
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    if (eng_auth_reload(L->auth, &d) != 0)
        ds_error("ingest: allowlist not reloaded, previous list kept: %s",
                 ds_diag_format(&d, buf, sizeof buf));
}

/* Add the fan-out's snapshot ROUTER to the poll set while no batch is
 * open (a snapshot shows committed rows only); its index, or -1. */
static int s_poll_snapshot(struct s_loop *L, zmq_pollitem_t *items, int *n)
{
    void *snap = eng_publish_snapshot_socket(L->pub);
    if (!snap || eng_pipeline_pending(L->pipe) != 0)
        return -1;
    items[*n] = (zmq_pollitem_t){snap, 0, ZMQ_POLLIN, 0};
    return (*n)++;
}

/* Between batches: due stats and the health message for dashboards. */
static void s_fanout_tick(struct s_loop *L)
{
    const struct eng_pipeline_stats *st = eng_pipeline_stats(L->pipe);
    const struct eng_ingest_stats *is = eng_ingest_stats(L->ingest);
    struct eng_publish_health h = {
        .events = st->events,
        .quarantined = st->quarantined,
        .signals = st->signals,
        .duplicates = is->duplicates,
        .gaps = is->gaps,
        .malformed = L->malformed,
    };
    s_fanout(eng_publish_tick(L->pub, ds_mono_ms(), &h), "health");
    L->hs.pipe = *st;
    L->hs.ingest = *is;
    L->hs.malformed = L->malformed;
    eng_http_set_stats(L->http, &L->hs);
}

static int s_loop(struct s_loop *L, volatile sig_atomic_t *stop,
                  struct ds_diag *diag)
{
    struct eng_zmq_in in = {.n = 0};
    int rc = 0;
    while (!*stop && rc == 0) {
        /* ingest, monitor, then ZAP (absent in insecure mode) */
        zmq_pollitem_t items[4] = {
            {L->sock, 0, ZMQ_POLLIN, 0},
            {eng_zmon_socket(L->mon), 0, ZMQ_POLLIN, 0},
            {eng_auth_zap_socket(L->auth), 0, ZMQ_POLLIN, 0}};
        int nitems = items[2].socket ? 3 : 2;
        int isnap = s_poll_snapshot(L, items, &nitems);
        s_maybe_reload(L);
        int n = zmq_poll(items, nitems, s_timeout(L));
        if (n > 0 && (items[1].revents & ZMQ_POLLIN))
            eng_zmon_handle(L->mon);
        if (n > 0 && nitems > 2 && (items[2].revents & ZMQ_POLLIN))
            eng_auth_handle(L->auth);
        if (n > 0 && isnap >= 0 && (items[isnap].revents & ZMQ_POLLIN))
            s_fanout(eng_publish_snapshot_serve(L->pub), "snapshot");
        if (n > 0 && !(items[0].revents & ZMQ_POLLIN))
            n = 0;
        if (n < 0 && errno != EINTR) {
            rc = ds_diag_set_code(diag, DS_ENET, "", 0, "poll: %s",
                                  zmq_strerror(errno));
            break;
        }
        if (n > 0)
            rc = s_drain(L, &in, diag);
        if (rc == 0 && (s_batch_due(L) || eng_pipeline_pending(L->pipe) == 0))
            rc = s_flush(L, diag);
        if (rc == 0 && eng_pipeline_pending(L->pipe) == 0)
            s_fanout_tick(L);
    }
    eng_zmq_in_close(&in);
    if (rc == 0)
        rc = s_flush(L, diag);
    return rc;
}

/* One line with every refusal counter, for operators and tests. */
static void s_log_auth(struct s_loop *L)
{
    struct eng_auth_stats a = eng_auth_stats(L->auth);
    const struct eng_zmon_stats *m = eng_zmon_stats(L->mon);
    ds_info("ingest security: %" PRIu64 " handshakes, %" PRIu64
            " refused unknown key, %" PRIu64 " refused plaintext, %" PRIu64
            " refused wrong server key, %" PRIu64 " other failures, %" PRIu64
            " source mismatches, %" PRIu64 " revoked-key messages, %" PRIu64
            " allowlist reloads",
            m->handshakes, m->failed_auth, m->failed_mech, m->failed_crypto,
            m->failed_other, a.mismatched, a.revoked, a.reloads);
}

int eng_serve_run(const struct eng_config *cfg, volatile sig_atomic_t *stop,
                  volatile sig_atomic_t *reload, eng_signal_fn *on_signal,
                  void *arg, struct ds_diag *diag)
{
    struct s_loop L = {.cfg = cfg, .reload = reload};
    int rc = s_open(&L, diag);
    if (rc == 0) {
        L.on_signal = on_signal;
        L.on_signal_arg = arg;
        eng_pipeline_on_signal(L.pipe, s_on_signal, &L);
        const struct eng_counts_params *p = eng_pipeline_params(L.pipe);
        ds_info("serving on %s, store %s; MaxSPRT alpha %g, T %g, M %lld, "
                "D %g: critical value %.6f",
                cfg->ingest.endpoint, cfg->store.path, p->alpha,
                p->maxsprt.max_expected, (long long)p->maxsprt.min_events,
                p->maxsprt.delay, p->maxsprt.cv);
        rc = s_loop(&L, stop, diag);
    }
    if (L.pipe) {
        const struct eng_pipeline_stats *st = eng_pipeline_stats(L.pipe);
        const struct eng_ingest_stats *is = eng_ingest_stats(L.ingest);
        ds_info("stopped: %" PRIu64 " events, %" PRIu64 " quarantined, %" PRIu64
                " signals, %" PRIu64 " duplicates, %" PRIu64 " gaps, %" PRIu64
                " malformed",
                st->events, st->quarantined, st->signals,
                is ? is->duplicates : 0, is ? is->gaps : 0, L.malformed);
    }
    if (L.auth && L.mon)
        s_log_auth(&L);
    s_close(&L);
    return rc;
}
