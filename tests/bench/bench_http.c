/*
 * bench_http.c - latency of the HTTP API on a large store: 100,000
 * signals (every tenth with an alert and a log entry), 1,000,000 events
 * over 4 sources, 10,000 plan cells and a 1,000-point series, built with
 * SQL in one transaction on the real schema (eng_store_open). The server
 * runs in this process on 127.0.0.1 port 0; a client on this thread sends
 * BENCH_HTTP_N (default 200) sequential HTTP/1.0 requests per endpoint,
 * one connection each (so connection setup is included, as for curl),
 * and prints one row per endpoint: requests, non-200 answers, p50, p99
 * and max in ms (BENCH_HTTP_ONLY=text keeps the endpoints whose path
 * contains text). Then the delay from committing a new signal to its
 * arrival on an open /api/stream (the dashboard's live feed), 50 rounds.
 * Measured, never asserted: exit 1 only when the store
 * cannot be built or the server does not start.
 *
 * Usage: bench_http [DIR]   (the store is DIR/bench_http.db, default
 * /tmp; reused when it already holds the signals)
 */
#include "devsurv/eng_http.h"
#include "devsurv/eng_store.h"
#include "devsurv/ds_clock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char s_build[] =
    "BEGIN;"
    "CREATE TEMP TABLE n(x INTEGER PRIMARY KEY);"
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
    " WHERE x < 1000000) INSERT INTO n SELECT x FROM c;"
    "INSERT INTO sources(source, epoch, committed)"
    " SELECT 'hosp' || x, 1, 250000 FROM n WHERE x <= 4;"
    "INSERT INTO events(source, epoch, seq, id, kind, ts_event, patient,"
    " product_code, event_code, content_type, payload)"
    " SELECT 'hosp' || (1 + x % 4), 1, 1 + x / 4, 'e' || x, 'report',"
    " 1760000000000 + x * 1000, 'p' || (x % 5000), 'D' || (x % 1000),"
    " 'E0505', 'application/json', x'7b7d' FROM n;"
    "INSERT INTO signals(id, plan, product_code, event_code, method,"
    " statistic, threshold, observed, expected, ts_event, source, epoch, seq,"
    " params, rules, plans, generation)"
    " SELECT x, 'p' || (x % 4), 'D' || x, 'E0505', 'maxsprt-poisson',"
    " 4.0, 3.0, 9, 3.0, 1760000000000 + x * 10000, 'hosp1', 1, x, '{}', 'r',"
    " 's', 0 FROM n WHERE x <= 100000;"
    "INSERT INTO alerts(id, signal_id, status, opened, updated, by, reason)"
    " SELECT x / 10, x, 'new', 1760000000000, 1760000000000, '', ''"
    " FROM n WHERE x <= 100000 AND x % 10 = 0;"
    "INSERT INTO alert_log(alert_id, n, ts, from_status, to_status, by,"
    " reason) SELECT id, 1, opened, '', 'new', 'engine', 'signal'"
    " FROM alerts;"
    "INSERT INTO plan_cells(plan, device, event, observed, expected,"
    " exposures, comp_events, comp_exposures, statistic, threshold, status,"
    " generation, last_ts, state) SELECT 'p' || (x % 4), 'D' || x, 'E0505',"
    " 3, 1.0, 100, 0, 0, 1.0, 3.0, 'watching', 0, 1760000000000 + x, x''"
    " FROM n WHERE x <= 10000;"
    "INSERT INTO plan_series(plan, device, event, n, ts, observed, expected,"
    " statistic, threshold) SELECT 'p1', 'D1', 'E0505', x,"
    " 1760000000000 + x * 1000, x, x * 0.5, 1.0, 3.0 FROM n WHERE x <= 1000;"
    "COMMIT;";

static const char *const s_paths[] = {
    "/healthz",
    "/api/signals",
    "/api/signals?after_id=99000&limit=1000",
    "/api/signals?device=D500",
    "/api/signals/50000",
    "/api/cells",
    "/api/cells/p1/D1/E0505/series",
    "/api/alerts",
    "/api/sources",
    "/api/audit",
    "/api/plans",
    "/metrics",
};

/* One GET on a new connection, read to close: status, or -1. */
static int s_get(int port, const char *path)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    static char buf[1 << 16];
    int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        int n = snprintf(buf, sizeof buf, "GET %s HTTP/1.0\r\n\r\n", path);
        ssize_t k, got = 0;
        if (write(fd, buf, (size_t)n) == n)
            while ((k = read(fd, buf + (got ? 64 : 0), sizeof buf - 64)) > 0)
                got += k;
        if (got > 12)
            sscanf(buf, "HTTP/1.%*d %d", &status);
    }
    close(fd);
    return status;
}

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void s_row(int port, const char *path, int n)
{
    int64_t *us = malloc(sizeof *us * (size_t)n);
    int bad = 0;
    s_get(port, path); /* warm the pool and the page cache */
    for (int i = 0; i < n; i++) {
        int64_t t0 = ds_mono_us();
        bad += s_get(port, path) != 200;
        us[i] = ds_mono_us() - t0;
    }
    qsort(us, (size_t)n, sizeof *us, s_cmp);
    printf("%-42s %6d %5d %9.3f %9.3f %9.3f\n", path, n, bad, us[n / 2] / 1e3,
           us[(n * 99 + 99) / 100 - 1] / 1e3, us[n - 1] / 1e3);
    free(us);
}

/* Read fd into buf[*got..] (kept NUL-terminated: the stream is text)
 * until `needle` shows up or 5 s pass. */
