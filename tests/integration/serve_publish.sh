#!/usr/bin/env bash
# serve_publish.sh - the first stream end to end over ZeroMQ: `devsurv
# serve` on an ipc:// endpoint in a temp dir, `ds-publish` sends the demo
# stream and exits only once every event is committed and ACKed; then the
# store must hold every event, the two malformed lines in quarantine with
# reasons, one signal for the elevated device (MGB x E0505) and none for the
# device at baseline (LZG). A second publish of the same file must change
# nothing (idempotent by source/epoch/seq), SIGTERM must stop the engine
# cleanly, and a replay of the file must give the same signals and cells.
. "$(dirname "$0")/../lib.sh"
STREAM=fixtures/streams/demo.jsonl
EP="ipc://$T/ingest.ipc"
DB=$T/serve.db
NLINES=$(grep -c . "$STREAM")

start_bg "$T/serve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set "ingest.endpoint=$EP" --db "$DB"
SERVE=$BG_PID

timeout 60 "$PUBLISH" --endpoint "$EP" --source hospA --timeout 30 \
    --insecure --journal "$T/pub.db" "$STREAM" 2>"$T/pub.log"
rc=$?
if [ $rc -eq 0 ]; then ok "publish_acknowledged"; else
    fail "publish_acknowledged" "ds-publish exit $rc: $(cat "$T/pub.log")"; fi
check "publisher_reports_all_acked" \
    grep -q "$NLINES acknowledged" "$T/pub.log"

# ACK means committed: the rows must be readable now, with no waiting.
ev=$(sql "$DB" "select count(*) from events")
q=$(sql "$DB" "select count(*) from quarantine")
if [ "$ev" -eq $((NLINES - 2)) ] && [ "$q" -eq 2 ]; then ok "all_stored"; else
    fail "all_stored" "events=$ev quarantine=$q lines=$NLINES"; fi
check "watermark_is_last_seq" \
    test "$(sql "$DB" "select committed from sources where source='hospA'")" \
    = "$NLINES"
check "quarantine_reason_names_field" test -n \
    "$(sql "$DB" "select 1 from quarantine where reason like \
'device.product_code:%' and source='hospA'")"
check "quarantine_keeps_raw_bytes" test -n \
    "$(sql "$DB" "select 1 from quarantine where \
cast(payload as text) like '%demo-bad-1%'")"

"$DEVSURV" signals --db "$DB" --json >"$T/signals.json"
# one signal from the [maxsprt] coded-outcome path, one from the
# closure-haematoma plan (cells per brand: Acme SealRight)
check "two_signals" test "$(grep -c '"product_code"' "$T/signals.json")" = 2
check "plan_signal_for_the_brand" grep -q '"product_code": "Acme SealRight"' \
    "$T/signals.json"
check "signal_is_elevated_device" grep -q '"product_code": "MGB"' \
    "$T/signals.json"
check "no_signal_for_baseline_device" \
    test "$(sql "$DB" "select count(*) from signals where product_code='LZG'")" = 0
check "signal_crossed_threshold" test "$(sql "$DB" \
    "select min(statistic >= threshold and observed >= 1) from signals")" = 1
check "engine_printed_signal" \
    wait_until 5 grep -q "^signal #[0-9]* MGB x E0505" "$T/serve.log"

# Publishing the same stream again with the same journal: it resumes at
# the end of the file, sends nothing, nothing new stored.
timeout 60 "$PUBLISH" --endpoint "$EP" --source hospA --timeout 30 \
    --insecure --journal "$T/pub.db" "$STREAM" 2>"$T/pub2.log"
check "republish_acknowledged" test $? -eq 0
check "republish_changes_nothing" test \
    "$(sql "$DB" "select count(*) from events")" = "$ev"

stop_wait "$SERVE" 20
check "sigterm_clean_exit" test "$STOP_RC" = 0
check "engine_logged_summary" grep -q \
    "stopped: $((NLINES - 2)) events, 2 quarantined, 2 signals" "$T/serve.log"

# Live and replay: same signals and cells for the same input.
# (same epoch: the publisher's journal chose it when it was created)
EPOCH=$("$PUBLISH" --status --journal "$T/pub.db" | sed -n 's/^epoch: //p')
"$DEVSURV" replay -c contrib/demo.conf --db "$T/replay.db" --source hospA \
    --epoch "$EPOCH" "$STREAM" >"$T/replay.log" 2>&1
q="select * from signals; select * from cells; select * from exposures;"
check "replay_equals_live" test \
    "$(sql "$DB" "$q")" = "$(sql "$T/replay.db" "$q")"
finish
