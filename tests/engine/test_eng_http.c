/*
 * test_eng_http.c - the HTTP API as a client sees it: a fixture store
 * (the real schema via eng_store_open, rows inserted with SQL), the server
 * on 127.0.0.1 port 0, and a minimal HTTP/1.0 client over a socket (send,
 * read to close). Every endpoint's status, content type and JSON fields
 * are checked against the fixture rows (parsed with jansson); the event
 * stream must deliver a signal inserted after connecting within 1 s;
 * /metrics must be well-formed exposition text (and pass `promtool check
 * metrics` when promtool is installed).
 */
#include "devsurv/eng_http.h"
#include "devsurv/eng_http_url.h"
#include "devsurv/eng_store.h"
#include "devsurv/ds_clock.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-http-XXXXXX";
static char s_db[256], s_static[256];
static eng_store_t *s_store; /* the writer, kept open (WAL) */
static eng_http_t *s_http;

static const char s_fixture[] =
    "INSERT INTO sources(source, epoch, committed) VALUES('hospA', 7, 3);"
    "INSERT INTO events(source, epoch, seq, id, kind, ts_event, patient,"
    " product_code, event_code, content_type, payload) VALUES"
    " ('hospA', 7, 1, 'e1', 'report', 1767876000000, 'p', 'MGB', 'E0505',"
    "  'application/json', x'7b7d'),"
    " ('hospA', 7, 2, 'e2', 'report', 1767876480000, 'p', 'MGB', 'E0505',"
    "  'application/json', x'7b7d');"
    "INSERT INTO quarantine(source, epoch, seq, code, reason, content_type,"
    " payload) VALUES('hospA', 7, 3, 'DS_EPARSE', 'bad', 'x', x'00');"
    "INSERT INTO discontinuities(source, epoch, prev_epoch, prev_committed,"
    " ts_event) VALUES('hospA', 7, 6, 10, 1767876000000);"
    "INSERT INTO signals(id, plan, product_code, event_code, method,"
    " statistic, threshold, observed, expected, ts_event, source, epoch, seq,"
    " params, rules, plans, generation) VALUES"
    " (1, '', 'LZG', 'E1205', 'maxsprt-poisson', 4.5, 3.6, 9, 3.0,"
    "  1767800000000, 'hospA', 7, 1, '{}', '', '', 0),"
    " (2, 'p1', 'MGB', 'E0505', 'maxsprt-poisson', 3.25, 3.0, 6, 1.5,"
    "  1767876480000, 'hospA', 7, 2, '{}', 'r1', 's1', 0),"
    " (3, 'p1', 'MGB', 'E0506', 'cusum-bernoulli', 5.0, 3.0, 7, 2.0,"
    "  1767900000000, 'hospA', 7, 2, '{}', 'r1', 's1', 0);"
    "INSERT INTO alerts(id, signal_id, status, opened, updated, by, reason)"
    " VALUES(1, 2, 'acknowledged', 1767876480000, 1767880000000, 'dr.x',"
    " 'looking');"
    "INSERT INTO alert_log(alert_id, n, ts, from_status, to_status, by,"
    " reason) VALUES(1, 1, 1767876480000, '', 'new', 'engine', 'signal'),"
    " (1, 2, 1767880000000, 'new', 'acknowledged', 'dr.x', 'looking');"
    "INSERT INTO plan_cells(plan, device, event, observed, expected,"
    " exposures, comp_events, comp_exposures, statistic, threshold, status,"
    " generation, last_ts, state) VALUES"
    " ('p1', 'MGB', 'E0505', 6, 1.5, 100, 0, 0, 3.25, 3.0, 'signalled', 0,"
    "  1767876480000, x''),"
    " ('p1', 'A/B', 'E0505', 1, 1.0, 10, 0, 0, 0.0, 3.0, 'watching', 0,"
    "  1767800000000, x'');"
    "INSERT INTO plan_series(plan, device, event, n, ts, observed, expected,"
    " statistic, threshold) VALUES"
    " ('p1', 'MGB', 'E0505', 1, 1767876000000, 5, 1.2, 2.0, 3.0),"
    " ('p1', 'MGB', 'E0505', 2, 1767876480000, 6, 1.5, 3.25, 3.0),"
    " ('p1', 'MGB', 'E0505', 3, 1767877000000, 6, 1.6, 3.1, 3.0);"
    "INSERT INTO cells(product_code, event_code, observed, expected, llr,"
    " status, last_ts) VALUES('LZG', 'E1205', 9, 3.0, 4.5, 'signalled',"
    " 1767800000000);"
    "INSERT INTO exposures(product_code, n, last_ts)"
    " VALUES('LZG', 300, 1767800000000);"
    "INSERT INTO rulesets(sha256, kind, files, ts)"
    " VALUES('s1', 'plans', 'p1.plan', 0);";

