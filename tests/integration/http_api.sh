#!/usr/bin/env bash
# http_api.sh - the HTTP API of the real `devsurv serve`: [http] listen on
# 127.0.0.1 port 0 (the bound port is read from the "dashboard:" log
# line), the demo stream published with ds-publish --insecure, then every
# endpoint fetched with curl: status codes, content types, the store's
# counts in /metrics and /api/sources, the demo's signal in /api/signals
# and its lineage, a signal arriving on the event stream, 405/404, and a
# clean stop. A non-loopback listen address without a token file must be
# refused at start with a clear error.
. "$(dirname "$0")/../lib.sh"
STREAM=fixtures/streams/demo.jsonl
EP="ipc://$T/ingest.ipc"
DB=$T/serve.db
NLINES=$(grep -c . "$STREAM")
mkdir -p "$T/dash"
echo '<!doctype html><title>t</title>' >"$T/dash/index.html"

if ! command -v curl >/dev/null; then
    echo "skip - http_api: curl not installed (make deps)"
    exit 0
fi

"$DEVSURV" serve -c contrib/demo.conf --set "ingest.endpoint=$EP" \
    --set http.listen=0.0.0.0:0 --db "$T/refused.db" >"$T/refused.log" 2>&1
rc=$?
if [ $rc -eq 78 ] && grep -q "not a loopback address" "$T/refused.log"; then
    ok "non_loopback_without_token_refused"
else
    fail "non_loopback_without_token_refused" "exit $rc: $(cat "$T/refused.log")"
fi

start_bg "$T/serve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set "ingest.endpoint=$EP" --set http.listen=127.0.0.1:0 \
    --set "http.static_dir=$T/dash" --db "$DB"
SERVE=$BG_PID
check "dashboard_url_logged" \
    wait_until 30 grep -q "dashboard: http://127.0.0.1:[0-9]*/" "$T/serve.log"
PORT=$(sed -n 's|.*dashboard: http://127.0.0.1:\([0-9]*\)/.*|\1|p' \
    "$T/serve.log")
URL="http://127.0.0.1:${PORT:-1}"

# The stream is opened before publishing: the signal must arrive on it.
curl -sN --max-time 60 "$URL/api/stream" >"$T/stream.txt" 2>/dev/null &
CURL=$!
PIDS+=("$CURL")
check "stream_connected" wait_until 10 grep -q "event: health" "$T/stream.txt"

timeout 60 "$PUBLISH" --endpoint "$EP" --source hospA --timeout 30 \
    --insecure --journal "$T/pub.db" "$STREAM" 2>"$T/pub.log"
check "publish_acknowledged" test $? -eq 0

# get NAME PATH: body in $T/NAME.body, status in $T/NAME.code, headers
get() {
    curl -s -o "$T/$1.body" -D "$T/$1.head" -w '%{http_code}' "$URL$2" \
        >"$T/$1.code"
}
code() { cat "$T/$1.code"; }
is_json() { grep -qi '^content-type: application/json; charset=utf-8' \
    "$T/$1.head"; }

for p in healthz:/healthz signals:/api/signals cells:/api/cells \
    alerts:/api/alerts sources:/api/sources audit:/api/audit \
    plans:/api/plans; do
    n=${p%%:*}
    get "$n" "${p#*:}"
    if [ "$(code "$n")" = 200 ] && is_json "$n"; then ok "get_$n"; else
        fail "get_$n" "status $(code "$n"): $(head -c 300 "$T/$n.body")"; fi
done

ev=$(sql "$DB" "select count(*) from events")
get metrics /metrics
check "metrics_text_format" grep -qi \
    '^content-type: text/plain; version=0.0.4' "$T/metrics.head"
check "metrics_count_events" grep -q "^devsurv_events_total $ev\$" \
    "$T/metrics.body"
check "metrics_count_all_published" test "$ev" -eq $((NLINES - 2))
check "metrics_count_quarantine" grep -q '^devsurv_quarantined_total 2$' \
    "$T/metrics.body"
check "metrics_stage_histogram" grep -q \
    '^devsurv_stage_latency_seconds_count{stage="commit"} [1-9]' \
    "$T/metrics.body"
check "sources_count_events" grep -q "\"events\":$ev," "$T/sources.body"
check "signals_has_demo_signal" grep -q '"device":"MGB","event":"E0505"' \
    "$T/signals.body"

id=$(sql "$DB" "select min(id) from signals")
get one "/api/signals/$id"
if [ "$(code one)" = 200 ] && grep -q '"lineage":{' "$T/one.body"; then
    ok "signal_with_lineage"
else fail "signal_with_lineage" "status $(code one)"; fi
get none /api/signals/999999
check "signal_unknown_404" test "$(code none)" = 404
get nope /api/nope
check "unknown_path_404" test "$(code nope)" = 404
get index /
check "dashboard_index" grep -q '<title>t</title>' "$T/index.body"
post=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/signals")
check "post_405" test "$post" = 405

# one connection serves several requests (no "Connection: close"): the
# dashboard's fetches do not each pay a TCP connect and a server thread
check "keep_alive" sh -c "curl -sv '$URL/healthz' '$URL/api/plans' 2>&1 |
    grep -q 'Re-using existing connection'"

check "stream_delivered_signal" \
    wait_until 5 grep -q "^event: signal" "$T/stream.txt"
check "stream_signal_has_id" grep -q "^id: $id\$" "$T/stream.txt"

stop_wait "$SERVE" 20
check "sigterm_clean_exit" test "$STOP_RC" = 0
check "stream_ended_on_stop" wait_until 5 dead "$CURL"
finish
