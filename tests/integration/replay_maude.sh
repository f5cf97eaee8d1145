#!/usr/bin/env bash
# replay_maude.sh - `devsurv replay --maude`: FDA MAUDE files through the
# same pipeline as native envelopes. Every report of fixtures/maude/ is
# one stored event (its envelope is the stored payload), the two reports
# that cannot be envelopes are quarantined with their reason, a second
# replay changes nothing, and bad invocations get sysexits codes.
. "$(dirname "$0")/../lib.sh"
F=fixtures/maude
R="$DEVSURV replay -c contrib/demo.conf"
M="--maude $F/foitext.txt --foidev $F/foidev.txt --mdrfoi $F/mdrfoi.txt"

$R --db "$T/a.db" $M >"$T/a.out" 2>"$T/a.err"
check "maude_replay_exit_0" test $? -eq 0
check "maude_summary_line" grep -q \
    "^replay: $F/foitext.txt: 8 lines, 6 events, 2 quarantined, 0 duplicates" \
    "$T/a.out"
check "maude_reader_counters" grep -q \
    "^maude: 6 reports, 2 error records, 11 text rows, 1 continuation lines, 1 repeated keys" \
    "$T/a.out"
check "maude_events_are_reports" test \
    "$(sql "$T/a.db" "select count(*) from events where kind = 'report'")" = 6
want=$(grep -v '^ERR' "$F/expected.txt")
got=$(sql "$T/a.db" "select payload from events order by seq")
check "maude_payloads_are_the_envelopes" test "$got" = "$want"
check "maude_quarantine_reasons" test \
    "$(sql "$T/a.db" "select seq || ' ' || reason from quarantine order by seq")" = \
    "$(printf '%s\n' \
      "4 $F/foitext.txt:8: report 1004: no usable date (mdrfoi date_of_event '13/45/2024', date_received ''; foitext date_report ''; foidev date_received '99/99/9999')" \
      "5 $F/foitext.txt:9: report 1005: no text (2 text rows, all empty)")"

$R --db "$T/a.db" $M >"$T/a2.out" 2>/dev/null
check "maude_second_replay_all_duplicates" grep -q \
    "0 events, 0 quarantined, 8 duplicates" "$T/a2.out"

$R --db "$T/b.db" --maude "$T/missing.txt" 2>"$T/e1"
check "maude_missing_file_exit_66" test $? -eq 66
$R --db "$T/b.db" --maude "$F/foidev.txt" 2>"$T/e2"
check "maude_not_foitext_exit_65" test $? -eq 65
check "maude_not_foitext_says_why" grep -q \
    "foidev.txt:1: no foi_text (or text) column" "$T/e2"
$R --db "$T/b.db" --foidev "$F/foidev.txt" "$F/foitext.txt" 2>/dev/null
check "foidev_without_maude_exit_64" test $? -eq 64
finish
