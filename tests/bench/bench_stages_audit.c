/*
 * bench_stages_audit.c - bench_stages' row "pipeline, no event audit": the
 * pipeline row again with the audit trail's per-event work switched off,
 * so the difference between the two rows is what the audit trail costs the
 * ingest path (issue target: < 10% of ingest throughput).
 *
 * The switch is a link-time seam, not a setting: bench_stages is linked
 * with -Wl,--wrap=eng_audit_log_event, so the pipeline's calls reach
 * __wrap_eng_audit_log_event below, which forwards to the real function
 * unless this row is running. No engine code can turn auditing off. What
 * the row leaves out: each stored event's part of the events_stored
 * entries (SHA-256 of the payload, its fields; so the entries with their
 * canonical bytes, SHA-256, INSERT, audit_events rows and WAL bytes) and
 * the Merkle checkpoints those entries would have triggered.
 * The config_loaded entry and the audit head handling stay.
 */
#include "bench_stages.h"
#include "bench_util.h"

#include "bench_audit_wrap.h"

static bool s_off;

int __wrap_eng_audit_log_event(eng_audit_t *a, const struct eng_store_key *k,
                               int64_t ts, struct ds_span ctype,
                               const void *payload, size_t n)
{
    if (s_off)
        return 0;
    return __real_eng_audit_log_event(a, k, ts, ctype, payload, n);
}

int bsg_run_audit(struct bsg_ctx *c)
{
    s_off = true;
    int rc = bsg_run_pipeline_as(c, "pipeline, no event audit (A/B)");
    s_off = false;
    return rc;
}

void bsg_note_audit_share(struct bsg_ctx *c)
{
    double on = bsg_row_secs("store+counts (pipeline)");
    double off = bsg_row_secs("pipeline, no event audit (A/B)");
    if (on > 0 && off > 0)
        bsg_note(c,
                 "audit: the pipeline without its per-event audit entries "
                 "(and the checkpoints they trigger) ran %.0f events/s, "
                 "with them %.0f: the audit trail costs %.1f%% of ingest "
                 "throughput (target < 10%%; one run each, so a few %% of "
                 "noise).\n",
                 (double)c->n / off, (double)c->n / on,
                 100.0 * (1.0 - off / on));
}
