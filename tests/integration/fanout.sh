#!/usr/bin/env bash
# fanout.sh - the engine -> dashboard fan-out with the real binaries:
# `devsurv serve` with publish.endpoint / publish.snapshot on ipc:// in a
# temp dir, streams sent with ds-publish, dashboards played by ds-tap.
#  - a late joiner (started after the first signal was committed) gets that
#    signal from the snapshot, then a later signal live, with a seq greater
#    than the snapshot's, and reports no gap;
#  - --json prints the snapshot and messages as JSON lines;
#  - a forced loss: a subscriber with a small receive queue is SIGSTOPped
#    while ~24000 stats messages flow (more than the engine's per-subscriber
#    send queue), then SIGCONTed: it must report the gap and re-snapshot;
#  - an engine restart (new run id, seq restarts) makes it re-snapshot
#    without printing known signals again;
#  - --timeout exits 69 when nothing arrives, bad usage exits 64.
. "$(dirname "$0")/../lib.sh"
TAP=$BUILD/ds-tap
EP="ipc://$T/ingest.ipc"
PUB="ipc://$T/pub.ipc"
SNAP="ipc://$T/snap.ipc"
DB=$T/serve.db

# gen PRODUCT EXPOSURES <CODES: a stream for one device: the exposures,
# then one outcome per IMDRF code read from stdin, in order.
gen() {
    awk -v P="$1" -v A="$2" '
    function rec(kind, extra) {
        n++; m = n % 60; h = int(n / 60) % 24; d = 1 + int(n / 1440)
        printf "{\"id\":\"%s-%06d\",\"kind\":\"%s\",", P, n, kind
        printf "\"time\":\"2026-03-%02dT%02d:%02d:00Z\",", d, h, m
        printf "\"patient\":\"p-%06d\",", n
        printf "\"device\":{\"product_code\":\"%s\"}%s}\n", P, extra
    }
    NR == 1 { for (i = 0; i < A; i++) rec("exposure", "") }
    { rec("outcome", ",\"event\":{\"code\":\"" $0 "\"}") }'
}

serve() {
    # the fan-out protocol on the coded-outcome path alone: plan signals
    # (plans_*.sh, browser_dashboard.sh) would interleave with these
    start_bg "$T/serve$1.log" "$DEVSURV" serve -c contrib/demo.conf \
        --set plans.enabled=false --set "ingest.endpoint=$EP" --set "publish.endpoint=$PUB" \
        --set "publish.snapshot=$SNAP" --set "publish.health_ms=200" \
        --db "$DB"
    SERVE=$BG_PID
}

publish() { # publish SOURCE FILE
    timeout 60 "$PUBLISH" --endpoint "$EP" --source "$1" --timeout 30 \
        --insecure --journal "$T/journal-$1.db" "$2" 2>"$T/pub-$1.log"
}

count() { grep -c -- "$1" "$2" 2>/dev/null || true; }
has() { grep -q -- "$1" "$2" 2>/dev/null; }
at_least() { [ "$(count "$2" "$3")" -ge "$1" ]; }

serve 1

# 1. The first signal (MGB x E0505) is committed before anyone listens.
check "demo_stream_acked" publish hospA fixtures/streams/demo.jsonl
check "first_signal_committed" wait_until 5 has "^signal #1 MGB x E0505" \
    "$T/serve1.log"

# 2. A late joiner: the snapshot has it; the next signal arrives live.
start_bg "$T/late.out" "$TAP" --endpoint "$PUB" --snapshot "$SNAP" \
    --count 2 --timeout 30
LATE=$BG_PID
check "late_joiner_gets_signal_from_snapshot" wait_until 10 has \
    "^signal MGB x E0505 .*(snapshot)" "$T/late.out"
printf 'E0401\n%.0s' 1 2 3 4 5 6 7 8 | gen DQY 50 >"$T/dqy.jsonl"
check "second_stream_acked" publish hospB "$T/dqy.jsonl"
check "late_joiner_exits_after_two_signals" wait_until 10 dead "$LATE"
wait "$LATE"
check "late_joiner_exit_0" test $? -eq 0
check "second_signal_live" has "^signal DQY x E0401 .* seq=[0-9]" \
    "$T/late.out"
