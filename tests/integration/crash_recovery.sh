#!/usr/bin/env bash
# crash_recovery.sh - no event lost or doubled under crashes (issue:
# reliable ingest, test a). 100,000 events go from ds-publish (journal,
# CURVE) to `devsurv serve`; the engine is killed with SIGKILL twice and
# the publisher once, each at a random point of the stream (the seed is
# printed; DS_CRASH_SEED=N reproduces a run). Both are restarted on the same
# database and journal. At the end the store must hold every seq exactly
# once (count = distinct = 100000, min 1, max 100000, one epoch), the
# watermark must be 100000, and the publisher's journal must be drained.
. "$(dirname "$0")/../lib.sh"
N=${DS_CRASH_EVENTS:-100000}
SEED=${DS_CRASH_SEED:-$$}
RANDOM=$SEED
echo "# crash_recovery: $N events, seed $SEED"
EP="ipc://$T/ingest.ipc"
DB=$T/crash.db
J=$T/site.journal
K=$T/keys
mkdir -p "$K"
"$DEVSURV" keygen "$K/engine" >/dev/null
"$DEVSURV" keygen "$K/site" >/dev/null
printf 'site %s\n' "$(sed -n 's/^public-key = //p' "$K/site.pub")" \
    >"$T/allow.txt"

# Exposures with every tenth an outcome; event times one second apart.
awk -v n="$N" 'BEGIN {
    for (i = 1; i <= n; i++) {
        t = sprintf("2026-01-%02dT%02d:%02d:%02dZ", 1 + int(i / 86400),
                    int(i / 3600) % 24, int(i / 60) % 60, i % 60)
        if (i % 10)
            printf "{\"id\":\"c-%d\",\"kind\":\"exposure\",\"time\":\"%s\"," \
                   "\"device\":{\"product_code\":\"MGB\"}}\n", i, t
        else
            printf "{\"id\":\"c-%d\",\"kind\":\"outcome\",\"time\":\"%s\"," \
                   "\"device\":{\"product_code\":\"MGB\"}," \
                   "\"event\":{\"code\":\"E0505\"}}\n", i, t
    }
}' >"$T/stream.jsonl"

engine() {
    start_bg "$T/serve$1.log" "$DEVSURV" serve -c contrib/demo.conf \
        --set "ingest.endpoint=$EP" --set ingest.insecure=false \
        --set "ingest.server_key=$K/engine.key" \
        --set "ingest.allowlist=$T/allow.txt" --db "$DB"
    SERVE=$BG_PID
}
publisher() {
    start_bg "$T/pub$1.log" "$PUBLISH" --endpoint "$EP" --source site \
        --journal "$J" --server-key "$K/engine.pub" --key "$K/site.key" \
        --window 500 --timeout 120 "$T/stream.jsonl"
    PUB=$BG_PID
}
stored() { sql "$DB" "select count(*) from events" 2>/dev/null || echo 0; }
reached() { [ "$(stored)" -ge "$1" ]; }
kill9() {
    kill -KILL "$1"
    wait_until 10 dead "$1"
    wait "$1" 2>/dev/null
}
# a random point in [lo, lo + span)
point() { echo $(($1 + (RANDOM * 32768 + RANDOM) % $2)); }
k1=$(point $((N / 10)) $((N / 5)))
k2=$(point $((N * 4 / 10)) $((N / 5)))
k3=$(point $((N * 7 / 10)) $((N / 5)))
echo "# kill points: engine at $k1, publisher at $k2, engine at $k3"

engine 1
publisher 1
if wait_until 120 reached "$k1"; then ok "reached_first_kill_point"; else
    fail "reached_first_kill_point" "stored $(stored)"; fi
kill9 "$SERVE"
engine 2
if wait_until 120 reached "$k2"; then ok "resumed_after_engine_kill"; else
    fail "resumed_after_engine_kill" "stored $(stored)"; fi
kill9 "$PUB"
publisher 2
if wait_until 120 reached "$k3"; then ok "resumed_after_publisher_kill"; else
    fail "resumed_after_publisher_kill" "stored $(stored)"; fi
kill9 "$SERVE"
engine 3
if wait_until 180 dead "$PUB"; then
    wait "$PUB"
    rc=$?
else
    rc=124
fi
if [ $rc -eq 0 ]; then ok "publisher_finished_all_acked"; else
    fail "publisher_finished_all_acked" "exit $rc: $(tail -3 "$T/pub2.log")"
fi
stop_wait "$SERVE" 30
check "engine_clean_stop" test "$STOP_RC" = 0

got=$(sql "$DB" "select count(*), count(distinct seq), min(seq), max(seq), \
count(distinct epoch) from events where source = 'site'")
if [ "$got" = "$N|$N|1|$N|1" ]; then ok "every_seq_exactly_once"; else
    fail "every_seq_exactly_once" "count|distinct|min|max|epochs = $got"; fi
check "nothing_quarantined" test "$(sql "$DB" "select count(*) from quarantine")" = 0
check "watermark_is_n" test \
    "$(sql "$DB" "select committed from sources where source = 'site'")" = "$N"
check "ids_unique" test "$(sql "$DB" "select count(distinct id) from events")" = "$N"
"$PUBLISH" --status --journal "$J" >"$T/status.txt" 2>&1
check "journal_drained" grep -Eq "pending[ =:]+0\b" "$T/status.txt"
check "publisher_restart_resumed" grep -qi "resum" "$T/pub2.log"
finish
