/*
 * bench_audit_wrap.h - the link-time seam two bench programs use to run the
 * engine without the audit trail's per-event work: they are linked with
 * -Wl,--wrap=eng_audit_log_event, so the engine's calls reach
 * __wrap_eng_audit_log_event, which the program defines
 * (bench_noaudit.c: does nothing; bench_stages_audit.c: forwards to
 * __real_eng_audit_log_event unless its row is running). Declared once
 * here, with the signature of eng_audit_log_event (eng_audit_log.h), so a
 * change to it fails to compile in both instead of linking a mismatch.
 */
#ifndef DEVSURV_BENCH_AUDIT_WRAP_H
#define DEVSURV_BENCH_AUDIT_WRAP_H

#include "devsurv/eng_audit_log.h"

int __real_eng_audit_log_event(eng_audit_t *a, const struct eng_store_key *k,
                               int64_t ts, struct ds_span ctype,
                               const void *payload, size_t n);
int __wrap_eng_audit_log_event(eng_audit_t *a, const struct eng_store_key *k,
                               int64_t ts, struct ds_span ctype,
                               const void *payload, size_t n);

#endif
