#!/usr/bin/env bash
# publish_journal.sh - ds-publish's durable journal against the real
# engine (`devsurv serve` on an ipc:// endpoint in a temp dir):
#   (i)   --drop-every 7: the engine sees gaps and asks RESEND, the
#         publisher goes back N; every seq is stored exactly once;
#   (ii)  the publisher is SIGKILLed mid-stream (small --window, large
#         file), restarted with the same journal and file: it resumes, the
#         store holds every seq exactly once, the journal is drained;
#   (iii) --status prints the journal's state;
#   (iv)  --watch DIR picks up files dropped in after start, and a restart
#         does not journal the finished files again;
#   (v)   --pseudo-key: identifiers never reach the engine, a line that is
#         not JSON stays at the site in <journal>.rejects;
#   (vi)  CURVE: an allowlisted key is ACKed; an unknown key is refused,
#         logged as such, retried with backoff, and times out (exit 69).
. "$(dirname "$0")/../lib.sh"
EP="ipc://$T/ingest.ipc"
DB=$T/serve.db

# gen FIRST COUNT: COUNT valid exposure envelopes, ids from FIRST
gen() {
    awk -v a="$1" -v n="$2" 'BEGIN { for (i = a; i < a + n; i++)
        printf "{\"id\":\"t-%06d\",\"kind\":\"exposure\",\"time\":" \
        "\"2026-01-05T01:07:00Z\",\"patient\":\"p-%d\",\"device\":" \
        "{\"product_code\":\"LZG\"}}\n", i, i }'
}
# stored SOURCE: "count distinct min max" of the stored seqs
stored() {
    sql "$DB" "select count(*)||' '||count(distinct seq)||' '||
        coalesce(min(seq),0)||' '||coalesce(max(seq),0)
        from events where source='$1'"
}
at_least() { [ "$(sql "$DB" "select count(*) from events \
where source='$1'")" -ge "$2" ]; }
status_field() { "$PUBLISH" --status --journal "$1" | sed -n "s/^$2: //p"; }
PUB=("$PUBLISH" --endpoint "$EP" --insecure --timeout 30)

start_bg "$T/serve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set "ingest.endpoint=$EP" --db "$DB"
SERVE=$BG_PID

# ---- (i) drops -> RESEND -> go-back-N ----
gen 1 300 >"$T/drop.jsonl"
timeout 60 "${PUB[@]}" --source drop --journal "$T/drop.db" --drop-every 7 \
    "$T/drop.jsonl" 2>"$T/drop.log"
check "drop_exit_0" test $? -eq 0
check "drop_every_seq_once" test "$(stored drop)" = "300 300 1 300"
n=$(sed -n 's/.* \([0-9]*\) RESEND received.*/\1/p' "$T/drop.log")
if [ "${n:-0}" -gt 0 ]; then ok "drop_publisher_saw_resend"; else
    fail "drop_publisher_saw_resend" "$(tail -3 "$T/drop.log")"; fi
sent=$(sed -n 's/.* \([0-9]*\) sent (with resends).*/\1/p' "$T/drop.log")
if [ "${sent:-0}" -gt 300 ]; then ok "drop_resent_more_than_once"; else
    fail "drop_resent_more_than_once" "sent=$sent"; fi

# ---- (ii) SIGKILL mid-stream, restart with the same journal ----
N=20000
gen 1 $N >"$T/big.jsonl"
start_bg "$T/kill1.log" "$PUBLISH" --endpoint "$EP" --insecure \
    --source kill --journal "$T/kill.db" --window 20 "$T/big.jsonl"
P1=$BG_PID
if wait_until 60 at_least kill 1000; then ok "kill_stream_started"; else
    fail "kill_stream_started" "$(tail -3 "$T/kill1.log")"; fi
kill -KILL "$P1"
wait "$P1" 2>/dev/null
pending=$(status_field "$T/kill.db" pending)
if [ "${pending:-0}" -gt 0 ] && at_least kill 1 &&
    ! at_least kill $N; then ok "kill_landed_mid_stream"; else
    fail "kill_landed_mid_stream" "pending=$pending $(stored kill)"; fi
timeout 120 "${PUB[@]}" --source kill --journal "$T/kill.db" --window 20 \
    "$T/big.jsonl" 2>"$T/kill2.log"
check "restart_exit_0" test $? -eq 0
check "restart_says_resuming" grep -q "resuming journal" "$T/kill2.log"
check "restart_resumes_input" grep -q "resuming .*big.jsonl at byte" \
    "$T/kill2.log"
check "kill_every_seq_once" test "$(stored kill)" = "$N $N 1 $N"
check "kill_ids_unique" test "$(sql "$DB" "select count(distinct id) \
from events where source='kill'")" = $N

# ---- (iii) --status ----
"$PUBLISH" --status --journal "$T/kill.db" >"$T/status.out"
check "status_exit_0" test $? -eq 0
for f in "source: kill" "next_seq: $((N + 1))" "journaled: $N" \
    "acked: $N" "pending: 0" "lag_seconds: 0.0"; do
    check "status_${f%%:*}" grep -qx "$f" "$T/status.out"
