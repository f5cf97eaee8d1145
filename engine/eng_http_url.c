/*
 * eng_http_url.c - listen address, percent-decoding, path segments and
 * static-file names for the HTTP server (see eng_http_url.h). Pure text:
 * no I/O, no allocation.
 */
#include "devsurv/eng_http_url.h"
#include "devsurv/ds_err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int s_port(const char *p, int *port)
{
    long v = 0;
    if (!*p)
        return DS_ECONFIG;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return DS_ECONFIG;
        v = v * 10 + (*p - '0');
        if (v > 65535)
            return DS_ECONFIG;
    }
    *port = (int)v;
    return 0;
}

static int s_copy(char *dst, size_t cap, const char *p, size_t n)
{
    if (n == 0 || n >= cap || memchr(p, '\0', n))
        return DS_ECONFIG;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return 0;
}

int eng_http_listen_parse(const char *s, char *host, size_t cap, int *port)
{
    const char *colon;
    if (!s || cap == 0)
        return DS_ECONFIG;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':' || s_copy(host, cap, s + 1, end - s - 1))
            return DS_ECONFIG;
        return s_port(end + 2, port);
    }
    colon = strrchr(s, ':');
    if (!colon || memchr(s, ':', colon - s) ||
        s_copy(host, cap, s, (size_t)(colon - s)))
        return DS_ECONFIG;
    return s_port(colon + 1, port);
}

bool eng_http_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
        return true;
    if (strncmp(host, "127.", 4) != 0)
        return false;
    for (const char *p = host + 4; *p; p++)
        if ((*p < '0' || *p > '9') && *p != '.')
            return false;
    return true;
}

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long eng_http_pct_decode(const char *in, size_t n, char *out, size_t cap,
                         bool plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            int hi = i + 2 < n ? s_hex(in[i + 1]) : -1;
            int lo = hi >= 0 ? s_hex(in[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0))
                return -1;
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        } else if (c == '\0') {
            return -1;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    if (cap == 0)
        return -1;
    out[o] = '\0';
    return (long)o;
}

int eng_http_split(const char *path, const char *seg[], size_t segn[], int max)
{
    int k = 0;
    if (!path || path[0] != '/')
        return -1;
    const char *p = path + 1;
    for (;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (k >= max)
            return -1;
        seg[k] = p;
        segn[k++] = n;
        if (!e)
            return k;
        p = e + 1;
    }
}

static bool s_seg_ok(const char *p, size_t n)
{
    if (n == 0 || p[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == '\\' || p[i] == 0x7f)
            return false;
    return true;
}

int eng_http_static_rel(const char *path, char *rel, size_t cap)
{
    const char *r;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
        r = "index.html";
    else if (strncmp(path, "/static/", 8) == 0)
        r = path + 8;
    else
        return DS_ENOTFOUND;
    for (const char *p = r;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!s_seg_ok(p, n))
            return DS_ENOTFOUND;
        if (!e)
            break;
        p = e + 1;
    }
    size_t n = strlen(r);
    if (n >= cap)
        return DS_ENOTFOUND;
    memcpy(rel, r, n + 1);
    return 0;
}

const char *eng_http_mime(const char *name)
{
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "application/javascript; charset=utf-8"},
        {".mjs", "application/javascript; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(dot, map[i][0]) == 0)
            return map[i][1];
    return "application/octet-stream";
}
