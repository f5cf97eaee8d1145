/*
 * eng_http_sse.c - GET /api/stream: server-sent events (WHATWG HTML
 * "Server-sent events", text/event-stream).
 *
 * Each stream holds one connection thread (libmicrohttpd's thread per
 * connection) and its own read-only store connection. The content
 * callback blocks until it has bytes to send: every ENG_HTTP_SSE_POLL_MS
 * it reads signals with id > the last one sent and emits each as
 *     id: <signal id>\nevent: signal\ndata: <SIGNAL JSON>\n\n
 * (so a browser's Last-Event-ID resumes after a reconnect); every second
 *     event: health\ndata: {"ts","time",<engine counters>,...}\n\n
 * and every 15 s a ": keepalive" comment. It starts after Last-Event-ID,
 * else after ?after_id=, else after the newest signal at connect time.
 * Waits are on the server's stop condition, so eng_http_stop() ends every
 * stream at once; a client that went away is noticed at the next write
 * (at most a second later).
 *
 * Not here: replay of the whole history (GET /api/signals pages it).
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_clock.h"
#include "devsurv/eng_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENG_HTTP_SSE_POLL_MS   100
#define ENG_HTTP_SSE_HEALTH_MS 1000
#define ENG_HTTP_SSE_KEEP_MS   15000
#define S_BATCH                100 /* signals read per poll */

static const char s_sql_new[] =
    ENG_HTTP_SIGNAL_SELECT " WHERE s.id > ?1 ORDER BY s.id LIMIT ?2";
static const char s_sql_max[] = "SELECT coalesce(max(id), 0) FROM signals";

struct s_stream {
    eng_http_t *h;
    struct eng_http_db *db;
    int64_t last;                              /* last signal id sent */
    int64_t next_poll, next_health, next_keep; /* monotonic ms */
    char *buf;
    size_t cap, len, off; /* pending output buf[off..len) */
};

static int s_append(struct s_stream *s, const char *p, size_t n)
{
    if (ds_grow((void **)&s->buf, &s->cap, s->len + n, 1) != 0)
        return -1;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

/* One event: [id: N\n] event: name\n data: json\n\n */
static int s_event(struct s_stream *s, const char *name, int64_t id,
                   const json_t *data)
{
    char head[96];
    size_t n;
    char *text = eng_http_json_dump(data, &n); /* ends with '\n' */
    int k = id > 0
                ? snprintf(head, sizeof head,
                           "id: %lld\nevent: %s\ndata: ", (long long)id, name)
                : snprintf(head, sizeof head, "event: %s\ndata: ", name);
    int rc = text && s_append(s, head, (size_t)k) == 0 &&
                     s_append(s, text, n) == 0 && s_append(s, "\n", 1) == 0
                 ? 0
                 : -1;
    ds_free(text);
    return rc;
}

static int s_poll(struct s_stream *s)
{
    sqlite3_stmt *st = eng_http_db_stmt(s->db, s_sql_new);
    int rc;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, s->last);
    sqlite3_bind_int64(st, 2, S_BATCH);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *sig = eng_http_signal_json(st);
        int64_t id = sqlite3_column_int64(st, 0);
        int bad = s_event(s, "signal", id, sig);
        json_decref(sig);
        if (bad)
            break;
        s->last = id;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *s_health_json(struct s_stream *s)
{
    eng_http_t *h = s->h;
    char when[ENG_TIME_STR_MAX];
    int64_t now = eng_http_now_ms();
    json_t *o = json_pack("{s:I, s:s, s:I}", "ts", (json_int_t)now, "time",
                          eng_time_format(now, when), "last_signal_id",
                          (json_int_t)s->last);
    pthread_mutex_lock(&h->mu);
    const struct eng_http_stats *t = &h->stats;
    json_t *eng =
        h->have_stats
            ? json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "events",
                        (json_int_t)t->pipe.events, "quarantined",
                        (json_int_t)t->pipe.quarantined, "signals",
                        (json_int_t)t->pipe.signals, "duplicates",
                        (json_int_t)t->ingest.duplicates, "gaps",
                        (json_int_t)t->ingest.gaps, "resends",
                        (json_int_t)t->ingest.resends, "malformed",
                        (json_int_t)t->malformed)
            : json_null();
    json_object_set_new(o, "streams", json_integer(h->streams));
    pthread_mutex_unlock(&h->mu);
    json_object_set_new(o, "engine", eng);
    return o;
}

