#!/usr/bin/env bash
# tests/integration/calibration.sh - the quick calibration check as a test:
# tests/eval/calibration.sh --quick builds eval_calibration against
# $BUILD/libdevsurv.a and runs 300 null and 150 elevated seeded streams per
# method through eng_plan_stat_*; each (method, RR) prints ok/FAIL by
# whether the observed signal proportion lies in the 99.9% binomial region
# around the design's exact value and the mean time to signal is within
# 3.29 SE of the exact mean. Fixed seed: deterministic, not flaky; a wrong
# decision in eng_plan_stat (e.g. an off-by-one count, a dropped
# threshold, the wrong CUSUM risk) fails it. Under 10 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build/release} tests/eval/calibration.sh --quick