/* ---- a minimal HTTP/1.0 client ---- */

struct s_resp {
    int status;
    char head[4096]; /* status line and headers */
    char *body;
    size_t n;
};

static int s_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int s_send(int fd, const char *method, const char *path,
                  const char *extra)
{
    char req[2048];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: t\r\n%s\r\n",
                     method, path, extra ? extra : "");
    return write(fd, req, (size_t)n) == n ? 0 : -1;
}

/* One request on a new connection, read to close. */
static void s_req(int port, const char *method, const char *path,
                  const char *extra, struct s_resp *r)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    memset(r, 0, sizeof *r);
    int fd = s_connect(port);
    if (fd < 0 || s_send(fd, method, path, extra) != 0) {
        r->status = -1;
        free(buf);
        if (fd >= 0)
            close(fd);
        return;
    }
    ssize_t k;
    while ((k = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)k;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                break;
            buf = grown;
        }
    }
    close(fd);
    buf[len] = '\0';
    char *sep = strstr(buf, "\r\n\r\n");
    size_t hn = sep ? (size_t)(sep - buf) : len;
    snprintf(r->head, sizeof r->head, "%.*s", (int)hn, buf);
    r->status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &r->status);
    r->n = sep ? len - hn - 4 : 0;
    r->body = malloc(r->n + 1);
    memcpy(r->body, sep ? sep + 4 : "", r->n);
    r->body[r->n] = '\0';
    free(buf);
}

static void s_free(struct s_resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* GET path, expect status and JSON; the parsed body (caller decrefs). */
static json_t *s_get_json(int port, const char *path, const char *extra,
                          int *status)
{
    struct s_resp r;
    s_req(port, "GET", path, extra, &r);
    *status = r.status;
    json_t *j = NULL;
    if (strstr(r.head, "Content-Type: application/json; charset=utf-8"))
        j = json_loadb(r.body, r.n, 0, NULL);
    s_free(&r);
    return j;
}

static int s_port(void)
{
    return eng_http_port(s_http);
}

#define JINT(o, k)  json_integer_value(json_object_get((o), (k)))
#define JREAL(o, k) json_number_value(json_object_get((o), (k)))
#define JSTR(o, k)  json_string_value(json_object_get((o), (k)))

/* ---- setup ---- */

static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int s_setup(void)
{
    struct ds_diag d;
    char p[700];
    if (!mkdtemp(s_dir))
        return -1;
    snprintf(s_db, sizeof s_db, "%s/store.db", s_dir);
    snprintf(s_static, sizeof s_static, "%s/dash", s_dir);
    mkdir(s_static, 0700);
    snprintf(p, sizeof p, "%s/index.html", s_static);
    s_write(p, "<!doctype html><title>devsurv</title>\n");
    snprintf(p, sizeof p, "%s/static", s_static);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/static/app.js", s_static);
    s_write(p, "console.log(1);\n");
    snprintf(p, sizeof p, "%s/secret.txt", s_dir);
    s_write(p, "secret\n");
    ds_diag_clear(&d);
    s_store = eng_store_open(s_db, false, &d);
    if (!s_store || sqlite3_exec(eng_store_db(s_store), s_fixture, NULL, NULL,
                                 NULL) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s %s\n", d.msg,
                s_store ? sqlite3_errmsg(eng_store_db(s_store)) : "");
        return -1;
    }
    return 0;
}

static void s_cfg(struct eng_config *cfg, const char *listen)
{
    eng_config_defaults(cfg);
    snprintf(cfg->store.path, sizeof cfg->store.path, "%s", s_db);
    snprintf(cfg->http.listen, sizeof cfg->http.listen, "%s", listen);
    snprintf(cfg->http.static_dir, sizeof cfg->http.static_dir, "%s", s_static);
}

/* ---- tests ---- */