/* Produce what is due at now; -1 on a store or memory error. */
static int s_due(struct s_stream *s, int64_t now)
{
    if (now >= s->next_poll) {
        if (s_poll(s) != 0)
            return -1;
        s->next_poll = now + ENG_HTTP_SSE_POLL_MS;
    }
    if (now >= s->next_health) {
        json_t *hj = s_health_json(s);
        int rc = hj ? s_event(s, "health", 0, hj) : -1;
        json_decref(hj);
        if (rc != 0)
            return -1;
        s->next_health = now + ENG_HTTP_SSE_HEALTH_MS;
    }
    if (now >= s->next_keep) {
        if (s_append(s, ": keepalive\n\n", 13) != 0)
            return -1;
        s->next_keep = now + ENG_HTTP_SSE_KEEP_MS;
    }
    return 0;
}

/* Sleep until ms (monotonic) or stop; true when stopping. */
static bool s_wait(eng_http_t *h, int64_t ms)
{
    struct timespec until;
    int64_t left = ms - ds_mono_ms();
    clock_gettime(CLOCK_REALTIME, &until);
    if (left > 0) {
        until.tv_sec += left / 1000;
        until.tv_nsec += (left % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
    }
    pthread_mutex_lock(&h->mu);
    if (!h->stopping && left > 0)
        pthread_cond_timedwait(&h->wake, &h->mu, &until);
    bool stop = h->stopping;
    pthread_mutex_unlock(&h->mu);
    return stop;
}

static ssize_t s_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct s_stream *s = cls;
    (void)pos;
    for (;;) {
        if (s->off < s->len) {
            size_t n = s->len - s->off < max ? s->len - s->off : max;
            memcpy(out, s->buf + s->off, n);
            s->off += n;
            if (s->off == s->len)
                s->off = s->len = 0;
            return (ssize_t)n;
        }
        if (s_due(s, ds_mono_ms()) != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (s->len == 0) {
            int64_t next =
                s->next_poll < s->next_health ? s->next_poll : s->next_health;
            if (s_wait(s->h, next))
                return MHD_CONTENT_READER_END_OF_STREAM;
        }
    }
}

static void s_destroy(struct s_stream *s)
{
    eng_http_db_close(&s->db);
    ds_free(s->buf);
    ds_free(s);
}

static void s_free(void *cls)
{
    struct s_stream *s = cls;
    pthread_mutex_lock(&s->h->mu);
    s->h->streams--;
    pthread_mutex_unlock(&s->h->mu);
    s_destroy(s);
}

/* Where to start: Last-Event-ID, ?after_id=, else the newest signal. */
static int s_start_id(struct s_stream *s, struct eng_http_req *r)
{
    const char *v =
        MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Last-Event-ID");
    if (!v)
        v = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND,
                                        "after_id");
    char *end;
    if (v && *v) {
        long long id = strtoll(v, &end, 10);
        if (!*end && id >= 0) {
            s->last = id;
            return 0;
        }
    }
    sqlite3_stmt *st = eng_http_db_stmt(s->db, s_sql_max);
    if (!st || sqlite3_step(st) != SQLITE_ROW)
        return -1;
    s->last = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

static struct s_stream *s_new(struct eng_http_req *r)
{
    struct s_stream *s = ds_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->h = r->h;
    s->db = eng_http_db_open(r->h->db_path, NULL);
    int64_t now = ds_mono_ms();
    s->next_poll = now + ENG_HTTP_SSE_POLL_MS;
    s->next_health = now;
    s->next_keep = now + ENG_HTTP_SSE_KEEP_MS;
    static const char hello[] = "retry: 2000\n: devsurv event stream\n\n";
    if (!s->db || s_start_id(s, r) != 0 ||
        s_append(s, hello, sizeof hello - 1) != 0) {
        s_destroy(s);
        return NULL;
    }
    return s;
}

struct MHD_Response *eng_http_sse_response(struct eng_http_req *r)
{
    struct s_stream *s = s_new(r);
    if (!s)
        return NULL;
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 4096, s_read, s, s_free);
    if (!resp) {
        s_destroy(s);
        return NULL;
    }
    pthread_mutex_lock(&r->h->mu);
    r->h->streams++;
    pthread_mutex_unlock(&r->h->mu);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    return resp;
}