static bool s_read_until(int fd, char *buf, size_t cap, size_t *got,
                         const char *needle)
{
    int64_t end = ds_mono_ms() + 5000;
    buf[*got] = '\0';
    while (!strstr(buf, needle)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t left = end - ds_mono_ms();
        if (left <= 0 || poll(&p, 1, (int)left) != 1)
            return false;
        if (*got + 1024 > cap) { /* keep the tail only */
            memmove(buf, buf + *got - 64, 64);
            *got = 64;
        }
        ssize_t k = read(fd, buf + *got, cap - 1 - *got);
        if (k <= 0)
            return false;
        *got += (size_t)k;
        buf[*got] = '\0';
    }
    return true;
}

/* Commit to dashboard: a client holds /api/stream open; each round
 * commits one new signal (its own transaction, as the engine's batch)
 * and times until the stream delivers it. The signals are deleted after.
 * Target (issue 9): a new signal reaches an open dashboard < 1 s after
 * its commit. */
static void s_stream_row(int port, const char *dbpath, int n)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    static char buf[1 << 16];
    const char req[] = "GET /api/stream HTTP/1.0\r\n\r\n";
    int64_t *us = malloc(sizeof *us * (size_t)n);
    int fd = socket(AF_INET, SOCK_STREAM, 0), got_n = 0;
    sqlite3 *db = NULL;
    size_t got = 0;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (us && connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1) &&
        s_read_until(fd, buf, sizeof buf, &got, "\r\n\r\n") &&
        sqlite3_open(dbpath, &db) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        for (int i = 0; i < n; i++) {
            char sql[512], id[32];
            snprintf(sql, sizeof sql,
                     "INSERT INTO signals(plan, product_code, event_code,"
                     " method, statistic, threshold, observed, expected,"
                     " ts_event, source, epoch, seq, params) VALUES("
                     "'sse-bench', 'S%d', 'E0505', 'maxsprt-poisson', 4, 3,"
                     " 9, 3, 1760000000000, 'hosp1', 1, %d, '{}')",
                     i, i + 1);
            if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                break;
            int64_t t0 = ds_mono_us();
            snprintf(id, sizeof id, "\nid: %lld\n",
                     (long long)sqlite3_last_insert_rowid(db));
            if (!s_read_until(fd, buf, sizeof buf, &got, id))
                break;
            us[got_n++] = ds_mono_us() - t0;
        }
        sqlite3_exec(db, "DELETE FROM signals WHERE plan = 'sse-bench'", NULL,
                     NULL, NULL);
    }
    sqlite3_close(db);
    close(fd);
    if (got_n > 0) {
        qsort(us, (size_t)got_n, sizeof *us, s_cmp);
        printf("%-42s %6d %5d %9.3f %9.3f %9.3f\n",
               "commit -> /api/stream (target < 1000 ms)", got_n, n - got_n,
               us[got_n / 2] / 1e3, us[(got_n * 99 + 99) / 100 - 1] / 1e3,
               us[got_n - 1] / 1e3);
    } else {
        printf("%-42s (no signal arrived on the stream)\n",
               "commit -> /api/stream");
    }
    free(us);
}

static int s_store(const char *path)
{
    struct ds_diag d;
    ds_diag_clear(&d);
    eng_store_t *st = eng_store_open(path, false, &d);
    if (!st) {
        fprintf(stderr, "bench_http: %s\n", d.msg);
        return -1;
    }
    sqlite3 *db = eng_store_db(st);
    sqlite3_stmt *q;
    int have = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM signals", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    int64_t t0 = ds_mono_ms();
    char *err = NULL;
    int rc = have == 100000 ? SQLITE_OK
                            : sqlite3_exec(db, s_build, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "bench_http: build: %s\n", err ? err : "?");
    else if (have != 100000)
        printf("# store built in %.1f s: 1,000,000 events, 100,000 "
               "signals\n",
               (ds_mono_ms() - t0) / 1e3);
    sqlite3_free(err);
    eng_store_destroy(&st);
    return rc == SQLITE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    char path[512];
    const char *env = getenv("BENCH_HTTP_N");
    const char *only = getenv("BENCH_HTTP_ONLY");
    int n = env ? atoi(env) : 200;
    snprintf(path, sizeof path, "%s/bench_http.db",
             argc > 1 ? argv[1] : "/tmp");
    if (n < 1 || s_store(path) != 0)
        return 1;
    struct eng_config cfg;
    struct ds_diag d;
    eng_http_t *h = NULL;
    eng_config_defaults(&cfg);
    snprintf(cfg.store.path, sizeof cfg.store.path, "%s", path);
    snprintf(cfg.http.listen, sizeof cfg.http.listen, "127.0.0.1:0");
    ds_diag_clear(&d);
    if (eng_http_start(&h, &cfg, &d) != 0) {
        fprintf(stderr, "bench_http: %s\n", d.msg);
        return 1;
    }
    printf("%-42s %6s %5s %9s %9s %9s\n", "endpoint (100k signals, 1M events)",
           "n", "!200", "p50 ms", "p99 ms", "max ms");
    for (size_t i = 0; i < sizeof s_paths / sizeof s_paths[0]; i++)
        if (!only || strstr(s_paths[i], only))
            s_row(eng_http_port(h), s_paths[i], n);
    if (!only || strstr("/api/stream", only))
        s_stream_row(eng_http_port(h), path, n < 50 ? n : 50);
    eng_http_stop(&h);
    return 0;
}