TEST(url_helpers)
{
    char host[64], out[64], rel[64];
    int port = -1;
    CHECK_INT(eng_http_listen_parse("127.0.0.1:8080", host, 64, &port), 0);
    CHECK_STR(host, "127.0.0.1");
    CHECK_INT(port, 8080);
    CHECK_INT(eng_http_listen_parse("[::1]:0", host, 64, &port), 0);
    CHECK_STR(host, "::1");
    CHECK_INT(port, 0);
    CHECK_INT(eng_http_listen_parse("::1:80", host, 64, &port), DS_ECONFIG);
    CHECK_INT(eng_http_listen_parse("h:70000", host, 64, &port), DS_ECONFIG);
    CHECK_INT(eng_http_listen_parse(":80", host, 64, &port), DS_ECONFIG);
    CHECK(eng_http_is_loopback("127.0.0.2"));
    CHECK(eng_http_is_loopback("localhost"));
    CHECK(!eng_http_is_loopback("0.0.0.0"));
    CHECK(!eng_http_is_loopback("127.evil.com"));
    CHECK_INT(eng_http_pct_decode("a%2Fb+c", 7, out, 64, true), 5);
    CHECK_STR(out, "a/b c");
    CHECK_INT(eng_http_pct_decode("%00", 3, out, 64, false), -1);
    CHECK_INT(eng_http_pct_decode("%4", 2, out, 64, false), -1);
    CHECK_INT(eng_http_static_rel("/", rel, 64), 0);
    CHECK_STR(rel, "index.html");
    CHECK_INT(eng_http_static_rel("/static/a/b.js", rel, 64), 0);
    CHECK_STR(rel, "a/b.js");
    CHECK_INT(eng_http_static_rel("/static/../x", rel, 64), DS_ENOTFOUND);
    CHECK_INT(eng_http_static_rel("/static/a/.hidden", rel, 64), DS_ENOTFOUND);
    CHECK_INT(eng_http_static_rel("/static/", rel, 64), DS_ENOTFOUND);
    CHECK_INT(eng_http_static_rel("/etc/passwd", rel, 64), DS_ENOTFOUND);
    CHECK_STR(eng_http_mime("x.svg"), "image/svg+xml");
}

TEST(refuses_bad_listen)
{
    struct eng_config cfg;
    struct ds_diag d;
    eng_http_t *h = NULL;
    ds_diag_clear(&d);
    s_cfg(&cfg, "0.0.0.0:0");
    CHECK_INT(eng_http_start(&h, &cfg, &d), DS_ECONFIG);
    CHECK(h == NULL);
    CHECK_HAS(d.msg, "not a loopback address");
    CHECK_HAS(d.msg, "http.token_file");
    s_cfg(&cfg, "nonsense");
    CHECK_INT(eng_http_start(&h, &cfg, &d), DS_ECONFIG);
    s_cfg(&cfg, "");
    CHECK_INT(eng_http_start(&h, &cfg, &d), 0);
    CHECK(h == NULL); /* off */
    CHECK_INT(eng_http_port(h), 0);
}

