/*
 * eng_ingest.c - per-(source, epoch) seq/ACK state for DSV1 (see
 * eng_ingest.h).
 */
#include "devsurv/eng_ingest.h"
#include "devsurv/eng_store_events.h"
#include "devsurv/eng_store_epochs.h"
#include "devsurv/ds_alloc.h"

#include <string.h>

struct eng_ingest {
    eng_store_t *store;           /* borrowed */
    struct eng_ingest_src **srcs; /* one block each: streams never move */
    size_t n, cap;
    struct eng_ingest_stats stats;
};

eng_ingest_t *eng_ingest_new(eng_store_t *store)
{
    eng_ingest_t *self = ds_calloc(1, sizeof *self);
    if (self)
        self->store = store;
    return self;
}

void eng_ingest_destroy(eng_ingest_t **self_p)
{
    eng_ingest_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++)
        ds_free(self->srcs[i]);
    ds_free(self->srcs);
    ds_free(self);
    *self_p = NULL;
}

static struct eng_ingest_src *s_find(eng_ingest_t *self, struct ds_span s,
                                     int64_t epoch)
{
    for (size_t i = 0; i < self->n; i++)
        if (self->srcs[i]->epoch == epoch &&
            ds_span_eq(s, self->srcs[i]->source))
            return self->srcs[i];
    return NULL;
}

static struct eng_ingest_src *s_add(eng_ingest_t *self, struct ds_span s,
                                    int64_t epoch)
{
    int64_t committed, prev_epoch, prev_committed;
    if (s.n > ENG_WIRE_SOURCE_MAX ||
        eng_store_source_get(self->store, s, epoch, &committed) != 0 ||
        eng_store_epoch_prev(self->store, s, epoch, &prev_epoch,
                             &prev_committed) != 0)
        return NULL;
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 8;
        struct eng_ingest_src **a = ds_realloc(self->srcs, cap * sizeof *a);
        if (!a)
            return NULL;
        self->srcs = a;
        self->cap = cap;
    }
    struct eng_ingest_src *src = ds_calloc(1, sizeof *src);
    if (!src)
        return NULL;
    self->srcs[self->n++] = src;
    memcpy(src->source, s.p, s.n);
    src->epoch = epoch;
    src->committed = committed;
    src->expected = committed + 1;
    src->prev_epoch = prev_epoch;
    src->prev_committed = prev_committed;
    return src;
}

struct eng_ingest_src *eng_ingest_src(eng_ingest_t *self, struct ds_span source,
                                      int64_t epoch, const void *rid,
                                      size_t rid_len)
{
    struct eng_ingest_src *src = s_find(self, source, epoch);
    if (!src)
        src = s_add(self, source, epoch);
    if (src && rid_len <= ENG_INGEST_RID_MAX) {
        if (rid_len)
            memcpy(src->rid, rid, rid_len);
        src->rid_len = rid_len;
    }
    return src;
}

enum eng_ingest_verdict eng_ingest_check(eng_ingest_t *self,
                                         struct eng_ingest_src *src,
                                         int64_t seq, int64_t now_ms,
                                         bool *resend)
{
    *resend = false;
    if (seq == src->expected)
        return ENG_INGEST_APPLY;
    if (seq < src->expected) {
        self->stats.duplicates++;
        src->need_ack = true;
        return ENG_INGEST_DUP;
    }
    self->stats.gaps++;
    if (src->resend_for != src->expected ||
        now_ms - src->resend_ms >= ENG_INGEST_RESEND_MS) {
        *resend = true;
        src->resend_for = src->expected;
        src->resend_ms = now_ms;
        self->stats.resends++;
    }
    return ENG_INGEST_GAP;
}

void eng_ingest_applied(eng_ingest_t *self, struct eng_ingest_src *src)
{
    src->expected++;
    src->need_ack = true;
    self->stats.applied++;
}

void eng_ingest_committed(eng_ingest_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        self->srcs[i]->committed = self->srcs[i]->expected - 1;
}

void eng_ingest_rolled_back(eng_ingest_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        self->srcs[i]->expected = self->srcs[i]->committed + 1;
}

void eng_ingest_each_ack(eng_ingest_t *self,
                         void (*fn)(void *arg,
                                    const struct eng_ingest_src *src),
                         void *arg)
{
    for (size_t i = 0; i < self->n; i++) {
        if (self->srcs[i]->need_ack) {
            self->srcs[i]->need_ack = false;
            fn(arg, self->srcs[i]);
        }
    }
}

const struct eng_ingest_stats *eng_ingest_stats(const eng_ingest_t *self)
{
    return &self->stats;
}
