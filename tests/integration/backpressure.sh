#!/usr/bin/env bash
# backpressure.sh - when the engine falls behind, the publisher slows down
# and nothing is dropped (issue: reliable ingest, item 5). The engine grants
# a credit of 40 events; the publisher asks for a window of 1000. The engine
# is frozen with SIGSTOP mid-stream: the publisher must keep at most 40
# events in flight (its progress lines say so), must not time out or give
# up, and must stop reading ahead of the engine without limit (its journal
# holds a bounded backlog). After SIGCONT every event is stored exactly
# once, with no gap ever seen by the engine (nothing lost in transit).
. "$(dirname "$0")/../lib.sh"
N=6000
EP="ipc://$T/ingest.ipc"
DB=$T/bp.db
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":\"b-%d\",\"kind\":\"exposure\",\"time\":" \
           "\"2026-02-01T00:00:00Z\",\"device\":{\"product_code\":\"LZG\"}}\n", i
}' >"$T/stream.jsonl"

start_bg "$T/serve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set "ingest.endpoint=$EP" --set ingest.credit=40 --db "$DB"
SERVE=$BG_PID
start_bg "$T/pub.log" "$PUBLISH" --endpoint "$EP" --source bp --insecure \
    --journal "$T/j.db" --window 1000 --progress 1 --timeout 120 \
    "$T/stream.jsonl"
PUB=$BG_PID
stored() { sql "$DB" "select count(*) from events" 2>/dev/null || echo 0; }
reached() { [ "$(stored)" -ge "$1" ]; }
check "stream_started" wait_until 30 reached 200
kill -STOP "$SERVE"
frozen=$(stored)
# three progress lines while the engine is frozen
lines_now() { grep -c "progress:" "$T/pub.log"; }
base=$(lines_now)
more_lines() { [ "$(lines_now)" -ge $((base + 3)) ]; }
check "publisher_waits_while_engine_frozen" wait_until 15 more_lines
check "publisher_alive_while_engine_frozen" alive "$PUB"
flight=$(grep "progress:" "$T/pub.log" | tail -3 |
    sed -n 's/.*in flight \([0-9]*\) (limit \([0-9]*\)).*/\1 \2/p')
max_flight=$(echo "$flight" | awk '{ if ($1 > m) m = $1 } END { print m + 0 }')
limits=$(echo "$flight" | awk '{ print $2 }' | sort -u | tr '\n' ' ')
if [ -n "$flight" ] && [ "$max_flight" -le 40 ] && [ "$limits" = "40 " ]; then
    ok "in_flight_capped_by_engine_credit"
else
    fail "in_flight_capped_by_engine_credit" "in flight/limit: $flight"
fi
backlog=$(grep "progress:" "$T/pub.log" | tail -1 |
    sed -n 's/.*pending \([0-9]*\).*/\1/p')
if [ -n "$backlog" ] && [ "$backlog" -lt "$N" ]; then
    ok "journal_reads_ahead_boundedly"
else
    fail "journal_reads_ahead_boundedly" "pending $backlog of $N"
fi
check "nothing_stored_while_frozen" test "$(stored)" = "$frozen"
kill -CONT "$SERVE"
if wait_until 120 dead "$PUB"; then
    wait "$PUB"
    rc=$?
else
    rc=124
fi
check "publisher_finished_after_thaw" test "$rc" = 0
got=$(sql "$DB" "select count(*), count(distinct seq), min(seq), max(seq) \
from events")
if [ "$got" = "$N|$N|1|$N" ]; then ok "every_event_once"; else
    fail "every_event_once" "count|distinct|min|max = $got"; fi
stop_wait "$SERVE" 20
check "engine_saw_no_gap" grep -q " 0 gaps" "$T/serve.log"
finish
