/*
 * eng_publish.c - the fan-out's lifecycle, the seq-stamped PUB send, signal
 * and health messages (see eng_publish.h for the protocol).
 *
 * Facts: one PUB send is two frames [topic, body] sent with ZMQ_SNDMORE;
 * libzmq delivers multipart messages atomically, so a subscriber never
 * sees a topic without its body. The seq is taken before sending, so a
 * failed send shows up as a gap, exactly like a drop inside libzmq. The
 * run id is 8 random bytes (libsodium), hex-encoded.
 *
 * Not here: the stats scan (eng_publish_cells.c), the snapshot ROUTER
 * (eng_publish_snap.c).
 */
#include "eng_publish_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static void s_new_run(char run[ENG_PUBLISH_RUN_LEN + 1])
{
    unsigned char b[ENG_PUBLISH_RUN_LEN / 2];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(run, ENG_PUBLISH_RUN_LEN + 1, b, sizeof b);
}

static void *s_bind(void *ctx, int type, const char *ep, struct ds_diag *diag)
{
    void *sock = zmq_socket(ctx, type);
    int hwm = ENG_PUBLISH_SNDHWM, linger = 0;
    int64_t maxmsg = 4096; /* requests are tiny; replies are not limited */
    if (!sock) {
        ds_diag_set_code(diag, DS_ENET, "", 0, "zmq_socket: %s",
                         zmq_strerror(errno));
        return NULL;
    }
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    if (type == ZMQ_ROUTER)
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (zmq_bind(sock, ep) != 0) {
        ds_diag_set_code(diag, DS_ENET, "", 0, "cannot bind %s: %s", ep,
                         zmq_strerror(errno));
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

static int s_open(eng_publish_t *self, void *ctx, const struct eng_config *cfg,
                  struct ds_diag *diag)
{
    if (cfg->publish.endpoint[0] &&
        !(self->pub = s_bind(ctx, ZMQ_PUB, cfg->publish.endpoint, diag)))
        return DS_ENET;
    if (cfg->publish.snapshot[0] &&
        !(self->snap = s_bind(ctx, ZMQ_ROUTER, cfg->publish.snapshot, diag)))
        return DS_ENET;
    if ((self->pub || self->snap) && eng_publish_cells_load(self) != 0)
        return ds_diag_set_code(diag, DS_ESTORE, "", 0,
                                "fan-out: cannot read the cells: %s",
                                eng_store_errmsg(self->store));
    return 0;
}

eng_publish_t *eng_publish_new(void *ctx, eng_store_t *store,
                               const struct eng_config *cfg,
                               struct ds_diag *diag)
{
    eng_publish_t *self = ds_calloc(1, sizeof *self);
    if (!self || sodium_init() < 0) {
        ds_free(self);
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->store = store;
    self->health_ms = cfg->publish.health_ms;
    self->started_ms = ds_mono_ms();
    self->next_health_ms = self->started_ms + self->health_ms;
    s_new_run(self->run);
    if (s_open(self, ctx, cfg, diag) != 0)
        eng_publish_destroy(&self);
    return self;
}

void eng_publish_destroy(eng_publish_t **self_p)
{
    eng_publish_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->pub)
        zmq_close(self->pub);
    if (self->snap)
        zmq_close(self->snap);
    ds_free(self->cells.v);
    ds_free(self->scratch.v);
    ds_free(self->text);
    ds_free(self);
    *self_p = NULL;
}

const char *eng_publish_run(const eng_publish_t *self)
{
    return self->run;
}

void *eng_publish_snapshot_socket(const eng_publish_t *self)
{
    return self ? self->snap : NULL;
}

const struct eng_publish_stats *eng_publish_stats(const eng_publish_t *self)
{
    return &self->stats;
}

json_t *eng_publish_body(const eng_publish_t *self)
{
    return json_pack("{s:I, s:s}", "seq", (json_int_t)(self->stats.seq + 1),
                     "run", self->run);
}

int eng_publish_dump(eng_publish_t *self, const json_t *body, size_t *n)
{
    const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(17);
    size_t need =
        body ? json_dumpb(body, self->text, self->text_cap, flags) : 0;
    if (need == 0)
        return DS_ENOMEM;
    if (need + 1 > self->text_cap) {
        if (ds_grow((void **)&self->text, &self->text_cap, need + 1, 1) != 0)
            return DS_ENOMEM;
        need = json_dumpb(body, self->text, self->text_cap, flags);
    }
    self->text[need] = '\0';
    *n = need;
    return 0;
}

int eng_publish_send(eng_publish_t *self, const char *topic, json_t *body)
{
    size_t n;
    int rc = eng_publish_dump(self, body, &n);
    json_decref(body);
    if (rc != 0)
        return rc;
    self->stats.seq++;
    if (zmq_send(self->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) <
            0 ||
        zmq_send(self->pub, self->text, n, ZMQ_DONTWAIT) < 0) {
        self->stats.dropped++;
        ds_debug("fan-out: %s seq %llu not sent: %s", topic,
                 (unsigned long long)self->stats.seq, zmq_strerror(errno));
    }
    return 0;
}

json_t *eng_publish_signal_json(const struct eng_signal *s)
{
    json_t *params = json_loads(s->params, 0, NULL);
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:f, s:f, s:I, s:f, s:I,"
        " s:{s:s, s:I, s:I}, s:o}",
        "id", (json_int_t)s->id, "product_code", s->product_code, "event_code",
        s->event_code, "method", s->method, "llr", s->statistic, "cv",
        s->threshold, "observed", (json_int_t)s->observed, "expected",
        s->expected, "time_ms", (json_int_t)s->ts_event, "trigger", "source",
        s->source, "epoch", (json_int_t)s->epoch, "seq", (json_int_t)s->seq,
        "params", params ? params : json_object());
}

int eng_publish_signal(eng_publish_t *self, const struct eng_signal *s)
{
    char topic[ENG_PUBLISH_TOPIC_MAX];
    if (!self || !self->pub)
        return 0;
    snprintf(topic, sizeof topic, "signal.%s.%s", s->product_code,
             s->event_code);
    json_t *b = eng_publish_body(self);
    if (!b || json_object_update_new(b, eng_publish_signal_json(s)) != 0) {
        json_decref(b);
        return DS_ENOMEM;
    }
    return eng_publish_send(self, topic, b);
}

static int s_source(json_t *arr, sqlite3_stmt *st)
{
    return json_array_append_new(
        arr, json_pack("{s:s, s:I, s:I}", "source",
                       (const char *)sqlite3_column_text(st, 0), "epoch",
                       (json_int_t)sqlite3_column_int64(st, 1), "committed",
                       (json_int_t)sqlite3_column_int64(st, 2)));
}

/* Every (source, epoch) with its committed seq, as a JSON array. */
static json_t *s_sources(eng_publish_t *self)
{
    static const char sql[] = "SELECT source, epoch, committed FROM sources"
                              " ORDER BY source, epoch";
    sqlite3_stmt *st = eng_store_stmt(self->store, sql);
    json_t *arr = json_array();
    int rc = st && arr ? SQLITE_ROW : SQLITE_ERROR;
    while (rc == SQLITE_ROW && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (s_source(arr, st) != 0)
            rc = SQLITE_NOMEM;
    if (st)
        sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        json_decref(arr);
    return rc == SQLITE_DONE ? arr : NULL;
}

static int s_health(eng_publish_t *self, int64_t now_ms,
                    const struct eng_publish_health *h)
{
    json_t *b = eng_publish_body(self);
    json_t *src = s_sources(self);
    if (!b || !src ||
        json_object_update_new(
            b, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
                         "uptime_ms", (json_int_t)(now_ms - self->started_ms),
                         "events", (json_int_t)h->events, "quarantined",
                         (json_int_t)h->quarantined, "signals",
                         (json_int_t)h->signals, "duplicates",
                         (json_int_t)h->duplicates, "gaps", (json_int_t)h->gaps,
                         "malformed", (json_int_t)h->malformed, "dropped",
                         (json_int_t)self->stats.dropped, "snapshots",
                         (json_int_t)self->stats.snapshots, "sources", src)) !=
            0) {
        json_decref(b);
        return src ? DS_ENOMEM : DS_ESTORE;
    }
    return eng_publish_send(self, "health", b);
}

int eng_publish_committed(eng_publish_t *self, int64_t now_ms)
{
    if (!self)
        return 0;
    self->cells_dirty = true; /* also for a snapshot-only fan-out */
    if (!self->pub || now_ms < self->next_scan_ms ||
        eng_store_in_batch(self->store))
        return 0;
    return eng_publish_cells_scan(self, now_ms);
}

int eng_publish_tick(eng_publish_t *self, int64_t now_ms,
                     const struct eng_publish_health *h)
{
    if (!self || !self->pub || eng_store_in_batch(self->store))
        return 0;
    int rc = 0;
    if (self->cells_dirty && now_ms >= self->next_scan_ms)
        rc = eng_publish_cells_scan(self, now_ms);
    if (rc == 0 && now_ms >= self->next_health_ms) {
        self->next_health_ms = now_ms + self->health_ms;
        rc = s_health(self, now_ms, h);
    }
    return rc;
}

long eng_publish_timeout(const eng_publish_t *self, int64_t now_ms, long max)
{
    if (!self || !self->pub)
        return max;
    int64_t due = self->next_health_ms;
    if (self->cells_dirty && self->next_scan_ms < due)
        due = self->next_scan_ms;
    int64_t left = due - now_ms;
    return left <= 0 ? 0 : left < max ? (long)left : max;
}
