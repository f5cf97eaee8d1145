#!/usr/bin/env bash
# scenario.sh - contrib/ds-scenario, the synthetic stream generator: the
# same scenario and seed give the same bytes and another seed other bytes;
# bad scenario files fail with file:line and exit 65; every shipped scenario
# replays through `devsurv replay` with nothing quarantined, in event-time
# order; the extractor finds an affirmed mention of the case's own code in
# every note of a patient who develops an outcome and no affirmed event in
# any other note (distractors come out negated, historical, family or
# hypothetical); the --truth TSV matches the emitted exposures and cases;
# options add events without moving the others; the demo scenario signals
# the elevated closure device (MGB / Fictiva PlugSure) x E0505 only.
. "$(dirname "$0")/../lib.sh"
GEN=$BUILD/ds-scenario
SCN=fixtures/scenarios
R="$DEVSURV replay -c contrib/demo.conf"

# ---- determinism ----
"$GEN" "$SCN/demo.scn" >"$T/d1.jsonl"
check "exit_0" test $? -eq 0
"$GEN" "$SCN/demo.scn" >"$T/d2.jsonl"
check "same_seed_same_bytes" cmp -s "$T/d1.jsonl" "$T/d2.jsonl"
"$GEN" --seed 43 "$SCN/demo.scn" >"$T/d3.jsonl"
check "other_seed_other_bytes" test -s "$T/d3.jsonl" -a \
    "$(cksum <"$T/d1.jsonl")" != "$(cksum <"$T/d3.jsonl")"
"$GEN" --seed 42 - <"$SCN/demo.scn" >"$T/d4.jsonl"
check "stdin_and_explicit_seed_same_bytes" cmp -s "$T/d1.jsonl" "$T/d4.jsonl"
n=$(wc -l <"$T/d1.jsonl")
check "demo_size_2k_5k" test "$n" -ge 2000 -a "$n" -le 5000

# ---- bad scenario files: file:line, exit 65 ----
bad() { # bad NAME LINE PATTERN: the scenario in $T/NAME.scn is refused
    "$GEN" "$T/$1.scn" >"$T/$1.out" 2>"$T/$1.err"
    local rc=$?
    if [ $rc -eq 65 ] && grep -q "$T/$1.scn:$2: .*$3" "$T/$1.err" &&
        [ ! -s "$T/$1.out" ]; then
        ok "bad_$1"
    else
        fail "bad_$1" "exit $rc: $(head -c 300 "$T/$1.err")"
    fi
}
HEAD='seed = 1\nstart = 2026-01-01\nmonths = 2\n'
DEV='[device d]\nproduct_code = MGB\nbrand = B\nmodel = M\nimplants = 5\n'
printf "${HEAD}bogus = 3\n" >"$T/unknown_key.scn"
bad unknown_key 4 "unknown top-level key 'bogus'"
printf "${HEAD}${DEV}udi_di = 00614141999995\n" >"$T/gtin.scn"
bad gtin 9 "check digit should be 6"
printf "${HEAD}${DEV}product_code = mgb\n" >"$T/product_code.scn"
bad product_code 9 "3 letters"
printf "seed = 1\nstart = 2026-01-15\n" >"$T/start.scn"
bad start 2 "first of a month"
printf "${HEAD}${DEV}[outcome o]\ncode = E0505\nterm = T\nwindow = 9\naffirmed = x\nrate = nodev 0.1 0.2\n" >"$T/rate_dev.scn"
bad rate_dev 14 "no device nodev"
printf "${HEAD}${DEV}[outcome o]\ncode = E0505\nterm = T\nwindow = 9\naffirmed = x {dya}\n" >"$T/placeholder.scn"
bad placeholder 13 "unknown placeholder"
printf "${HEAD}${DEV}[outcome o]\ncode = E0505\nterm = T\nwindow = 9\naffirmed = x\nrate = d 0.1 0.7\n[outcome p]\ncode = E0506\nterm = T\nwindow = 9\naffirmed = y\nrate = d 0.1 0.4\n" >"$T/sum.scn"
bad sum 20 "add up past 1"
printf "${HEAD}[device d]\nbrand = B\n" >"$T/missing.scn"
bad missing 4 "missing key product_code"
printf "${HEAD}[gadget g]\n" >"$T/section.scn"
bad section 4 "unknown section kind"
"$GEN" "$T/nope.scn" >/dev/null 2>&1
check "missing_file_exit_66" test $? -eq 66
"$GEN" --seed x "$SCN/demo.scn" >/dev/null 2>&1
check "bad_seed_exit_64" test $? -eq 64

