/*
 * eng_auth.c - CURVE server options, ZAP and the per-message source check
 * for the ingest socket (see eng_auth.h).
 */
#include "devsurv/eng_auth.h"
#include "devsurv/eng_curve.h"
#include "devsurv/eng_zap.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct eng_auth {
    bool secure;
    eng_zap_t *zap;
    struct eng_curve_pair server;
    struct eng_auth_stats stats;
};

static int s_load_key(eng_auth_t *self, const struct eng_config *cfg,
                      struct ds_diag *diag)
{
    if (!cfg->ingest.server_key[0] || !cfg->ingest.allowlist[0])
        return ds_diag_set_code(diag, DS_ECONFIG, "", 0,
                                "ingest.server_key and ingest.allowlist are "
                                "required (devsurv keygen makes keys); set "
                                "ingest.insecure = true only for a local "
                                "plaintext demo");
    int rc = eng_curve_load(&self->server, cfg->ingest.server_key, diag);
    if (rc == 0 && !self->server.has_sec)
        rc = ds_diag_set_code(diag, DS_ECONFIG, cfg->ingest.server_key, 0,
                              "no secret-key: the engine needs its .key "
                              "file, not the .pub");
    return rc;
}

eng_auth_t *eng_auth_new(void *ctx, const struct eng_config *cfg,
                         struct ds_diag *diag)
{
    eng_auth_t *self = ds_calloc(1, sizeof *self);
    if (!self) {
        ds_diag_set_code(diag, DS_ENOMEM, "", 0, "out of memory");
        return NULL;
    }
    self->secure = !cfg->ingest.insecure;
    if (!self->secure) {
        ds_warn("ingest.insecure = true: plaintext, unauthenticated link "
                "on %s (local demos only)",
                cfg->ingest.endpoint);
        return self;
    }
    if (s_load_key(self, cfg, diag) != 0 ||
        !(self->zap = eng_zap_new(ctx, cfg->ingest.allowlist, diag))) {
        eng_auth_destroy(&self);
        return NULL;
    }
    ds_info("ingest: CURVE on, %zu allowlisted key(s) from %s",
            eng_zap_count(self->zap), cfg->ingest.allowlist);
    return self;
}

void eng_auth_destroy(eng_auth_t **self_p)
{
    eng_auth_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    eng_zap_destroy(&self->zap);
    memset(&self->server, 0, sizeof self->server);
    ds_free(self);
    *self_p = NULL;
}

int eng_auth_setup(eng_auth_t *self, void *sock, struct ds_diag *diag)
{
    int one = 1;
    if (!self->secure)
        return 0;
    if (zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, ENG_ZAP_DOMAIN,
                       strlen(ENG_ZAP_DOMAIN)) != 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->server.sec,
                       ENG_CURVE_Z85) != 0)
        return ds_diag_set_code(diag, DS_ENET, "", 0,
                                "cannot enable CURVE on the ingest socket: "
                                "%s",
                                zmq_strerror(errno));
    return 0;
}

void *eng_auth_zap_socket(eng_auth_t *self)
{
    return self->zap ? eng_zap_socket(self->zap) : NULL;
}

void eng_auth_handle(eng_auth_t *self)
{
    if (self->zap)
        eng_zap_handle(self->zap);
}

int eng_auth_reload(eng_auth_t *self, struct ds_diag *diag)
{
    if (!self->zap)
        return 0;
    int rc = eng_zap_reload(self->zap, diag);
    if (rc == 0)
        ds_info("ingest: allowlist reloaded, %zu key(s)",
                eng_zap_count(self->zap));
    return rc;
}

int eng_auth_check(eng_auth_t *self, const zmq_msg_t *frame,
                   struct ds_span source, char *why, size_t n)
{
    if (!self->secure)
        return 0;
    const char *user = zmq_msg_gets(frame, "User-Id");
    const char *key = zmq_msg_gets(frame, ENG_ZAP_KEY_PROP);
    if (!user || !ds_span_eq(source, user)) {
        self->stats.mismatched++;
        snprintf(why, n,
                 "source '%.*s' does not match the authenticated "
                 "key's source '%s'",
                 (int)source.n, source.p, user ? user : "(none)");
        return DS_EINVAL;
    }
    if (!eng_zap_allowed(self->zap, source, key)) {
        self->stats.revoked++;
        snprintf(why, n, "key of source '%s' is no longer in the allowlist",
                 user);
        return DS_EINVAL;
    }
    return 0;
}

bool eng_auth_secure(const eng_auth_t *self)
{
    return self->secure;
}

struct eng_auth_stats eng_auth_stats(const eng_auth_t *self)
{
    struct eng_auth_stats st = self->stats;
    if (self->zap) {
        const struct eng_zap_stats *z = eng_zap_stats(self->zap);
        st.admitted = z->allowed;
        st.denied = z->denied;
        st.reloads = z->reloads;
    }
    return st;
}
