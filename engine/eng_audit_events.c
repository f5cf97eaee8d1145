/*
 * eng_audit_events.c - build and read the events_stored entry's payload,
 * subject and runs (see eng_audit_events.h).
 */
#include "devsurv/eng_audit_events.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct ds_span eng_audit_events_key(char *out, size_t cap,
                                    struct ds_span source, int64_t epoch,
                                    int64_t seq)
{
    int n =
        snprintf(out, cap, "%.*s/%" PRId64 "/%" PRId64,
                 (int)(source.n < ENG_SOURCE_MAX ? source.n : ENG_SOURCE_MAX),
                 source.p ? source.p : "", epoch, seq);
    struct ds_span s = {out, n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1};
    return s;
}

void eng_audit_events_clear(struct eng_audit_events *b)
{
    eng_audit_buf_clear(&b->body);
    ds_free(b->runs);
    *b = (struct eng_audit_events){0};
}

void eng_audit_events_reset(struct eng_audit_events *b)
{
    b->body.n = 0;
    b->body.oom = false;
    b->n = 0;
    b->nruns = 0;
}

/* Extend the last run with it, or start a run. */
static int s_run(struct eng_audit_events *b,
                 const struct eng_audit_events_item *it)
{
    struct eng_audit_events_run *r = b->nruns ? &b->runs[b->nruns - 1] : NULL;
    if (r && r->epoch == it->epoch && strlen(r->source) == it->source.n &&
        memcmp(r->source, it->source.p, it->source.n) == 0 &&
        it->seq > r->last) {
        r->last = it->seq;
        return 0;
    }
    if (ds_grow((void **)&b->runs, &b->cap, b->nruns + 1, sizeof *b->runs) != 0)
        return DS_ENOMEM;
    r = &b->runs[b->nruns++];
    memcpy(r->source, it->source.p, it->source.n);
    r->source[it->source.n] = '\0';
    r->epoch = it->epoch;
    r->first = r->last = it->seq;
    return 0;
}

int eng_audit_events_add(struct eng_audit_events *b,
                         const struct eng_audit_events_item *it)
{
    if (b->n >= ENG_AUDIT_EVENTS_MAX || it->source.n >= ENG_SOURCE_MAX ||
        (it->source.n && !it->source.p))
        return DS_EINVAL;
    size_t at = b->body.n;
    if (at == 0)
        eng_audit_buf_u64(&b->body, 0); /* the count, set by _payload() */
    eng_audit_buf_str(&b->body, it->source);
    eng_audit_buf_i64(&b->body, it->epoch);
    eng_audit_buf_i64(&b->body, it->seq);
    eng_audit_buf_i64(&b->body, it->ts);
    eng_audit_buf_str(&b->body, it->ctype);
    eng_audit_buf_bytes(&b->body, it->digest, ENG_AUDIT_HASH);
    if (b->body.oom || s_run(b, it) != 0) {
        b->body.n = at; /* the entry stays as it was */
        b->body.oom = false;
        return DS_ENOMEM;
    }
    b->n++;
    b->ts = it->ts;
    return 0;
}

int eng_audit_events_payload(struct eng_audit_events *b, const uint8_t **p,
                             size_t *n)
{
    if (b->body.n == 0)
        eng_audit_buf_u64(&b->body, 0);
    if (b->body.oom)
        return DS_ENOMEM;
    for (int i = 0; i < 8; i++) /* the u64 count, big-endian, in place */
        b->body.p[i] = (uint8_t)((uint64_t)b->n >> (56 - 8 * i));
    *p = b->body.p;
    *n = b->body.n;
    return 0;
}

struct ds_span eng_audit_events_subject(const struct eng_audit_events *b,
                                        char *out, size_t cap)
{
    /* the first and last keys, from the runs (no formatting per event) */
    int n = snprintf(out, cap, "..");
    if (b->nruns > 0) {
        const struct eng_audit_events_run *f = &b->runs[0];
        const struct eng_audit_events_run *l = &b->runs[b->nruns - 1];
        n = snprintf(
            out, cap, "%s/%" PRId64 "/%" PRId64 "..%s/%" PRId64 "/%" PRId64,
            f->source, f->epoch, f->first, l->source, l->epoch, l->last);
    }
    struct ds_span s = {out, n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1};
    return s;
}

int eng_audit_events_open(struct eng_audit_rd *r, const uint8_t *payload,
                          size_t n, uint64_t *count)
{
    *r = (struct eng_audit_rd){payload, n, false};
    *count = eng_audit_rd_u64(r);
    /* an item is at least 4+8+8+8+4+4+32 bytes */
    if (r->bad || *count > r->n / 68)
        return DS_EPARSE;
    return 0;
}

int eng_audit_events_next(struct eng_audit_rd *r,
                          struct eng_audit_events_item *it)
{
    it->source = eng_audit_rd_bytes(r);
    it->epoch = (int64_t)eng_audit_rd_u64(r);
    it->seq = (int64_t)eng_audit_rd_u64(r);
    it->ts = (int64_t)eng_audit_rd_u64(r);
    it->ctype = eng_audit_rd_bytes(r);
    struct ds_span d = eng_audit_rd_bytes(r);
    it->digest = (const uint8_t *)d.p;
    if (r->bad || d.n != ENG_AUDIT_HASH || it->source.n >= ENG_SOURCE_MAX)
        return DS_EPARSE;
    return 0;
}
