/*
 * eng_http.c - the HTTP server's life cycle and router (see eng_http.h and
 * the README, "HTTP API and dashboard"): bind the listen address ourselves (so
 * port 0 works and the bound port is known), hand the socket to libmicrohttpd
 * (thread per connection), check method, then the bearer token, then route.
 *
 * Order of checks for a request: method (405 with Allow: GET, HEAD), then
 * authentication for data paths, /api/... and /metrics (401 with
 * WWW-Authenticate: Bearer; the token is compared in constant time,
 * sodium_memcmp), then the route (404 when none). libmicrohttpd's URL
 * unescaping is turned off so the router splits the raw path before any segment
 * is decoded.
 *
 * Not here: the handlers (eng_http_api*.c, _sse, _metrics, _static), the
 * background audit verification (eng_http_audit.c).
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DS_RULES_DIR
#define DS_RULES_DIR "/usr/local/share/devsurv/rules"
#endif

const int eng_http_codes[ENG_HTTP_NCODES] = {200, 304, 400, 401, 404,
                                             405, 500, 501, 503};

static const char s_json_type[] = "application/json; charset=utf-8";

void eng_http_count(eng_http_t *h, int status)
{
    int i = 0;
    while (i < ENG_HTTP_NCODES && eng_http_codes[i] != status)
        i++;
    pthread_mutex_lock(&h->mu);
    h->requests[i]++;
    pthread_mutex_unlock(&h->mu);
}

static enum MHD_Result s_queue(eng_http_t *h, struct MHD_Connection *c,
                               int status, struct MHD_Response *resp)
{
    enum MHD_Result ok = MHD_NO;
    if (resp) {
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        ok = MHD_queue_response(c, (unsigned)status, resp);
        MHD_destroy_response(resp);
    }
    eng_http_count(h, resp ? status : 500);
    return ok;
}

static enum MHD_Result s_text(eng_http_t *h, struct MHD_Connection *c,
                              int status, const char *ctype, char *body,
                              size_t n)
{
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer_with_free_callback(n, body,
                                                                  ds_free)
             : NULL;
    if (!resp)
        ds_free(body);
    else {
        MHD_add_response_header(resp, "Content-Type", ctype);
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    return s_queue(h, c, status, resp);
}

static enum MHD_Result s_json(eng_http_t *h, struct MHD_Connection *c,
                              int status, json_t *j)
{
    size_t n = 0;
    char *body = j ? eng_http_json_dump(j, &n) : NULL;
    json_decref(j);
    return s_text(h, c, status, s_json_type, body, n);
}

static enum MHD_Result s_error(eng_http_t *h, struct MHD_Connection *c,
                               int status, const char *why)
{
    return s_json(h, c, status, json_pack("{s:s}", "error", why));
}

/* A handler on a pooled read-only connection. */
static enum MHD_Result s_api(struct eng_http_req *r, eng_http_api_fn *fn)
{
    struct ds_diag diag;
    json_t *out = NULL;
    ds_diag_clear(&diag);
    r->db = eng_http_db_acquire(r->h, &diag);
    if (!r->db)
        return s_error(r->h, r->c, 503, diag.msg);
    int status = fn(r, &out);
    eng_http_db_release(r->h, r->db);
    if (!out && r->text.p && !r->text.oom) { /* written as text */
        eng_http_jbuf_raw(&r->text, "\n", 1);
        if (!r->text.oom) /* s_text owns the buffer from here */
            return s_text(r->h, r->c, status, s_json_type, r->text.p,
                          r->text.n);
    }
    eng_http_jbuf_clear(&r->text);
    if (!out)
        return s_error(r->h, r->c, 500, "out of memory");
    return s_json(r->h, r->c, status, out);
}

static enum MHD_Result s_metrics(struct eng_http_req *r)
{
    struct ds_diag diag;
    char *body = NULL, why[DS_DIAG_MSG_MAX];
    const char *w = "";
    size_t n = 0;
    ds_diag_clear(&diag);
    if (!(r->db = eng_http_db_acquire(r->h, &diag)))
        return s_error(r->h, r->c, 503, diag.msg);
    int status = eng_http_metrics(r, &body, &n, &w);
    snprintf(why, sizeof why, "%s", w);
    eng_http_db_release(r->h, r->db);
    if (status != 200)
        return s_error(r->h, r->c, status, why);
    return s_text(r->h, r->c, 200, "text/plain; version=0.0.4; charset=utf-8",
                  body, n);
}