TEST(healthz)
{
    int st;
    json_t *j = s_get_json(s_port(), "/healthz", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(j);
    CHECK_STR(JSTR(j, "status"), "ok");
    CHECK_STR(JSTR(j, "db"), "ok");
    json_decref(j);
}

TEST(signals_list)
{
    int st;
    json_t *j = s_get_json(s_port(), "/api/signals", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(j);
    json_t *a = json_object_get(j, "signals");
    CHECK_INT(json_array_size(a), 3);
    CHECK_INT(JINT(json_array_get(a, 0), "id"), 3); /* newest first */
    json_t *s = json_array_get(a, 1);
    CHECK_INT(JINT(s, "id"), 2);
    CHECK_STR(JSTR(s, "plan"), "p1");
    CHECK_STR(JSTR(s, "device"), "MGB");
    CHECK_STR(JSTR(s, "event"), "E0505");
    CHECK_STR(JSTR(s, "method"), "maxsprt-poisson");
    CHECK_NEAR(JREAL(s, "statistic"), 3.25, 0);
    CHECK_NEAR(JREAL(s, "threshold"), 3.0, 0);
    CHECK_INT(JINT(s, "observed"), 6);
    CHECK_NEAR(JREAL(s, "expected"), 1.5, 0);
    CHECK_INT(JINT(s, "ts"), 1767876480000);
    CHECK_STR(JSTR(s, "time"), "2026-01-08T12:48:00Z");
    CHECK_STR(JSTR(s, "source"), "hospA");
    CHECK_INT(JINT(s, "epoch"), 7);
    CHECK_INT(JINT(s, "seq"), 2);
    CHECK_STR(JSTR(s, "rules"), "r1");
    CHECK_STR(JSTR(s, "plans"), "s1");
    CHECK_INT(JINT(s, "generation"), 0);
    json_t *al = json_object_get(s, "alert");
    CHECK_STR(JSTR(al, "status"), "acknowledged");
    CHECK_STR(JSTR(al, "by"), "dr.x");
    CHECK_INT(JINT(al, "updated"), 1767880000000);
    CHECK(json_is_null(json_object_get(json_array_get(a, 0), "alert")));
    CHECK_INT(JINT(j, "next_after_id"), 3);
    json_decref(j);
}

TEST(signals_filters_and_paging)
{
    int st;
    json_t *j = s_get_json(s_port(), "/api/signals?device=LZG", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "signals")), 1);
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?status=none&plan=p1", NULL, &st);
    json_t *a = json_object_get(j, "signals");
    CHECK_INT(json_array_size(a), 1);
    CHECK_INT(JINT(json_array_get(a, 0), "id"), 3);
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?method=cusum%2Dbernoulli", NULL,
                   &st);
    CHECK_INT(json_array_size(json_object_get(j, "signals")), 1);
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?after_id=1", NULL, &st);
    a = json_object_get(j, "signals");
    CHECK_INT(json_array_size(a), 2);
    CHECK_INT(JINT(json_array_get(a, 0), "id"), 2); /* oldest first */
    CHECK_INT(JINT(j, "next_after_id"), 3);
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?after_id=3", NULL, &st);
    CHECK(json_is_null(json_object_get(j, "next_after_id")));
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?limit=1&before_id=3", NULL, &st);
    a = json_object_get(j, "signals");
    CHECK_INT(json_array_size(a), 1);
    CHECK_INT(JINT(json_array_get(a, 0), "id"), 2);
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?limit=abc", NULL, &st);
    CHECK_INT(st, 400);
    CHECK(JSTR(j, "error"));
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals?limit=999999", NULL, &st);
    CHECK_INT(st, 200); /* clamped to 1000 */
    json_decref(j);
}