# ---- every shipped scenario: replay, order, extraction, truth ----
# with_outcomes FILE: the scenario with `outcomes = yes` (coded outcome
# events name each case's patient; the draws do not change)
with_outcomes() { sed '/^outcomes *=/d' "$1" | { echo 'outcomes = yes'; cat; }; }

# in_order FILE: times never go back (one fixed format, so text order)
in_order() {
    sed 's/.*"time":"\([^"]*\)".*/\1/' "$1" |
        awk 'NR > 1 && $0 < prev { exit 1 } { prev = $0 }'
}

# notes_map STREAM: "note-id TAB code of the patient's outcome, or -"
notes_map() {
    awk '/"kind":"outcome"/ {
            p = $0; sub(/.*"patient":"/, "", p); sub(/".*/, "", p)
            c = $0; sub(/.*"event":\{"code":"/, "", c); sub(/".*/, "", c)
            code[p] = c }
         /"kind":"note"/ {
            i = $0; sub(/^\{"id":"/, "", i); sub(/".*/, "", i)
            p = $0; sub(/.*"patient":"/, "", p); sub(/".*/, "", p)
            pid[i] = p; ids[++n] = i }
         END { for (k = 1; k <= n; k++)
                   print ids[k] "\t" (pid[ids[k]] in code ? code[pid[ids[k]]] : "-") }' "$1"
}

# judge MAP EXTRACT: per note, its event mentions against the truth; prints
# "bad <id> <why>" lines and a summary "notes N cases C neg H fam Y hyp P"
judge() {
    awk -F'\t' 'FNR == NR { want[$1] = $2; next }
        {
            id = $0; sub(/^\{"id":"/, "", id); sub(/".*/, "", id)
            n = split($0, m, /\{"kind":/); aff = ""; hit = 0
            for (k = 2; k <= n; k++) {
                if (m[k] !~ /^"event"/) continue
                c = m[k]; sub(/.*"code":"/, "", c); sub(/".*/, "", c)
                f = m[k] ~ /"negated":true|"possible":true|"hypothetical":true|"historical":true|"family":true/
                if (!f) { aff = aff " " c; if (c == want[id]) hit = 1 }
                if (m[k] ~ /"negated":true/) neg++
                if (m[k] ~ /"historical":true/) his++
                if (m[k] ~ /"family":true/) fam++
                if (m[k] ~ /"hypothetical":true/) hyp++
            }
            notes++
            if (want[id] != "-") { cases++; if (!hit) print "bad " id " no affirmed " want[id] }
            else if (aff != "") print "bad " id " affirmed" aff " in a non-case note"
        }
        END { printf "notes %d cases %d neg %d his %d fam %d hyp %d\n",
                  notes, cases, neg, his, fam, hyp }' "$1" "$2"
}

# truth_check STREAM TRUTH: exposures and cases per (implant month, product
# code, IMDRF code) in the stream equal the TSV's sums
truth_check() {
    awk -F'\t' 'FNR == NR { if (FNR > 1) {
                    if (!(($1, $2) in seen)) ex[$1 SUBSEP $3] += $8
                    seen[$1, $2] = 1
                    if ($5 != "-") cs[$1 SUBSEP $3 SUBSEP $5] += $9 }
                next }
        {
            p = $0; sub(/.*"patient":"/, "", p); sub(/".*/, "", p)
            t = $0; sub(/.*"time":"/, "", t); t = substr(t, 1, 7)
            d = $0; sub(/.*"product_code":"/, "", d); d = substr(d, 1, 3)
        }
        /"kind":"exposure"/ { month[p] = t; dev[p] = d; gex[t SUBSEP d]++ }
        /"kind":"outcome"/ {
            c = $0; sub(/.*"event":\{"code":"/, "", c); sub(/".*/, "", c)
            gcs[month[p] SUBSEP dev[p] SUBSEP c]++ }
        END {
            for (k in ex) if (ex[k] != gex[k] + 0) { print "exposures " k; bad = 1 }
            for (k in gex) if (!(k in ex)) { print "extra exposures " k; bad = 1 }
            for (k in cs) if (cs[k] != gcs[k] + 0) { print "cases " k; bad = 1 }
            for (k in gcs) if (!(k in cs)) { print "extra cases " k; bad = 1 }
            exit bad }' "$2" "$1"
}

for f in "$SCN"/*.scn; do
    s=$(basename "$f" .scn)
    "$GEN" --truth "$T/$s.tsv" "$f" >"$T/$s.jsonl" 2>"$T/$s.err"
    check "${s}_generates" test $? -eq 0 -a -s "$T/$s.jsonl" -a -s "$T/$s.tsv"
    check "${s}_event_time_order" in_order "$T/$s.jsonl"
    lines=$(wc -l <"$T/$s.jsonl")
    $R --db "$T/$s.db" "$T/$s.jsonl" >"$T/$s.replay" 2>"$T/$s.replay.err"
    check "${s}_replays_clean" grep -q \
        "^replay: .*: $lines lines, $lines events, 0 quarantined, 0 duplicates" \
        "$T/$s.replay"

    with_outcomes "$f" >"$T/$s.o.scn"
    "$GEN" --truth "$T/$s.o.tsv" "$T/$s.o.scn" >"$T/$s.o.jsonl"
    check "${s}_truth_independent_of_options" cmp -s "$T/$s.tsv" "$T/$s.o.tsv"
    notes() { grep '"kind":"note"' "$1" | sed 's/^{"id":"[^"]*",//'; }
    check "${s}_outcomes_do_not_move_notes" test \
        "$(notes "$T/$s.jsonl" | cksum)" = "$(notes "$T/$s.o.jsonl" | cksum)"
    if truth_check "$T/$s.o.jsonl" "$T/$s.o.tsv" >"$T/$s.truth.out"; then
        ok "${s}_truth_matches_events"
    else
        fail "${s}_truth_matches_events" "$(head -3 "$T/$s.truth.out")"
    fi

    grep '"kind":"note"' "$T/$s.o.jsonl" >"$T/$s.notes.jsonl"
    notes_map "$T/$s.o.jsonl" >"$T/$s.map"
    $DEVSURV extract --format jsonl "$T/$s.notes.jsonl" >"$T/$s.ext" \
        2>"$T/$s.ext.err"
    judge "$T/$s.map" "$T/$s.ext" >"$T/$s.judge"
    if grep -q '^bad ' "$T/$s.judge"; then
        fail "${s}_extraction_matches_truth" "$(grep -m3 '^bad ' "$T/$s.judge")"
    else
        ok "${s}_extraction_matches_truth"
    fi
    echo "# $s: $(tail -1 "$T/$s.judge")"
    read -r _ nn _ nc _ ng _ nh _ nf _ ny <<<"$(tail -1 "$T/$s.judge")"
    check "${s}_notes_of_every_kind" test "$nn" -gt "$nc" -a "$nc" -gt 0 -a \
        "$ng" -gt 0 -a "$nh" -gt 0 -a "$nf" -gt 0 -a "$ny" -gt 0
    ncases=$(awk -F'\t' 'NR > 1 { s += $9 } END { print s + 0 }' "$T/$s.tsv")
    ncp=$(grep -c '"kind":"outcome"' "$T/$s.o.jsonl")
    check "${s}_one_outcome_event_per_case" test "$ncases" -eq "$ncp"
done

# ---- all caps and both spellings appear ----
check "demo_has_all_caps_notes" grep -q '"kind":"note".*"text":"[A-Z0-9 .,;:/%-]*"}' "$T/demo.jsonl"
check "closure_has_uk_and_us_spelling" sh -c \
    "grep -qi 'haematoma' '$T/closure.jsonl' && grep -qi 'hematoma' '$T/closure.jsonl'"

# ---- --reports adds report events and changes nothing else ----
"$GEN" --reports "$SCN/closure.scn" >"$T/rep.jsonl"
nrep=$(grep -c '"kind":"report"' "$T/rep.jsonl")
check "reports_emitted" test "$nrep" -gt 0
check "reports_do_not_move_other_events" test \
    "$(grep -v '"kind":"report"' "$T/rep.jsonl" | sed 's/^{"id":"[^"]*",//' | cksum)" = \
    "$(sed 's/^{"id":"[^"]*",//' "$T/closure.jsonl" | cksum)"
lines=$(wc -l <"$T/rep.jsonl")
$R --db "$T/rep.db" "$T/rep.jsonl" >"$T/rep.replay" 2>/dev/null
check "reports_replay_clean" grep -q \
    "^replay: .*: $lines lines, $lines events, 0 quarantined" "$T/rep.replay"

# ---- the demo's signal behaviour follows its truth ----
# (the cell is the product code, or the brand when the plan groups by brand)
check "demo_signals_elevated_device" grep -q \
    "^signal #1 .*\(MGB\|Fictiva PlugSure\) x E0505" \
    "$T/demo.replay"
check "demo_signals_only_that" test "$(grep -c '^signal #' "$T/demo.replay")" = 1
finish
