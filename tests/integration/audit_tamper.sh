#!/usr/bin/env bash
# audit_tamper.sh - the audit trail against an attacker with file access:
# the real binary writes a signed, anchored chain (replay of the demo
# stream); then the database is edited with the sqlite3 shell, triggers
# dropped first as an attacker would, and `devsurv verify` must fail:
# an edited entry (naming its seq), an edited event payload, a history
# re-hashed consistently by a script (caught by the anchors), a deleted
# tail, a deleted checkpoint. Also: replay determinism of --print-head.
. "$(dirname "$0")/../lib.sh"
STREAM=fixtures/streams/demo.jsonl
KEY=$T/k
# stored events are audited per batch (events_stored), so the demo stream's
# 840 events make a few dozen entries: checkpoint every 5
AUD="--set audit.checkpoint_every=5 --set store.batch_events=100"

$DEVSURV keygen --signing "$KEY" >"$T/keygen.out"
check "keygen_signing_files" test -f "$KEY.sign.key" -a -f "$KEY.sign.pub"
check "keygen_secret_is_0600" test "$(stat -c %a "$KEY.sign.key")" = 600

# fresh signed log; $1 = db name (a copy per attack)
mklog() {
    $DEVSURV replay --db "$T/$1.db" $AUD --set "audit.signing_key=$KEY.sign.key" \
        --set "audit.anchors=$T/$1.anchors" --print-head "$STREAM" \
        >"$T/$1.out" 2>/dev/null
}
verify() { # verify NAME DB [ARGS...]: output in $T/NAME.v, status VRC
    local name=$1 db=$2
    shift 2
    $DEVSURV verify --db "$T/$db.db" "$@" >"$T/$name.v" 2>&1
    VRC=$?
}
mklog base
check "replay_ok" test $? -eq 0
N=$(sql "$T/base.db" "select count(*) from audit")
CP=$(sql "$T/base.db" "select count(*) from checkpoints")
verify clean base --anchors "$T/base.anchors" --pubkey "$KEY.sign.pub"
check "clean_log_verifies" grep -q "^ok $N entries, $CP checkpoints, $CP anchors$" "$T/clean.v"
check "clean_exit_0" test $VRC -eq 0
check "several_checkpoints" test "$CP" -ge 4

# an events_stored entry in the middle of the log, for the edits below
ES=$(sql "$T/base.db" "select min(seq) from audit where kind = 'events_stored'
  and seq > $N / 2")
check "events_stored_entry_found" test -n "$ES"

# 1. edit one entry's canonical bytes (the stored digest of an event)
mklog edit
sqlite3 "$T/edit.db" "drop trigger audit_no_update;
  update audit set canonical = substr(canonical, 1, length(canonical) - 1)
  || x'00' where seq = $ES"
verify edit edit
check "edited_entry_exit_65" test $VRC -eq 65
check "edited_entry_names_seq" grep -q "^FAIL at seq $ES: .*entry edited" "$T/edit.v"

# 2. edit an event's payload: its audit digest no longer matches
mklog payload
sqlite3 "$T/payload.db" "update events set payload =
  replace(payload, 'MGB', 'XYZ') where seq = 141"
verify payload payload
check "edited_payload_exit_65" test $VRC -eq 65
check "edited_payload_named" grep -q "^FAIL at seq .*replay/1/141 payload differs" "$T/payload.v"

# 3. re-hash the whole history consistently after an edit (unsigned log:
#    the database alone cannot tell; the anchors can)
$DEVSURV replay --db "$T/rehash.db" $AUD --set "audit.anchors=$T/rehash.anchors" \
    "$STREAM" >/dev/null 2>&1
cat >"$T/rehash.py" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("drop trigger audit_no_update; drop trigger checkpoints_no_update;"
                 "drop trigger checkpoints_no_delete;")
def mth(leaves):  # RFC 6962 over leaf data
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\0" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\1" + mth(leaves[:k]) + mth(leaves[k:])).digest()
rows = db.execute("select seq, kind, canonical from audit order by seq").fetchall()
prev, hashes = bytes(32), []
for seq, kind, canon in rows:
    canon = bytes(canon)
    if seq == int(sys.argv[2]):  # the edit being hidden: flip a digest byte
        canon = canon[:-1] + bytes([canon[-1] ^ 1])
    if kind == "checkpoint":  # payload = bytes(root of 1..seq-1)
        root = mth(hashes)
        canon = canon[:-32] + root
        db.execute("update checkpoints set root = ?, head = ? where n = ?",
                   (root, prev, seq - 1))
    h = hashlib.sha256(canon + prev).digest()
    db.execute("update audit set canonical = ?, prev_hash = ?, entry_hash = ?"
               " where seq = ?", (canon, prev, h, seq))
    prev = h
    hashes.append(h)
