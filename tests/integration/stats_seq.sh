#!/usr/bin/env bash
# stats_seq.sh - `devsurv stats binomial-cv | binomial-perf | sprt-poisson |
# cusum-arl | cusum-h` against the reference values of
# ../shared/reference/stats.md 2, 4 and 6: one JSON object on stdout,
# numbers in full precision, exit 65 with a message that names the value
# for invalid or infeasible input, 64 for malformed options.
. "$(dirname "$0")/../lib.sh"
S="$DEVSURV stats"
run() { local n=$1; shift; run_cmd "$n" $S "$@"; }

# ge VALUE REF: VALUE >= REF
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }
# f NAME KEY: field KEY of run NAME
f() { field "$2" "$T/$1.out"; }

# --- binomial MaxSPRT critical value (stats.md 2) ---
run b20 binomial-cv --N 20 --z 1 --alpha 0.05
check "binomial_cv_one_json" one_json b20
check "binomial_cv_n20_whi" near "$(f b20 cv)" 3.369114 5e-7
check "binomial_cv_n20_package" near "$(f b20 cv_package)" 3.09884 1e-9
check "binomial_cv_n20_alpha" near "$(f b20 alpha)" 0.0461368561 1e-9
check "binomial_cv_full_precision" grep -Eq '"cv":[0-9]\.[0-9]{12,}' \
    "$T/b20.out"
while read -r n z a m cv al; do
    run "b$n-$z-$a-$m" binomial-cv --N "$n" --z "$z" --alpha "$a" --M "$m"
    check "binomial_cv_n${n}_z${z}_a${a}_m${m}" \
        near "$(f "b$n-$z-$a-$m" cv_package)" "$cv" 1e-9
    [ "$al" = - ] || check "binomial_alpha_n${n}_z${z}_a${a}" \
        near "$(f "b$n-$z-$a-$m" alpha)" "$al" 1e-9
done <<'EOF'
100 1 0.05 1 3.46574 0.0481725370
200 1 0.05 1 3.68065 0.0491322150
100 4 0.05 1 3.22196 0.0499191730
200 1 0.01 1 5.51372 0.0099973290
10 4 0.05 1 3.06496 -
10 4 0.05 3 2.32683 -
EOF

run bp binomial-perf --N 100 --z 1 --cv 3.46574 --RR 2
check "binomial_perf_one_json" one_json bp
check "binomial_perf_power" near "$(f bp power)" 0.8648276 5e-8
check "binomial_perf_events_at_signal" near "$(f bp signal_time)" 41.30 0.005
check "binomial_perf_sample_size" near "$(f bp sample_size)" \
    "$(awk -v p="$(f bp power)" -v s="$(f bp signal_time)" \
        'BEGIN { printf "%.12f", p * s + 100 * (1 - p) }')" 1e-9
run bp1 binomial-perf --N 20 --z 1 --cv "$(f b20 cv)" --RR 1
check "binomial_perf_rr1_is_alpha" near "$(f bp1 power)" 0.0461368561 1e-9

# --- Wald SPRT, upper boundary only, truncated (stats.md 4) ---
run s10 sprt-poisson --RR1 2 --alpha 0.05 --beta 0.2 --T 10
check "sprt_one_json" one_json s10
check "sprt_A" near "$(f s10 A)" 2.772588722 5e-10
check "sprt_B" near "$(f s10 B)" -1.558144618 5e-10
check "sprt_t10_alpha" near "$(f s10 alpha)" 0.0370175635 1e-9
check "sprt_t10_power" near "$(f s10 power)" 0.745704149 1e-9
check "sprt_t10_signal_time_rr2" near "$(f s10 signal_time)" 4.6076 5e-5
run s10h0 sprt-poisson --RR1 2 --alpha 0.05 --beta 0.2 --T 10 --RR 1
check "sprt_t10_signal_time_rr1" near "$(f s10h0 signal_time)" 4.6039 5e-5
check "sprt_rr1_power_is_alpha" near "$(f s10h0 power)" 0.0370175635 1e-9
run s50 sprt-poisson --RR1 2 --alpha 0.05 --beta 0.2 --T 50
check "sprt_t50_alpha" near "$(f s50 alpha)" 0.0495635635 1e-9
check "sprt_t50_power" near "$(f s50 power)" 0.998230704 1e-9
run s15 sprt-poisson --RR1 1.5 --alpha 0.05 --beta 0.1 --T 50
check "sprt_rr15_A" near "$(f s15 A)" 2.890371758 5e-10
check "sprt_rr15_B" near "$(f s15 B)" -2.251291799 5e-10
check "sprt_rr15_alpha" near "$(f s15 alpha)" 0.0419341853 1e-9
check "sprt_rr15_power" near "$(f s15 power)" 0.863960084 1e-9

