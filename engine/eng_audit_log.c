/*
 * eng_audit_log.c - payloads and subjects of the engine's audit entries
 * (see eng_audit_log.h for each kind's layout).
 */
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_audit_events.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_sha256.h"

#include <inttypes.h>
#include <stdio.h>

#define S_SUBJECT_MAX ENG_AUDIT_KEY_MAX

/* "source/epoch/seq" into out (S_SUBJECT_MAX bytes); its span. */
static struct ds_span s_key(char *out, const struct eng_store_key *k)
{
    return eng_audit_events_key(out, S_SUBJECT_MAX, k->source, k->epoch,
                                k->seq);
}

static void s_digest(struct eng_audit_buf *b, const void *p, size_t n)
{
    uint8_t h[DS_SHA256_BYTES];
    ds_sha256(h, p, n);
    eng_audit_buf_bytes(b, h, sizeof h);
}

static int s_append(eng_audit_t *a, enum eng_audit_kind kind, int64_t ts,
                    struct ds_span subject, struct eng_audit_buf *b)
{
    if (b->oom)
        return DS_ENOMEM;
    return eng_audit_append(a, kind, ts, subject, b->p, b->n);
}

int eng_audit_log_event(eng_audit_t *a, const struct eng_store_key *k,
                        int64_t ts, struct ds_span ctype, const void *payload,
                        size_t n)
{
    uint8_t h[DS_SHA256_BYTES];
    ds_sha256(h, payload, n);
    struct eng_audit_events_item it = {k->source, k->epoch, k->seq,
                                       ts,        ctype,    h};
    return eng_audit_add_event(a, &it);
}

int eng_audit_log_quarantine(eng_audit_t *a, const struct eng_store_key *k,
                             int code, const char *reason, struct ds_span ctype,
                             const void *payload, size_t n)
{
    char subject[S_SUBJECT_MAX];
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_i64(b, code);
    eng_audit_buf_str(b, ds_span_str(reason ? reason : ""));
    eng_audit_buf_str(b, ctype);
    s_digest(b, payload, n);
    return s_append(a, ENG_AUDIT_EVENT_QUARANTINED, eng_audit_ts(a),
                    s_key(subject, k), b);
}

int eng_audit_log_signal(eng_audit_t *a, const struct eng_signal *s)
{
    char subject[S_SUBJECT_MAX], trigger[S_SUBJECT_MAX];
    struct eng_store_key k = {ds_span_str(s->source), s->epoch, s->seq};
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_str(b, ds_span_str(s->method ? s->method : ""));
    eng_audit_buf_str(b, ds_span_str(s->product_code));
    eng_audit_buf_str(b, ds_span_str(s->event_code));
    eng_audit_buf_f64(b, s->statistic);
    eng_audit_buf_f64(b, s->threshold);
    eng_audit_buf_i64(b, s->observed);
    eng_audit_buf_f64(b, s->expected);
    eng_audit_buf_str(b, ds_span_str(s->params));
    eng_audit_buf_str(b, s_key(trigger, &k));
    eng_audit_buf_str(b, ds_span_str(s->plan));
    eng_audit_buf_str(b, ds_span_str(s->device));
    eng_audit_buf_str(b, ds_span_str(s->rules));
    eng_audit_buf_str(b, ds_span_str(s->plans));
    eng_audit_buf_i64(b, s->generation);
    int n = snprintf(subject, sizeof subject, "signal/%" PRId64, s->id);
    struct ds_span subj = {subject, (size_t)n};
    return s_append(a, ENG_AUDIT_SIGNAL_RAISED, s->ts_event, subj, b);
}

int eng_audit_log_discontinuity(eng_audit_t *a, struct ds_span source,
                                int64_t epoch, int64_t prev_epoch,
                                int64_t prev_committed, int64_t ts)
{
    char subject[S_SUBJECT_MAX];
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_i64(b, prev_epoch);
    eng_audit_buf_i64(b, prev_committed);
    int n = snprintf(subject, sizeof subject, "%.*s/%" PRId64, (int)source.n,
                     source.p, epoch);
    struct ds_span subj = {subject, (size_t)n};
    return s_append(a, ENG_AUDIT_SOURCE_DISCONTINUITY, ts, subj, b);
}

int eng_audit_log_config(eng_audit_t *a, const char *text, size_t n)
{
    struct eng_audit_buf *b = eng_audit_payload(a);
    s_digest(b, text, n);
    return s_append(a, ENG_AUDIT_CONFIG_LOADED, eng_audit_ts(a),
                    ds_span_str("config"), b);
}

int eng_audit_log_alert(eng_audit_t *a, const struct eng_audit_alert *t)
{
    char subject[48];
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_i64(b, t->signal);
    eng_audit_buf_str(b, ds_span_str(t->from));
    eng_audit_buf_str(b, ds_span_str(t->to));
    eng_audit_buf_str(b, ds_span_str(t->by));
    eng_audit_buf_str(b, ds_span_str(t->reason));
    int n = snprintf(subject, sizeof subject, "alert/%" PRId64, t->alert);
    struct ds_span subj = {subject, (size_t)n};
    return s_append(a, ENG_AUDIT_ALERT_TRANSITION, t->ts, subj, b);
}

int eng_audit_log_mentions(eng_audit_t *a, const struct eng_store_key *k,
                           int64_t ts, const char *rules_sha, int64_t count,
                           const uint8_t digest[ENG_AUDIT_HASH])
{
    char subject[S_SUBJECT_MAX];
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_str(b, ds_span_str(rules_sha));
    eng_audit_buf_i64(b, count);
    eng_audit_buf_bytes(b, digest, ENG_AUDIT_HASH);
    return s_append(a, ENG_AUDIT_MENTIONS, ts, s_key(subject, k), b);
}

int eng_audit_log_late(eng_audit_t *a, const struct eng_store_key *k,
                       int64_t ts, int64_t watermark)
{
    char subject[S_SUBJECT_MAX];
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_i64(b, ts);
    eng_audit_buf_i64(b, watermark);
    return s_append(a, ENG_AUDIT_EVENT_LATE, ts, s_key(subject, k), b);
}

int eng_audit_log_loaded(eng_audit_t *a, enum eng_audit_kind kind,
                         const char *sha, const char *files, int64_t ts)
{
    struct eng_audit_buf *b = eng_audit_payload(a);
    eng_audit_buf_str(b, ds_span_str(sha));
    eng_audit_buf_str(b, ds_span_str(files));
    const char *subj = kind == ENG_AUDIT_RULES_LOADED ? "rules" : "plans";
    return s_append(a, kind, ts, ds_span_str(subj), b);
}
