/*
 * eng_http_url.h - the pure text handling of the HTTP server: the listen
 * address, percent-decoding, path segments and static-file paths. No
 * sockets, no allocation; every function takes untrusted input and
 * returns an error rather than asserting (fuzzed by tests/fuzz/fuzz_http).
 *
 * The server turns libmicrohttpd's own unescaping off so that an encoded
 * '/' (%2F) inside a device key cannot split a path: paths are split on
 * raw '/' first, then each segment and query value is decoded here.
 */
#ifndef DEVSURV_ENG_HTTP_URL_H
#define DEVSURV_ENG_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>

#define ENG_HTTP_HOST_MAX 256
#define ENG_HTTP_SEG_MAX  8 /* path segments the router looks at */

/* Parse "host:port" or "[v6addr]:port" (port 0-65535, decimal) into
 * host (NUL-terminated, brackets removed) and *port. 0 or DS_ECONFIG. */
int eng_http_listen_parse(const char *s, char *host, size_t cap, int *port);

/* Is host a loopback name or address (127.0.0.0/8, ::1, localhost)? */
bool eng_http_is_loopback(const char *host);

/* Decode %XX escapes (and '+' as a blank when plus) of in[0..n) into out
 * (cap bytes, NUL-terminated). The length, or -1 on a bad escape, an
 * encoded NUL, or when it does not fit. */
long eng_http_pct_decode(const char *in, size_t n, char *out, size_t cap,
                         bool plus);

/* Split the raw path "/a/b/c" (without query) into at most max segments
 * seg[i] = [p, p+n) of path, empty segments kept ("/a//b" is a, "", b).
 * The number of segments, or -1 when there are more than max or the
 * path does not start with '/'. "/" alone is 1 empty segment. */
int eng_http_split(const char *path, const char *seg[], size_t segn[], int max);

/* Map a decoded request path ("/" , "/index.html", "/static/...") to a
 * file name relative to the dashboard directory in rel (cap bytes): "/"
 * is "index.html", "/static/x/y.js" is "x/y.js". 0, or DS_ENOTFOUND when
 * the path is not a dashboard path or any segment is empty, starts with
 * '.' (no "..", no hidden files) or holds a backslash or control byte. */
int eng_http_static_rel(const char *path, char *rel, size_t cap);

/* The Content-Type for a file name by its extension (static string). */
const char *eng_http_mime(const char *name);

#endif
