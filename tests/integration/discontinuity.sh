#!/usr/bin/env bash
# discontinuity.sh - a hospital that lost its journal comes back with a new
# epoch: the engine accepts the new stream from seq 1, records the
# discontinuity (the epoch and seq left behind) in the store and in the
# audit chain in the same commit as the event, and the chain still
# verifies. Publishing more with the same (new) journal adds no second
# discontinuity.
. "$(dirname "$0")/../lib.sh"
EP="ipc://$T/ingest.ipc"
DB=$T/d.db
head -40 fixtures/streams/demo.jsonl >"$T/a.jsonl"
sed -n '41,80p' fixtures/streams/demo.jsonl >"$T/b.jsonl"
sed -n '81,90p' fixtures/streams/demo.jsonl >"$T/c.jsonl"
start_bg "$T/serve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set "ingest.endpoint=$EP" --db "$DB"
SERVE=$BG_PID
pub() {
    timeout 60 "$PUBLISH" --endpoint "$EP" --source site --insecure \
        --journal "$T/j.db" --timeout 30 "$1" 2>>"$T/pub.log"
}
check "first_epoch_published" pub "$T/a.jsonl"
e1=$("$PUBLISH" --status --journal "$T/j.db" | sed -n 's/^epoch: //p')
rm -f "$T/j.db" "$T/j.db-wal" "$T/j.db-shm" # the site loses its journal
check "second_epoch_published" pub "$T/b.jsonl"
e2=$("$PUBLISH" --status --journal "$T/j.db" | sed -n 's/^epoch: //p')
check "new_epoch_differs" test -n "$e1" -a -n "$e2" -a "$e1" != "$e2"
check "new_epoch_starts_at_seq_1" test "$(sql "$DB" \
    "select min(seq) || ',' || max(seq) from events where epoch = $e2")" = "1,40"
check "discontinuity_recorded" test "$(sql "$DB" \
    "select prev_epoch || ',' || prev_committed from discontinuities \
     where source = 'site' and epoch = $e2")" = "$e1,40"
check "discontinuity_audited" test "$(sql "$DB" \
    "select count(*) from audit where kind = 'source_discontinuity' \
     and subject = 'site/$e2'")" = 1
check "engine_warned" grep -q "started epoch $e2 after epoch $e1" \
    "$T/serve.log"
check "same_epoch_again_no_new_record" pub "$T/c.jsonl"
check "still_one_discontinuity" test \
    "$(sql "$DB" "select count(*) from discontinuities")" = 1
stop_wait "$SERVE" 20
check "engine_clean_stop" test "$STOP_RC" = 0
"$DEVSURV" verify --db "$DB" >"$T/verify.out" 2>&1
check "chain_verifies" grep -q "^ok " "$T/verify.out"
finish
