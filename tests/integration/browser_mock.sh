#!/usr/bin/env bash
# browser_mock.sh - the dashboard alone, fast: contrib/dashboard served by
# tests/browser/mock_api.py (canned JSON following the API contract and an
# SSE stream), checked in headless Chromium through chromedriver: live row
# on a signal emitted after the page loaded, keyboard opening, charts,
# <mark>ed evidence span, accessibility basics, screenshot in
# tests/out/browser/dashboard_mock.png. Skipped without chromium.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../browser/lib.sh"
need_browser browser_mock

start_bg "$T/mock.log" "$PY" "$BROWSER_DIR/mock_api.py" --port-file \
    "$T/mock.port" --static contrib/dashboard
if wait_until 15 test -s "$T/mock.port"; then ok "mock_api_listens"; else
    fail "mock_api_listens" "$(cat "$T/mock.log")"
    finish
fi
BASE=http://127.0.0.1:$(cat "$T/mock.port")
check "static_index_served" http_ok "$BASE/"
check "static_traversal_refused" test "$("$PY" -c 'import sys, urllib.request as u
try: u.urlopen(sys.argv[1])
except Exception as e: print(getattr(e, "code", 0))' "$BASE/static/../app.js")" = 404

if start_chromedriver; then ok "chromedriver_ready"; else
    fail "chromedriver_ready" "$(tail -n 5 "$T/chromedriver.log")"
    finish
fi
# The mock's first emitted signal is #3, DXC x E0505; its evidence
# sentence marks "haematoma".
check_dashboard --url "$BASE/" --trigger-url "$BASE/_mock/emit" \
    --expect haematoma --screenshot "$SHOTS/dashboard_mock.png"

# With a bearer token: the page takes it from #token=, sends it as a
# header, and on the stream as ?access_token= (EventSource has no headers).
start_bg "$T/mock2.log" "$PY" "$BROWSER_DIR/mock_api.py" --port-file \
    "$T/mock2.port" --static contrib/dashboard --token s3cret-token
wait_until 15 test -s "$T/mock2.port"
BASE2=http://127.0.0.1:$(cat "$T/mock2.port")
check "token_required" test "$("$PY" -c 'import sys, urllib.request as u
try: u.urlopen(sys.argv[1])
except Exception as e: print(getattr(e, "code", 0))' "$BASE2/api/signals")" = 401
check_dashboard --name-prefix token_ --url "$BASE2/#token=s3cret-token" \
    --trigger-url "$BASE2/_mock/emit?access_token=s3cret-token" \
    --expect haematoma --screenshot "$T/token.png"
finish
