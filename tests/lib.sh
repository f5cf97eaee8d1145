# tests/lib.sh - shared helpers for integration scripts (tests/integration/).
#
# Source it from a script run by tests/run.sh. It gives each script a temp
# directory, starts processes in the background and remembers their pids
# (cleanup kills only those), waits on conditions with a deadline (never a
# fixed sleep), and prints the result lines the runner counts:
# "ok - name" / "FAIL - name: why" / "skip - name: why".
# Binaries come from $BUILD (build/release by default).
set -u
BUILD=${BUILD:-build/release}
DEVSURV=$BUILD/devsurv
PUBLISH=$BUILD/ds-publish
T=$(mktemp -d "${TMPDIR:-/tmp}/devsurv-test.XXXXXX")
PIDS=()
FAILED=0

cleanup() { # KEEP_T=1 keeps the temp dir for debugging
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "${KEEP_T:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok() { echo "ok - $1"; }
fail() {
    echo "FAIL - $1: $2"
    FAILED=$((FAILED + 1))
}
check() { # check NAME COMMAND... : ok when COMMAND succeeds
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# A pause for polling loops: read(1) with a timeout on a pipe nobody writes.
exec {TICK_FD}<> <(:)
tick() { read -r -t "${1:-0.05}" -u "$TICK_FD" || true; }

# wait_until SECONDS COMMAND...: poll COMMAND until it succeeds; 1 on timeout.
wait_until() {
    local deadline=$(($(date +%s%N) + $1 * 1000000000))
    shift
    until "$@"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        tick 0.05
    done
}

# start_bg LOG COMMAND...: run in the background, output to LOG; sets BG_PID.
start_bg() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }

# stop_wait PID SECONDS: SIGTERM, wait for exit; sets STOP_RC (124 timeout).
stop_wait() {
    kill -TERM "$1" 2>/dev/null
    if wait_until "$2" dead "$1"; then
        wait "$1"
        STOP_RC=$?
    else
        STOP_RC=124
    fi
}

# sql DB QUERY: one value from the sqlite3 shell (read-only).
sql() { sqlite3 -readonly "$1" "$2"; }

# Helpers for commands that print one JSON object (devsurv stats ...).
# field NAME FILE: the value of "NAME" (a number or a [list]) in a one-line
# JSON object
field() { sed -n "s/.*\"$1\":\(\[[^]]*\]\|[-0-9.eE+]*\).*/\1/p" "$2"; }
# near VALUE REF TOL: |VALUE - REF| <= TOL (fails on an empty VALUE)
near() {
    awk -v a="$1" -v b="$2" -v t="$3" \
        'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}
# run_cmd NAME CMD...: run CMD, output in $T/NAME.out and $T/NAME.err, status RC
run_cmd() {
    local name=$1
    shift
    "$@" >"$T/$name.out" 2>"$T/$name.err"
    RC=$?
}
# one_json NAME: the last run exited 0 and printed exactly one JSON object
one_json() {
    [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/$1.out")" -eq 1 ] &&
        grep -q '^{.*}$' "$T/$1.out"
}

finish() {
    [ "$FAILED" -eq 0 ]
    exit $?
}
