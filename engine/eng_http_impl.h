/*
 * eng_http_impl.h - private to eng_http*.c: the server object, the
 * read-only connection pool, the request context and the handlers.
 *
 * Locking: h->mu guards stats, request counters, the pool's idle list,
 * the cached verification result and the stop flag; h->wake is broadcast
 * on stop so event streams and the verifier stop waiting at once. A
 * struct eng_http_db is used by one thread at a time (taken from the pool
 * for one request, or owned by one event stream or by the verifier).
 *
 * Handlers return an HTTP status and set *out to the JSON body (the
 * {"error": why} object for errors); the router serialises it.
 */
#ifndef DEVSURV_ENG_HTTP_IMPL_H
#define DEVSURV_ENG_HTTP_IMPL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "devsurv/eng_http.h"
#include "devsurv/eng_http_url.h"

#define ENG_HTTP_POOL      8  /* idle read-only connections kept */
#define ENG_HTTP_STMTS     24 /* cached statements per connection */
#define ENG_HTTP_LIMIT_DEF 100
#define ENG_HTTP_LIMIT_MAX 1000
#define ENG_HTTP_PATH_MAX  1024
#define ENG_HTTP_ARG_MAX   512 /* a decoded query value */
#define ENG_HTTP_TOKEN_MAX 256

enum eng_http_vstatus {
    ENG_HTTP_V_PENDING = 0,
    ENG_HTTP_V_OK,
    ENG_HTTP_V_BROKEN,
    ENG_HTTP_V_ERROR
};

/* Status codes counted for devsurv_http_requests_total. */
#define ENG_HTTP_NCODES 9
extern const int eng_http_codes[ENG_HTTP_NCODES];

struct eng_http_db {
    sqlite3 *db;
    struct {
        const char *sql; /* string literal: the pointer is the key */
        sqlite3_stmt *st;
    } c[ENG_HTTP_STMTS];
    size_t n;
};

struct eng_http {
    struct MHD_Daemon *mhd;
    int port;
    char db_path[ENG_CONFIG_STR_MAX];
    char static_dir[ENG_HTTP_PATH_MAX];
    char anchors[ENG_CONFIG_STR_MAX];
    char token[ENG_HTTP_TOKEN_MAX]; /* "" = no authentication */
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    bool have_stats;
    struct eng_http_stats stats;
    uint64_t requests[ENG_HTTP_NCODES + 1]; /* last: any other code */
    struct eng_http_db *idle[ENG_HTTP_POOL];
    size_t nidle;
    int streams;                  /* open event streams */
    struct eng_http_plans *plans; /* eng_http_plans.c, under its mutex */
    /* audit verification (eng_http_audit.c) */
    pthread_t vthread;
    bool vstarted;
    sqlite3 *vdb; /* the verifier's connection while it runs */
    enum eng_http_vstatus vstatus;
    char vdetail[448];
    int64_t vchecked_ms; /* wall clock of the last finished run, 0 none */
};

/* eng_http_jbuf.c: JSON text written directly, byte for byte as
 * jansson's compact dump of the same values; zero-initialise, then
 * eng_http_jbuf_clear(). Errors are sticky (oom); check it at the end. */
struct eng_http_jbuf {
    char *p; /* not NUL-terminated */
    size_t n, cap;
    bool oom;
};

struct eng_http_req {
    eng_http_t *h;
    struct MHD_Connection *c;
    struct eng_http_db *db;
    const char *seg[ENG_HTTP_SEG_MAX]; /* raw (undecoded) path segments */
    size_t segn[ENG_HTTP_SEG_MAX];
    int nseg;
    /* a handler's body written as text (eng_http_jbuf.c) instead of a
     * tree: the router sends it as it is when *out is left NULL */
    struct eng_http_jbuf text;
};

/* A handler: sets *out (a tree to send) or writes r->text and leaves *out
 * NULL; returns the HTTP status. */
typedef int(eng_http_api_fn)(struct eng_http_req *r, json_t **out);

/* eng_http_db.c: connections, pool, statements */
struct eng_http_db *eng_http_db_open(const char *path, struct ds_diag *diag);
void eng_http_db_close(struct eng_http_db **p);
struct eng_http_db *eng_http_db_acquire(eng_http_t *h, struct ds_diag *diag);
void eng_http_db_release(eng_http_t *h, struct eng_http_db *db);
void eng_http_db_drain(eng_http_t *h);
/* A cached statement for sql (literal), reset, bindings cleared; NULL on
 * error (sqlite3_errmsg(db->db) says why). */
sqlite3_stmt *eng_http_db_stmt(struct eng_http_db *db, const char *sql);

