/*
 * bench_verify.c - builds the store that `make bench` times `devsurv
 * verify` on (issue target: verify of 1,000,000 entries < 5 s). Usage:
 * bench_verify DB ANCHORS N. tests/bench/run.sh then runs the real binary,
 * `devsurv verify --db DB --anchors ANCHORS`, and prints the row.
 *
 * The store is written through the engine's own code, shaped like a
 * stream of clinical notes that each yield mentions, the kind of stream
 * where entries are densest: per note, its events row (256-byte payload,
 * eng_store_event_put), its part of an events_stored entry
 * (eng_audit_log_event) and its mention batch entry
 * (eng_audit_log_mentions). As in the pipeline, a mention entry closes
 * the queued events_stored entry, so each note adds two entries: N / 2
 * notes. Batches of 1,000 notes commit as the pipeline does
 * (eng_audit_flush before COMMIT), and a Merkle checkpoint is made with
 * an anchor line whenever audit.checkpoint_every (10,000, the default) is
 * reached (eng_checkpoint_make). Checkpoints are not signed (no key in
 * the default configuration). verify therefore recomputes every entry
 * hash, decodes every entry, re-hashes every event payload against its
 * row, checks every audit_events row, recomputes every checkpoint root and
 * compares each with its anchor line.
 */
#include "bench_util.h"

#include "devsurv/ds_diag.h"
#include "devsurv/ds_sha256.h"
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_log.h"
#include "devsurv/eng_checkpoint.h"
#include "devsurv/eng_config.h"
#include "devsurv/eng_event.h"
#include "devsurv/eng_store.h"
#include "devsurv/eng_store_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_BATCH 1000 /* notes per transaction */
#define S_RULES                                                                \
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct s_ctx {
    eng_store_t *store;
    eng_audit_t *audit;
    eng_checkpoint_t *ckpt;
    struct ds_diag diag;
};

/* Note i: its row, its event in the queued events_stored entry, its
 * mention batch entry. */
static int s_note(struct s_ctx *c, size_t i)
{
    char payload[257], id[32];
    int64_t ts = 1767571200000LL + (int64_t)i * 1000; /* from 2026-01-05 */
    snprintf(id, sizeof id, "n-%zu", i);
    int n = snprintf(payload, sizeof payload,
                     "{\"id\":\"%s\",\"kind\":\"note\",\"text\":\"", id);
    memset(payload + n, 'a' + (int)(i % 26), sizeof payload - 3 - (size_t)n);
    memcpy(payload + sizeof payload - 3, "\"}", 3);
    struct eng_store_key k = {ds_span_str("bench"), 1, (int64_t)i + 1};
    struct eng_event ev = {.kind = ENG_EV_NOTE,
                           .time_ms = ts,
                           .id = ds_span_str(id),
                           .text = {payload + n, 200}};
    struct ds_span ct = ds_span_str("application/vnd.devsurv.event+json");
    uint8_t digest[DS_SHA256_BYTES];
    ds_sha256(digest, id, strlen(id));
    if (eng_store_event_put(c->store, &k, &ev, ct, payload, 256) != 0 ||
        eng_audit_log_event(c->audit, &k, ts, ct, payload, 256) != 0 ||
        eng_audit_log_mentions(c->audit, &k, ts, S_RULES, 3, digest) != 0)
        return bench_fail("note", "%zu not stored", i);
    return 0;
}

static int s_batch(struct s_ctx *c, size_t from, size_t to)
{
    if (eng_store_begin(c->store) != 0)
        return bench_fail("store", "BEGIN failed");
    for (size_t i = from; i < to; i++)
        if (s_note(c, i) != 0) {
            eng_store_rollback(c->store);
            return -1;
        }
    if (eng_audit_flush(c->audit) != 0 || eng_store_commit(c->store) != 0)
        return bench_fail("store", "COMMIT failed");
    eng_audit_committed(c->audit);
    if (eng_checkpoint_due(c->ckpt) &&
        eng_checkpoint_make(c->ckpt, NULL, &c->diag) != 0)
        return bench_fail("checkpoint", "%s", c->diag.msg);
    return 0;
}

int main(int argc, char **argv)
{
    bench_init("bench_verify", true);
    size_t n = argc == 4 ? strtoull(argv[3], NULL, 10) : 0;
    if (argc != 4 || n < 2 || n > 100000000)
        return bench_fail("usage", "bench_verify DB ANCHORS N (2..1e8)"), 2;
    struct eng_config cfg;
    eng_config_defaults(&cfg);
    snprintf(cfg.audit.anchors, sizeof cfg.audit.anchors, "%s", argv[2]);
    struct s_ctx c = {0};
    uint64_t t0 = bench_now_ns();
    c.store = eng_store_open(argv[1], false, &c.diag);
    if (c.store)
        c.audit = eng_audit_new(c.store, &c.diag);
    if (c.audit)
        c.ckpt = eng_checkpoint_new(c.store, c.audit, &cfg, &c.diag);
    int rc = c.ckpt ? 0 : bench_fail("open", "%s", c.diag.msg);
    size_t notes = n / 2;
    for (size_t i = 0; rc == 0 && i < notes; i += S_BATCH)
        rc = s_batch(&c, i, i + S_BATCH < notes ? i + S_BATCH : notes);
    if (rc == 0 && eng_checkpoint_make(c.ckpt, NULL, &c.diag) != 0)
        rc = bench_fail("checkpoint", "%s", c.diag.msg); /* as at shutdown */
    if (rc == 0)
        printf("verify store: %lld entries (%zu notes, each its event and "
               "its mention batch; checkpoints every %lld entries, with "
               "anchors), built in %.1f s\n",
               (long long)eng_audit_seq(c.audit), notes,
               (long long)cfg.audit.checkpoint_every,
               (double)(bench_now_ns() - t0) / 1e9);
    eng_checkpoint_destroy(&c.ckpt);
    eng_audit_destroy(&c.audit);
    eng_store_destroy(&c.store);
    return rc == 0 ? 0 : 1;
}
