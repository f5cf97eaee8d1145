#!/usr/bin/env bash
# ingest_security.sh - CURVE + ZAP on the real engine (issue: reliable,
# authenticated ingest, test b). An allowlisted hospital publishes and is
# stored; then four clients that must get nothing in, each counted by the
# engine: an unknown key, a plaintext client, a client holding the wrong
# server key, and an allowlisted key publishing under another source id.
# Also: the engine refuses to start without keys or with a bad allowlist
# (fail closed), and SIGHUP reloads the allowlist (a removed key's messages
# are rejected at once on its open connection; two keys per source work
# during a rotation).
. "$(dirname "$0")/../lib.sh"
STREAM=fixtures/streams/demo.jsonl
EP="ipc://$T/ingest.ipc"
DB=$T/sec.db
NLINES=$(grep -c . "$STREAM")
K=$T/keys
mkdir -p "$K"
for k in engine hospA hospA2 hospB rogue other; do
    "$DEVSURV" keygen "$K/$k" >/dev/null || fail "keygen_$k" "keygen failed"
done
pubkey() { sed -n 's/^public-key = //p' "$K/$1.pub"; }
check "keygen_secret_mode_0600" test "$(stat -c %a "$K/hospA.key")" = 600
check "keygen_refuses_overwrite" \
    bash -c "! '$DEVSURV' keygen '$K/hospA' 2>/dev/null"
printf '# source  public key\nhospA %s\nhospB %s\n' "$(pubkey hospA)" \
    "$(pubkey hospB)" >"$T/allow.txt"

serve_args=(serve -c contrib/demo.conf --set "ingest.endpoint=$EP"
    --set ingest.insecure=false --set "ingest.server_key=$K/engine.key"
    --db "$DB")

# Fail closed: no allowlist, a bad allowlist line, a .pub as server key.
"$DEVSURV" "${serve_args[@]}" >"$T/nolist.log" 2>&1
check "refuses_start_without_allowlist" test $? = 78
printf 'hospA not-a-key\n' >"$T/bad.txt"
"$DEVSURV" "${serve_args[@]}" --set "ingest.allowlist=$T/bad.txt" \
    >"$T/badlist.log" 2>&1
rc=$?
check "refuses_bad_allowlist" test $rc = 78
check "bad_allowlist_names_line" grep -q "bad.txt:1" "$T/badlist.log"
"$DEVSURV" serve -c contrib/demo.conf --set "ingest.endpoint=$EP" \
    --set ingest.insecure=false --set "ingest.server_key=$K/engine.pub" \
    --set "ingest.allowlist=$T/allow.txt" --db "$DB" >"$T/pubkey.log" 2>&1
check "refuses_public_key_as_server_key" test $? = 78

start_bg "$T/serve.log" "$DEVSURV" "${serve_args[@]}" \
    --set "ingest.allowlist=$T/allow.txt"
SERVE=$BG_PID
wait_until 10 grep -qs "CURVE on, 2 allowlisted" "$T/serve.log" ||
    fail "engine_secure_start" "$(cat "$T/serve.log")"

publish() { # publish NAME SOURCE ARGS... (stream file last)
    local name=$1 src=$2
    shift 2
    timeout 60 "$PUBLISH" --endpoint "$EP" --source "$src" \
        --journal "$T/$name.journal" "$@" >"$T/$name.out" 2>"$T/$name.err"
}
publish good hospA --server-key "$K/engine.pub" --key "$K/hospA.key" \
    --timeout 30 "$STREAM"
rc=$?
if [ $rc -eq 0 ]; then ok "allowlisted_key_published"; else
    fail "allowlisted_key_published" "exit $rc: $(tail -3 "$T/good.err")"; fi
n_ev=$(sql "$DB" "select count(*) from events")
n_q=$(sql "$DB" "select count(*) from quarantine")
check "allowlisted_events_stored" test "$n_ev" = $((NLINES - 2))

# The four refusals, in parallel: each must time out with nothing stored.
publish rogue rogue --server-key "$K/engine.pub" --key "$K/rogue.key" \
    --timeout 3 "$STREAM" &