static enum MHD_Result s_stream(struct eng_http_req *r, bool head)
{
    struct MHD_Response *resp;
    if (head) {
        resp = MHD_create_response_from_buffer(0, (void *)"",
                                               MHD_RESPMEM_PERSISTENT);
        if (resp)
            MHD_add_response_header(resp, "Content-Type", "text/event-stream");
        return s_queue(r->h, r->c, 200, resp);
    }
    if (!(resp = eng_http_sse_response(r)))
        return s_error(r->h, r->c, 503, "cannot open an event stream");
    return s_queue(r->h, r->c, 200, resp);
}

static bool s_is(const struct eng_http_req *r, int i, const char *name)
{
    return i < r->nseg && r->segn[i] == strlen(name) &&
           memcmp(r->seg[i], name, r->segn[i]) == 0;
}

/* The /api/... routes. */
static enum MHD_Result s_route_api(struct eng_http_req *r, bool head)
{
    static const struct {
        const char *name;
        eng_http_api_fn *fn;
    } lists[] = {
        {"signals", eng_http_api_signals}, {"cells", eng_http_api_cells},
        {"alerts", eng_http_api_alerts},   {"sources", eng_http_api_sources},
        {"audit", eng_http_api_audit},     {"plans", eng_http_api_plans}};
    if (r->nseg == 2 && s_is(r, 1, "stream"))
        return s_stream(r, head);
    for (size_t i = 0; r->nseg == 2 && i < sizeof lists / sizeof lists[0]; i++)
        if (s_is(r, 1, lists[i].name))
            return s_api(r, lists[i].fn);
    if (r->nseg == 3 && s_is(r, 1, "signals"))
        return s_api(r, eng_http_api_signal);
    if (r->nseg == 6 && s_is(r, 1, "cells") && s_is(r, 5, "series"))
        return s_api(r, eng_http_api_series);
    return s_error(r->h, r->c, 404, "no such API path");
}

static enum MHD_Result s_route(struct eng_http_req *r, const char *url,
                               bool head)
{
    if (r->nseg == 1 && s_is(r, 0, "healthz"))
        return s_api(r, eng_http_api_healthz);
    if (r->nseg == 1 && s_is(r, 0, "metrics"))
        return s_metrics(r);
    if (r->nseg >= 1 && s_is(r, 0, "api"))
        return s_route_api(r, head);
    char path[ENG_HTTP_PATH_MAX];
    struct MHD_Response *resp = NULL;
    int status = 404;
    if (eng_http_pct_decode(url, strlen(url), path, sizeof path, false) >= 0)
        status = eng_http_static(r, path, &resp);
    if (status != 200)
        return s_error(r->h, r->c, status, "not found");
    return s_queue(r->h, r->c, 200, resp);
}

/* The bearer token from the Authorization header or ?access_token=. */
static bool s_authorised(eng_http_t *h, struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    char q[ENG_HTTP_TOKEN_MAX];
    const char *tok = NULL;
    if (a && strncasecmp(a, "Bearer ", 7) == 0) {
        for (tok = a + 7; *tok == ' '; tok++)
            ;
    } else {
        a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
                                        "access_token");
        if (a && eng_http_pct_decode(a, strlen(a), q, sizeof q, true) >= 0)
            tok = q;
    }
    size_t n = tok ? strlen(tok) : 0;
    return tok && n == strlen(h->token) && sodium_memcmp(tok, h->token, n) == 0;
}

static enum MHD_Result s_unauthorised(eng_http_t *h, struct MHD_Connection *c)
{
    json_t *j = json_pack("{s:s}", "error", "missing or wrong bearer token");
    size_t n = 0;
    char *body = j ? eng_http_json_dump(j, &n) : NULL;
    json_decref(j);
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer_with_free_callback(n, body,
                                                                  ds_free)
             : NULL;
    if (!resp) {
        ds_free(body);
        return s_queue(h, c, 401, NULL);
    }
    MHD_add_response_header(resp, "Content-Type", s_json_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                            "Bearer realm=\"devsurv\"");
    return s_queue(h, c, 401, resp);
}