TEST(signal_one_with_lineage)
{
    int st;
    json_t *j = s_get_json(s_port(), "/api/signals/2", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(JINT(j, "id"), 2);
    CHECK_STR(JSTR(j, "device"), "MGB");
    json_t *lin = json_object_get(j, "lineage");
    CHECK(json_is_object(lin));
    CHECK_INT(JINT(lin, "signal"), 2);
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals/999", NULL, &st);
    CHECK_INT(st, 404);
    CHECK(JSTR(j, "error"));
    json_decref(j);
    j = s_get_json(s_port(), "/api/signals/x1", NULL, &st);
    CHECK_INT(st, 404);
    json_decref(j);
}

TEST(cells)
{
    int st;
    json_t *j = s_get_json(s_port(), "/api/cells", NULL, &st);
    CHECK_INT(st, 200);
    json_t *a = json_object_get(j, "cells");
    CHECK_INT(json_array_size(a), 3);
    json_t *c = json_array_get(a, 0); /* newest change first */
    CHECK_STR(JSTR(c, "plan"), "p1");
    CHECK_STR(JSTR(c, "device"), "MGB");
    CHECK_INT(JINT(c, "exposures"), 100);
    CHECK_STR(JSTR(c, "status"), "signalled");
    CHECK_STR(JSTR(c, "time"), "2026-01-08T12:48:00Z");
    json_decref(j);
    j = s_get_json(s_port(), "/api/cells?plan=&device=LZG", NULL, &st);
    a = json_object_get(j, "cells");
    CHECK_INT(json_array_size(a), 1);
    c = json_array_get(a, 0);
    CHECK_STR(JSTR(c, "plan"), ""); /* the coded-outcome cells */
    CHECK_INT(JINT(c, "exposures"), 300);
    CHECK(json_is_null(json_object_get(c, "threshold")));
    json_decref(j);
    j = s_get_json(s_port(), "/api/cells?status=watching", NULL, &st);
    CHECK_INT(json_array_size(json_object_get(j, "cells")), 1);
    json_decref(j);
}

TEST(series)
{
    int st;
    json_t *j =
        s_get_json(s_port(), "/api/cells/p1/MGB/E0505/series", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(JSTR(j, "plan"), "p1");
    json_t *p = json_object_get(j, "points");
    CHECK_INT(json_array_size(p), 3);
    CHECK_INT(JINT(json_array_get(p, 0), "ts"), 1767876000000);
    CHECK_NEAR(JREAL(json_array_get(p, 2), "expected"), 1.6, 0);
    json_t *s = json_object_get(j, "signals");
    CHECK_INT(json_array_size(s), 1);
    CHECK_INT(JINT(json_array_get(s, 0), "id"), 2);
    json_decref(j);
    j = s_get_json(s_port(), "/api/cells/p1/MGB/E0505/series?limit=2", NULL,
                   &st);
    p = json_object_get(j, "points");
    CHECK_INT(json_array_size(p), 2); /* the last two, in order */
    CHECK_INT(JINT(json_array_get(p, 0), "ts"), 1767876480000);
    json_decref(j);
    j = s_get_json(s_port(), "/api/cells/p1/A%2FB/E0505/series", NULL, &st);
    CHECK_INT(st, 200); /* an encoded '/' stays inside its segment */
    CHECK_STR(JSTR(j, "device"), "A/B");
    json_decref(j);
    j = s_get_json(s_port(), "/api/cells/p1/NOPE/E0505/series", NULL, &st);
    CHECK_INT(st, 404);
    json_decref(j);
}

TEST(alerts)
{
    int st;
    json_t *j = s_get_json(s_port(), "/api/alerts", NULL, &st);
    CHECK_INT(st, 200);
    json_t *a = json_object_get(j, "alerts");
    CHECK_INT(json_array_size(a), 1);
    json_t *al = json_array_get(a, 0);
    CHECK_INT(JINT(al, "signal_id"), 2);
    CHECK_STR(JSTR(al, "reason"), "looking");
    json_t *log = json_object_get(al, "log");
    CHECK_INT(json_array_size(log), 2);
    CHECK_STR(JSTR(json_array_get(log, 1), "from"), "new");
    CHECK_STR(JSTR(json_array_get(log, 1), "to"), "acknowledged");
    CHECK_STR(JSTR(json_array_get(log, 1), "time"), "2026-01-08T13:46:40Z");
    json_decref(j);
    j = s_get_json(s_port(), "/api/alerts?status=closed", NULL, &st);
    CHECK_INT(json_array_size(json_object_get(j, "alerts")), 0);
    json_decref(j);
}

TEST(sources_and_engine_counters)
{
    int st;
    json_t *j = s_get_json(s_port(), "/api/sources", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_null(json_object_get(j, "ingest"))); /* not reported yet */
    json_t *s = json_array_get(json_object_get(j, "sources"), 0);
    CHECK_STR(JSTR(s, "source"), "hospA");
    CHECK_INT(JINT(s, "epoch"), 7);
    CHECK_INT(JINT(s, "committed"), 3);
    CHECK_INT(JINT(s, "events"), 2);
    CHECK_INT(JINT(s, "quarantined"), 1);
    CHECK_INT(JINT(s, "last_ts"), 1767876480000);
    CHECK_INT(JINT(s, "discontinuities"), 1);
    json_decref(j);
    struct eng_http_stats hs = {
        .ingest = {.duplicates = 5, .gaps = 2, .resends = 1}};
    eng_http_set_stats(s_http, &hs);
    j = s_get_json(s_port(), "/api/sources", NULL, &st);
    json_t *in = json_object_get(j, "ingest");
    CHECK_INT(JINT(in, "duplicates"), 5);
    CHECK_INT(JINT(in, "gaps"), 2);
    CHECK_INT(JINT(in, "resends"), 1);
    json_decref(j);
}

/* Poll /api/audit until verification is no longer pending. */
static json_t *s_audit_done(int port)
{
    int64_t until = ds_mono_ms() + 10000;
    while (ds_mono_ms() < until) {
        int st;
        json_t *j = s_get_json(port, "/api/audit", NULL, &st);
        const char *v = JSTR(json_object_get(j, "verify"), "status");
        if (st == 200 && v && strcmp(v, "pending") != 0)
            return j;
        json_decref(j);
        poll(NULL, 0, 20);
    }
    return NULL;
}

TEST(audit_and_plans)
{
    int st;
    json_t *j = s_audit_done(s_port());
    CHECK(j);
    CHECK_INT(JINT(j, "entries"), 0);
    CHECK_INT(JINT(j, "checkpoints"), 0);
    CHECK(json_is_null(json_object_get(j, "last_checkpoint")));
    json_t *v = json_object_get(j, "verify");
    CHECK_STR(JSTR(v, "status"), "ok");
    CHECK(JSTR(v, "checked_at"));
    json_decref(j);
    j = s_get_json(s_port(), "/api/plans", NULL, &st);
    CHECK_INT(st, 200);
    json_t *p = json_array_get(json_object_get(j, "plans"), 0);
    CHECK_STR(JSTR(p, "id"), "p1");
    CHECK_INT(JINT(p, "cells"), 2);
    CHECK_INT(JINT(p, "signals"), 2);
    CHECK_STR(JSTR(p, "sha256"), "s1");
    json_t *rs = json_array_get(json_object_get(j, "rulesets"), 0);
    CHECK_STR(JSTR(rs, "kind"), "plans");
    json_decref(j);
}

TEST(static_files)
{
    struct s_resp r;
    s_req(s_port(), "GET", "/", NULL, &r);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.head, "Content-Type: text/html; charset=utf-8");
    CHECK_STR(r.body, "<!doctype html><title>devsurv</title>\n");
    s_free(&r);
    s_req(s_port(), "GET", "/static/app.js", NULL, &r);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.head, "Content-Type: application/javascript");
    CHECK_STR(r.body, "console.log(1);\n");
    s_free(&r);
    static const char *const bad[] = {
        "/static/../secret.txt",   "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt", "/static/",
        "/../secret.txt",          "/static/nope.js"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_req(s_port(), "GET", bad[i], NULL, &r);
        int status = r.status;
        bool leaked = r.body && strstr(r.body, "secret\n");
        s_free(&r);
        CHECK_INT(status, 404);
        CHECK(!leaked);
    }
}

