#!/usr/bin/env bash
# bench_dashboard.sh - what an open dashboard costs the engine's ingest, for
# `make bench` (tests/bench/run.sh). Usage: bench_dashboard.sh [N] (default
# 100000 envelopes, at most 2000000). Target: throughput drops < 5 %.
#
# Stream: bench_e2e.sh's generator (BENCH_E2E_DUMP=1: exposures, outcomes,
# notes, reports, 200-400 bytes), with each device's product code renamed
# every BENCH_DASH_CELL_EVENTS events (default 2000), so fresh cells keep
# crossing their boundaries and signals arrive all through the run (about
# 8 per 1000 events at contrib/demo.conf's baseline rate 0.02) instead of
# 17 in the first seconds: a busy dashboard, not a quiet one.
#
# Each run starts `devsurv serve` (contrib/demo.conf, the HTTP API on
# 127.0.0.1:0, its port read from the "dashboard: http://..." log line) on
# a fresh database and times `ds-publish` of the whole stream until every
# event is ACKed, as bench_e2e.sh does, either
#   (a) with nobody connected to the HTTP server, or
#   (b) with tests/bench/bench_dashboard_client.py connected: the requests
#       contrib/dashboard/app.js makes while a page is open (page load and
#       boot requests before the timing starts; during it the SSE stream
#       /api/stream with its signal and health events, the heartbeat
#       watch every 2 s and /api/audit every 30 s).
# Rounds alternate the order (a b, b a, ...) BENCH_DASH_RUNS times
# (default 5). Prints the median events/s of (a) and (b), their ranges,
# the drop between the medians and the median of each round's own drop,
# serve's CPU time, and what the client received (SSE events, API
# responses, non-2xx). The publisher, the engine and the client share the
# machine's CPUs (a real dashboard runs on another machine).
#
# Fails (exit 1) only when something did not run, events were lost, or the
# client was not served (page load failed, no health event, fewer SSE
# signal events than signals stored); never on speed.
# BENCH_DASH_OPEN=1 makes the client also open every new signal (its
# detail and its cell's series), as a user clicking each new row would.
. "$(dirname "$0")/../lib.sh"
N=${1:-100000}
RUNS=${BENCH_DASH_RUNS:-5}
CELL=${BENCH_DASH_CELL_EVENTS:-2000}
CLIENT=tests/bench/bench_dashboard_client.py
STREAM=$T/stream.jsonl
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

die() {
    echo "bench_dashboard: $*" >&2
    exit 1
}

case $N in '' | *[!0-9]*) die "N must be a number, got '$N'" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_DASH_RUNS must be >= 1" ;; esac
case $CELL in '' | *[!0-9]* | 0) die "BENCH_DASH_CELL_EVENTS must be >= 1" ;;
esac
if [ "$N" -lt 1 ] || [ "$N" -gt 2000000 ]; then die "N must be 1..2000000"; fi
command -v python3 >/dev/null || die "python3 is needed for $CLIENT"
CLIENT_OPTS=() WAIT_SIGNALS=10
[ "${BENCH_DASH_OPEN:-}" = 1 ] && CLIENT_OPTS=(--open-signals) WAIT_SIGNALS=300

# The product code of device d (0-7, in bench_e2e.sh's order) in block b
# of CELL events: k = 8b + d written in base 26 (AAA, AAB, ...).
BENCH_E2E_DUMP=1 BUILD=$BUILD tests/bench/bench_e2e.sh "$N" |
    awk -v B="$CELL" 'BEGIN {
        split("MGB LZG DXY LWS NIQ DQY KWZ FRN", c, " ")
        for (i in c) idx[c[i]] = i - 1
    }
    match($0, /"product_code":"[A-Z][A-Z][A-Z]"/) {
        k = (int((NR - 1) / B) * 8 + idx[substr($0, RSTART + 16, 3)]) % 17576
        $0 = substr($0, 1, RSTART + 15) sprintf("%c%c%c", 65 + int(k / 676),
            65 + int(k / 26) % 26, 65 + k % 26) substr($0, RSTART + 19)
    }
    { print }' >"$STREAM" || die "cannot generate the stream"
[ "$(grep -c . "$STREAM")" -eq "$N" ] || die "generator wrote the wrong count"
BYTES=$(($(wc -c <"$STREAM") - N)) # envelope bytes, newlines excluded

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# cpu_ms PID: user + system CPU time of PID so far, in ms.
cpu_ms() {
    awk -v t="$TCK" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / t) }' \
        "/proc/$1/stat" 2>/dev/null || echo 0
}