static enum MHD_Result s_handler(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_n, void **con_cls)
{
    static char s_seen; /* marks a request whose headers were seen */
    eng_http_t *h = cls;
    struct eng_http_req r = {.h = h, .c = c};
    bool head = strcmp(method, "HEAD") == 0;
    (void)version, (void)upload;
    /* answer on the second call, once the request is read: a response
     * queued on the first one makes libmicrohttpd close the connection,
     * and the dashboard would pay a TCP connect and a thread per fetch */
    if (!*con_cls) {
        *con_cls = &s_seen;
        return MHD_YES;
    }
    if (*upload_n) { /* a body (only refused methods have one): skip it */
        *upload_n = 0;
        return MHD_YES;
    }
    if (!head && strcmp(method, "GET") != 0) {
        json_t *j = json_pack("{s:s}", "error", "read-only: GET and HEAD");
        size_t n = 0;
        char *body = j ? eng_http_json_dump(j, &n) : NULL;
        json_decref(j);
        struct MHD_Response *resp =
            body ? MHD_create_response_from_buffer_with_free_callback(n, body,
                                                                      ds_free)
                 : NULL;
        if (resp) {
            MHD_add_response_header(resp, "Content-Type", s_json_type);
            MHD_add_response_header(resp, "Allow", "GET, HEAD");
        } else {
            ds_free(body);
        }
        return s_queue(h, c, 405, resp);
    }
    r.nseg = eng_http_split(url, r.seg, r.segn, ENG_HTTP_SEG_MAX);
    /* the token guards data (/api/..., /metrics); the dashboard's own
     * files hold code only, and a browser cannot add a header to a page
     * or script load, so they stay open like /healthz */
    bool data = r.nseg >= 1 && (s_is(&r, 0, "api") || s_is(&r, 0, "metrics"));
    if (h->token[0] && data && !s_authorised(h, c))
        return s_unauthorised(h, c);
    if (r.nseg < 0)
        return s_error(h, c, 404, "not found");
    return s_route(&r, url, head);
}

/* libmicrohttpd unescaping off: segments are decoded after splitting. */
static size_t s_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return strlen(s);
}

static int s_token(eng_http_t *h, const char *path, struct ds_diag *diag)
{
    char buf[ENG_HTTP_TOKEN_MAX + 2];
    FILE *f = fopen(path, "r");
    if (!f)
        return ds_diag_set_code(diag, DS_EIO, path, 0, "http.token_file: %s",
                                strerror(errno));
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (buf[i] <= ' ' || buf[i] > '~')
            n = 0;
    if (n == 0 || n >= ENG_HTTP_TOKEN_MAX)
        return ds_diag_set_code(diag, DS_ECONFIG, path, 0,
                                "http.token_file: want one line of 1-%d "
                                "printable characters without blanks",
                                ENG_HTTP_TOKEN_MAX - 1);
    memcpy(h->token, buf, n + 1);
    sodium_memzero(buf, sizeof buf);
    return 0;
}

/* static_dir, or ./contrib/dashboard, or <prefix>/share/devsurv/dashboard
 * (next to the installed rules). */
static void s_static_dir(eng_http_t *h, const char *cfg_dir)
{
    struct stat sb;
    if (cfg_dir[0]) {
        snprintf(h->static_dir, sizeof h->static_dir, "%s", cfg_dir);
    } else if (stat("contrib/dashboard", &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(h->static_dir, sizeof h->static_dir, "contrib/dashboard");
    } else {
        const char *rules = DS_RULES_DIR, *slash = strrchr(rules, '/');
        int n = slash ? (int)(slash - rules) : 0;
        snprintf(h->static_dir, sizeof h->static_dir, "%.*s/dashboard", n,
                 rules);
    }
}

/* Bind and listen on host:port; the socket, or -1 with diag set. */
static int s_bind(const char *host, int port, bool *v6, int *bound, int *code,
                  struct ds_diag *diag)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *res = NULL;
    char ps[8];
    int fd = -1, err = 0, one = 1;
    snprintf(ps, sizeof ps, "%d", port);
    if ((err = getaddrinfo(host, ps, &hints, &res)) != 0) {
        *code = ds_diag_set_code(diag, DS_ECONFIG, "", 0, "http.listen: %s: %s",
                                 host, gai_strerror(err));
        return -1;
    }
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (a->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        } else {
            *v6 = a->ai_family == AF_INET6;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *code = ds_diag_set_code(diag, DS_ENET, "", 0,
                                 "http.listen: cannot bind %s:%d: %s", host,
                                 port, strerror(err));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *bound =
        ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                       : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static int s_daemon(eng_http_t *h, const char *host, int port,
                    struct ds_diag *diag)
{
    bool v6 = false;
    int code = DS_ENET;
    int fd = s_bind(host, port, &v6, &h->port, &code, diag);
    if (fd < 0)
        return code;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
                     (v6 ? MHD_USE_IPv6 : 0);
    h->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, s_handler, h, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)ENG_HTTP_MAX_CONN,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_UNESCAPE_CALLBACK,
        s_unescape, NULL, MHD_OPTION_END);
    if (!h->mhd) {
        close(fd);
        return ds_diag_set_code(diag, DS_ENET, "", 0,
                                "http.listen: libmicrohttpd did not start");
    }
    ds_info("dashboard: http://%s%s%s:%d/%s", v6 ? "[" : "", host,
            v6 ? "]" : "", h->port,
            h->token[0] ? " (bearer token required)" : "");
    return 0;
}