TEST(methods_and_unknown_paths)
{
    struct s_resp r;
    s_req(s_port(), "POST", "/api/signals", "Content-Length: 0\r\n", &r);
    CHECK_INT(r.status, 405);
    CHECK_HAS(r.head, "Allow: GET, HEAD");
    s_free(&r);
    s_req(s_port(), "DELETE", "/api/alerts", NULL, &r);
    CHECK_INT(r.status, 405);
    s_free(&r);
    s_req(s_port(), "HEAD", "/api/signals", NULL, &r);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.head, "application/json");
    CHECK_INT(r.n, 0);
    s_free(&r);
    int st;
    json_t *j = s_get_json(s_port(), "/api/nope", NULL, &st);
    CHECK_INT(st, 404);
    CHECK(JSTR(j, "error"));
    json_decref(j);
    j = s_get_json(s_port(), "/nope", NULL, &st);
    CHECK_INT(st, 404);
    json_decref(j);
}

TEST(bearer_token)
{
    struct eng_config cfg;
    struct ds_diag d;
    eng_http_t *h = NULL;
    char tf[300];
    snprintf(tf, sizeof tf, "%s/token", s_dir);
    s_write(tf, "s3cret-Token\n");
    s_cfg(&cfg, "127.0.0.1:0");
    snprintf(cfg.http.token_file, sizeof cfg.http.token_file, "%s", tf);
    ds_diag_clear(&d);
    CHECK_INT(eng_http_start(&h, &cfg, &d), 0);
    int port = eng_http_port(h), st;
    struct s_resp r;
    s_req(port, "GET", "/api/signals", NULL, &r);
    bool www = strstr(r.head, "WWW-Authenticate: Bearer") != NULL;
    st = r.status;
    s_free(&r);
    json_t *wrong = s_get_json(port, "/api/signals",
                               "Authorization: Bearer s3cret-Tokex\r\n", &st);
    int st_wrong = st;
    json_t *right = s_get_json(port, "/api/signals",
                               "Authorization: Bearer s3cret-Token\r\n", &st);
    int st_right = st;
    json_t *q =
        s_get_json(port, "/api/sources?access_token=s3cret-Token", NULL, &st);
    int st_query = st;
    json_t *hz = s_get_json(port, "/healthz", NULL, &st);
    int st_hz = st;
    s_req(port, "GET", "/", NULL, &r);
    int st_static = r.status; /* the page itself is code, not data */
    s_free(&r);
    s_req(port, "GET", "/metrics", NULL, &r);
    int st_metrics = r.status;
    s_free(&r);
    eng_http_stop(&h);
    CHECK(h == NULL);
    CHECK(www);
    CHECK_INT(st_wrong, 401);
    CHECK(JSTR(wrong, "error"));
    CHECK_INT(st_right, 200);
    CHECK_INT(json_array_size(json_object_get(right, "signals")), 3);
    CHECK_INT(st_query, 200);
    CHECK(q);
    CHECK_INT(st_hz, 200);
    CHECK(hz);
    CHECK_INT(st_static, 200);
    CHECK_INT(st_metrics, 401);
    json_decref(wrong);
    json_decref(right);
    json_decref(q);
    json_decref(hz);
    /* non-loopback is accepted with a token */
    s_cfg(&cfg, "0.0.0.0:0");
    snprintf(cfg.http.token_file, sizeof cfg.http.token_file, "%s", tf);
    CHECK_INT(eng_http_start(&h, &cfg, &d), 0);
    eng_http_stop(&h);
    snprintf(cfg.http.token_file, sizeof cfg.http.token_file, "%s/none", s_dir);
    CHECK_INT(eng_http_start(&h, &cfg, &d), DS_EIO);
}

