/*
 * eng_publish_snap.c - the snapshot ROUTER: state for late joiners (the
 * zguide Clone "ICANHAZ?"; see eng_publish.h for the frames).
 *
 * Consistency: the reply is built only with no batch open (so the store
 * shows committed rows only), after publishing pending stats (so the cells
 * equal the mirror), and in the engine's one thread: every signal in the
 * store has been published with a seq <= the reply's seq, and everything
 * published later has a larger seq. A client applying only seq > the
 * reply's seq therefore misses nothing and applies nothing twice.
 *
 * Signals come from the store (all of them are open: there is no alert
 * lifecycle yet); cells from the mirror. Items are filtered by their topic
 * (signal.P.E, stats.P.E) against the request's prefix.
 *
 * Not here: paging of very large snapshots (one message holds all cells).
 */
#include "eng_publish_impl.h"

#include "devsurv/ds_err.h"
#include "devsurv/eng_store_read.h"
#include "devsurv/eng_zmq.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define S_PER_CALL   8   /* requests answered per call */
#define S_PREFIX_MAX 128 /* longest topic prefix accepted */

struct s_filter {
    const char *p; /* prefix, not NUL-terminated */
    size_t n;
    json_t *arr;
};

static bool s_match(const struct s_filter *f, const char *kind,
                    const char *product, const char *event)
{
    char topic[ENG_PUBLISH_TOPIC_MAX];
    int n = snprintf(topic, sizeof topic, "%s.%s.%s", kind, product, event);
    return n >= 0 && (size_t)n >= f->n && memcmp(topic, f->p, f->n) == 0;
}

static int s_signal(void *arg, const struct eng_signal *s)
{
    struct s_filter *f = arg;
    if (!s_match(f, "signal", s->product_code, s->event_code))
        return 0;
    return json_array_append_new(f->arr, eng_publish_signal_json(s)) == 0
               ? 0
               : DS_ENOMEM;
}

static int s_cells(eng_publish_t *self, struct s_filter *f)
{
    for (size_t i = 0; i < self->cells.n; i++) {
        const struct eng_cell *c = &self->cells.v[i];
        if (s_match(f, "stats", c->product_code, c->event_code) &&
            json_array_append_new(f->arr, eng_publish_cell_json(c)) != 0)
            return DS_ENOMEM;
    }
    return 0;
}

/* {"run", "seq", "signals", "cells"} for the prefix; *out NULL on error. */
static int s_body(eng_publish_t *self, struct ds_span prefix, json_t **out)
{
    struct s_filter sig = {prefix.p, prefix.n, json_array()};
    struct s_filter cel = {prefix.p, prefix.n, json_array()};
    int rc = sig.arr && cel.arr ? 0 : DS_ENOMEM;
    if (rc == 0)
        rc = eng_store_signals_each(self->store, s_signal, &sig);
    if (rc == 0)
        rc = s_cells(self, &cel);
    *out = rc == 0 ? json_pack("{s:s, s:I, s:o, s:o}", "run", self->run, "seq",
                               (json_int_t)self->stats.seq, "signals", sig.arr,
                               "cells", cel.arr)
                   : NULL;
    if (rc != 0) {
        json_decref(sig.arr);
        json_decref(cel.arr);
    }
    return rc == 0 && !*out ? DS_ENOMEM : rc;
}

static void s_reply(eng_publish_t *self, struct ds_span rid, const char *cmd,
                    const char *body)
{
    if (zmq_send(self->snap, rid.p, rid.n, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(self->snap, cmd, strlen(cmd), ZMQ_SNDMORE | ZMQ_DONTWAIT) <
            0 ||
        zmq_send(self->snap, body, strlen(body), ZMQ_DONTWAIT) < 0)
        return; /* peer gone or full: it will ask again */
    self->stats.snapshots += strcmp(cmd, "SNAPSHOT") == 0;
}

static bool s_valid(const struct eng_zmq_in *in)
{
    return !in->truncated && (in->n == 2 || in->n == 3) &&
           ds_span_eq(in->frames[1], "SNAPSHOT") &&
           (in->n == 2 || in->frames[2].n <= S_PREFIX_MAX);
}

static int s_request(eng_publish_t *self, const struct eng_zmq_in *in)
{
    if (in->n < 1)
        return 0;
    if (!s_valid(in)) {
        s_reply(self, in->frames[0], "ERROR",
                "expected [\"SNAPSHOT\"] or [\"SNAPSHOT\", topic prefix]");
        return 0;
    }
    int rc = 0;
    if (self->cells_dirty)
        rc = eng_publish_cells_scan(self, ds_mono_ms());
    json_t *body = NULL;
    struct ds_span prefix = in->n == 3 ? in->frames[2] : ds_span_str("");
    if (rc == 0)
        rc = s_body(self, prefix, &body);
    size_t n;
    if (rc == 0)
        rc = eng_publish_dump(self, body, &n);
    json_decref(body);
    if (rc == 0)
        s_reply(self, in->frames[0], "SNAPSHOT", self->text);
    return rc;
}

int eng_publish_snapshot_serve(eng_publish_t *self)
{
    if (!self || !self->snap || eng_store_in_batch(self->store))
        return 0;
    struct eng_zmq_in in = {.n = 0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < S_PER_CALL; i++) {
        if (eng_zmq_recv(self->snap, &in, ZMQ_DONTWAIT) != 0)
            break;
        rc = s_request(self, &in);
    }
    eng_zmq_in_close(&in);
    return rc;
}
