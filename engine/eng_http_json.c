/*
 * eng_http_json.c - JSON building blocks of the HTTP API (jansson): error
 * bodies, SQLite columns as JSON values, event times as both `ts` (Unix
 * ms) and `time` (RFC 3339 UTC, eng_time), query arguments decoded and
 * range-checked, and serialisation into our own buffer (jansson's
 * allocator may be set by another module, so its buffers are never
 * handed out) in one pass.
 *
 * A handler that wrote its page as text (eng_http_jbuf.c) leaves it in
 * the request (eng_http_req.text); the router sends it as it is.
 */
#include "eng_http_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/eng_time.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int eng_http_error(json_t **out, int status, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    json_decref(*out);
    *out = json_object();
    json_object_set_new(*out, "error", json_string(why));
    if (!json_object_get(*out, "error")) /* not UTF-8 */
        json_object_set_new(*out, "error", json_string("request refused"));
    return status;
}

int eng_http_db_error(json_t **out, struct eng_http_db *db)
{
    return eng_http_error(out, 500, "store: %s", sqlite3_errmsg(db->db));
}

json_t *eng_http_json_col(sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, col));
    case SQLITE_FLOAT: {
        double v = sqlite3_column_double(st, col);
        return isfinite(v) ? json_real(v) : json_null();
    }
    case SQLITE_TEXT: {
        json_t *s = json_stringn((const char *)sqlite3_column_text(st, col),
                                 (size_t)sqlite3_column_bytes(st, col));
        return s ? s : json_null();
    }
    default: return json_null();
    }
}

void eng_http_json_time(json_t *o, const char *ts_key, const char *time_key,
                        sqlite3_stmt *st, int col)
{
    char buf[ENG_TIME_STR_MAX];
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER) {
        json_object_set_new(o, ts_key, json_null());
        json_object_set_new(o, time_key, json_null());
        return;
    }
    int64_t ms = sqlite3_column_int64(st, col);
    json_object_set_new(o, ts_key, json_integer(ms));
    json_object_set_new(o, time_key, json_string(eng_time_format(ms, buf)));
}

int eng_http_arg(struct eng_http_req *r, const char *name, char *buf,
                 size_t cap, const char **val, json_t **out)
{
    const char *raw =
        MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, name);
    *val = NULL;
    if (!raw || !*raw)
        return 0;
    if (eng_http_pct_decode(raw, strlen(raw), buf, cap, true) < 0)
        return eng_http_error(out, 400,
                              "query argument %s: bad escape or "
                              "too long",
                              name);
    *val = buf;
    return 0;
}

int eng_http_arg_int(struct eng_http_req *r, const char *name, int64_t def,
                     int64_t lo, int64_t hi, int64_t *v, json_t **out)
{
    char buf[32], *end;
    const char *s;
    int rc = eng_http_arg(r, name, buf, sizeof buf, &s, out);
    *v = def;
    if (rc != 0 || !s)
        return rc;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || end == s || x < lo)
        return eng_http_error(out, 400,
                              "query argument %s: want an integer "
                              ">= %lld",
                              name, (long long)lo);
    *v = x > hi ? hi : x;
    return 0;
}

int eng_http_seg(struct eng_http_req *r, int i, char *buf, size_t cap,
                 json_t **out)
{
    if (eng_http_pct_decode(r->seg[i], r->segn[i], buf, cap, false) < 0)
        return eng_http_error(out, 400,
                              "path segment %d: bad escape or "
                              "too long",
                              i + 1);
    return 0;
}

static int s_put(const char *p, size_t n, void *data)
{
    struct eng_http_jbuf *b = data;
    eng_http_jbuf_raw(b, p, n);
    return b->oom ? -1 : 0;
}

char *eng_http_json_dump(const json_t *j, size_t *n)
{
    struct eng_http_jbuf b = {0};
    if (json_dump_callback(j, s_put, &b, JSON_COMPACT) != 0)
        b.oom = true;
    eng_http_jbuf_raw(&b, "\n", 1);
    if (b.oom) {
        eng_http_jbuf_clear(&b);
        return NULL;
    }
    *n = b.n;
    return b.p;
}

int64_t eng_http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
