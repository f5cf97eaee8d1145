/*
 * eng_http_metrics.c - GET /metrics: Prometheus text exposition format
 * 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats): one
 * "# HELP" and "# TYPE" per family, then `name{labels} value` lines;
 * histograms as cumulative _bucket{le=...} series ending in le="+Inf",
 * then _sum and _count.
 *
 * Two sources: the store (what is durable: events - counted as the
 * committed watermarks less keyed quarantine rows, exact by the ingest
 * rules and cheap, where count(*) would read every payload -, quarantine,
 * mentions,
 * signals, alerts by status, audit entries, the last checkpoint) read on
 * each scrape, and the engine run's in-process counters handed over by
 * eng_http_set_stats() (ingest duplicates, gaps, resends, malformed
 * frames, stage latencies): those reset when the engine restarts, as
 * Prometheus counters may. Until the engine reports, they read 0 and the
 * histogram has no series. The checkpoint age is in event time: from the
 * last checkpoint to the newest audit entry (the chain holds no wall
 * clock); unsealed entries are those after it.
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char s_sql_counts[] =
    "SELECT (SELECT coalesce(sum(committed), 0) FROM sources) -"
    " (SELECT count(*) FROM quarantine WHERE seq IS NOT NULL),"
    " (SELECT count(*) FROM quarantine),"
    " (SELECT count(*) FROM mentions), (SELECT count(*) FROM signals),"
    " (SELECT coalesce(max(seq), 0) FROM audit),"
    " (SELECT max(ts) FROM checkpoints),"
    " (SELECT ts FROM audit ORDER BY seq DESC LIMIT 1),"
    " (SELECT coalesce(max(n), 0) FROM checkpoints)";
static const char s_sql_alerts[] =
    "SELECT status, count(*) FROM alerts GROUP BY status";

struct s_out {
    char *buf;
    size_t cap, len;
    int bad;
};

__attribute__((format(printf, 2, 3))) static void s_put(struct s_out *o,
                                                        const char *fmt, ...)
{
    va_list ap;
    for (int pass = 0; pass < 2 && !o->bad; pass++) {
        va_start(ap, fmt);
        size_t room = o->cap - o->len;
        int n = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->bad = 1;
        } else if ((size_t)n < room) {
            o->len += (size_t)n;
            return;
        } else if (ds_grow((void **)&o->buf, &o->cap, o->len + (size_t)n + 1,
                           1) != 0) {
            o->bad = 1;
        }
    }
}

static void s_family(struct s_out *o, const char *name, const char *type,
                     const char *help)
{
    s_put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void s_counter(struct s_out *o, const char *name, const char *help,
                      uint64_t v)
{
    s_family(o, name, "counter", help);
    s_put(o, "%s %" PRIu64 "\n", name, v);
}

/* The store's counts; 0 or the SQLite error code. */
static int s_store(struct eng_http_req *r, struct s_out *o)
{
    static const char *const names[][2] = {
        {"devsurv_events_total", "Events stored."},
        {"devsurv_quarantined_total", "Messages stored in quarantine."},
        {"devsurv_mentions_total", "Mentions extracted from event text."},
        {"devsurv_signals_total", "Signals raised."},
        {"devsurv_audit_entries_total", "Entries in the audit chain."}};
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_counts);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc != SQLITE_ROW)
        return rc;
    for (int i = 0; i < 5; i++)
        s_counter(o, names[i][0], names[i][1],
                  (uint64_t)sqlite3_column_int64(st, i));
    s_family(o, "devsurv_checkpoint_age_seconds", "gauge",
             "Event-time seconds from the last audit checkpoint to the "
             "newest audit entry.");
    if (sqlite3_column_type(st, 5) == SQLITE_INTEGER)
        s_put(o, "devsurv_checkpoint_age_seconds %.3f\n",
              (double)(sqlite3_column_int64(st, 6) -
                       sqlite3_column_int64(st, 5)) /
                  1000.0);
    s_family(o, "devsurv_audit_unsealed_entries", "gauge",
             "Audit entries after the last checkpoint.");
    s_put(o, "devsurv_audit_unsealed_entries %" PRId64 "\n",
          (int64_t)(sqlite3_column_int64(st, 4) - sqlite3_column_int64(st, 7)));
    sqlite3_reset(st);
    return 0;
}

