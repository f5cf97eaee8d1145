#!/usr/bin/env bash
# stats_disprop.sh - `devsurv stats disprop` and `devsurv stats ebgm-fit`
# from the command line: the reference tables of
# ../shared/reference/stats.md section 5 to their printed digits, the
# zero-cell policy as JSON nulls, the fit of fixtures/stats/ebgm_cells.csv
# against an independent Nelder-Mead (fixtures/stats/gen_ebgm_cells.py
# --fit: theta 2.024792488 0.2698816782 2.68055829 1.96710908 0.1186059873,
# negLL 541.0999082596), and sysexits codes with messages for bad input.
. "$(dirname "$0")/../lib.sh"
S="$DEVSURV stats"
CELLS=fixtures/stats/ebgm_cells.csv

# field JSON NAME: the raw value of "NAME" in a one-line JSON object.
field() { printf '%s' "$1" | sed -E 's/.*"'"$2"'":(-?[0-9.eE+-]+|null).*/\1/'; }

# near JSON NAME REF TOL: |value - REF| <= TOL.
near() {
    local v
    v=$(field "$1" "$2")
    case $v in '' | *[!0-9.eE+-]*) return 1 ;; esac
    awk -v x="$v" -v r="$3" -v t="$4" \
        'BEGIN { d = x - r; if (d > t || -d > t) exit 1 }'
}

