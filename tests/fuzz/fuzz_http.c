/*
 * fuzz_http.c - libFuzzer target for the HTTP server's text handling
 * (eng_http_url.h): the listen address, percent-decoding, path splitting
 * and the static-file name check, fed the same bytes.
 *
 * Invariants: nothing crashes or reads past the input; a decoded string is
 * NUL-terminated, holds no NUL and is never longer than its input; a
 * static name that is accepted has no "..", no segment starting with '.',
 * no backslash and no control byte, and never starts with '/'; a parsed
 * port is 0-65535. Not here: sockets and libmicrohttpd (test_eng_http.c).
 */
#include "devsurv/eng_http_url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check_rel(const char *rel)
{
    if (rel[0] == '/' || rel[0] == '.' || strstr(rel, "/.") ||
        strchr(rel, '\\'))
        abort();
    for (const char *p = rel; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[1024], out[1024], host[ENG_HTTP_HOST_MAX], rel[512];
    const char *seg[ENG_HTTP_SEG_MAX];
    size_t segn[ENG_HTTP_SEG_MAX];
    int port = -1;
    if (size >= sizeof in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    if (eng_http_listen_parse(in, host, sizeof host, &port) == 0 &&
        (port < 0 || port > 65535 || strlen(host) >= sizeof host))
        abort();
    (void)eng_http_is_loopback(in);
    long n = eng_http_pct_decode((const char *)data, size, out, sizeof out,
                                 size % 2);
    if (n >= 0 && ((size_t)n > size || strlen(out) != (size_t)n))
        abort();
    int k = eng_http_split(in, seg, segn, ENG_HTTP_SEG_MAX);
    for (int i = 0; i < k; i++)
        if (seg[i] < in || seg[i] + segn[i] > in + size)
            abort();
    if (n >= 0 && eng_http_static_rel(out, rel, sizeof rel) == 0)
        s_check_rel(rel);
    (void)eng_http_mime(in);
    return 0;
}