db.commit()
PY
python3 "$T/rehash.py" "$T/rehash.db" "$ES"
check "rehash_script_ran" test $? -eq 0
# the chain is consistent again, but entry $ES's digest no longer matches
# its event row; with the anchors the rewrite itself is caught too
verify rehash_db rehash
check "rehash_breaks_record_digest" grep -q "payload differs" "$T/rehash_db.v"
verify rehash_anch rehash --anchors "$T/rehash.anchors"
check "rehash_caught_by_anchors" test $VRC -eq 65
check "rehash_anchor_message" grep -qE "FAIL at seq [0-9]+: .*(Merkle root mismatch|differs from its anchor|payload differs)" "$T/rehash_anch.v"

# 3b. the same consistent re-hash of checkpoint entries only (no record
#     touched): the database passes on its own, the anchors catch it
$DEVSURV replay --db "$T/rh2.db" $AUD --set "audit.anchors=$T/rh2.anchors" \
    "$STREAM" >/dev/null 2>&1
sed -i 's/if seq == int(sys.argv\[2\]):/if kind == "config_loaded":/' "$T/rehash.py"
python3 "$T/rehash.py" "$T/rh2.db" "$ES"
verify rh2_db rh2
check "consistent_rehash_passes_db_only" grep -q "^ok .*no --anchors" "$T/rh2_db.v"
verify rh2_anch rh2 --anchors "$T/rh2.anchors"
C1=$(sql "$T/rh2.db" "select min(n) from checkpoints")
check "consistent_rehash_caught_by_anchors" grep -q "^FAIL at seq $C1: anchor $C1: Merkle root mismatch" "$T/rh2_anch.v"
check "consistent_rehash_exit_65" test $VRC -eq 65

# 4. delete the tail (entries and the last checkpoint)
mklog tail
KEEP=$((N / 2))
NEXT=$(sql "$T/tail.db" "select min(n) from checkpoints where n > $KEEP")
sqlite3 "$T/tail.db" "drop trigger audit_no_delete; drop trigger checkpoints_no_delete;
  delete from audit where seq > $KEEP; delete from checkpoints where n > $KEEP"
verify tail tail --anchors "$T/tail.anchors"
check "truncated_tail_caught" grep -q "^FAIL at seq $NEXT: anchor says $NEXT entries, the log has $KEEP" "$T/tail.v"

# 5. delete one checkpoint (row only)
mklog delcp
C1=$(sql "$T/delcp.db" "select min(n) from checkpoints")
sqlite3 "$T/delcp.db" "drop trigger checkpoints_no_delete;
  delete from checkpoints where n = $C1"
verify delcp delcp
check "deleted_checkpoint_caught" grep -q "^FAIL at seq $((C1 + 1)): checkpoint $C1 is missing" "$T/delcp.v"
verify delcp_a delcp --anchors "$T/delcp.anchors"
check "deleted_checkpoint_exit_65" test $VRC -eq 65

# 6. a wrong public key
$DEVSURV keygen --signing "$T/other" >/dev/null
verify wrongkey base --pubkey "$T/other.sign.pub"
check "wrong_pubkey_caught" grep -q "signed by another key" "$T/wrongkey.v"

# 7. replay determinism: two fresh replays print the same head and root
$DEVSURV replay --db "$T/d1.db" --print-head "$STREAM" 2>/dev/null | grep '^audit:' >"$T/d1.head"
$DEVSURV replay --db "$T/d2.db" --print-head "$STREAM" 2>/dev/null | grep '^audit:' >"$T/d2.head"
check "print_head_format" grep -qE '^audit: head [0-9a-f]{64} root [0-9a-f]{64} entries [0-9]+$' "$T/d1.head"
check "replay_head_deterministic" cmp -s "$T/d1.head" "$T/d2.head"
check "signed_and_unsigned_same_head" test \
    "$(grep '^audit:' "$T/base.out" | cut -d' ' -f1-3)" = \
    "$($DEVSURV replay --db "$T/d3.db" $AUD --print-head "$STREAM" 2>/dev/null | grep '^audit:' | cut -d' ' -f1-3)"
finish
