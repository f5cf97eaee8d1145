#!/usr/bin/env bash
# browser_dashboard.sh - the dashboard on the real engine, in a browser:
# `devsurv serve` on a temp store with the plans (rules/plans) and the HTTP
# API on a loopback port it picks ([http] listen 127.0.0.1:0, read from its
# "dashboard: http://..." log line); headless Chromium (chromedriver, driven
# by tests/browser/check_dashboard.py) loads the page while the store is
# still empty; then ds-publish sends the demo scenario
# (ds-scenario fixtures/scenarios/demo.scn: closure-b at 3x baseline
# haematoma). A closure-haematoma signal row must appear live (no reload),
# open with Enter and show the statistic/boundary chart with the signal
# marker and the evidence with the matched span in a <mark> - checked
# against the store: the span the mention's byte offsets cut out of the
# note text. Screenshot: tests/out/browser/dashboard_engine.png. Skipped
# only when chromium/chromedriver/python3 are missing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../browser/lib.sh"
need_browser browser_dashboard
SCENARIO=$BUILD/ds-scenario
EP="ipc://$T/ingest.ipc"
DB=$T/serve.db

if "$SCENARIO" fixtures/scenarios/demo.scn >"$T/demo.jsonl" \
    2>"$T/scenario.err" && [ -s "$T/demo.jsonl" ]; then
    ok "scenario_generated"
else
    fail "scenario_generated" "$SCENARIO: $(head -c 300 "$T/scenario.err")"
    finish
fi

start_bg "$T/serve.log" "$DEVSURV" serve -c contrib/demo.conf \
    --set "ingest.endpoint=$EP" --set "http.listen=127.0.0.1:0" \
    --set "http.static_dir=contrib/dashboard" --db "$DB"
SERVE=$BG_PID
dashboard_url() { sed -n 's/.*dashboard: \(http:[^ ]*\).*/\1/p' \
    "$T/serve.log" | head -n 1; }
if wait_until 20 grep -q "dashboard: http" "$T/serve.log" &&
    wait_until 10 http_ok "$(dashboard_url)healthz"; then
    ok "engine_http_listens"
else
    fail "engine_http_listens" "no 'dashboard: http://' or /healthz:" \
        "$(tail -n 5 "$T/serve.log")"
    finish
fi
URL=$(dashboard_url)
check "engine_serves_dashboard" http_ok "$URL"
check "engine_serves_script" http_ok "${URL}static/app.js"

if start_chromedriver; then ok "chromedriver_ready"; else
    fail "chromedriver_ready" "$(tail -n 5 "$T/chromedriver.log")"
    finish
fi
PUB="timeout 120 $PUBLISH --endpoint $EP --source hospA --timeout 60"
PUB="$PUB --insecure --journal $T/pub.db $T/demo.jsonl"
check_dashboard --url "$URL" --trigger "$PUB" --plan closure-haematoma \
    --expect-db "$DB" --timeout 60 \
    --screenshot "$SHOTS/dashboard_engine.png"

# The store agrees with what the page showed: the elevated brand signalled
# (demo.scn: Fictiva PlugSure at 3x the baseline), the other one did not.
check "store_has_closure_signal" test "$(sql "$DB" "select count(*) from \
signals where plan = 'closure-haematoma' and product_code = 'Fictiva PlugSure'")" -ge 1
check "store_no_signal_for_baseline_brand" test "$(sql "$DB" "select count(*)
from signals where plan = 'closure-haematoma' and product_code = 'Acme SealRight'")" = 0

stop_wait "$SERVE" 20
check "engine_clean_exit" test "$STOP_RC" = 0
finish
