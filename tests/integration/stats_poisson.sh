#!/usr/bin/env bash
# stats_poisson.sh - `devsurv stats poisson-cv | poisson-perf |
# poisson-samplesize` against the reference values of
# ../shared/reference/stats.md 1.6, 3 and 9: one JSON object on stdout,
# numbers in full precision, exit 65 with a message for invalid or
# infeasible input, 64 for malformed options.
. "$(dirname "$0")/../lib.sh"
S="$DEVSURV stats"
run() { local n=$1; shift; run_cmd "$n" $S "$@"; }


run cv200 poisson-cv --T 200 --alpha 0.05
check "cv_t200_one_json" one_json cv200
check "cv_t200_value" near "$(field cv "$T/cv200.out")" 4.074828 6e-7
check "cv_t200_attained_alpha" near "$(field alpha "$T/cv200.out")" 0.05 1e-9
check "cv_full_precision" grep -Eq '"cv":[0-9]\.[0-9]{12,}' "$T/cv200.out"

run cv20m4 poisson-cv --T 20 --alpha 0.05 --M 4
check "cv_t20_m4" near "$(field cv "$T/cv20m4.out")" 3.176370 6e-7
run cv1m4a01 poisson-cv --T 1 --alpha 0.01 --M 4
check "cv_t1_m4_alpha01" near "$(field cv "$T/cv1m4a01.out")" 3.229933 6e-7
run cvd1 poisson-cv --T 10 --alpha 0.05 --D 1
check "cv_delayed_start" near "$(field cv "$T/cvd1.out")" 2.799333 1e-6
run cvd2 poisson-cv --T 10 --alpha 0.05 --D 2
check "cv_delayed_jump_conservative" near "$(field alpha "$T/cvd2.out")" \
    0.0499834 5e-8

run refused poisson-cv --T 1 --alpha 0.05 --M 4
check "refused_exit_65" test "$RC" -eq 65
check "refused_says_no_solution" grep -q "no solution" "$T/refused.err"
check "refused_gives_t_min" grep -q ">= 1.37" "$T/refused.err"
check "refused_prints_nothing" test ! -s "$T/refused.out"

run g10 poisson-cv --T 10 --alpha 0.05 --groups 1,1,1,1,1,1,1,1,1,1
check "groups_one_json" one_json g10
check "groups_boundaries" test "$(field boundaries "$T/g10.out")" = \
    "[5,6,8,10,11,13,14,16,17,18]"
check "groups_attained_alpha" near "$(field alpha "$T/g10.out")" \
    0.0441447053 1e-10
run g3 poisson-cv --T 30 --alpha 0.05 --groups 5,10,15
check "groups_unequal_boundaries" test \
    "$(field boundaries "$T/g3.out")" = "[11,24,42]"
check "groups_unequal_alpha" near "$(field alpha "$T/g3.out")" \
    0.0437081456 1e-10
run gsum poisson-cv --T 30 --alpha 0.05 --groups 5,10,14
check "groups_must_sum_to_t" test "$RC" -eq 65
check "groups_sum_message" grep -q "add up to 29" "$T/gsum.err"

run perf poisson-perf --T 5 --cv 3.297183 --RR 2
check "perf_one_json" one_json perf
check "perf_power" near "$(field power "$T/perf.out")" 0.44656 5e-6
check "perf_signal_time" near "$(field signal_time "$T/perf.out")" 2.0905 5e-5
check "perf_sample_size" near "$(field sample_size "$T/perf.out")" 3.7007 5e-5
run perfd poisson-perf --T 10 --cv 2.799333 --RR 2 --D 1
check "perf_delayed_exact_time" near \
    "$(field signal_time "$T/perfd.out")" 4.1546 5e-5
run perfg poisson-perf --T 10 --cv 2.5451784523 --RR 2 \
    --groups 1,1,1,1,1,1,1,1,1,1
check "perf_groups_power" near "$(field power "$T/perfg.out")" 0.7635210 5e-8
check "perf_groups_time" near "$(field signal_time "$T/perfg.out")" \
    4.847254 5e-7

run ss poisson-samplesize --RR 2 --power 0.9 --alpha 0.05
check "samplesize_one_json" one_json ss
check "samplesize_t_within_1pct" near "$(field T "$T/ss.out")" 18.42 0.18
check "samplesize_cv" near "$(field cv "$T/ss.out")" 3.6106 1e-3

bad=0
for args in "--T 10 --alpha 0.6" "--T 10 --alpha 1e-8" \
    "--T 10 --alpha 0.05 --M 0" "--T 10 --alpha 0.05 --M 101" \
    "--T 10 --alpha 0.05 --D 11" "--T 10 --alpha 0.05 --D -1" \
    "--T 0 --alpha 0.05" "--T -3 --alpha 0.05" "--T 2e4 --alpha 0.05"; do
    # shellcheck disable=SC2086
    $S poisson-cv $args >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 65 ] || { bad=1; echo "# poisson-cv $args: exit $rc"; }
done
check "cv_out_of_domain_exit_65" test $bad = 0
run rr poisson-perf --T 10 --cv 3 --RR 0.9
check "perf_rr_below_1_exit_65" test "$RC" -eq 65
check "perf_rr_message" grep -q "RR must be" "$T/rr.err"
run ssp poisson-samplesize --RR 2 --power 0.04 --alpha 0.05
check "samplesize_power_below_alpha_exit_65" test "$RC" -eq 65
run miss poisson-cv --alpha 0.05
check "missing_option_exit_64" test "$RC" -eq 64
run unk poisson-cv --T 10 --alpha 0.05 --bogus 1
check "unknown_option_exit_64" test "$RC" -eq 64
run dg poisson-cv --T 10 --alpha 0.05 --D 1 --groups 5,5
check "d_with_groups_exit_64" test "$RC" -eq 64
run nan poisson-cv --T 10 --alpha abc
check "not_a_number_exit_64" test "$RC" -eq 64

helps=1
for c in poisson-cv poisson-perf poisson-samplesize; do
    $S "$c" --help >"$T/h.$c" 2>/dev/null &&
        grep -q "^usage: devsurv stats $c" "$T/h.$c" || helps=0
    $S --help | grep -q "^  $c " || helps=0
done
check "calculators_documented_and_listed" test $helps = 1
finish
