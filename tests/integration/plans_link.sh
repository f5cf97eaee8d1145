#!/usr/bin/env bash
# plans_link.sh - the surveillance-plan stage on hand-made streams through
# the real `devsurv replay`: a negated complication never counts, five
# notes about one complication of a patient count once, a device named in
# the same sentence links without any exposure, a late event inside the
# allowed lateness changes the count while one beyond it is stored and
# audited as late, every counted event has its contribution row with the
# mention and rule behind it, and the audit chain still verifies.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/plans"
cat >"$T/plans/test-closure.plan" <<'PLAN'
id = test-closure
title = test: closure devices x access-site haematoma
devices.product_codes = MGB
events = E0505
comparator = baseline
window_days = 30
method = maxsprt-poisson
baseline_rate = 0.05
max_expected = 10
min_events = 3
PLAN
R="$DEVSURV replay --set plans.dir=$T/plans --set plans.lateness_hours=24"

# day d (0-based, 2026-03-01) hh:mm as RFC 3339
when() { date -u -d "2026-03-01 + $1 days $2" +%Y-%m-%dT%H:%M:%SZ; }
ev() { # id kind day time patient extra-json-fields
    printf '{"id":"%s","kind":"%s","time":"%s","patient":"%s"%s}\n' \
        "$1" "$2" "$(when "$3" "$4")" "$5" "$6"
}
MGB=',"device":{"product_code":"MGB","brand":"Angio-Seal"}'
{
    ev x1 exposure 0 08:00 p1 "$MGB"
    ev x2 exposure 0 08:10 p2 "$MGB"
    ev n1 note 1 09:00 p1 ',"text":"No haematoma at the access site."'
    for d in 1 2 3 4 5; do
        ev "n2-$d" note "$d" 10:00 p2 \
            ',"text":"Groin haematoma at the access site, stable."'
    done
    ev n3 note 5 11:00 p3 \
        ',"text":"Small haematoma at the puncture site of the vascular closure device."'
    ev n5 note 6 11:00 p6 \
        ',"text":"Vascular closure device deployed without complication."'
    ev n4 note 5 12:00 p4 ',"text":"Family history: mother had a haematoma."'
} >"$T/a.jsonl"
$R --db "$T/a.db" "$T/a.jsonl" >"$T/a.out" 2>"$T/a.err"
check "replay_ok" test $? -eq 0
cells() { sql "$1" "select observed from plan_cells where plan = 'test-closure'
    and device = 'MGB' and event = 'E0505'"; }
contrib() { sql "$1" "select group_concat(e.id || ':' || c.link, ' ') from
    contributions c join events e using (source, epoch, seq)
    where c.plan = 'test-closure' order by e.id"; }
check "negated_never_counts" sh -c "! echo '$(contrib "$T/a.db")' | grep -q n1"
check "five_notes_count_once" test "$(sql "$T/a.db" "select count(*) from
    contributions c join events e using (source, epoch, seq)
    where c.plan = 'test-closure' and e.id like 'n2-%'")" = 1
check "five_notes_linked_by_exposure" sh -c \
    "echo '$(contrib "$T/a.db")' | grep -q 'n2-1:patient-exposure'"
check "repeats_counted_as_repeats" grep -q "4 repeats of an episode" "$T/a.out"
check "same_sentence_device_links" sh -c \
    "echo '$(contrib "$T/a.db")' | grep -q 'n3:sentence'"
check "family_history_never_counts" sh -c \
    "! echo '$(contrib "$T/a.db")' | grep -q n4"
check "cell_observed_2" test "$(cells "$T/a.db")" = 2
# two structured exposures and one implant statement in n5's text
check "implant_statement_is_exposure" test "$(sql "$T/a.db" "select
    group_concat(patient || ':' || product_code, ' ') from patient_devices")" \
    = "p1:MGB p2:MGB p6:MGB"
check "cell_expected_from_exposures" test "$(sql "$T/a.db" "select
    round(expected, 6) from plan_cells where plan = 'test-closure'
    and device = 'MGB' and event = 'E0505'")" = 0.15
check "negated_mention_stored_with_flag" test "$(sql "$T/a.db" "select
    m.flags & 1, m.rule like 'terms/health_effect.tsv:%', m.context like
    '%\"category\":\"negated\"%' from mentions m join events e
    using (source, epoch, seq) where e.id = 'n1' and m.kind = 'event'")" \
    = "1|1|1"
check "contribution_names_mention_and_rule" test "$(sql "$T/a.db" "select
    m.code, m.rules = (select sha256 from rulesets where kind = 'rules')
    from contributions c join events e using (source, epoch, seq)
    join mentions m on m.source = c.source and m.epoch = c.epoch
    and m.seq = c.seq and m.n = c.mention where e.id = 'n3'")" = "E0505|1"
check "series_point_per_batch" test "$(sql "$T/a.db" "select count(*) > 0
    from plan_series where plan = 'test-closure'")" = 1
check "rules_and_plans_audited" test "$(sql "$T/a.db" "select count(*)
    from audit where kind in ('rules_loaded', 'plans_loaded')")" = 2
check "mentions_audited" test "$(sql "$T/a.db" "select count(*) from audit
    where kind = 'mentions'")" -ge 4

# lateness: 24 h allowed behind the newest event time
{
    ev y1 exposure 0 08:00 q1 "$MGB"
    ev y2 exposure 10 08:00 q2 "$MGB"
    ev late-in note 9 12:00 q1 ',"text":"Haematoma at the access site."'
    ev late-out note 2 12:00 q1 ',"text":"Haematoma at the access site."'
} >"$T/b.jsonl"
$R --db "$T/b.db" "$T/b.jsonl" >"$T/b.out" 2>"$T/b.err"
check "late_replay_ok" test $? -eq 0
check "late_inside_lateness_counts" test "$(cells "$T/b.db")" = 1
check "late_beyond_lateness_recorded" test "$(sql "$T/b.db" "select e.id
    from late_events l join events e using (source, epoch, seq)")" = late-out
check "late_beyond_lateness_audited" test "$(sql "$T/b.db" "select count(*)
    from audit where kind = 'event_late'")" = 1
check "late_event_still_stored" test "$(sql "$T/b.db" "select count(*)
    from events where id = 'late-out'")" = 1
check "late_summary" grep -q "1 late events" "$T/b.out"
"$DEVSURV" verify --db "$T/b.db" >"$T/v.out" 2>&1
check "verify_ok_after_plans" grep -q "^ok " "$T/v.out"

# the same input and rules give the same cells and chain head
$R --print-head --db "$T/c.db" "$T/a.jsonl" >"$T/c.out" 2>/dev/null
$R --print-head --db "$T/d.db" "$T/a.jsonl" >"$T/d.out" 2>/dev/null
check "replay_same_head" test "$(grep '^audit:' "$T/c.out")" = \
    "$(grep '^audit:' "$T/d.out")"
check "replay_same_cells" test "$(sql "$T/c.db" "select * from plan_cells")" \
    = "$(sql "$T/d.db" "select * from plan_cells")"