snap_seq=$(sed -n 's/^snapshot run=[0-9a-f]* seq=\([0-9]*\) .*/\1/p' \
    "$T/late.out")
live_seq=$(sed -n 's/^signal DQY .* seq=\([0-9]*\)$/\1/p' "$T/late.out")
check "live_seq_after_snapshot_seq" test "${live_seq:-0}" -gt "${snap_seq:-0}"
check "first_signal_printed_once" test "$(count "^signal MGB" "$T/late.out")" \
    = 1
check "late_joiner_saw_no_gap" test "$(count "gap:" "$T/late.out")" = 0

# 3. JSON lines: the snapshot (both signals) with its topic.
timeout 20 "$TAP" --endpoint "$PUB" --snapshot "$SNAP" --json --count 2 \
    --timeout 10 >"$T/json.out" 2>"$T/json.err"
check "json_exit_0" test $? -eq 0
J='^{"topic":"SNAPSHOT","run":"[0-9a-f]\{16\}","seq":[0-9]*,"signals":\['
check "json_snapshot_line" grep -q "$J"'.*"product_code":"DQY"' "$T/json.out"

# 4. A forced loss. G's queue holds 100 messages; stopped, it cannot read,
# so once the engine's queue for it is full, PUB drops (never blocks).
start_bg "$T/g.out" "$TAP" --endpoint "$PUB" --snapshot "$SNAP" \
    --rcvhwm 100
G=$BG_PID
check "g_synced" wait_until 10 has "^snapshot run=" "$T/g.out"
kill -STOP "$G"
seq 1 24000 | awk '{ printf "E%06d\n", $1 }' | gen QQQ 300 >"$T/many.jsonl"
check "many_cells_stream_acked" publish hospC "$T/many.jsonl"
# A snapshot request makes the engine publish its pending stats first.
timeout 20 "$TAP" --endpoint "$PUB" --snapshot "$SNAP" --count 1 \
    --timeout 10 >"$T/flush.out" 2>&1
check "stats_flushed_by_snapshot" test $? -eq 0
kill -CONT "$G"
GAP="^ds-tap: gap: expected seq [0-9]*, got [0-9]* ([0-9]* lost);"
check "gap_reported" wait_until 20 has "$GAP re-requesting snapshot" \
    "$T/g.out"
check "re_snapshot_after_gap" wait_until 10 at_least 2 "^snapshot run=" \
    "$T/g.out"
check "stats_before_the_gap_printed" has "^stats QQQ x E000001 observed=1 \
expected=6.0000 llr=0.0000 status=watching seq=" "$T/g.out"
check "health_printed" wait_until 10 has \
    "^health events=[0-9]* .*hospC/[0-9]*:24300" "$T/g.out"
check "engine_alive_after_burst" alive "$SERVE"

# 5. Engine restart: new run id, seq from 1: G re-snapshots, prints no
# signal twice.
stop_wait "$SERVE" 20
check "engine_stopped_cleanly" test "$STOP_RC" = 0
serve 2
RUN="^ds-tap: engine run changed ([0-9a-f]* -> [0-9a-f]*);"
check "run_change_reported" wait_until 20 has \
    "$RUN re-requesting snapshot" "$T/g.out"
check "re_snapshot_after_restart" wait_until 10 at_least 3 "^snapshot run=" \
    "$T/g.out"
check "no_signal_printed_twice" test "$(count "^signal MGB" "$T/g.out")" = 1
kill -TERM "$G"

# 6. Exit codes.
timeout 20 "$TAP" --endpoint "ipc://$T/nobody.ipc" --timeout 1 \
    >/dev/null 2>"$T/to.err"
check "timeout_exit_69" test $? -eq 69
"$TAP" --snapshot "$SNAP" >/dev/null 2>&1
check "usage_exit_64" test $? -eq 64
stop_wait "$SERVE" 20
finish
