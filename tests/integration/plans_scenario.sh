#!/usr/bin/env bash
# plans_scenario.sh - the surveillance-plan stage on generated data: a
# ds-scenario stream (two closure devices of product code MGB, one at the
# 2% baseline, one at 10%) through the real `devsurv replay` with a plan
# that keeps one cell per brand. The elevated brand signals, the baseline
# one does not; each cell counts exactly the patients the scenario's
# ground truth says developed the complication; every contribution of the
# signalled cell points at an affirmed haematoma mention. Then the same
# small stream written twice by hand, as FHIR R4 resources (Procedure with
# a contained Device, DocumentReference) and as native envelopes, gives
# the same plan cells.
. "$(dirname "$0")/../lib.sh"

SCENARIO=$BUILD/ds-scenario
mkdir -p "$T/plans"
cat >"$T/plans/sc-closure.plan" <<'PLAN'
id = sc-closure
title = test: closure devices per brand x access-site haematoma
devices.product_codes = MGB
group_by = brand
events = E0505
window_days = 30
method = maxsprt-poisson
baseline_rate = 0.02
alpha = 0.05
max_expected = 20
min_events = 4
PLAN
cat >"$T/two.scn" <<'SCN'
# two closure devices, one elevated 5x over the 2% baseline
seed = 7
start = 2026-01-01
months = 6
site = sc
followup = 0.3
caps = 0.1
outcomes = no
uneventful = Access site clean and dry.
uneventful = Groin soft, distal pulses present.

[device base]
product_code = MGB
brand = Acme SealRight
model = 6F
udi_di = 00614141000012
procedure = femoral-closure
implants = 150
note = Uneventful deployment of {brand} {model} vascular closure device.

[device high]
product_code = MGB
brand = Fictiva PlugSure
model = 8F
udi_di = 00614141000029
procedure = femoral-closure
implants = 150
note = {brand} {model} deployed at the right femoral access site.

[outcome haematoma]
code = E0505
term = Hematoma
window = 30
affirmed = Groin haematoma at the access site noted on day {day}.
affirmed = Small haematoma at the femoral access site, managed with compression.
negated = Groin checked: no haematoma, pulses intact.
negated = No hematoma at the puncture site.
historical = History of haematoma after previous cardiac catheterisation.
family = Mother had a groin hematoma after angiography.
hypothetical = Advised to return if a haematoma develops at the groin.
rate = base 0.02 0.02
rate = high 0.02 0.10
SCN
R="$DEVSURV replay --set plans.dir=$T/plans"

"$SCENARIO" --truth "$T/truth.tsv" "$T/two.scn" >"$T/s.jsonl" 2>"$T/gen.err"
check "scenario_generates" test -s "$T/s.jsonl"
$R --db "$T/s.db" "$T/s.jsonl" >"$T/s.out" 2>"$T/s.err"
check "scenario_replay_ok" test $? -eq 0
check "scenario_nothing_quarantined" grep -q " 0 quarantined" "$T/s.out"

HIGH="Fictiva PlugSure"
BASE="Acme SealRight"
cell() { # DB BRAND COLUMN
    sql "$1" "select $3 from plan_cells where plan = 'sc-closure'
        and device = '$2' and event = 'E0505'"
}
truth_cases() { # DEVICE: patients with the complication, all months
    awk -F'\t' -v d="$1" 'NR > 1 && $2 == d { n += $9 } END { print n + 0 }' \
        "$T/truth.tsv"
}
check "elevated_device_signals" test "$(sql "$T/s.db" "select count(*) from
    signals where plan = 'sc-closure' and product_code = '$HIGH'
    and event_code = 'E0505' and generation = 0")" = 1
check "elevated_cell_signalled" test "$(cell "$T/s.db" "$HIGH" status)" \
    = signalled
check "baseline_device_does_not" test "$(sql "$T/s.db" "select count(*)
    from signals where product_code = '$BASE'")" = 0
check "baseline_cell_watching" test "$(cell "$T/s.db" "$BASE" status)" \
    = watching
check "no_other_signal" test "$(sql "$T/s.db" "select count(*) from
    signals")" = 1
# the cells count each patient's complication once (episodes), exactly
# the cases of the ground truth; negated, historical, family and
# hypothetical notes add nothing
check "high_observed_is_truth" test "$(cell "$T/s.db" "$HIGH" observed)" \
    = "$(truth_cases high)"
check "base_observed_is_truth" test "$(cell "$T/s.db" "$BASE" observed)" \
    = "$(truth_cases base)"
check "exposures_are_implants" test "$(cell "$T/s.db" "$BASE" exposures)" \
    = "$(awk -F'\t' 'NR > 1 && $2 == "base" { n += $8 } END { print n }' \
        "$T/truth.tsv")"
# every contribution of the signalled cell: an affirmed E0505 mention of
# its event (flags: negated 1, hypothetical 4, historical 8, family 16)
check "contributions_one_per_case" test "$(sql "$T/s.db" "select count(*)
    from contributions where plan = 'sc-closure' and device = '$HIGH'")" \
    = "$(truth_cases high)"
check "contributions_all_affirmed" test "$(sql "$T/s.db" "select count(*)
    from contributions c where c.plan = 'sc-closure' and c.device = '$HIGH'
    and not exists (select 1 from mentions m where m.source = c.source
    and m.epoch = c.epoch and m.seq = c.seq and m.n = c.mention
    and m.kind = 'event' and m.code = 'E0505' and m.flags & 29 = 0)")" = 0
