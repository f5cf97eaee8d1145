/*
 * bench_noaudit.c - the one source file of devsurv-noaudit, a bench-only
 * engine binary with the per-event audit entry switched off, so that
 * bench_e2e.sh can measure what the audit trail costs end-to-end ingest
 * (issue target: < 10% of ingest throughput) as an A/B of two binaries
 * that differ only in that.
 *
 * The switch is a link-time seam, never a setting: tests/bench/run.sh
 * links the engine's main object ($BUILD/engine/devsurv.o, built by
 * `make`), this file and $BUILD/libdevsurv.a with
 * -Wl,--wrap=eng_audit_log_event. The linker then sends every call to
 * eng_audit_log_event from another object file (the pipeline's) to
 * __wrap_eng_audit_log_event below, which does nothing and reports
 * success. The shipped devsurv is linked without --wrap, so no
 * configuration, option or environment variable can turn auditing off.
 *
 * What the binary leaves out: each stored event's part of the
 * events_stored entries (SHA-256 of the payload, its fields in the
 * entry, so the entries themselves with their canonical bytes, SHA-256,
 * INSERT, audit_events rows and WAL bytes) and the Merkle checkpoints
 * those entries would have triggered. Everything else stays: the
 * config_loaded entry, quarantine and signal entries, the audit head
 * handling. Its stores fail
 * `devsurv verify` (events without their entries): bench databases only.
 * bench_e2e.sh checks that the binary really recorded no event.
 * tests/bench/bench_stages_audit.c uses the same seam in one process.
 */
#include "bench_audit_wrap.h"

int __wrap_eng_audit_log_event(eng_audit_t *a, const struct eng_store_key *k,
                               int64_t ts, struct ds_span ctype,
                               const void *payload, size_t n)
{
    (void)a;
    (void)k;
    (void)ts;
    (void)ctype;
    (void)payload;
    (void)n;
    return 0;
}
