# shellcheck shell=bash
# tests/browser/lib.sh - what the browser tests share (source after
# tests/lib.sh): find Chromium, chromedriver and python3 (or print a skip
# line and exit 0), pick free loopback ports, start chromedriver in the
# background (so tests/lib.sh's cleanup kills it) and wait until it is
# ready. The checks themselves are tests/browser/check_dashboard.py.
BROWSER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SHOTS=${SHOTS:-tests/out/browser}

# need_browser NAME: sets CHROMIUM, CHROMEDRIVER, PY or skips the script.
need_browser() {
    CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser \
        || true)}
    CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
    PY=${PY:-$(command -v python3 || true)}
    if [ -z "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ] || [ -z "$PY" ]; then
        echo "skip - $1: needs chromium, chromedriver and python3" \
            "(Debian: apt-get install chromium chromium-driver python3)"
        exit 0
    fi
}

# free_port: a TCP port nobody listens on at this moment (loopback).
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# http_ok URL: the URL answers 2xx.
http_ok() {
    "$PY" -c 'import sys, urllib.request as u
u.urlopen(sys.argv[1], timeout=2).read()' "$1" 2>/dev/null
}

# start_chromedriver: chromedriver on a free port; sets WEBDRIVER.
start_chromedriver() {
    local port
    port=$(free_port)
    start_bg "$T/chromedriver.log" "$CHROMEDRIVER" --port="$port" \
        --allowed-ips=127.0.0.1
    WEBDRIVER=http://127.0.0.1:$port
    wait_until 20 http_ok "$WEBDRIVER/status"
}

# check_dashboard ARGS...: run the browser checks (their ok/FAIL lines go
# to stdout); counts a non-zero exit as failed.
check_dashboard() {
    mkdir -p "$SHOTS"
    "$PY" "$BROWSER_DIR/check_dashboard.py" --webdriver "$WEBDRIVER" \
        --chromium "$CHROMIUM" --profile "$T/chrome-profile" "$@" \
        2>"$T/check.err"
    local rc=$?
    if [ $rc -ne 0 ]; then
        FAILED=$((FAILED + 1))
        sed 's/^/# /' "$T/check.err" | tail -n 20
    fi
}