done
check "status_epoch" grep -Eq '^epoch: [0-9]{16}$' "$T/status.out"
"$PUBLISH" --status --journal "$T/none.db" >/dev/null 2>&1
check "status_missing_journal_66" test $? -eq 66
"${PUB[@]}" --source other --journal "$T/kill.db" "$T/big.jsonl" 2>"$T/other.log"
check "other_source_refused_78" test $? -eq 78

# ---- (iv) --watch DIR ----
mkdir "$T/in"
start_bg "$T/watch.log" "$PUBLISH" --endpoint "$EP" --insecure \
    --source watch --journal "$T/watch.db" --watch "$T/in"
PW=$BG_PID
gen 1 40 >"$T/in/.a.tmp" && mv "$T/in/.a.tmp" "$T/in/a.jsonl"
gen 41 60 >"$T/in/.b.tmp" && mv "$T/in/.b.tmp" "$T/in/b.jsonl"
if wait_until 30 at_least watch 100; then ok "watch_stored_both"; else
    fail "watch_stored_both" "$(stored watch) $(tail -3 "$T/watch.log")"; fi
stop_wait "$PW" 20
check "watch_sigterm_exit_0" test "$STOP_RC" = 0
check "watch_every_seq_once" test "$(stored watch)" = "100 100 1 100"
start_bg "$T/watch2.log" "$PUBLISH" --endpoint "$EP" --insecure \
    --source watch --journal "$T/watch.db" --watch "$T/in"
PW=$BG_PID
gen 101 5 >"$T/in/.c.tmp" && mv "$T/in/.c.tmp" "$T/in/c.jsonl"
if wait_until 30 at_least watch 105; then ok "watch_restart_new_file"; else
    fail "watch_restart_new_file" "$(stored watch)"; fi
stop_wait "$PW" 20
check "watch_restart_skips_done" test \
    "$(status_field "$T/watch.db" next_seq)" = 106
check "watch_restart_inputs_done" test \
    "$(status_field "$T/watch.db" inputs_done)" = 3

# ---- (v) pseudonyms and rejects ----
"$PUBLISH" --new-pseudo-key "$T/site.key" 2>/dev/null
check "pseudo_key_0600" test "$(stat -c %a "$T/site.key")" = 600
{
    gen 1 2
    echo '{"id":"t-x","kind":"note","time":"2026-01-05T01:07:00Z","text":'
} >"$T/ps.jsonl"
timeout 60 "${PUB[@]}" --source ps --journal "$T/ps.db" --pseudo-key "$T/site.key" \
    "$T/ps.jsonl" 2>"$T/ps.log"
check "pseudo_exit_0" test $? -eq 0
check "pseudo_stored_two" test "$(stored ps)" = "2 2 1 2"
check "pseudo_patient_replaced" test "$(sql "$DB" "select count(*) from \
events where source='ps' and patient like 'ps-%' and \
cast(payload as text) not like '%p-1%'")" = 2
check "reject_kept_at_site" grep -q "not JSON" "$T/ps.db.rejects"
check "reject_not_sent" test "$(sql "$DB" "select count(*) from \
quarantine where source='ps'")" = 0

stop_wait "$SERVE" 20
check "engine_sigterm_clean" test "$STOP_RC" = 0
gaps=$(sed -n 's/.* \([0-9]*\) gaps.*/\1/p' "$T/serve.log")
if [ "${gaps:-0}" -gt 0 ]; then ok "engine_counted_gaps"; else
    fail "engine_counted_gaps" "$(tail -2 "$T/serve.log")"; fi

# ---- (vi) CURVE against an engine with an allowlist ----
for k in eng site rogue; do "$DEVSURV" keygen "$T/cv-$k" >/dev/null 2>&1; done
echo "cv $(sed -n 's/^public-key *= *//p' "$T/cv-site.pub")" >"$T/allow"
CEP="ipc://$T/curve.ipc"
start_bg "$T/cserve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set ingest.insecure=false --set "ingest.server_key=$T/cv-eng.key" \
    --set "ingest.allowlist=$T/allow" --set "ingest.endpoint=$CEP" \
    --db "$T/curve.db"
CS=$BG_PID
gen 1 3 >"$T/cv.jsonl"
timeout 30 "$PUBLISH" --endpoint "$CEP" --server-key "$T/cv-eng.pub" \
    --key "$T/cv-site.key" --source cv --journal "$T/cv.db" "$T/cv.jsonl" \
    2>"$T/cv.log"
check "curve_allowlisted_exit_0" test $? -eq 0
check "curve_stored" test "$(sql "$T/curve.db" \
    "select count(*) from events where source='cv'")" = 3
timeout 30 "$PUBLISH" --endpoint "$CEP" --server-key "$T/cv-eng.pub" \
    --key "$T/cv-rogue.key" --source cv --journal "$T/cv2.db" --timeout 3 \
    "$T/cv.jsonl" 2>"$T/cv2.log"
check "curve_refused_times_out_69" test $? -eq 69
check "curve_refusal_logged" grep -q "REFUSED this site's key" "$T/cv2.log"
check "curve_refused_journal_kept" test \
    "$(status_field "$T/cv2.db" pending)" = 3
"$PUBLISH" --endpoint "$CEP" --source cv "$T/cv.jsonl" 2>/dev/null
check "no_keys_needs_insecure_64" test $? -eq 64
stop_wait "$CS" 20
finish
