#!/usr/bin/env bash
# tests/run.sh - devsurv's one test runner.
#
# Runs every program given (unit test binaries, fuzz-corpus replays,
# integration scripts), each under a time limit, and counts the lines they
# print: "ok - name" passes, "FAIL - name: why" fails, "skip - name: why" is
# skipped. A program that exits non-zero without printing a FAIL line counts
# as one failure (a crash or a sanitizer report), and so does one that
# prints no result at all. Output of each program goes to tests/out/<name>.log
# and is shown in full for programs that failed.
# The last line is "N passed, N failed[, N skipped]"; exit 1 on any failure.
set -u
limit=${TEST_TIMEOUT:-300}
out=tests/out
mkdir -p "$out"
pass=0 fail=0 skip=0
for prog in "$@"; do
    name=$(echo "$prog" | sed -E 's#^build/(release|debug)/##; s#/#_#g')
    log="$out/$name.log"
    start=$(date +%s%N)
    timeout -k 5 "$limit" "$prog" >"$log" 2>&1
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    p=$(grep -c '^ok - ' "$log")
    f=$(grep -c '^FAIL - ' "$log")
    s=$(grep -c '^skip - ' "$log")
    verdict=ok
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        [ "$rc" -eq 124 ] && echo "FAIL - $name: timed out after ${limit}s" >>"$log"
        echo "FAIL - $name: exited with status $rc" >>"$log"
    elif [ $((p + f + s)) -eq 0 ]; then
        f=1
        echo "FAIL - $name: printed no test result" >>"$log"
    fi
    [ "$f" -gt 0 ] && verdict=FAIL
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
    printf '%-4s %-58s %4d ok %3d failed %6d ms\n' "$verdict" "$name" "$p" "$f" "$ms"
    grep '^skip - ' "$log" | sed 's/^/     /'
    if [ "$f" -gt 0 ]; then
        echo "---- $log"
        tail -n 60 "$log"
        echo "----"
    fi
done
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
