/*
 * eng_audit_records.c - event rows against their events_stored and
 * event_stored entries (see eng_audit_records.h). An event_stored payload
 * is str(content type) bytes(SHA-256 of the payload) (eng_audit_log.h);
 * events_stored is eng_audit_events.h.
 */
#include "devsurv/eng_audit_records.h"
#include "devsurv/eng_audit_events.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eng_audit_records {
    sqlite3 *db;
    sqlite3_stmt *get;
    sqlite3_stmt *run; /* audit_events; prepared on first events_stored */
    struct eng_audit_events seen; /* the runs of the entry being checked */
};

eng_audit_records_t *eng_audit_records_new(sqlite3 *db)
{
    eng_audit_records_t *self = ds_calloc(1, sizeof *self);
    if (self)
        self->db = db;
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
    sqlite3_finalize(self->run);
    eng_audit_events_clear(&self->seen);
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

/* Step st with (source, epoch, n) bound to ?1..?3; the caller resets. */
static int s_step_key(sqlite3_stmt *st, struct ds_span src, int64_t epoch,
                      int64_t n)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, src.p, (int)src.n, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, epoch);
    sqlite3_bind_int64(st, 3, n);
    return sqlite3_step(st);
}

/* The events row (source, epoch, seq) against digest want; key names it
 * in why. */
static int s_event(eng_audit_records_t *self, struct ds_span src,
                   long long epoch, long long seq, const uint8_t *want,
                   struct ds_span key, char *why, size_t cap)
{
    uint8_t h[ENG_AUDIT_HASH];
    sqlite3_stmt *st = self->get;
    int rc = s_step_key(st, src, epoch, seq);
    if (rc == SQLITE_ROW) {
        ds_sha256(h, sqlite3_column_blob(st, 1),
                  (size_t)sqlite3_column_bytes(st, 1));
        rc = memcmp(h, want, ENG_AUDIT_HASH) == 0 ? 0 : DS_EINVAL;
        if (rc)
            snprintf(why, cap,
                     "event %.*s payload differs from its audit "
                     "digest (record edited)",
                     (int)key.n, key.p);
    } else if (rc == SQLITE_DONE) {
        snprintf(why, cap, "event %.*s is missing (record deleted)", (int)key.n,
                 key.p);
        rc = DS_EINVAL;
    } else {
        rc = DS_ESTORE;
    }
    sqlite3_reset(st);
    return rc;
}

/* The audit_events row of run (source, epoch, first..last) must name
 * entry seq. */
static int s_run(eng_audit_records_t *self, const struct eng_audit_entry *e,
                 struct ds_span src, int64_t epoch, int64_t first, int64_t last,
                 char *why, size_t cap)
{
    if (!self->run &&
        sqlite3_prepare_v2(self->db,
                           "SELECT first, entry FROM audit_events WHERE "
                           "source = ?1 AND epoch = ?2 AND last = ?3",
                           -1, &self->run, NULL) != SQLITE_OK)
        return DS_ESTORE;
    sqlite3_stmt *st = self->run;
    int rc = s_step_key(st, src, epoch, last);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        bool same = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == first &&
                    sqlite3_column_int64(st, 1) == e->seq;
        rc = same ? 0 : DS_EINVAL;
        if (!same)
            snprintf(why, cap,
                     "audit_events has no row for events %.*s/%lld/%lld.."
                     "%lld of entry %lld (lineage index edited)",
                     (int)src.n, src.p, (long long)epoch, (long long)first,
                     (long long)last, (long long)e->seq);
    } else {
        rc = DS_ESTORE;
    }
    sqlite3_reset(st);
    return rc;
}

/* Every event of an events_stored entry, and its runs: grouped by
 * eng_audit_events_add(), the grouping the engine wrote them with. */
static int s_events(eng_audit_records_t *self, const struct eng_audit_entry *e,
                    char *why, size_t cap)
{
    struct eng_audit_rd r;
    struct eng_audit_events_item it;
    struct eng_audit_events *seen = &self->seen;
    uint64_t count;
    char key[ENG_AUDIT_KEY_MAX];
    eng_audit_events_reset(seen);
    int rc = eng_audit_events_open(&r, e->payload, e->npayload, &count);
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        if ((rc = eng_audit_events_next(&r, &it)) != 0)
            break;
        rc = eng_audit_events_add(seen, &it);
        if (rc == DS_EINVAL) /* more events than one entry holds */
            rc = DS_EPARSE;
        if (rc == 0)
            rc = s_event(self, it.source, it.epoch, it.seq, it.digest,
                         eng_audit_events_key(key, sizeof key, it.source,
                                              it.epoch, it.seq),
                         why, cap);
    }
    if (rc == 0 && (r.n != 0 || count == 0))
        rc = DS_EPARSE;
    for (size_t i = 0; rc == 0 && i < seen->nruns; i++) {
        const struct eng_audit_events_run *u = &seen->runs[i];
        rc = s_run(self, e, ds_span_str(u->source), u->epoch, u->first, u->last,
                   why, cap);
    }
    if (rc == DS_EPARSE)
        snprintf(why, cap, "malformed events_stored entry");
    return rc == DS_EPARSE ? DS_EINVAL : rc;
}

int eng_audit_records_check(eng_audit_records_t *self,
                            const struct eng_audit_entry *e, char *why,
                            size_t cap)
{
    struct ds_span src;
    long long epoch, seq;
    if (e->kind == ENG_AUDIT_EVENTS_STORED)
        return s_events(self, e, why, cap);
    if (e->kind != ENG_AUDIT_EVENT_STORED)
        return 0;
    const uint8_t *want = s_digest(e);
    if (!want || !s_key(e->subject, &src, &epoch, &seq)) {
        snprintf(why, cap, "malformed event_stored entry");
        return DS_EINVAL;
    }
    return s_event(self, src, epoch, seq, want, e->subject, why, cap);
}
