/*
 * eng_audit_canon.c - canonical entry and tree-head bytes (see
 * eng_audit_canon.h for the format). Pure byte shuffling: no hashing, no
 * I/O, no locale; doubles are copied bit for bit (memcpy to uint64_t).
 */
#include "devsurv/eng_audit_canon.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <string.h>

static const char *const s_kinds[] = {
    [ENG_AUDIT_EVENT_STORED] = "event_stored",
    [ENG_AUDIT_EVENT_QUARANTINED] = "event_quarantined",
    [ENG_AUDIT_SIGNAL_RAISED] = "signal_raised",
    [ENG_AUDIT_RULES_LOADED] = "rules_loaded",
    [ENG_AUDIT_CONFIG_LOADED] = "config_loaded",
    [ENG_AUDIT_SOURCE_DISCONTINUITY] = "source_discontinuity",
    [ENG_AUDIT_CHECKPOINT] = "checkpoint",
    [ENG_AUDIT_ALERT_TRANSITION] = "alert_transition",
    [ENG_AUDIT_PLANS_LOADED] = "plans_loaded",
    [ENG_AUDIT_MENTIONS] = "mentions",
    [ENG_AUDIT_EVENT_LATE] = "event_late",
    [ENG_AUDIT_EVENTS_STORED] = "events_stored",
};
#define S_NKINDS (sizeof s_kinds / sizeof s_kinds[0])

const char *eng_audit_kind_name(enum eng_audit_kind k)
{
    return (unsigned)k < S_NKINDS ? s_kinds[k] : NULL;
}

enum eng_audit_kind eng_audit_kind_parse(struct ds_span s)
{
    for (size_t i = 1; i < S_NKINDS; i++)
        if (strlen(s_kinds[i]) == s.n && memcmp(s_kinds[i], s.p, s.n) == 0)
            return (enum eng_audit_kind)i;
    return ENG_AUDIT_NONE;
}

void eng_audit_buf_clear(struct eng_audit_buf *b)
{
    ds_free(b->p);
    *b = (struct eng_audit_buf){0};
}

static void s_put(struct eng_audit_buf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap &&
        ds_grow((void **)&b->p, &b->cap, b->n + n, 1) != 0) {
        b->oom = true;
        return;
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

void eng_audit_buf_u64(struct eng_audit_buf *b, uint64_t v)
{
    uint8_t be[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        be[i] = (uint8_t)(v & 0xff);
    s_put(b, be, sizeof be);
}

void eng_audit_buf_i64(struct eng_audit_buf *b, int64_t v)
{
    eng_audit_buf_u64(b, (uint64_t)v);
}

void eng_audit_buf_f64(struct eng_audit_buf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    eng_audit_buf_u64(b, bits);
}

void eng_audit_buf_bytes(struct eng_audit_buf *b, const void *p, size_t n)
{
    if (n > UINT32_MAX) {
        b->oom = true;
        return;
    }
    uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                     (uint8_t)n};
    s_put(b, be, sizeof be);
    s_put(b, p, n);
}

void eng_audit_buf_str(struct eng_audit_buf *b, struct ds_span s)
{
    eng_audit_buf_bytes(b, s.p, s.n);
}

int eng_audit_canon_encode(struct eng_audit_buf *out,
                           const struct eng_audit_entry *e)
{
    const char *kind = eng_audit_kind_name(e->kind);
    if (!kind || e->kind == ENG_AUDIT_NONE)
        return DS_EINVAL;
    out->n = 0;
    out->oom = false;
    eng_audit_buf_str(out, ds_span_str(ENG_AUDIT_TAG));
    eng_audit_buf_i64(out, e->seq);
    eng_audit_buf_str(out, ds_span_str(kind));
    eng_audit_buf_i64(out, e->ts);
    eng_audit_buf_str(out, e->subject);
    eng_audit_buf_bytes(out, e->payload, e->npayload);
    return out->oom ? DS_ENOMEM : 0;
}

uint64_t eng_audit_rd_u64(struct eng_audit_rd *r)
{
    uint64_t v = 0;
    if (r->bad || r->n < 8) {
        r->bad = true;
        return 0;
    }
    for (int i = 0; i < 8; i++)
        v = v << 8 | r->p[i];
    r->p += 8;
    r->n -= 8;
    return v;
}

struct ds_span eng_audit_rd_bytes(struct eng_audit_rd *r)
{
    struct ds_span s = {NULL, 0};
    if (r->bad || r->n < 4) {
        r->bad = true;
        return s;
    }
    size_t len = (size_t)r->p[0] << 24 | (size_t)r->p[1] << 16 |
                 (size_t)r->p[2] << 8 | r->p[3];
    if (len > r->n - 4) {
        r->bad = true;
        return s;
    }
    s.p = (const char *)r->p + 4;
    s.n = len;
    r->p += 4 + len;
    r->n -= 4 + len;
    return s;
}

int eng_audit_canon_decode(const uint8_t *p, size_t n,
                           struct eng_audit_entry *out)
{
    struct eng_audit_rd r = {p, n, false};
    struct ds_span tag = eng_audit_rd_bytes(&r);
    out->seq = (int64_t)eng_audit_rd_u64(&r);
    out->kind = eng_audit_kind_parse(eng_audit_rd_bytes(&r));
    out->ts = (int64_t)eng_audit_rd_u64(&r);
    out->subject = eng_audit_rd_bytes(&r);
    struct ds_span pl = eng_audit_rd_bytes(&r);
    out->payload = (const uint8_t *)pl.p;
    out->npayload = pl.n;
    if (r.bad || r.n != 0 || out->kind == ENG_AUDIT_NONE ||
        !ds_span_eq(tag, ENG_AUDIT_TAG))
        return DS_EPARSE;
    return 0;
}

int eng_audit_canon_sth(struct eng_audit_buf *out, int64_t n,
                        const uint8_t root[ENG_AUDIT_HASH],
                        const uint8_t head[ENG_AUDIT_HASH], int64_t ts)
{
    out->n = 0;
    out->oom = false;
    eng_audit_buf_str(out, ds_span_str(ENG_AUDIT_STH_TAG));
    eng_audit_buf_i64(out, n);
    eng_audit_buf_bytes(out, root, ENG_AUDIT_HASH);
    eng_audit_buf_bytes(out, head, ENG_AUDIT_HASH);
    eng_audit_buf_i64(out, ts);
    return out->oom ? DS_ENOMEM : 0;
}