p1=$!
publish plain hospA --insecure --timeout 3 "$STREAM" &
p2=$!
publish wrongsrv hospA --server-key "$K/other.pub" --key "$K/hospA.key" \
    --timeout 3 "$STREAM" &
p3=$!
publish impostor hospA --server-key "$K/engine.pub" --key "$K/hospB.key" \
    --timeout 3 "$STREAM" &
p4=$!
for c in "rogue $p1" "plain $p2" "wrongsrv $p3" "impostor $p4"; do
    set -- $c
    wait "$2"
    rc=$?
    if [ $rc -eq 69 ]; then ok "refused_$1_gets_no_ack"; else
        fail "refused_$1_gets_no_ack" "exit $rc: $(tail -2 "$T/$1.err")"; fi
done
# Spoofed or unauthenticated traffic never reaches the store: not as
# events, not in quarantine.
stored_nothing() {
    test "$(sql "$DB" "select count(*) from events")" = "$n_ev" &&
        test "$(sql "$DB" "select count(*) from quarantine")" = "$n_q"
}
check "refused_clients_stored_nothing" stored_nothing
check "impostor_rejection_logged" grep -q \
    "rejected HELLO .*source 'hospA' does not match the authenticated key's source 'hospB'" \
    "$T/serve.log"

# Key rotation and revocation through SIGHUP on a live connection.
mkdir -p "$T/watch"
start_bg "$T/watch.err" "$PUBLISH" --endpoint "$EP" --source hospB \
    --journal "$T/watch.journal" --server-key "$K/engine.pub" \
    --key "$K/hospB.key" --watch "$T/watch"
WATCH=$BG_PID
head -3 "$STREAM" | sed 's/"id":"/"id":"w1-/' >"$T/watch/a.jsonl"
hb() { test "$(sql "$DB" "select count(*) from events where source='hospB'")" \
    = "$1"; }
check "watch_publisher_stored" wait_until 20 hb 3
printf 'hospA %s\nhospA %s\n' "$(pubkey hospA)" "$(pubkey hospA2)" \
    >"$T/allow.txt"
kill -HUP "$SERVE"
check "sighup_reloads" wait_until 10 grep -q "allowlist reloaded, 2 key" \
    "$T/serve.log"
head -3 "$STREAM" | sed 's/"id":"/"id":"w2-/' >"$T/watch/b.jsonl"
check "revoked_key_rejected_on_open_connection" wait_until 20 grep -q \
    "rejected EV .*key of source 'hospB' is no longer in the allowlist" \
    "$T/serve.log"
check "revoked_key_stored_nothing_more" hb 3
n_ev=$(sql "$DB" "select count(*) from events")
check "revoked_key_nothing_in_quarantine" stored_nothing
stop_wait "$WATCH" 10
publish rotated hospA --server-key "$K/engine.pub" --key "$K/hospA2.key" \
    --timeout 30 "$STREAM"
check "rotated_second_key_accepted" test $? = 0

printf 'hospA %s\nbroken\n' "$(pubkey hospA)" >"$T/allow.txt"
kill -HUP "$SERVE"
check "bad_reload_keeps_old_list" wait_until 10 grep -q \
    "allowlist not reloaded, previous list kept" "$T/serve.log"

stop_wait "$SERVE" 20
check "sigterm_clean_exit" test "$STOP_RC" = 0
line=$(grep "ingest security:" "$T/serve.log")
counted() { # counted LABEL: the counter before LABEL is >= 1
    echo "$line" | grep -Eq "[1-9][0-9]* $1"
}
check "counted_unknown_key" counted "refused unknown key"
# a plaintext client is refused as a mechanism mismatch, or (when it hangs
# up first) as a failure without detail: either way counted, nothing stored
plain_or_other() {
    echo "$line" |
        sed -E 's/.* ([0-9]+) refused plaintext.* ([0-9]+) other.*/\1 \2/' |
        awk '{ exit !($1 + $2 >= 1) }'
}
check "counted_plaintext" plain_or_other
check "counted_wrong_server_key" counted "refused wrong server key"
check "counted_source_mismatch" counted "source mismatches"
check "counted_revoked" counted "revoked-key messages"
finish