/* Read from fd until buf holds want, or timeout_ms passes. */
static bool s_read_until(int fd, char *buf, size_t cap, size_t *len,
                         const char *want, int timeout_ms)
{
    int64_t until = ds_mono_ms() + timeout_ms;
    while (!strstr(buf, want)) {
        int left = (int)(until - ds_mono_ms());
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return false;
        ssize_t k = read(fd, buf + *len, cap - *len - 1);
        if (k <= 0)
            return false;
        *len += (size_t)k;
        buf[*len] = '\0';
    }
    return true;
}

TEST(event_stream)
{
    static char buf[1 << 16];
    size_t len = 0;
    buf[0] = '\0';
    int fd = s_connect(s_port());
    CHECK(fd >= 0);
    CHECK(s_send(fd, "GET", "/api/stream", NULL) == 0);
    bool hello = s_read_until(fd, buf, sizeof buf, &len, "event: health", 3000);
    bool ctype = strstr(buf, "Content-Type: text/event-stream") != NULL;
    int64_t t0 = ds_mono_ms();
    int rc = sqlite3_exec(
        eng_store_db(s_store),
        "INSERT INTO signals(id, plan, product_code, event_code, method,"
        " statistic, threshold, observed, expected, ts_event, source, epoch,"
        " seq, params) VALUES(4, 'p1', 'MGB', 'E0513', 'maxsprt-poisson', 9,"
        " 3, 9, 2, 1767990000000, 'hospA', 7, 2, '{}')",
        NULL, NULL, NULL);
    bool got =
        s_read_until(fd, buf, sizeof buf, &len, "id: 4\nevent: signal\n", 2000);
    int64_t dt = ds_mono_ms() - t0;
    bool data = s_read_until(fd, buf, sizeof buf, &len, "\"E0513\"", 500);
    close(fd);
    CHECK(hello);
    CHECK(ctype);
    CHECK_INT(rc, SQLITE_OK);
    CHECK(got);
    CHECK(data);
    CHECK(strstr(buf, "id: 3\n") == NULL); /* only signals after connect */
    printf("# stream: signal delivered %lld ms after its commit\n",
           (long long)dt);
    CHECK(dt < 1000);
    /* resume after id 3 with Last-Event-ID: signal 4 comes first */
    len = 0;
    buf[0] = '\0';
    fd = s_connect(s_port());
    s_send(fd, "GET", "/api/stream", "Last-Event-ID: 3\r\n");
    got = s_read_until(fd, buf, sizeof buf, &len, "id: 4\n", 2000);
    close(fd);
    CHECK(got);
}

/* Every line a comment or `name{labels} value`; buckets monotone and
 * ending in +Inf == _count; _sum present. */
static const char *s_metrics_bad(char *text)
{
    double last = -1;
    char prev_name[128] = "";
    bool have_sum = false, have_count = false;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char name[128], rest[256];
        double v;
        if (strncmp(line, "# HELP ", 7) == 0 ||
            strncmp(line, "# TYPE ", 7) == 0)
            continue;
        if (sscanf(line, "%127[a-zA-Z0-9_:]%255[^ ] %lf", name, rest, &v) !=
                3 &&
            sscanf(line, "%127[a-zA-Z0-9_:] %lf", name, &v) != 2)
            return line;
        if (strstr(name, "_bucket")) {
            if (strcmp(name, prev_name) == 0 && v < last)
                return "bucket counts decrease";
            last = v;
        } else {
            last = -1;
        }
        snprintf(prev_name, sizeof prev_name, "%s", name);
        have_sum |= strcmp(name, "devsurv_stage_latency_seconds_sum") == 0;
        have_count |= strcmp(name, "devsurv_stage_latency_seconds_count") == 0;
    }
    return have_sum && have_count ? NULL : "histogram _sum/_count missing";
}

