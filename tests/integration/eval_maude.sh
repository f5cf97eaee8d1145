#!/usr/bin/env bash
# eval_maude.sh - `devsurv eval-maude` on six invented MAUDE-layout records
# and a six-code foiclass written here: every printed figure (DEVICE
# mapping, device mentions, code and regulation agreement, the disagreement
# pairs, the EVENT_TYPE x health-effect table), the TSV quoting edge cases
# (doubled quotes, TAB and LF inside a quoted field, a stray quote in an
# unquoted one, CRLF, a blank line), foiclass quirks (CRLF, Latin-1, a line
# break inside DEFINITION, one name with two codes, "A,B" = "A, B"), the
# --json shape and the exit codes (66 missing input, 65 malformed, 64
# usage). Run from the repository root (the default rule tree is ./rules).
. "$(dirname "$0")/../lib.sh"
X="$DEVSURV eval-maude"

# ---- fixtures ----
{
    printf 'REVIEW_PANEL|MEDICALSPECIALTY|PRODUCTCODE|DEVICENAME|'
    printf 'DEVICECLASS|UNCLASSIFIED_REASON|GMPEXEMPTFLAG|THIRDPARTYFLAG|'
    printf 'REVIEWCODE|REGULATIONNUMBER|SUBMISSION_TYPE_ID|DEFINITION|'
    printf 'PHYSICALSTATE|TECHNICALMETHOD|TARGETAREA|Implant_Flag|'
    printf 'Life_Sustain_support_flag|SummaryMalfunctionReporting\r\n'
    printf 'CV|CV|DXY|Implantable Pacemaker Pulse-Generator|3||N|N||870.3610'
    printf '|2|||||Y|Y|Ineligible\r\n'
    printf 'HO|HO|LZG|Pump, Infusion, Insulin|2||N|N||880.5725|1|||||N|N|'
    printf 'Eligible\r\n'
    printf 'HO|HO|FRN|Pump, Infusion|2||N|N||880.5725|1|Delivers fluid.\r\n'
    printf 'A second line of definition.||||N|N|Eligible\r\n'
    printf 'SU|SU|OFC|Kit, Introducer, Cath\xe9ter|2||N|N||870.1340|1|||||N|'
    printf 'N|Eligible\r\n'
    printf 'SU|SU|OFD|Kit, Introducer, Cath\xe9ter|2||N|N||870.1340|1|||||N|'
    printf 'N|Eligible\r\n'
    printf 'CV|CV|DTB|Permanent Pacemaker Electrode|3||N|N||870.3680|2|||||'
    printf 'Y|Y|Ineligible\r\n'
} >"$T/foi.txt"

COLS=(MDR_REPORT_KEY DEVICE_EVENT_KEY DEVICE_SEQUENCE_NO MDR_TEXT_KEY
    PATIENT_SEQUENCE_NUMBER EVENT_TYPE DATE_ADDED_DT DATE_REPORT_DT BRAND_NAME
    GENERIC_NAME MODEL_NUMBER DEVICE MANUFACTURER_D_NAME foi_text SOURCE_TYPE
    YEAR_ADDED YEAR_REPORT LIT_OR_STUDY_FLAGS foi_text_md5)
# mrow KEY EVENT_TYPE DEVICE FOI_TEXT [END]: one record in MAUDE's columns
mrow() {
    printf '%s\t%s\t1\t%s\t1\t%s\t2015-01-02\t2015-01-01\tACME\tPUMP\tM1\t' \
        "$1" "$1" "$1" "$2"
    printf '%s\tACME CORP\t%s\t05\t2015\t2015\t\t0123abcd%s\n' "$3" "$4" \
        "${5:-}"
}
{
    (IFS=$'\t' && echo "${COLS[*]}")
    mrow 1 IN 'PUMP, INFUSION, INSULIN' \
        'THE INSULIN PUMP (6" TUBING) ALARMED. PT WAS HOSPITALIZED '\
'WITH HYPERGLYCEMIA.'
    mrow 2 M 'PUMP,INFUSION' \
        $'"THE INFUSION PUMP SHOWED ""ERROR 44"".\tPT HAD NO FEVER.\n'\
'IT WAS REPORTED THAT THE PUMP STOPPED."'
    mrow 3 D 'IMPLANTABLE PACEMAKER PULSE-GENERATOR' \
        'THE PACING LEAD FRACTURED. THE PATIENT DIED.'
    mrow 4 M 'PUMP, INFUSION, INSULIN' \
        '"THE INFUSION PUMP WAS RETURNED. THE CUSTOMER DENIED ANY '\
'HYPOGLYCEMIA."' \
        $'\r'
    mrow 5 O 'WIDGET, UNLISTED' \
        'NO INSULIN PUMP WAS USED. IF THE DOSE IS MISSED, HYPOGLYCEMIA '\
'COULD OCCUR.'
    echo
    mrow 6 '*' $'KIT, INTRODUCER, CATH\xc3\x89TER' \
        'HIS FATHER HAD A MYOCARDIAL INFARCTION. PT DENIES PAIN. RISK OF '\
'HOSPITALIZATION IF IT RECURS.'
} >"$T/m.tsv"

