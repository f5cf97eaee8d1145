#!/usr/bin/env bash
# extract.sh - `devsurv extract`: the golden cases of fixtures/nlp/ (each
# case's ok/FAIL/skip line is passed through for the runner to count), the
# three input formats, the JSON shape of a record, exit codes (66 missing
# input or rules, 65 invalid rules / bad records / malformed .cases, 64
# usage), stdin and empty input, and the 1,000-narrative MAUDE sample.
# Run from the repository root (the default rule tree is ./rules).
. "$(dirname "$0")/../lib.sh"
X="$DEVSURV extract"
MAUDE=../shared/eval/maude/maude_uniform_sample_1k.tsv
SHA=$("$DEVSURV" check-rules -q rules)
have_py=0
command -v python3 >/dev/null && have_py=1

# ---- golden cases ----
for f in fixtures/nlp/*.cases; do
    $X --check "$f" >"$T/cases.out" 2>"$T/cases.err"
    rc=$?
    grep -E '^(ok|FAIL|skip) - ' "$T/cases.out"
    [ "$rc" -le 1 ] || fail "cases_run_$(basename "$f")" \
        "exit $rc: $(head -c 300 "$T/cases.err")"
done
$X --check fixtures/nlp/*.cases >"$T/all.out" 2>/dev/null
check "cases_all_files_in_one_run" grep -q '^# [0-9]* ok, 0 failed' "$T/all.out"

# ---- --check itself ----
printf 'note: Haematoma.\nexpect: event E0505 "Haematoma"\n\n' >"$T/pass.cases"
printf 'note: Haematoma.\nexpect: event E0505 "haematoma"\n' >"$T/fail.cases"
printf '# c\n\nnote: x\nexpect: device\n' >"$T/bad.cases"
$X --check "$T/pass.cases" >"$T/c1" 2>&1
check "check_pass_exit_0" test $? -eq 0
check "check_pass_names_file_line" grep -q "^ok - $T/pass.cases:1\$" "$T/c1"
$X --check "$T/fail.cases" >"$T/c2" 2>&1
check "check_fail_exit_1" test $? -eq 1
check "check_fail_says_expected_got" grep -q \
    "^FAIL - $T/fail.cases:1: expected \[event E0505 \"haematoma\"\], got \[event E0505 \"Haematoma\"\]" \
    "$T/c2"
$X --check "$T/bad.cases" >"$T/c3" 2>"$T/c3.err"
check "check_malformed_exit_65" test $? -eq 65
check "check_malformed_names_file_line" grep -q "$T/bad.cases:4: " "$T/c3.err"
check "check_malformed_runs_no_case" test "$(grep -c '^ok - ' "$T/c3")" = 0
$X --check "$T/none.cases" >/dev/null 2>&1
check "check_missing_file_exit_66" test $? -eq 66

# ---- text ----
printf 'Pacemaker lead fracture. No haematoma.\n\nTHE PATIENT EXPIRED.\n' \
    >"$T/notes.txt"
$X "$T/notes.txt" >"$T/t.jsonl" 2>"$T/t.err"
check "text_exit_0" test $? -eq 0
check "text_one_record_per_line" test "$(wc -l <"$T/t.jsonl")" -eq 3
check "text_ids_are_line_numbers" test \
    "$(grep -o '^{"id":[0-9]*' "$T/t.jsonl" | tr '\n' ' ')" = \
    '{"id":1 {"id":2 {"id":3 '
check "text_rules_hash_is_check_rules" grep -q "\"rules\":\"$SHA\"" \
    "$T/t.jsonl"
check "text_blank_line_no_mentions" grep -q '^{"id":2,.*"mentions":\[\]}$' \
    "$T/t.jsonl"
check "text_mention_fields" grep -q \
    '"kind":"event","begin":28,"end":37,"text":"haematoma","code":"E0505","system":"imdrf-e","label":"[^"]*","rule":"terms/health_effect.tsv:he.E0505.[0-9a-f]*","negated":true,"possible":false,"hypothetical":false,"historical":false,"family":false,"why":{"negated":{"trigger":"neg.001","text":"No"}}' \
    "$T/t.jsonl"
check "text_unflagged_why_empty" grep -q '"family":false,"why":{}}' \
    "$T/t.jsonl"

cat "$T/notes.txt" | $X - >"$T/stdin.jsonl" 2>/dev/null
check "stdin_dash_same_output" cmp -s "$T/t.jsonl" "$T/stdin.jsonl"
cat "$T/notes.txt" | $X >"$T/stdin2.jsonl" 2>/dev/null
check "stdin_default_same_output" cmp -s "$T/t.jsonl" "$T/stdin2.jsonl"
$X </dev/null >"$T/empty.out" 2>&1
check "empty_input_exit_0" test $? -eq 0
check "empty_input_no_output" test ! -s "$T/empty.out"

if [ "$have_py" = 1 ]; then
    printf 'No haematoma \xff\xfe "quoted" \\ tab\there.\x01\n' >"$T/odd.txt"
    $X "$T/odd.txt" >"$T/odd.jsonl" 2>/dev/null
    check "json_shape_and_spans" python3 - "$T/t.jsonl" "$T/notes.txt" \
        "$T/odd.jsonl" "$T/odd.txt" <<'EOF'
import json, sys
keys = ["kind", "begin", "end", "text", "code", "system", "label", "rule",
        "negated", "possible", "hypothetical", "historical", "family", "why"]
for out, src in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    lines = open(src, "rb").read().split(b"\n")
    for rec in map(json.loads, open(out, encoding="utf-8")):
        assert list(rec) == ["id", "rules", "mentions"], rec
        text = lines[rec["id"] - 1]
        for m in rec["mentions"]:
            assert list(m) == keys, m
            raw = text[m["begin"]:m["end"]]
            assert raw.decode("utf-8", "replace") == m["text"], (raw, m)
            for flag, why in m["why"].items():
                assert m[flag] is True and why["text"], m
EOF
else
    echo "skip - json_shape_and_spans: python3 not installed"
fi

# ---- jsonl ----
{
    echo '{"id":"hospA-1","kind":"note","time":"2026-03-02T10:15:00Z","text":"Pocket haematoma."}'
    echo '{"id":42,"kind":"note","text":"No fever."}'
    echo
    echo '{"id":"x","text":42}'
    echo 'not json'
    echo '["text"]'
    echo '{"kind":"note","text":"Stroke."}'
} >"$T/in.jsonl"
$X --format jsonl "$T/in.jsonl" >"$T/j.out" 2>"$T/j.err"
check "jsonl_bad_lines_exit_65" test $? -eq 65
check "jsonl_good_records_out" test "$(wc -l <"$T/j.out")" -eq 3
check "jsonl_string_id" grep -q '^{"id":"hospA-1",' "$T/j.out"
check "jsonl_integer_id" grep -q '^{"id":42,.*"fever"' "$T/j.out"
check "jsonl_no_id_uses_line_number" grep -q '^{"id":7,.*"Stroke"' \
    "$T/j.out"
check "jsonl_error_names_line_4" grep -q 'in.jsonl:4: no string "text"' \
    "$T/j.err"
check "jsonl_error_names_line_5" grep -q 'in.jsonl:5: not JSON' "$T/j.err"
check "jsonl_error_names_line_6" grep -q 'in.jsonl:6: not a JSON object' \
    "$T/j.err"
check "jsonl_summary_counts" grep -q '3 record(s) skipped, 3 extracted' \
    "$T/j.err"
head -2 "$T/in.jsonl" | $X --format jsonl >/dev/null 2>&1
check "jsonl_all_good_exit_0" test $? -eq 0

# ---- maude ----
{
    printf 'MDR_REPORT_KEY\tMDR_TEXT_KEY\tfoi_text\tEVENT_TYPE\n'
    printf '1\t111\t"THE PUMP ALARMED. PT SAID ""NO PAIN"".\tX"\tM\n'
    printf '2\t222\tPATIENT EXPIRED.\tD\n'
    printf '3\t333\n'
} >"$T/m.tsv"
$X --format maude "$T/m.tsv" >"$T/m.out" 2>"$T/m.err"
check "maude_short_row_exit_65" test $? -eq 65
check "maude_short_row_named" grep -q 'm.tsv:4: 2 fields' "$T/m.err"
check "maude_records" test "$(wc -l <"$T/m.out")" -eq 2
check "maude_id_is_mdr_text_key" grep -q '^{"id":"111",' "$T/m.out"
check "maude_quotes_unescaped" grep -q \
    '"text":"PAIN","code":"E2330".*"why":{"negated":{"trigger":"neg.001","text":"NO"}}' \
    "$T/m.out"
printf 'A\tfoi_text\nx\ty\n' | $X --format maude >/dev/null 2>"$T/m2.err"
check "maude_missing_column_exit_65" test $? -eq 65
check "maude_missing_column_named" grep -q 'stdin:1: no MDR_TEXT_KEY' \
    "$T/m2.err"
printf 'MDR_TEXT_KEY\tfoi_text\n1\t"open\n' | $X --format maude \
    >/dev/null 2>"$T/m3.err"
check "maude_broken_quote_exit_65" test $? -eq 65
check "maude_broken_quote_line" grep -q 'stdin:2: quoted field never closed' \
    "$T/m3.err"
if [ -r "$MAUDE" ]; then
    $X --format maude "$MAUDE" >"$T/maude.jsonl" 2>"$T/maude.err"
    check "maude_1k_exit_0" test $? -eq 0
    check "maude_1k_1000_records" test "$(wc -l <"$T/maude.jsonl")" -eq 1000
    check "maude_1k_ids_unique" test \
        "$(grep -o '^{"id":"[0-9]*"' "$T/maude.jsonl" | sort -u | wc -l)" \
        -eq 1000
    check "maude_1k_finds_mentions" test \
        "$(grep -c '"kind":"event"' "$T/maude.jsonl")" -gt 300
else
    echo "skip - maude_1k: $MAUDE not found (../shared absent)"
fi

# ---- exit codes and rule trees ----
$X "$T/missing.txt" 2>"$T/e1"
check "missing_file_exit_66" test $? -eq 66
check "missing_file_named" grep -q "missing.txt" "$T/e1"
$X --rules "$T/norules" "$T/notes.txt" 2>"$T/e2"
check "missing_rules_dir_exit_66" test $? -eq 66
mkdir -p "$T/badrules"
echo "devsurv-rules x" >"$T/badrules/VERSION"
$X --rules "$T/badrules" "$T/notes.txt" 2>"$T/e3"
check "invalid_rules_dir_exit_65" test $? -eq 65
check "invalid_rules_named" grep -q "rules $T/badrules: " "$T/e3"
DEVSURV_RULES="$T/norules" $X "$T/notes.txt" 2>/dev/null
check "env_rules_used_exit_66" test $? -eq 66
DEVSURV_RULES="$T/norules" $X --rules rules "$T/notes.txt" >/dev/null
check "option_beats_env" test $? -eq 0
ABS=$(cd "$(dirname "$DEVSURV")" && pwd)/devsurv
ROOT=$(pwd)
(cd "$T" && "$ABS" extract --rules "$ROOT/rules" notes.txt >/dev/null)
check "rules_option_from_elsewhere" test $? -eq 0
$X --format csv "$T/notes.txt" 2>/dev/null
check "bad_format_exit_64" test $? -eq 64
$X a b 2>/dev/null
check "two_files_exit_64" test $? -eq 64
$X --check 2>/dev/null
check "check_without_file_exit_64" test $? -eq 64
$X --help >"$T/help"
check "help_on_stdout" grep -q '^usage: devsurv extract' "$T/help"
check "help_documents_cases" grep -q 'expect: <kind> <code>' "$T/help"
check "listed_in_devsurv_help" sh -c "'$DEVSURV' --help | grep -q '^  extract '"
finish
