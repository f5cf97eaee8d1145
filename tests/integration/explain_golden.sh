#!/usr/bin/env bash
# explain_golden.sh - `devsurv explain` end to end: the demo scenario
# (fixtures/scenarios/demo.scn, fixed seed) is generated and replayed with
# contrib/demo.conf; the first signal's lineage, JSON and text, must equal
# fixtures/explain/demo.json.golden and demo.txt.golden byte for byte, be
# the same from a second database replayed from the same stream, and hold
# together: as many counted contributions as the signal's observed count,
# each sentence containing its matched text, an events_stored audit entry
# covering every contributing event, and exit codes for the error cases.
#
# The golden files change whenever the rules, plans, scenario generator or
# linking change (they carry the rule-set hash and rule lines): after
# checking the diff, regenerate them with
#     UPDATE_GOLDEN=1 tests/integration/explain_golden.sh
. "$(dirname "$0")/../lib.sh"
GOLD=fixtures/explain
R="$DEVSURV replay -c contrib/demo.conf"

"$BUILD/ds-scenario" fixtures/scenarios/demo.scn >"$T/demo.jsonl"
check "scenario_generated" test -s "$T/demo.jsonl"
$R --db "$T/a.db" "$T/demo.jsonl" >/dev/null 2>&1
check "replay_a_ok" test $? -eq 0
$R --db "$T/b.db" "$T/demo.jsonl" >/dev/null 2>&1
check "replay_b_ok" test $? -eq 0
ID=$(sql "$T/a.db" "select min(id) from signals where plan != ''")
check "a_plan_signal" test -n "$ID"

run_cmd json $DEVSURV explain "$ID" --db "$T/a.db" --json
check "json_exit_0" test "$RC" -eq 0
run_cmd text $DEVSURV explain "$ID" --db "$T/a.db"
check "text_exit_0" test "$RC" -eq 0
if [ -n "${UPDATE_GOLDEN:-}" ]; then
    mkdir -p "$GOLD"
    cp "$T/json.out" "$GOLD/demo.json.golden"
    cp "$T/text.out" "$GOLD/demo.txt.golden"
    echo "# wrote $GOLD/demo.json.golden $GOLD/demo.txt.golden"
fi
same() { # same NAME GOLDEN: output equals golden; the diff head on failure
    if diff -u "$2" "$T/$1.out" >"$T/$1.diff"; then
        ok "${1}_matches_golden"
    else
        fail "${1}_matches_golden" "differs from $2: $(head -c 600 "$T/$1.diff")"
    fi
}
same json "$GOLD/demo.json.golden"
same text "$GOLD/demo.txt.golden"

run_cmd json_b $DEVSURV explain "$ID" --db "$T/b.db" --json
check "second_database_same_bytes" cmp -s "$T/json.out" "$T/json_b.out"

# the lineage holds together (python3 reads the JSON)
cat >"$T/check.py" <<'PY'
import json, sys
lin = json.load(open(sys.argv[1]))
counted = [c for c in lin["contributions"] if c["role"] == "event"]
assert len(counted) == lin["observed"], (len(counted), lin["observed"])
texts = [c for c in counted if c["mention"] >= 0]
assert texts, "no text-derived contribution"
for c in texts:
    span = c["sentence"].encode()[c["span_begin"]:c["span_end"]]  # bytes
    assert span == c["text"].encode(), c
def key(k):  # "source/epoch/seq" -> (source, epoch, seq)
    src, ep, seq = k.rsplit("/", 2)
    return src, int(ep), int(seq)
runs = []  # events_stored subjects "first..last" (one source and epoch here)
for e in lin["audit"]:
    if e["kind"] == "events_stored":
        a, b = (key(k) for k in e["subject"].split(".."))
        assert a[:2] == b[:2] and a[2] <= b[2], e
        runs.append(a + (b[2],))
for c in lin["contributions"]:
    assert any(c["source"] == r[0] and c["epoch"] == r[1]
               and r[2] <= c["seq"] <= r[3] for r in runs), c
assert lin["audit"][-1]["kind"] == "signal_raised"
assert lin["audit"][-1]["subject"] == "signal/%d" % lin["signal"]
PY
check "lineage_consistent" python3 "$T/check.py" "$T/json.out"

# every signal of the demo stream, the [maxsprt] path's included, lists
# as many counted events as its statistic's observed count
$R --db "$T/c.db" fixtures/streams/demo.jsonl >/dev/null 2>&1
check "replay_c_ok" test $? -eq 0
cat >"$T/each.py" <<'PY'
import json, subprocess, sys
dev, db = sys.argv[1], sys.argv[2]
ids = subprocess.run(["sqlite3", db, "select id from signals"],
                     capture_output=True, text=True).stdout.split()
assert len(ids) >= 2, ids
plans = set()
for i in ids:
    lin = json.loads(subprocess.run([dev, "explain", i, "--db", db, "--json"],
                                    capture_output=True, text=True).stdout)
    counted = [c for c in lin["contributions"] if c["role"] == "event"]
    assert counted and len(counted) == lin["observed"], (i, len(counted))
    plans.add(lin["plan"])
assert "" in plans, plans  # a [maxsprt] signal was among them
PY
check "every_signal_explained" python3 "$T/each.py" "$DEVSURV" "$T/c.db"

# the lineage's audit lookups use indexes (schemas 6 and 7), not a scan
# of the whole chain (the query of engine/eng_explain_audit.c)
PLAN=$(sqlite3 "$T/a.db" "EXPLAIN QUERY PLAN
    SELECT seq FROM audit WHERE kind IN ('event_stored', 'mentions',
    'signal_raised') AND subject IN (SELECT value FROM json_each('[]'))
    UNION SELECT seq FROM audit WHERE seq IN
    (SELECT (SELECT m.entry FROM audit_events m
      WHERE m.source = k.value ->> 0 AND m.epoch = k.value ->> 1
      AND m.last >= k.value ->> 2 AND m.first <= k.value ->> 2
      ORDER BY m.last LIMIT 1) FROM json_each('[]') k) ORDER BY seq")
check "audit_lookup_indexed" sh -c "echo '$PLAN' | grep -q 'USING INDEX audit_subject'"
check "audit_events_lookup_indexed" sh -c "echo '$PLAN' | grep -q 'SEARCH m USING PRIMARY KEY'"
check "audit_no_full_scan" sh -c "! echo '$PLAN' | grep -qE 'SCAN (audit|m)( |\$)'"

run_cmd none $DEVSURV explain 999999 --db "$T/a.db"
check "no_such_signal_exit_66" test "$RC" -eq 66
run_cmd badid $DEVSURV explain 0 --db "$T/a.db"
check "bad_id_exit_65" test "$RC" -eq 65
run_cmd nodb $DEVSURV explain 1 --db "$T/none.db"
check "no_db_exit_66" test "$RC" -eq 66 -a ! -e "$T/none.db"
finish