# ---- the text report: one check per expected line (spaces squeezed) ----
$X --foiclass "$T/foi.txt" "$T/m.tsv" >"$T/out" 2>"$T/err"
check "exit_0" test $? -eq 0
check "nothing_on_stderr" test ! -s "$T/err"
tr -s ' ' <"$T/out" | sed "s#$T#TMP#g" >"$T/sq"
has() { grep -Fqx -- "$1" "$T/sq"; }
while IFS='|' read -r name line; do
    check "$name" has "$line"
done <<'EOF'
names_input|devsurv eval-maude TMP/m.tsv
foiclass_six_codes|foiclass TMP/foi.txt (6 product codes)
six_records|records 6
device_unmapped| no code 1 1
device_one_code_4_records_3_names| one code 4 3
device_two_codes_latin1_name| several codes 1 1
any_device_5_of_6| any device mention 5 / 6 83.3%
negated_device_not_affirmed| affirmed device mention 4 / 6 66.7%
exact_any_2_of_4| same product code, any mention 2 / 4 50.0%
exact_first_2_of_4| same product code, first mention 2 / 4 50.0%
same_regulation_3_of_4| same regulation number 3 / 4 75.0%
disagreement_count|2 narrative(s) in 2 distinct pair(s)
pair_dxy_dtb| DXY -> DTB 1
pair_lzg_frn| LZG -> FRN 1
table_header| EVENT_TYPE IN/IL/IJ/D M other
table_narratives| narratives 2 2 2
table_affirmed_effect| >= 1 affirmed effect (imdrf-e) 1 50.0% 0 0.0% 0 0.0%
table_negated_effect| >= 1 negated effect (imdrf-e) 0 0.0% 2 100.0% 1 50.0%
table_affirmed_impact| >= 1 affirmed impact (imdrf-f) 2 100.0% 0 0.0% 0 0.0%
table_impact_mentions| impact mentions (imdrf-f) 2 0 1
table_impact_affirmed_share| of which affirmed 2 100.0% 0 - 0 0.0%
EOF
check "pairs_tie_in_code_order" awk '/-> DTB/ { a = NR } /-> FRN/ { b = NR }
    END { exit !(a && b && a < b) }' "$T/out"
check "no_trailing_blanks" test "$(grep -c ' $' "$T/out")" -eq 0
check "lines_fit_80_columns" test "$(awk 'length > 80' "$T/out" | wc -l)" -eq 0

# without --foiclass: mentions and health only
$X "$T/m.tsv" >"$T/nofoi" 2>&1
check "no_foiclass_exit_0" test $? -eq 0
check "no_foiclass_says_so" grep -q '^foiclass  none' "$T/nofoi"
check "no_foiclass_no_agreement" test "$(grep -c 'same product code' \
    "$T/nofoi")" -eq 0
check "no_foiclass_still_counts_mentions" grep -Eq \
    '^  any device mention +5 / +6 +83.3%$' "$T/nofoi"

# ---- --json ----
$X --json --foiclass "$T/foi.txt" "$T/m.tsv" >"$T/j" 2>/dev/null
check "json_exit_0" test $? -eq 0
check "json_one_line" test "$(wc -l <"$T/j")" -eq 1
$X --json "$T/m.tsv" >"$T/j0" 2>/dev/null
if command -v python3 >/dev/null; then
    check "json_shape_and_numbers" python3 - "$T/j" "$T/j0" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert list(j) == ["input", "rules", "records", "foiclass",
                   "device_mentions", "agreement", "health"], list(j)
assert list(j["rules"]) == ["version", "sha256"]
assert len(j["rules"]["sha256"]) == 64
assert j["records"] == 6
f = j["foiclass"]
assert f["product_codes"] == 6 and f["file"].endswith("/foi.txt")
assert f["device_field"] == {"records": {"none": 1, "one": 4, "several": 1},
                             "distinct": {"none": 1, "one": 3, "several": 1}}
r = lambda n, of, pct: {"n": n, "of": of, "pct": pct}
assert j["device_mentions"] == {"any": r(5, 6, 83.3),
                                "affirmed": r(4, 6, 66.7)}
a = j["agreement"]
assert a == {"narratives": 4, "exact_any": r(2, 4, 50.0),
             "exact_first": r(2, 4, 50.0), "regulation": r(3, 4, 75.0),
             "disagreements": 2, "distinct_pairs": 2,
             "top": [{"report": "DXY", "mentioned": "DTB", "count": 1},
                     {"report": "LZG", "mentioned": "FRN", "count": 1}]}, a