check "contributions_texts_affirm" test "$(sql "$T/s.db" "select count(*)
    from contributions c join events e using (source, epoch, seq)
    where c.plan = 'sc-closure' and c.device = '$HIGH'
    and cast(e.payload as text) not like '%haematoma at the%access site%'")" \
    = 0
check "signal_names_rules_and_plans" test "$(sql "$T/s.db" "select count(*)
    from signals s where s.rules = (select sha256 from rulesets
    where kind = 'rules') and s.plans = (select sha256 from rulesets
    where kind = 'plans')")" = 1

# ---- FHIR R4 and native envelopes: the same events, the same cells ----
b64() { printf '%s' "$1" | base64 -w0; }
fhir_proc() { # id patient time brand
    printf '{"resourceType":"Procedure","id":"%s","status":"completed",' "$1"
    printf '"subject":{"reference":"Patient/%s"},' "$2"
    printf '"performedDateTime":"%s",' "$3"
    printf '"code":{"coding":[{"code":"femoral-closure"}]},'
    printf '"contained":[{"resourceType":"Device","id":"d","type":{"coding":'
    printf '[{"system":"http://www.accessdata.fda.gov/productcode",'
    printf '"code":"MGB"}]},"deviceName":[{"name":"%s",' "$4"
    printf '"type":"udi-label-name"}]}],"focalDevice":[{"action":{"coding":'
    printf '[{"system":"http://hl7.org/fhir/device-action",'
    printf '"code":"implanted"}]},"manipulated":{"reference":"#d"}}]}\n'
}
fhir_note() { # id patient time text
    printf '{"resourceType":"DocumentReference","id":"%s",' "$1"
    printf '"status":"current","subject":{"reference":"Patient/%s"},' "$2"
    printf '"date":"%s","content":[{"attachment":' "$3"
    printf '{"contentType":"text/plain","data":"%s"}}]}\n' "$(b64 "$4")"
}
native_proc() {
    printf '{"id":"Procedure/%s","kind":"exposure","time":"%s",' "$1" "$3"
    printf '"patient":"%s","device":{"product_code":"MGB",' "$2"
    printf '"brand":"%s"},"procedure":{"code":"femoral-closure",' "$4"
    printf '"action":"implanted"}}\n'
}
native_note() {
    printf '{"id":"DocumentReference/%s","kind":"note","time":"%s",' "$1" "$3"
    printf '"patient":"%s","text":"%s"}\n' "$2" "$4"
}
stream() { # PROC NOTE: the same events through either writer
    local i
    for i in 1 2 3 4 5 6; do
        "$1" "x$i" "f$i" "2026-03-0${i}T08:00:00Z" \
            "$([ $((i % 2)) = 1 ] && echo "$HIGH" || echo "$BASE")"
    done
    "$2" n1 f1 2026-03-07T09:00:00Z "Groin haematoma at the access site."
    "$2" n2 f1 2026-03-08T09:00:00Z "Haematoma at the access site, stable."
    "$2" n3 f2 2026-03-08T10:00:00Z "No haematoma at the access site."
    "$2" n4 f3 2026-03-08T11:00:00Z "Small haematoma at the groin."
    "$2" n5 f4 2026-03-08T12:00:00Z "Possible haematoma at the groin."
    "$2" n6 f7 2026-03-09T12:00:00Z \
        "Vascular closure device deployed; haematoma at the puncture site."
    "$2" n7 f5 2026-03-09T13:00:00Z "Mother had a groin haematoma."
}
stream fhir_proc fhir_note >"$T/f.ndjson"
stream native_proc native_note >"$T/n.jsonl"
$R --content-type fhir --db "$T/f.db" "$T/f.ndjson" >"$T/f.out" 2>"$T/f.err"
check "fhir_replay_ok" test $? -eq 0
check "fhir_nothing_quarantined" grep -q " 0 quarantined" "$T/f.out"
$R --db "$T/n.db" "$T/n.jsonl" >"$T/n.out" 2>"$T/n.err"
check "native_replay_ok" test $? -eq 0
CELLS="select plan, device, event, observed, expected from plan_cells
    order by 1, 2, 3"
sql "$T/f.db" "$CELLS" >"$T/f.cells"
sql "$T/n.db" "$CELLS" >"$T/n.cells"
check "fhir_cells_not_empty" test "$(wc -l <"$T/f.cells")" -ge 2
check "fhir_and_native_same_cells" cmp -s "$T/f.cells" "$T/n.cells"
# f1 twice (one episode), f3, f4 (possible) and f7 (implant statement,
# product code only: a device without a brand has no brand key)
check "fhir_cells_expected_counts" test "$(tr '\n' ' ' <"$T/f.cells")" = \
    "sc-closure|$BASE|E0505|1|0.06 sc-closure|$HIGH|E0505|2|0.06 "
check "fhir_same_contributions" test "$(sql "$T/f.db" "select group_concat(
    e.id || ':' || c.link, ' ') from contributions c join events e
    using (source, epoch, seq) order by e.id")" = "$(sql "$T/n.db" "select
    group_concat(e.id || ':' || c.link, ' ') from contributions c
    join events e using (source, epoch, seq) order by e.id")"
finish
