/*
 * eng_http_audit.c - the audit verification behind /api/audit: a thread
 * runs eng_audit_verify() (the check `devsurv verify` makes) right after
 * start and then every ENG_HTTP_VERIFY_SECS seconds, on its own read-only
 * connection inside one read transaction (a consistent snapshot while
 * the engine appends), and caches the result: "pending" until the first
 * run ends, then "ok", "broken" (with the first problem and its seq) or
 * "error" (the store or anchor file could not be read).
 *
 * The anchor file (audit.anchors) is appended by the engine after each
 * checkpoint commits, so a snapshot taken just before that commit can
 * see an anchor the database does not show yet; a "broken" result is
 * therefore only reported when a second run, on a fresh snapshot, agrees.
 * Signatures are checked against the key stored with each checkpoint (no
 * trusted public key is configured for the engine): see `devsurv verify
 * --pubkey` for the auditor's check.
 *
 * Stop interrupts a running verification (sqlite3_interrupt) and joins.
 */
#include "eng_http_impl.h"

#include "devsurv/ds_err.h"
#include "devsurv/eng_audit_verify.h"
#include "devsurv/eng_time.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const s_names[] = {"pending", "ok", "broken", "error"};

/* One verification on a fresh connection and snapshot. */
static enum eng_http_vstatus s_run(eng_http_t *h, char *detail, size_t cap)
{
    struct ds_diag diag;
    struct eng_audit_verify_report rep = {0};
    struct eng_audit_verify_opts o = {h->anchors[0] ? h->anchors : NULL, NULL};
    ds_diag_clear(&diag);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(h->db_path, &db, SQLITE_OPEN_READONLY, NULL) != 0) {
        snprintf(detail, cap, "cannot open the store: %s",
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close_v2(db);
        return ENG_HTTP_V_ERROR;
    }
    sqlite3_busy_timeout(db, 2000);
    pthread_mutex_lock(&h->mu);
    h->vdb = h->stopping ? NULL : db;
    pthread_mutex_unlock(&h->mu);
    int rc = DS_ESTORE;
    if (h->vdb && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        rc = eng_audit_verify(db, &o, &rep, &diag);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    pthread_mutex_lock(&h->mu);
    h->vdb = NULL;
    pthread_mutex_unlock(&h->mu);
    sqlite3_close_v2(db);
    if (rc == 0)
        snprintf(detail, cap, "%lld entries, %lld checkpoints, %lld anchors",
                 (long long)rep.entries, (long long)rep.checkpoints,
                 (long long)rep.anchors);
    else if (rc == DS_EINVAL)
        snprintf(detail, cap, "at seq %lld: %s", (long long)rep.bad_seq,
                 rep.what);
    else
        snprintf(detail, cap, "%.400s",
                 diag.msg[0] ? diag.msg : ds_strerror(rc));
    return rc == 0           ? ENG_HTTP_V_OK
           : rc == DS_EINVAL ? ENG_HTTP_V_BROKEN
                             : ENG_HTTP_V_ERROR;
}

/* Wait secs or until stop; true when stopping. */
static bool s_wait(eng_http_t *h, int secs)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += secs;
    pthread_mutex_lock(&h->mu);
    while (!h->stopping &&
           pthread_cond_timedwait(&h->wake, &h->mu, &until) != ETIMEDOUT)
        ;
    bool stop = h->stopping;
    pthread_mutex_unlock(&h->mu);
    return stop;
}

static void *s_main(void *arg)
{
    eng_http_t *h = arg;
    char detail[sizeof h->vdetail];
    do {
        enum eng_http_vstatus v = s_run(h, detail, sizeof detail);
        if (v == ENG_HTTP_V_BROKEN)
            v = s_run(h, detail, sizeof detail);
        pthread_mutex_lock(&h->mu);
        if (!h->stopping) {
            h->vstatus = v;
            snprintf(h->vdetail, sizeof h->vdetail, "%s", detail);
            h->vchecked_ms = eng_http_now_ms();
        }
        pthread_mutex_unlock(&h->mu);
    } while (!s_wait(h, ENG_HTTP_VERIFY_SECS));
    return NULL;
}

int eng_http_verify_start(eng_http_t *h, struct ds_diag *diag)
{
    int rc = pthread_create(&h->vthread, NULL, s_main, h);
    if (rc != 0)
        return ds_diag_set_code(diag, DS_ENOMEM, "", 0,
                                "cannot start the audit verifier: %s",
                                strerror(rc));
    h->vstarted = true;
    return 0;
}

void eng_http_verify_stop(eng_http_t *h)
{
    if (!h->vstarted)
        return;
    pthread_mutex_lock(&h->mu);
    if (h->vdb)
        sqlite3_interrupt(h->vdb);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->vthread, NULL);
    h->vstarted = false;
}

json_t *eng_http_verify_json(eng_http_t *h)
{
    char when[ENG_TIME_STR_MAX];
    pthread_mutex_lock(&h->mu);
    json_t *o = json_pack("{s:s, s:s}", "status", s_names[h->vstatus], "detail",
                          h->vdetail);
    if (o)
        json_object_set_new(
            o, "checked_at",
            h->vchecked_ms ? json_string(eng_time_format(h->vchecked_ms, when))
                           : json_null());
    pthread_mutex_unlock(&h->mu);
    return o ? o : json_null();
}