static int s_setup(eng_http_t *h, const struct eng_config *cfg,
                   struct ds_diag *diag)
{
    char host[ENG_HTTP_HOST_MAX];
    int port, rc;
    if (eng_http_listen_parse(cfg->http.listen, host, sizeof host, &port))
        return ds_diag_set_code(diag, DS_ECONFIG, "", 0,
                                "http.listen: want host:port or [v6]:port, "
                                "got '%s'",
                                cfg->http.listen);
    if (cfg->http.token_file[0] &&
        (rc = s_token(h, cfg->http.token_file, diag)) != 0)
        return rc;
    if (!h->token[0] && !eng_http_is_loopback(host))
        return ds_diag_set_code(diag, DS_ECONFIG, "", 0,
                                "http.listen: %s is not a loopback address; "
                                "serving it needs http.token_file (a bearer "
                                "token)",
                                host);
    s_static_dir(h, cfg->http.static_dir);
    snprintf(h->db_path, sizeof h->db_path, "%s", cfg->store.path);
    snprintf(h->anchors, sizeof h->anchors, "%s", cfg->audit.anchors);
    snprintf(h->vdetail, sizeof h->vdetail, "first verification running");
    if ((rc = s_daemon(h, host, port, diag)) != 0)
        return rc;
    return eng_http_verify_start(h, diag);
}

int eng_http_start(eng_http_t **out, const struct eng_config *cfg,
                   struct ds_diag *diag)
{
    *out = NULL;
    if (!cfg->http.listen[0])
        return 0;
    eng_http_t *h = ds_calloc(1, sizeof *h);
    if (!h)
        return ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->wake, NULL);
    int rc = s_setup(h, cfg, diag);
    if (rc != 0) {
        eng_http_stop(&h);
        return rc;
    }
    *out = h;
    return 0;
}

void eng_http_stop(eng_http_t **p)
{
    if (!p || !*p)
        return;
    eng_http_t *h = *p;
    pthread_mutex_lock(&h->mu);
    h->stopping = true;
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->mu);
    eng_http_verify_stop(h);
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    eng_http_db_drain(h);
    sodium_memzero(h->token, sizeof h->token);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->mu);
    ds_free(h);
    *p = NULL;
}

int eng_http_port(const eng_http_t *h)
{
    return h ? h->port : 0;
}

void eng_http_set_stats(eng_http_t *h, const struct eng_http_stats *s)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stats = *s;
    h->have_stats = true;
    pthread_mutex_unlock(&h->mu);
}

const double *eng_http_lat_bounds(void)
{
    static const double b[ENG_HTTP_LAT_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025, 0.05,   0.1,
                                                   0.25,   0.5,   1.0,    2.5};
    return b;
}

void eng_http_hist_add(struct eng_http_hist *h, const char *stage, int64_t us)
{
    const double *b = eng_http_lat_bounds();
    double s = us > 0 ? (double)us / 1e6 : 0.0;
    if (!h->stage[0])
        snprintf(h->stage, sizeof h->stage, "%s", stage);
    h->count++;
    h->sum += s;
    for (int i = 0; i < ENG_HTTP_LAT_BUCKETS; i++)
        if (s <= b[i]) {
            h->bucket[i]++;
            return;
        }
}
