/*
 * eng_zap.c - ZAP request/reply handling over the allowlist (see
 * eng_zap.h; protocol: ZeroMQ RFC 27/ZAP).
 *
 * Request frames: "1.0", request id, domain, address, routing id,
 * mechanism, then credentials (CURVE: one 32-byte client public key).
 * Reply frames: "1.0", request id, status code ("200" or "400"), status
 * text, user id, metadata (ZMTP property list: 1-byte name length, name,
 * 4-byte big-endian value length, value).
 */
#include "devsurv/eng_zap.h"
#include "devsurv/eng_allow.h"
#include "devsurv/eng_curve.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#define S_REQ_FRAMES 8

struct eng_zap {
    void *sock;
    eng_allow_t *list;
    char path[512];
    struct eng_zap_stats stats;
};

eng_zap_t *eng_zap_new(void *ctx, const char *allowlist, struct ds_diag *diag)
{
    if (strlen(allowlist) >= sizeof((eng_zap_t *)0)->path) {
        ds_diag_set_code(diag, DS_ECONFIG, allowlist, 0, "path too long");
        return NULL;
    }
    eng_zap_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    strcpy(self->path, allowlist);
    self->list = eng_allow_load(allowlist, diag);
    self->sock = self->list ? zmq_socket(ctx, ZMQ_REP) : NULL;
    if (self->list && (!self->sock || zmq_bind(self->sock, ENG_ZAP_ENDPOINT))) {
        ds_diag_set_code(diag, DS_ENET, "", 0, "cannot bind ZAP handler %s: %s",
                         ENG_ZAP_ENDPOINT, zmq_strerror(errno));
        eng_zap_destroy(&self);
    } else if (!self->list) {
        eng_zap_destroy(&self);
    }
    return self;
}

void eng_zap_destroy(eng_zap_t **self_p)
{
    eng_zap_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->sock) {
        int linger = 0;
        zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(self->sock);
    }
    eng_allow_destroy(&self->list);
    ds_free(self);
    *self_p = NULL;
}

void *eng_zap_socket(eng_zap_t *self)
{
    return self->sock;
}

/* Receive one request (all frames); returns the frame count or -1. */
static int s_recv(void *sock, zmq_msg_t *f, int max)
{
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t extra; /* a frame past max: read and dropped */
        zmq_msg_init(&extra);
        zmq_msg_t *m = &extra;
        if (n < max)
            zmq_msg_init(m = &f[n]);
        if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            zmq_msg_close(&extra);
            return n == 0 ? -1 : n;
        }
        more = zmq_msg_more(m);
        zmq_msg_close(&extra);
        n++;
    }
    return n;
}

static bool s_is(zmq_msg_t *m, const char *s)
{
    size_t n = strlen(s);
    return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

/* Metadata property list holding the client key in Z85. */
static size_t s_meta(uint8_t *out, const char *z85)
{
    size_t nl = strlen(ENG_ZAP_KEY_PROP), vl = strlen(z85), k = 0;
    out[k++] = (uint8_t)nl;
    memcpy(out + k, ENG_ZAP_KEY_PROP, nl);
    k += nl;
    for (int i = 3; i >= 0; i--)
        out[k++] = (uint8_t)(vl >> (8 * i));
    memcpy(out + k, z85, vl);
    return k + vl;
}

static void s_reply(void *sock, zmq_msg_t *reqid, const char *code,
                    const char *text, const char *user, const uint8_t *meta,
                    size_t meta_n)
{
    zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(sock, zmq_msg_data(reqid), zmq_msg_size(reqid), ZMQ_SNDMORE);
    zmq_send(sock, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(sock, meta, meta_n, 0);
}

/* Decide one request of n frames, the first min(n, S_REQ_FRAMES) held in
 * f. */
static void s_decide(eng_zap_t *self, zmq_msg_t *f, int n)
{
    char addr[64] = "?", z85[ENG_CURVE_Z85 + 1];
    uint8_t meta[128];
    const struct eng_allow_entry *e = NULL;
    bool curve = n == 7 && s_is(&f[0], "1.0") && s_is(&f[2], ENG_ZAP_DOMAIN) &&
                 s_is(&f[5], "CURVE") && zmq_msg_size(&f[6]) == 32;
    if (n >= 4) {
        size_t an = zmq_msg_size(&f[3]);
        an = an < sizeof addr - 1 ? an : sizeof addr - 1;
        memcpy(addr, zmq_msg_data(&f[3]), an);
        addr[an] = '\0';
    }
    if (curve)
        e = eng_allow_find(self->list, zmq_msg_data(&f[6]));
    if (!e) {
        self->stats.denied++;
        if (curve)
            zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
        ds_warn("ingest: refused %s client from %s%s%s", curve ? "CURVE" : "a",
                addr, curve ? ": key not in allowlist: " : " (bad request)",
                curve ? z85 : "");
        zmq_msg_t none;
        zmq_msg_init(&none);
        s_reply(self->sock, n >= 2 ? &f[1] : &none, "400", "not allowed", "",
                NULL, 0); /* REP must answer, even a malformed request */
        zmq_msg_close(&none);
        return;
    }
    zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
    self->stats.allowed++;
    ds_info("ingest: admitted '%s' from %s", e->source, addr);
    s_reply(self->sock, &f[1], "200", "OK", e->source, meta, s_meta(meta, z85));
}

void eng_zap_handle(eng_zap_t *self)
{
    zmq_msg_t f[S_REQ_FRAMES];
    int n;
    while ((n = s_recv(self->sock, f, S_REQ_FRAMES)) > 0) {
        int kept = n < S_REQ_FRAMES ? n : S_REQ_FRAMES;
        s_decide(self, f, n);
        for (int i = 0; i < kept; i++)
            zmq_msg_close(&f[i]);
    }
}

int eng_zap_reload(eng_zap_t *self, struct ds_diag *diag)
{
    eng_allow_t *fresh = eng_allow_load(self->path, diag);
    if (!fresh)
        return DS_ECONFIG;
    eng_allow_destroy(&self->list);
    self->list = fresh;
    self->stats.reloads++;
    return 0;
}

bool eng_zap_allowed(const eng_zap_t *self, struct ds_span source,
                     const char *key_z85)
{
    uint8_t raw[32];
    return key_z85 && eng_curve_z85_ok(key_z85, raw) &&
           eng_allow_has(self->list, source, raw);
}

const struct eng_zap_stats *eng_zap_stats(const eng_zap_t *self)
{
    return &self->stats;
}

size_t eng_zap_count(const eng_zap_t *self)
{
    return eng_allow_count(self->list);
}