# fields_near JSON "name ref tol ..." : every triple holds.
fields_near() {
    local json=$1
    shift
    while [ $# -ge 3 ]; do
        near "$json" "$1" "$2" "$3" || { echo "# $1 = $(field "$json" "$1"), want $2 +- $3"; return 1; }
        shift 3
    done
}

out=$($S disprop --a 3 --b 97 --c 100 --d 9800)
check "disprop_exit_0" test $? -eq 0
check "disprop_one_json_line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "disprop_table1_printed_digits" fields_near "$out" \
    E 1.03 5e-3 prr 2.970 5e-4 prr_lo 0.9581 5e-5 prr_hi 9.2071 5e-5 \
    ror 3.0309 5e-5 ror_lo 0.9447 5e-5 ror_hi 9.7239 5e-5 chi2 2.1412 5e-5 \
    ic 1.19382 5e-6 ic025 -0.85662 5e-6 ic975 2.38762 5e-6 \
    ebgm 1.45418 5e-6 eb05 0.57681 5e-6 eb95 3.35135 5e-6
check "disprop_full_precision" fields_near "$out" \
    prr_lo 0.95805286880799493 1e-14 ic025 -0.85662008670224101 1e-13 \
    eb95 3.3513464612608687 1e-13

out=$($S disprop --a 10 --b 190 --c 500 --d 49300)
check "disprop_table2_printed_digits" fields_near "$out" \
    E 2.04 5e-3 prr 4.980 5e-4 prr_lo 2.7049 5e-5 prr_hi 9.1687 5e-5 \
    ror 5.1895 5e-5 ror_lo 2.7310 5e-5 ror_hi 9.8611 5e-5 chi2 27.672 5e-4 \
    ic 2.04749 5e-6 ic025 1.01735 5e-6 ic975 2.80406 5e-6 \
    ebgm 3.51258 5e-6 eb05 1.85169 5e-6 eb95 6.73637 5e-6

out=$($S disprop --a=1 --b=9 --c=50 --d=9940)
check "disprop_table3_printed_digits" fields_near "$out" \
    E 0.051 5e-4 prr 19.98 5e-3 prr_lo 3.0493 5e-5 prr_hi 130.92 5e-3 \
    ror 22.089 5e-4 ror_lo 2.7469 5e-5 ror_hi 177.62 5e-3 chi2 3.9772 5e-5 \
    ic 1.44484 5e-6 ic025 -2.35239 5e-6 ic975 3.08460 5e-6 \
    ebgm 1.49722 5e-6 eb05 0.30726 5e-6 eb95 14.72700 5e-6

out=$($S disprop --a 25 --b 475 --c 2000 --d 97500)
check "disprop_table4_printed_digits" fields_near "$out" \
    E 10.125 5e-4 prr 2.4875 5e-5 prr_lo 1.6934 5e-5 prr_hi 3.6539 5e-5 \
    ror 2.5658 5e-5 ror_lo 1.7120 5e-5 ror_hi 3.8454 5e-5 chi2 20.935 5e-4 \
    ic 1.26303 5e-6 ic025 0.64206 5e-6 ic975 1.77282 5e-6 \
    ebgm 2.19708 5e-6 eb05 1.56721 5e-6 eb95 3.02170 5e-6

out=$($S disprop --a 0 --b 10 --c 5 --d 985)
check "zero_a_ratios_zero" fields_near "$out" prr 0 0 ror 0 0 chi2 0 0
check "zero_a_bounds_null" sh -c "printf '%s' '$out' | grep -q \
'\"prr_lo\":null,\"prr_hi\":null,\"ror\":0.0,\"ror_lo\":null,\"ror_hi\":null'"
check "zero_a_ic_ebgm_finite" fields_near "$out" \
    ic -0.13750 5e-6 ic025 -10.12939 5e-6 ic975 2.19130 5e-6 \
    ebgm 0.40668 5e-6 eb05 0.03697 5e-6 eb95 2.24790 5e-6
out=$($S disprop --a 4 --b 30 --c 0 --d 900)
check "zero_c_prr_ror_null" sh -c "printf '%s' '$out' | grep -q \
'\"prr\":null,\"prr_lo\":null,\"prr_hi\":null,\"ror\":null'"
out=$($S disprop --a 0 --b 0 --c 20 --d 900)
check "zero_margin_chi2_null" sh -c "printf '%s' '$out' | grep -q '\"chi2\":null'"

out=$($S disprop --a 10 --b 190 --c 500 --d 49300 \
    --prior 3.2537864286,0.3998883660,2.0261305352,1.9080825983,0.0653457004)
check "prior_option_used" sh -c "! printf '%s' '$out' | grep -q '\"ebgm\":3.51258'"
check "prior_option_ordered" awk -v a="$(field "$out" eb05)" \
    -v b="$(field "$out" ebgm)" -v c="$(field "$out" eb95)" \
    'BEGIN { exit !(a < b && b < c) }'

$S disprop --help >"$T/h"
check "disprop_help_exit_0" test $? -eq 0
check "disprop_help_zero_cells" grep -q "^Zero cells: no continuity correction" "$T/h"
check "disprop_help_default_prior" grep -q "0.2,0.06,1.4,1.8,0.1" "$T/h"
$S --help >"$T/sh"
check "stats_help_lists_both" sh -c "grep -q '^  disprop ' '$T/sh' && grep -q '^  ebgm-fit ' '$T/sh'"

bad() { # bad NAME CODE PATTERN ARGS...: exit CODE, stderr matches PATTERN
    local name=$1 code=$2 pat=$3
    shift 3
    "$@" >"$T/o" 2>"$T/e"
    local rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$pat" "$T/e" && [ ! -s "$T/o" ]; then
        ok "$name"
    else
        fail "$name" "exit $rc, stderr: $(head -c 200 "$T/e")"
    fi
}
bad "negative_count_65" 65 "whole number >= 0" $S disprop --a -1 --b 2 --c 3 --d 4
bad "fractional_count_65" 65 "--b: a count" $S disprop --a 1 --b 2.5 --c 3 --d 4
bad "empty_table_65" 65 "empty" $S disprop --a 0 --b 0 --c 0 --d 0
bad "prior_four_values_65" 65 "5 values" $S disprop --a 1 --b 2 --c 3 --d 4 --prior 1,2,3,4
bad "prior_p_one_65" 65 "0 < p < 1" $S disprop --a 1 --b 2 --c 3 --d 4 --prior 1,2,3,4,1
bad "missing_d_64" 64 "missing --d" $S disprop --a 1 --b 2 --c 3
bad "not_a_number_64" 64 "--a" $S disprop --a x --b 2 --c 3 --d 4

out=$($S ebgm-fit "$CELLS")
check "fit_exit_0" test $? -eq 0
check "fit_matches_independent_nelder_mead" fields_near "$out" \
    alpha1 2.024792488 2e-4 beta1 0.2698816782 3e-5 alpha2 2.68055829 3e-4 \
    beta2 1.96710908 2e-4 p 0.1186059873 2e-5 neg_log_lik 541.0999082596 1e-7
check "fit_from_stdin_same" test "$($S ebgm-fit - <"$CELLS")" = "$out"
$S ebgm-fit --help | grep -q "zero-truncated"
check "fit_help" test $? -eq 0

printf 'N,E\n1,2\n3,x\n' >"$T/bad.csv"
bad "fit_malformed_line_65" 65 "bad.csv:3: E must be" $S ebgm-fit "$T/bad.csv"
printf 'N,E\n1,2\n3,4\n' >"$T/few.csv"
bad "fit_too_few_cells_65" 65 "at least 5 cells" $S ebgm-fit "$T/few.csv"
bad "fit_missing_file_66" 66 "nope.csv" $S ebgm-fit "$T/nope.csv"
bad "fit_no_file_64" 64 "missing FILE" $S ebgm-fit
finish