TEST(metrics)
{
    struct eng_http_stats hs = {.pipe = {.events = 2}};
    eng_http_hist_add(&hs.stage[0], "commit", 300);
    eng_http_hist_add(&hs.stage[0], "commit", 30000);
    eng_http_hist_add(&hs.stage[0], "commit", 9000000);
    eng_http_set_stats(s_http, &hs);
    struct s_resp r;
    s_req(s_port(), "GET", "/metrics", NULL, &r);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.head, "Content-Type: text/plain; version=0.0.4");
    CHECK_HAS(r.body, "\ndevsurv_events_total 2\n");
    CHECK_HAS(r.body, "\ndevsurv_quarantined_total 1\n");
    CHECK_HAS(r.body, "devsurv_alerts{status=\"acknowledged\"} 1\n");
    CHECK_HAS(r.body, "{stage=\"commit\",le=\"0.0005\"} 1\n");
    CHECK_HAS(r.body, "{stage=\"commit\",le=\"2.5\"} 2\n");
    CHECK_HAS(r.body, "{stage=\"commit\",le=\"+Inf\"} 3\n");
    CHECK_HAS(r.body, "devsurv_stage_latency_seconds_count{stage=\"commit\"} "
                      "3\n");
    CHECK_HAS(r.body, "devsurv_http_requests_total{code=\"200\"}");
    char path[700];
    snprintf(path, sizeof path, "%s/metrics.txt", s_dir);
    s_write(path, r.body);
    const char *bad = s_metrics_bad(r.body);
    s_free(&r);
    if (bad)
        TEST_FAIL_("metrics line not in the format: %s", bad);
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        printf("skip - metrics_promtool: promtool not installed\n");
        return;
    }
    char cmd[800];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    CHECK_INT(system(cmd), 0);
}

TEST(audit_broken_is_reported)
{
    struct eng_config cfg;
    struct ds_diag d;
    eng_http_t *h = NULL;
    char db[300];
    snprintf(db, sizeof db, "%s/tampered.db", s_dir);
    eng_store_t *st = eng_store_open(db, false, &d);
    CHECK(st);
    int rc = sqlite3_exec(eng_store_db(st),
                          "INSERT INTO audit(seq, kind, ts, subject, canonical,"
                          " prev_hash, entry_hash) VALUES(1, 'x', 0, 's',"
                          " x'00', zeroblob(32), zeroblob(32))",
                          NULL, NULL, NULL);
    eng_store_destroy(&st);
    CHECK_INT(rc, SQLITE_OK);
    s_cfg(&cfg, "127.0.0.1:0");
    snprintf(cfg.store.path, sizeof cfg.store.path, "%s", db);
    CHECK_INT(eng_http_start(&h, &cfg, &d), 0);
    json_t *j = s_audit_done(eng_http_port(h));
    eng_http_stop(&h);
    CHECK(j);
    CHECK_INT(JINT(j, "entries"), 1);
    CHECK_STR(JSTR(json_object_get(j, "verify"), "status"), "broken");
    CHECK_HAS(JSTR(json_object_get(j, "verify"), "detail"), "seq 1");
    json_decref(j);
}

static void s_rm(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", s_dir);
}

int main(void)
{
    struct eng_config cfg;
    struct ds_diag d;
    ds_diag_clear(&d);
    if (s_setup() != 0) {
        printf("FAIL - setup: fixture store\n");
        return 1;
    }
    s_cfg(&cfg, "127.0.0.1:0");
    if (eng_http_start(&s_http, &cfg, &d) != 0) {
        printf("FAIL - setup: eng_http_start: %s\n", d.msg);
        return 1;
    }
    RUN(url_helpers);
    RUN(refuses_bad_listen);
    RUN(healthz);
    RUN(signals_list);
    RUN(signals_filters_and_paging);
    RUN(signal_one_with_lineage);
    RUN(cells);
    RUN(series);
    RUN(alerts);
    RUN(sources_and_engine_counters);
    RUN(audit_and_plans);
    RUN(static_files);
    RUN(methods_and_unknown_paths);
    RUN(bearer_token);
    RUN(event_stream);
    RUN(metrics);
    RUN(audit_broken_is_reported);
    eng_http_stop(&s_http);
    eng_store_destroy(&s_store);
    s_rm();
    return test_report();
}