# --- Bernoulli CUSUM ARL and h (stats.md 6.3, lattice |W0|/1000) ---
run c0 cusum-arl --p0 0.05 --or 2 --h 4.5
check "cusum_arl_one_json" one_json c0
check "cusum_arl0_p05_h45" near "$(f c0 arl)" 7730.8 0.8
check "cusum_states_integer" grep -q '"states":92232}' "$T/c0.out"
run c1 cusum-arl --p0 0.05 --or 2 --h 4.5 --true-or 2
check "cusum_arl1_p05_h45" near "$(f c1 arl)" 218.65 0.03
run c2 cusum-arl --p0 0.01 --or 2 --h 4.5
check "cusum_arl0_p01_h45" near "$(f c2 arl)" 35757 4
run c3 cusum-arl --p0 0.10 --or 2 --h 4 --true-or 2
check "cusum_arl1_p10_h4" near "$(f c3 arl)" 106.83 0.011
run cl cusum-arl --p0 0.05 --or 0.5 --h 3
check "cusum_lower_chart" one_json cl
run ch cusum-h --p0 0.05 --or 2 --arl0 7730.8
check "cusum_h_one_json" one_json ch
check "cusum_h_p05" near "$(f ch h)" 4.5 1e-3
check "cusum_h_attains_arl0" ge "$(f ch arl0)" 7730.8

# --- invalid or infeasible input: exit 65, a message naming the value ---
while read -r name expect args; do
    # shellcheck disable=SC2086
    run "$name" $args
    check "${name}_exit_65" test "$RC" -eq 65
    check "${name}_says_why" grep -q -- "$expect" "$T/$name.err"
    check "${name}_prints_nothing" test ! -s "$T/$name.out"
done <<'EOF'
bad_alpha0 --alpha binomial-cv --N 20 --z 1 --alpha 0
bad_alpha_big (0,.0.5] binomial-cv --N 20 --z 1 --alpha 0.51
bad_z0 --z binomial-cv --N 20 --z 0 --alpha 0.05
bad_zneg --z binomial-perf --N 20 --z -1 --cv 3 --RR 2
bad_n0 --N binomial-cv --N 0 --z 1 --alpha 0.05
bad_m_gt_n N.=.5 binomial-cv --N 5 --z 1 --alpha 0.05 --M 6
bad_cv --cv binomial-perf --N 20 --z 1 --cv 0 --RR 2
bad_rr --RR binomial-perf --N 20 --z 1 --cv 3 --RR 0
refuse_m M.must.be.<=.4 binomial-cv --N 10 --z 4 --alpha 0.05 --M 6
refuse_m_prob 0.00636938 binomial-cv --N 10 --z 4 --alpha 0.05 --M 6
refuse_n at.least.3 binomial-cv --N 1 --z 4 --alpha 0.01
bad_p0_0 --p0 cusum-arl --p0 0 --or 2 --h 3
bad_p0_1 --p0 cusum-arl --p0 1 --or 2 --h 3
bad_or0 --or cusum-arl --p0 0.05 --or 0 --h 3
bad_or1 --or cusum-h --p0 0.05 --or 1 --arl0 1000
bad_h0 --h cusum-arl --p0 0.05 --or 2 --h 0
bad_hneg --h cusum-arl --p0 0.05 --or 2 --h -2
bad_true_or --true-or cusum-arl --p0 0.05 --or 2 --h 3 --true-or 0
bad_arl0 --arl0 cusum-h --p0 0.05 --or 2 --arl0 1
too_big_lattice states cusum-arl --p0 0.05 --or 2 --h 1e6
bad_rr1 --RR1 sprt-poisson --RR1 1 --alpha 0.05 --beta 0.2 --T 10
bad_sprt_alpha --alpha sprt-poisson --RR1 2 --alpha 0.7 --beta 0.2 --T 10
bad_beta --beta sprt-poisson --RR1 2 --alpha 0.05 --beta 0.96 --T 10
bad_t --T sprt-poisson --RR1 2 --alpha 0.05 --beta 0.2 --T 0
EOF

# --- malformed options: exit 64 ---
run miss binomial-cv --z 1 --alpha 0.05
check "missing_option_exit_64" test "$RC" -eq 64
check "missing_option_named" grep -q -- "missing --N" "$T/miss.err"
run frac binomial-cv --N 2.5 --z 1 --alpha 0.05
check "non_integer_n_exit_64" test "$RC" -eq 64
run unk cusum-arl --p0 0.05 --or 2 --h 3 --bogus 1
check "unknown_option_exit_64" test "$RC" -eq 64

# --- every calculator documents itself and is listed ---
documented=1
for c in binomial-cv binomial-perf sprt-poisson cusum-arl cusum-h; do
    $S "$c" --help >"$T/h.$c" 2>/dev/null &&
        grep -q "^usage: devsurv stats $c" "$T/h.$c" || documented=0
    $S --help | grep -q "^  $c " || documented=0
done
check "calculators_document_themselves" test $documented = 1
finish