h = j["health"]
assert list(h) == ["injury_death", "malfunction", "other"]
assert h["injury_death"] == {
    "event_types": "IN/IL/IJ/D", "narratives": 2,
    "affirmed_effect": r(1, 2, 50.0), "negated_effect": r(0, 2, 0.0),
    "affirmed_impact": r(2, 2, 100.0), "impact_mentions": 2,
    "impact_mentions_affirmed": r(2, 2, 100.0)}, h["injury_death"]
assert h["malfunction"]["negated_effect"] == r(2, 2, 100.0)
assert h["malfunction"]["impact_mentions_affirmed"] == r(0, 0, None)
assert h["other"]["negated_effect"] == r(1, 2, 50.0)
assert h["other"]["impact_mentions_affirmed"] == r(0, 1, 0.0)
j0 = json.load(open(sys.argv[2]))
assert j0["foiclass"] is None and j0["agreement"] is None
assert j0["device_mentions"] == j["device_mentions"]
assert j0["health"] == h
EOF
else
    echo "skip - json_shape_and_numbers: python3 not installed"
fi

# ---- malformed input: 65 with file:line ----
{
    head -2 "$T/m.tsv"
    printf '9\t9\t1\t9\n'
} >"$T/short.tsv"
$X "$T/short.tsv" >/dev/null 2>"$T/e1"
check "short_record_exit_65" test $? -eq 65
check "short_record_names_line" grep -q "short.tsv:3: 4 fields" "$T/e1"
{
    head -2 "$T/m.tsv"
    mrow 7 M 'PUMP, INFUSION' '"NEVER CLOSED. THE PUMP'
    mrow 8 M 'PUMP, INFUSION' 'FINE.'
} >"$T/quote.tsv"
$X "$T/quote.tsv" >"$T/q.out" 2>"$T/e2"
check "broken_quote_exit_65" test $? -eq 65
check "broken_quote_names_line" grep -q \
    "quote.tsv:3: quoted field never closed" "$T/e2"
check "broken_quote_no_report" test ! -s "$T/q.out"
printf 'MDR_TEXT_KEY\tEVENT_TYPE\tfoi_text\n1\tM\tX\n' >"$T/nodev.tsv"
$X "$T/nodev.tsv" 2>"$T/e3"
check "no_device_column_exit_65" test $? -eq 65
check "no_device_column_named" grep -q "nodev.tsv:1: no DEVICE column" \
    "$T/e3"
{
    head -3 "$T/foi.txt"
    printf 'HO|HO|XXX|Too, Few|2||N|N||1|1|||N|N|Eligible\r\n'
    tail -n 3 "$T/foi.txt"
} >"$T/badfoi.txt"
$X --foiclass "$T/badfoi.txt" "$T/m.tsv" >/dev/null 2>"$T/e4"
check "foiclass_bad_record_exit_65" test $? -eq 65
check "foiclass_bad_record_names_line" grep -q \
    "badfoi.txt:4: 33 fields, the header has 18" "$T/e4"
printf 'PRODUCTCODE|NAME|REGULATIONNUMBER\r\nLZG|x|1\r\n' >"$T/hdr.txt"
$X --foiclass "$T/hdr.txt" "$T/m.tsv" >/dev/null 2>"$T/e5"
check "foiclass_no_devicename_exit_65" test $? -eq 65
check "foiclass_no_devicename_named" grep -q \
    "hdr.txt:1: no DEVICENAME column in the header" "$T/e5"

# ---- missing files: 66; usage: 64 ----
$X "$T/missing.tsv" 2>"$T/e6"
check "missing_tsv_exit_66" test $? -eq 66
check "missing_tsv_named" grep -q "missing.tsv" "$T/e6"
$X --foiclass "$T/nofoi.txt" "$T/m.tsv" 2>"$T/e7"
check "missing_foiclass_exit_66" test $? -eq 66
check "missing_foiclass_named" grep -q "nofoi.txt" "$T/e7"
$X --rules "$T/norules" "$T/m.tsv" 2>/dev/null
check "missing_rules_exit_66" test $? -eq 66
DEVSURV_RULES="$T/norules" $X "$T/m.tsv" 2>/dev/null
check "env_rules_used_exit_66" test $? -eq 66
$X 2>/dev/null
check "no_file_exit_64" test $? -eq 64
$X "$T/m.tsv" "$T/m.tsv" 2>/dev/null
check "two_files_exit_64" test $? -eq 64
$X --bogus "$T/m.tsv" 2>/dev/null
check "unknown_option_exit_64" test $? -eq 64
$X --help >"$T/help"
check "help_exit_0_on_stdout" grep -q '^usage: devsurv eval-maude' "$T/help"
check "listed_in_devsurv_help" sh -c \
    "'$DEVSURV' --help | grep -q '^  eval-maude '"
finish