/* eng_http_json.c: JSON building blocks and request arguments */
int eng_http_error(json_t **out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int eng_http_db_error(json_t **out, struct eng_http_db *db);
/* Set o[ts_key] = ms and o[time_key] = RFC 3339 (both null when null). */
void eng_http_json_time(json_t *o, const char *ts_key, const char *time_key,
                        sqlite3_stmt *st, int col);
/* Column col of the current row as JSON (integer, real, string or null;
 * a non-finite real or a string that is not UTF-8 becomes null). */
json_t *eng_http_json_col(sqlite3_stmt *st, int col);
/* The decoded query argument name in buf, *val NULL when absent or
 * empty. 0, or 400 with *out set on a bad escape. */
int eng_http_arg(struct eng_http_req *r, const char *name, char *buf,
                 size_t cap, const char **val, json_t **out);
/* ?name= as an integer in [lo, hi] (def when absent); 0 or 400. */
int eng_http_arg_int(struct eng_http_req *r, const char *name, int64_t def,
                     int64_t lo, int64_t hi, int64_t *v, json_t **out);
/* Decode path segment i into buf; 0 or 400 with *out set. */
int eng_http_seg(struct eng_http_req *r, int i, char *buf, size_t cap,
                 json_t **out);
/* Serialise j into a ds_malloc'd buffer (with a final newline); NULL on
 * OOM. */
char *eng_http_json_dump(const json_t *j, size_t *n);
/* Wall clock, Unix ms. */
int64_t eng_http_now_ms(void);

/* eng_http_jbuf.c: JSON text written directly (struct eng_http_jbuf is
 * defined above eng_http_req). */
void eng_http_jbuf_clear(struct eng_http_jbuf *b);
/* Room for more bytes; false (and oom set) when that fails. */
bool eng_http_jbuf_reserve(struct eng_http_jbuf *b, size_t more);
void eng_http_jbuf_raw(struct eng_http_jbuf *b, const char *s, size_t n);
void eng_http_jbuf_lit(struct eng_http_jbuf *b, const char *s);
/* A comma unless the last byte opens an object or array. */
void eng_http_jbuf_sep(struct eng_http_jbuf *b);
/* sep, then "key": (key is a literal needing no escapes). */
void eng_http_jbuf_key(struct eng_http_jbuf *b, const char *key);
void eng_http_jbuf_int(struct eng_http_jbuf *b, int64_t v);
/* Non-finite values as null. */
void eng_http_jbuf_real(struct eng_http_jbuf *b, double v);
/* The quoted, escaped string; false, writing nothing, if not UTF-8. */
bool eng_http_jbuf_str(struct eng_http_jbuf *b, const char *s, size_t n);
/* Column col as eng_http_json_col() would give it. */
void eng_http_jbuf_col(struct eng_http_jbuf *b, sqlite3_stmt *st, int col);
/* "ts_key":ms,"time_key":"RFC 3339" (both null when null), after sep. */
void eng_http_jbuf_time(struct eng_http_jbuf *b, const char *ts_key,
                        const char *time_key, sqlite3_stmt *st, int col);

/* eng_http_api.c: signals and alerts */
#define ENG_HTTP_SIGNAL_SELECT                                                 \
    "SELECT s.id, s.plan, s.product_code, s.event_code, s.method,"             \
    " s.statistic, s.threshold, s.observed, s.expected, s.ts_event,"           \
    " s.source, s.epoch, s.seq, s.rules, s.plans, s.generation, a.id,"         \
    " a.status, a.opened, a.updated, a.by, a.reason"                           \
    " FROM signals s LEFT JOIN alerts a ON a.signal_id = s.id"
/* The SIGNAL object of the current row of an ENG_HTTP_SIGNAL_SELECT. */
json_t *eng_http_signal_json(sqlite3_stmt *st);
/* The same object written as text (what /api/signals pages use). */
void eng_http_signal_jbuf(struct eng_http_jbuf *b, sqlite3_stmt *st);
int eng_http_api_signals(struct eng_http_req *r, json_t **out);
int eng_http_api_signal(struct eng_http_req *r, json_t **out);
int eng_http_api_alerts(struct eng_http_req *r, json_t **out);
/* eng_http_api_cells.c */
int eng_http_api_cells(struct eng_http_req *r, json_t **out);
int eng_http_api_series(struct eng_http_req *r, json_t **out);
int eng_http_api_plans(struct eng_http_req *r, json_t **out);
/* eng_http_plans.c: the "plans" array of /api/plans, from the server's
 * cache of per-plan signal counts; 0 or an SQLite code. */
int eng_http_plans_list(struct eng_http_req *r, json_t *arr);
/* The same array from one SQL statement, without the cache. */
int eng_http_plans_sql(struct eng_http_req *r, json_t *arr);
/* Free the cache (at stop, from eng_http_db_drain). */
void eng_http_plans_free(eng_http_t *h);
/* Plans held in the cache, -1 when there is none (for tests). */
long eng_http_plans_cached(eng_http_t *h);
/* eng_http_api_store.c */
int eng_http_api_healthz(struct eng_http_req *r, json_t **out);
int eng_http_api_sources(struct eng_http_req *r, json_t **out);
int eng_http_api_audit(struct eng_http_req *r, json_t **out);

/* eng_http_audit.c: background verification */
int eng_http_verify_start(eng_http_t *h, struct ds_diag *diag);
void eng_http_verify_stop(eng_http_t *h);
json_t *eng_http_verify_json(eng_http_t *h);

/* eng_http_sse.c: GET /api/stream (NULL on OOM) */
struct MHD_Response *eng_http_sse_response(struct eng_http_req *r);

/* eng_http_metrics.c: the Prometheus text; 0 or 500/503 with *why. */
int eng_http_metrics(struct eng_http_req *r, char **body, size_t *n,
                     const char **why);

/* eng_http_static.c: a dashboard file; 200 with *resp, or 404. */
int eng_http_static(struct eng_http_req *r, const char *path,
                    struct MHD_Response **resp);

/* Count a response with this status. */
void eng_http_count(eng_http_t *h, int status);

#endif