static int s_alerts(struct eng_http_req *r, struct s_out *o)
{
    static const char *const status[] = {"new", "acknowledged", "closed"};
    int64_t n[3] = {0, 0, 0};
    sqlite3_stmt *st = eng_http_db_stmt(r->db, s_sql_alerts);
    int rc;
    if (!st)
        return SQLITE_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        for (int i = 0; i < 3; i++)
            if (strcmp((const char *)sqlite3_column_text(st, 0), status[i]) ==
                0)
                n[i] = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rc;
    s_family(o, "devsurv_alerts", "gauge", "Alerts by status.");
    for (int i = 0; i < 3; i++)
        s_put(o, "devsurv_alerts{status=\"%s\"} %" PRId64 "\n", status[i],
              n[i]);
    return 0;
}

static void s_hist(struct s_out *o, const struct eng_http_hist *h)
{
    const double *le = eng_http_lat_bounds();
    const char *name = "devsurv_stage_latency_seconds";
    uint64_t cum = 0;
    for (int i = 0; i < ENG_HTTP_LAT_BUCKETS; i++) {
        cum += h->bucket[i];
        s_put(o, "%s_bucket{stage=\"%s\",le=\"%g\"} %" PRIu64 "\n", name,
              h->stage, le[i], cum);
    }
    s_put(o, "%s_bucket{stage=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", name,
          h->stage, h->count);
    s_put(o, "%s_sum{stage=\"%s\"} %.9g\n", name, h->stage, h->sum);
    s_put(o, "%s_count{stage=\"%s\"} %" PRIu64 "\n", name, h->stage, h->count);
}

/* The engine's counters, copied under the lock then printed. */
static void s_engine(eng_http_t *h, struct s_out *o)
{
    struct eng_http_stats st;
    uint64_t req[ENG_HTTP_NCODES + 1];
    pthread_mutex_lock(&h->mu);
    st = h->stats; /* zeros until the engine reports */
    memcpy(req, h->requests, sizeof req);
    int streams = h->streams;
    pthread_mutex_unlock(&h->mu);
    s_counter(o, "devsurv_ingest_duplicates_total",
              "Duplicate events ignored by ingest sequencing (this run).",
              st.ingest.duplicates);
    s_counter(o, "devsurv_ingest_gaps_total",
              "Events refused for a sequence gap (this run).", st.ingest.gaps);
    s_counter(o, "devsurv_ingest_resends_total",
              "RESEND requests sent to publishers (this run).",
              st.ingest.resends);
    s_counter(o, "devsurv_ingest_malformed_total",
              "Unparseable ingest messages (this run).", st.malformed);
    s_family(o, "devsurv_stage_latency_seconds", "histogram",
             "Engine stage latency (this run).");
    for (int i = 0; i < ENG_HTTP_STAGES; i++)
        if (st.stage[i].stage[0])
            s_hist(o, &st.stage[i]);
    s_family(o, "devsurv_http_requests_total", "counter",
             "HTTP responses by status code.");
    for (int i = 0; i <= ENG_HTTP_NCODES; i++)
        if (i < ENG_HTTP_NCODES)
            s_put(o, "devsurv_http_requests_total{code=\"%d\"} %" PRIu64 "\n",
                  eng_http_codes[i], req[i]);
        else
            s_put(o,
                  "devsurv_http_requests_total{code=\"other\"} %" PRIu64 "\n",
                  req[i]);
    s_family(o, "devsurv_http_streams", "gauge", "Open event streams.");
    s_put(o, "devsurv_http_streams %d\n", streams);
}

int eng_http_metrics(struct eng_http_req *r, char **body, size_t *n,
                     const char **why)
{
    struct s_out o = {0};
    *body = NULL;
    if (s_store(r, &o) != 0 || s_alerts(r, &o) != 0) {
        *why = sqlite3_errmsg(r->db->db);
        ds_free(o.buf);
        return 503;
    }
    s_engine(r->h, &o);
    if (o.bad) {
        *why = "out of memory";
        ds_free(o.buf);
        return 500;
    }
    *body = o.buf;
    *n = o.len;
    return 200;
}
