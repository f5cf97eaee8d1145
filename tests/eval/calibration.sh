#!/usr/bin/env bash
# tests/eval/calibration.sh - `make eval` stage calibration: builds
# tests/eval/eval_calibration (eval_calib*.c against $BUILD/libdevsurv.a)
# into $BUILD/eval/ and runs it: seeded synthetic streams through the
# plans' per-cell statistics (eng_plan_stat_*), the observed false-alarm
# proportion, power and time to signal next to the exact values of each
# design (eval_calibration.c says what is compared). The shipped plans of
# rules/plans/ are calibrated too when the library has the plan loader.
#
# Run from the repository root:  BUILD=build/release tests/eval/calibration.sh
# Extra arguments go to the program (--quick, --seed N, --plans DIR).
# Exits non-zero when the build fails or a design is refused; OUT verdicts
# are reported, not fatal (with --quick they are: tests/integration/
# calibration.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build/release}
CC=${CC:-cc}
OUT=$BUILD/eval/eval_calibration
[ -f "$BUILD/libdevsurv.a" ] || { echo "calibration: $BUILD/libdevsurv.a missing: run make" >&2; exit 1; }
mkdir -p "$BUILD/eval" || exit 1
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2"
case $BUILD in
*debug*) OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" ;;
*) OPT="-O2 -g" ;;
esac
DEF=""
if nm "$BUILD/libdevsurv.a" 2>/dev/null | grep -q ' T eng_plan_set_load$'; then
    DEF="-DEVAL_HAVE_PLAN_SET"
fi
# shellcheck disable=SC2086 # the flag lists are meant to split into words
$CC -std=c11 $OPT $WARN -Werror -Iinclude -D_POSIX_C_SOURCE=200809L $DEF \
    -o "$OUT" tests/eval/eval_calib*.c "$BUILD/libdevsurv.a" \
    $(pkg-config --libs libzmq sqlite3 jansson libpcre2-8 libsodium \
        libcrypto) -lm \
    || { echo "calibration: build failed" >&2; exit 1; }
echo "== calibration ($OUT $*)"
"$OUT" "$@"