# http_ms PID: CPU time in ms (schedstat, ns precision) of PID's living
# libmicrohttpd threads (MHD-listen, one MHD-connection per connection).
# A connection that closed took its thread's time with it.
http_ms() {
    local t ns=0 c x
    for t in /proc/"$1"/task/*; do
        c=$(cat "$t/comm" 2>/dev/null) || continue
        case $c in MHD*) ;; *) continue ;; esac
        read -r x _ <"$t/schedstat" 2>/dev/null || continue
        ns=$((ns + x))
    done
    echo $((ns / 1000000))
}

# row NAME ITEMS MS BYTES: one line in bench_stages' table format.
row() {
    awk -v name="$1" -v n="$2" -v ms="$3" -v b="$4" 'BEGIN {
        s = ms > 0 ? ms / 1000 : 0.001
        printf "%-8s %-33s %8d %8.3f %10.0f %8.1f %9s %9s\n",
            "stage", name, n, s, n / s, b / s / 1e6, "-", "-" }'
}

# shellcheck disable=SC2317 # called through wait_until
serve_ready() {
    { test -S "$T/x$1.ipc" && grep -q "dashboard: http" "$T/serve$1.log"; } ||
        dead "$SERVE"
}
# shellcheck disable=SC2317
client_has() { # client_has R KEY MIN: the client's count KEY >= MIN
    local v
    v=$(field "$2" "$T/client$1.json" 2>/dev/null)
    [ -n "$v" ] && [ "$v" -ge "$3" ]
}
# shellcheck disable=SC2317
client_open_or_dead() { client_has "$1" stream_open 1 || dead "$CLIENT_PID"; }

# publish_once R MODE: MODE a (no client) or b (dashboard open). Sets
# PUB_MS and SERVE_CPU_MS (serve's CPU from start to the last ACK), and
# HTTP_CPU_MS (CPU of the HTTP threads while publishing), and for b the
# client's final counts in $T/client$R.json.
publish_once() {
    local r=$1 mode=$2 t0 rc stored
    local ep="ipc://$T/x$r.ipc" db="$T/e$r.db" log="$T/serve$r.log"
    start_bg "$log" "$DEVSURV" serve -c contrib/demo.conf \
        --set "ingest.endpoint=$ep" --set "http.listen=127.0.0.1:0" \
        --set "http.static_dir=contrib/dashboard" --db "$db"
    SERVE=$BG_PID
    if ! wait_until 20 serve_ready "$r" || dead "$SERVE"; then
        die "serve did not start: $(tail -5 "$log")"
    fi
    local url
    url=$(sed -n 's/.*dashboard: \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)
    HTTP_CPU_MS=0
    if [ "$mode" = b ]; then
        start_bg "$T/client$r.log" python3 "$CLIENT" "$url" \
            "$T/client$r.json" "${CLIENT_OPTS[@]}"
        CLIENT_PID=$BG_PID
        if ! wait_until 20 client_open_or_dead "$r" || dead "$CLIENT_PID"; then
            die "the dashboard client did not open the stream:" \
                "$(tail -3 "$T/client$r.log")"
        fi
    fi
    local http0
    http0=$(http_ms "$SERVE")
    t0=$(now_ms)
    timeout 300 "$PUBLISH" --endpoint "$ep" --source bench --timeout 30 \
        --insecure --journal "$T/j$r.db" "$STREAM" 2>"$T/pub.log"
    rc=$?
    PUB_MS=$(($(now_ms) - t0))
    SERVE_CPU_MS=$(cpu_ms "$SERVE")
    WAL_KB=$(($(stat -c %s "$db-wal" 2>/dev/null || echo 0) / 1024))
    HTTP_CPU_MS=$(($(http_ms "$SERVE") - http0))
    [ $rc -eq 0 ] || die "ds-publish exit $rc: $(cat "$T/pub.log")"
    grep -q " $N acknowledged" "$T/pub.log" ||
        die "ds-publish did not get every ACK: $(cat "$T/pub.log")"
    stored=$(sql "$db" "select count(*) from events")
    [ "$stored" = "$N" ] || die "serve stored $stored events of $N"
    SIGNALS=$(sql "$db" "select count(*) from signals")
    if [ "$mode" = b ]; then
        # the stream polls every 100 ms and the client saves its counts on
        # each health event (every second): wait for the last signals
        # (with BENCH_DASH_OPEN=1 the client reads the stream only between
        # the signals it opens, so it may be minutes behind)
        wait_until "$WAIT_SIGNALS" client_has "$r" sse_signal "$SIGNALS" ||
            die "the dashboard got $(field sse_signal "$T/client$r.json")" \
                "of $SIGNALS signals over SSE"
        CLIENT_CPU_MS=$(cpu_ms "$CLIENT_PID")
        stop_wait "$CLIENT_PID" 10
        [ "$STOP_RC" = 0 ] || die "the client did not stop ($STOP_RC):" \
            "$(tail -3 "$T/client$r.log")"
        client_has "$r" sse_health 1 || die "the dashboard got no health event"
    fi
    stop_wait "$SERVE" 30
    [ "$STOP_RC" = 0 ] ||
        die "serve did not stop cleanly ($STOP_RC): $(tail -5 "$log")"
    rm -f "$db" "$db-wal" "$db-shm" "$T/j$r.db"*
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# range MS...: "min-max events/s" over the runs.
range() {
    printf '%s\n' "$@" | sort -n | awk -v n="$N" '
        NR == 1 { lo = $1 } { hi = $1 }
        END { printf "%.0f-%.0f", n / (hi > 0 ? hi : 1) * 1000,
              n / (lo > 0 ? lo : 1) * 1000 }'
}

# drop MS_A MS_B: how much slower b is than a, in % of a's events/s.
drop() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }'; }

as=() bs=() drops=() cpu_a=() cpu_b=() ccpu=() hcpu_a=() hcpu_b=()
wal_a=() wal_b=()
sum_sig=0 sum_health=0 sum_keep=0 sum_ok=0 sum_bad=0 sum_err=0 sum_sse_b=0
for r in $(seq "$RUNS"); do
    order="a b"
    [ $((r % 2)) = 0 ] && order="b a"
    for m in $order; do
        publish_once "$r$m" "$m"
        if [ "$m" = a ]; then
            as+=("$PUB_MS") cpu_a+=("$SERVE_CPU_MS") ms_a=$PUB_MS
            hcpu_a+=("$HTTP_CPU_MS") wal_a+=("$WAL_KB")
        else
            bs+=("$PUB_MS") cpu_b+=("$SERVE_CPU_MS") ms_b=$PUB_MS
            ccpu+=("$CLIENT_CPU_MS") hcpu_b+=("$HTTP_CPU_MS")
            wal_b+=("$WAL_KB")
            f=$T/client$r$m.json
            sum_sig=$((sum_sig + $(field sse_signal "$f")))
            sum_health=$((sum_health + $(field sse_health "$f")))
            sum_keep=$((sum_keep + $(field sse_keepalive "$f")))
            sum_sse_b=$((sum_sse_b + $(field sse_bytes "$f")))
            sum_ok=$((sum_ok + $(field api_ok "$f")))
            sum_bad=$((sum_bad + $(field api_bad "$f")))
            sum_err=$((sum_err + $(field api_error "$f")))
            paths=$(sed -n 's/.*"by_path":{\([^}]*\)}.*/\1/p' "$f" | tr -d '"')
            last_sig=$SIGNALS
        fi
    done
    drops+=("$(drop "$ms_a" "$ms_b")")
done

med_a=$(median "${as[@]}") med_b=$(median "${bs[@]}")
echo "dashboard: $N envelopes (bench_e2e's stream, product codes renamed" \
    "every $CELL events: $last_sig signals per run), $(awk -v b="$BYTES" \
    'BEGIN { printf "%.1f", b / 1e6 }') MB, real binaries from $BUILD"
row "dash: publish, no HTTP client" "$N" "$med_a" "$BYTES"
row "dash: publish, dashboard open" "$N" "$med_b" "$BYTES"
echo "dash rows: median of $RUNS runs each, alternating (a b, b a, ...)," \
    "each on a fresh database, HTTP API on in both; events/s over the" \
    "runs: no client $(range "${as[@]}"), dashboard open $(range "${bs[@]}")."
echo "dash drop: $(drop "$med_a" "$med_b") % between the medians; per" \
    "round $(printf '%s %%, ' "${drops[@]}" | sed 's/, $//')" \
    "(median $(median "${drops[@]}") %). Target: ingest throughput drops" \
    "< 5 % with a dashboard open (measured, not asserted)."
pct=$(awk -v h="$(median "${hcpu_b[@]}")" -v c="$(median "${cpu_b[@]}")" \
    'BEGIN { printf "%.1f", (c > 0 ? h * 100 / c : 0) }')
echo "dash CPU: serve used $(median "${cpu_a[@]}") ms (no client) vs" \
    "$(median "${cpu_b[@]}") ms (dashboard open) of CPU per run (medians," \
    "start-up included), of which its HTTP threads while publishing" \
    "$(median "${hcpu_a[@]}") ms vs $(median "${hcpu_b[@]}") ms ($pct %" \
    "of serve's CPU: the direct cost of the open dashboard); the" \
    "simulated client $(median "${ccpu[@]}") ms." \
    "WAL at the last ACK: $(median "${wal_a[@]}") vs $(median "${wal_b[@]}")" \
    "KB. Publisher, engine and client share this machine's $(nproc) CPUs;" \
    "a real dashboard's browser runs elsewhere."
what="app.js's requests"
[ ${#CLIENT_OPTS[@]} -gt 0 ] && what="$what, ${CLIENT_OPTS[*]}"
echo "dash client ($what), over $RUNS runs:" \
    "$sum_sig SSE signal events, $sum_health health events, $sum_keep" \
    "keepalives, $sum_sse_b stream bytes; $sum_ok API responses 2xx," \
    "$sum_bad other, $sum_err without a response; last run's requests:" \
    "$paths."
exit 0
