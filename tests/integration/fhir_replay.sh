#!/usr/bin/env bash
# fhir_replay.sh - the real binary takes FHIR R4: `devsurv replay
# --content-type fhir` on single resources (fixtures/fhir/resources.ndjson,
# the site-prepared split of bundle_icd.ndjson) stores the exposure, note,
# outcome and explant with their FHIR ids, and quarantines the lone Device
# and unsplit Bundles with reasons that say what to do.
. "$(dirname "$0")/../lib.sh"
R="$DEVSURV replay -c contrib/demo.conf --content-type fhir"

$R --db "$T/a.db" fixtures/fhir/resources.ndjson >"$T/a.out" 2>"$T/a.err"
check "fhir_replay_exit_0" test $? -eq 0
check "fhir_replay_summary" grep -q \
    "^replay: fixtures/fhir/resources.ndjson: 5 lines, 4 events, 1 quarantined" \
    "$T/a.out"
check "fhir_events_stored_by_kind" test "$(sql "$T/a.db" \
    "select id||'|'||kind||'|'||patient||'|'||ifnull(product_code,'')||'|'||ifnull(event_code,'') from events order by seq")" = \
"Procedure/proc-implant-1|exposure|p1|LWS|
DocumentReference/note-77|note|p1||
AdverseEvent/ae-5|outcome|p1|LWS|E0505
Procedure/proc-rev-1|exposure|p1|LWS|"
check "fhir_content_type_stored" test "$(sql "$T/a.db" \
    "select distinct content_type from events")" = "application/fhir+json"
check "fhir_lone_device_quarantined_with_reason" sh -c \
    "sqlite3 -readonly '$T/a.db' 'select reason from quarantine' | grep -q 'Device: a Device alone is not an event'"

$R --db "$T/b.db" fixtures/fhir/bundle_icd.ndjson >"$T/b.out" 2>/dev/null
check "fhir_bundles_quarantined" grep -q "3 lines, 0 events, 3 quarantined" \
    "$T/b.out"
check "fhir_bundle_reason_says_split" test "$(sql "$T/b.db" \
    "select count(*) from quarantine where reason like 'Bundle: one message carries one event%'")" = 3

"$DEVSURV" replay --content-type xml --db "$T/c.db" fixtures/fhir/resources.ndjson 2>/dev/null
check "fhir_bad_content_type_exit_64" test $? -eq 64
finish
