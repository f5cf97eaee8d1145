/*
 * eng_audit_records.c - event rows against their event_stored entries
 * (see eng_audit_records.h). The entry payload is str(content type)
 * bytes(SHA-256 of the payload) (eng_audit_log.h).
 */
#include "devsurv/eng_audit_records.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eng_audit_records {
    sqlite3_stmt *get;
};

eng_audit_records_t *eng_audit_records_new(sqlite3 *db)
{
    eng_audit_records_t *self = ds_calloc(1, sizeof *self);
    if (self && sqlite3_prepare_v2(db,
                                   "SELECT content_type, payload FROM events "
                                   "WHERE source = ?1 AND epoch = ?2 AND "
                                   "seq = ?3",
                                   -1, &self->get, NULL) != SQLITE_OK)
        eng_audit_records_destroy(&self);
    return self;
}

void eng_audit_records_destroy(eng_audit_records_t **self_p)
{
    eng_audit_records_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    sqlite3_finalize(self->get);
    ds_free(self);
    *self_p = NULL;
}

/* Split "source/epoch/seq" at its last two '/'. */
static bool s_key(struct ds_span s, struct ds_span *src, long long *epoch,
                  long long *seq)
{
    char buf[128], *end;
    if (s.n == 0 || s.n >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    char *b = strrchr(buf, '/');
    if (!b)
        return false;
    *b = '\0';
    char *a = strrchr(buf, '/');
    if (!a)
        return false;
    *seq = strtoll(b + 1, &end, 10);
    if (*end)
        return false;
    *epoch = strtoll(a + 1, &end, 10);
    if (*end || end == a + 1)
        return false;
    *src = (struct ds_span){s.p, (size_t)(a - buf)};
    return true;
}

/* The digest field of an event_stored payload. */
static const uint8_t *s_digest(const struct eng_audit_entry *e)
{
    const uint8_t *p = e->payload;
    size_t n = e->npayload;
    if (n < 4)
        return NULL;
    size_t ct =
        (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (ct > n - 4 || n - 4 - ct != 4 + ENG_AUDIT_HASH)
        return NULL;
    p += 4 + ct;
    if (p[0] || p[1] || p[2] || p[3] != ENG_AUDIT_HASH)
        return NULL;
    return p + 4;
}

int eng_audit_records_check(eng_audit_records_t *self,
                            const struct eng_audit_entry *e, char *why,
                            size_t cap)
{
    struct ds_span src;
    long long epoch, seq;
    uint8_t h[ENG_AUDIT_HASH];
    if (e->kind != ENG_AUDIT_EVENT_STORED)
        return 0;
    const uint8_t *want = s_digest(e);
    if (!want || !s_key(e->subject, &src, &epoch, &seq)) {
        snprintf(why, cap, "malformed event_stored entry");
        return DS_EINVAL;
    }
    sqlite3_stmt *st = self->get;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, src.p, (int)src.n, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, epoch);
    sqlite3_bind_int64(st, 3, seq);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        ds_sha256(h, sqlite3_column_blob(st, 1),
                  (size_t)sqlite3_column_bytes(st, 1));
        rc = memcmp(h, want, ENG_AUDIT_HASH) == 0 ? 0 : DS_EINVAL;
        if (rc)
            snprintf(why, cap,
                     "event %.*s payload differs from its audit "
                     "digest (record edited)",
                     (int)e->subject.n, e->subject.p);
    } else if (rc == SQLITE_DONE) {
        snprintf(why, cap, "event %.*s is missing (record deleted)",
                 (int)e->subject.n, e->subject.p);
        rc = DS_EINVAL;
    } else {
        rc = DS_ESTORE;
    }
    sqlite3_reset(st);
    return rc;
}
