/*
 * eng_http.h - the read-only HTTP API, /metrics, server-sent events and
 * the dashboard files, served from inside `devsurv serve`.
 *
 * Contract: README.md, "HTTP API and dashboard" (issue 9). libmicrohttpd, one
 * thread per connection (an event stream holds its thread; at most
 * ENG_HTTP_MAX_CONN connections). GET and HEAD only (405 otherwise), 404
 * for unknown paths, and with http.token_file set every path but /healthz
 * needs "Authorization: Bearer <token>" (or ?access_token=, RFC 6750 2.3,
 * for EventSource, which cannot send headers); 401 otherwise. A listen
 * address that is not loopback is refused without a token file.
 *
 * The store is read through the server's own SQLITE_OPEN_READONLY
 * connections (a small pool; WAL readers never block the engine's
 * writer). The engine's in-process counters (ingest duplicates, gaps,
 * resends, stage latencies) arrive through eng_http_set_stats() on the
 * serve loop's health tick; they are copied under a mutex.
 *
 * Not here: writes of any kind (alert acknowledgement is later work), TLS
 * (put a reverse proxy in front), the dashboard itself (contrib/dashboard).
 */
#ifndef DEVSURV_ENG_HTTP_H
#define DEVSURV_ENG_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "devsurv/ds_diag.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_ingest.h"
#include "devsurv/eng_pipeline.h"

#define ENG_HTTP_MAX_CONN    64 /* concurrent connections */
#define ENG_HTTP_LAT_BUCKETS 12 /* finite buckets; +Inf is count */
#define ENG_HTTP_STAGES      4  /* latency histograms carried */
#define ENG_HTTP_VERIFY_SECS 30 /* audit verification period */

/* A latency histogram in Prometheus form: bucket[i] counts durations
 * <= eng_http_lat_bounds()[i] seconds (not cumulative; the exposition
 * accumulates), count and sum over all recorded, +Inf included. */
struct eng_http_hist {
    char stage[16]; /* label value, "" = unused slot */
    uint64_t bucket[ENG_HTTP_LAT_BUCKETS];
    uint64_t count;
    double sum; /* seconds */
};

/* What the engine hands over on its health tick (copied). */
struct eng_http_stats {
    struct eng_pipeline_stats pipe; /* committed this run */
    struct eng_ingest_stats ingest; /* duplicates, gaps, resends */
    uint64_t malformed;             /* unparseable frames */
    struct eng_http_hist stage[ENG_HTTP_STAGES];
};

typedef struct eng_http eng_http_t;

/* The upper bounds (seconds, increasing) of the ENG_HTTP_LAT_BUCKETS
 * finite buckets. Static. */
const double *eng_http_lat_bounds(void);

/* Record one duration of us microseconds (negative counts as 0) in h,
 * naming it stage on first use. Never allocates. */
void eng_http_hist_add(struct eng_http_hist *h, const char *stage, int64_t us);

/* Start serving cfg->http on the store cfg->store.path (which must exist
 * with the current schema: start after eng_store_open). With
 * cfg->http.listen empty *out is NULL and 0 is returned (off). Listen is
 * "host:port" or "[v6]:port"; port 0 picks a free one (eng_http_port).
 * Logs "dashboard: http://host:port/" at info. Returns 0; DS_ECONFIG
 * (bad listen value, non-loopback without token_file, empty token),
 * DS_EIO (token file unreadable), DS_ENET (cannot bind or start) or
 * DS_ENOMEM with diag set. Caller owns *out: eng_http_stop(). */
int eng_http_start(eng_http_t **out, const struct eng_config *cfg,
                   struct ds_diag *diag);

/* Stop accepting, end event streams, interrupt a running audit
 * verification, join every thread, close every connection, free. NULLs
 * *p; safe on NULL. */
void eng_http_stop(eng_http_t **p);

/* The bound TCP port (useful with port 0); 0 when h is NULL. */
int eng_http_port(const eng_http_t *h);

/* Copy s as the engine's current counters (thread-safe). h may be NULL
 * (HTTP off): no-op. */
void eng_http_set_stats(eng_http_t *h, const struct eng_http_stats *s);

#endif
