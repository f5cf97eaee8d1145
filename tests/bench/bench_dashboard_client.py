#!/usr/bin/env python3
"""bench_dashboard_client.py - a simulated open dashboard for
tests/bench/bench_dashboard.sh: the HTTP traffic contrib/dashboard/app.js
makes while a page is open, with the Python standard library only.

Usage: bench_dashboard_client.py URL STATUS_FILE [--open-signals]

What it does, in app.js's order:
  load     GET / and the page's files (/static/style.css, chart.js,
           evidence.js, app.js);
  boot     GET /healthz, /api/audit, /api/plans, /api/signals?limit=500;
  stream   EventSource /api/stream; on open, the catch-up
           /api/signals?after_id=<newest known>&limit=500;
  timers   every 2 s the heartbeat watch (GET /healthz only when no health
           event came for 5 s), every 30 s GET /api/audit;
  signals  app.js adds a streamed signal to the list without a request.
           With --open-signals the client also does what a user clicking
           each new row causes: GET /api/signals/{id}, then the cell's
           /api/cells/{plan}/{device}/{event}/series.
API requests share one keep-alive connection (a browser would use up to
six); the stream has its own, as in a browser.

It counts what it received and writes the counts as one JSON object to
STATUS_FILE (replaced atomically) after the stream opens, on every health
event and when it ends (SIGTERM): sse_signal, sse_health, sse_keepalive,
sse_bytes, api_ok (2xx), api_bad (other statuses), api_error (no
response), api_bytes, stream_open, last_signal_id, by_path {path: n}.
It exits 0 on SIGTERM, 1 when the first page load fails.

Not here: rendering (a browser's CPU cost on the client machine), a token
(the bench listens on loopback).
"""
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse

PAGE = ["/", "/static/style.css", "/static/chart.js", "/static/evidence.js",
        "/static/app.js"]


class Dashboard:
    def __init__(self, url, status, open_signals):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.status = status
        self.open_signals = open_signals
        self.lock = threading.RLock()  # the SIGTERM handler takes it too
        self.api_lock = threading.Lock()  # one API connection at a time
        self.api_conn = None
        self.known = set()
        self.last_health = 0.0
        self.n = {"sse_signal": 0, "sse_health": 0, "sse_keepalive": 0,
                  "sse_bytes": 0, "api_ok": 0, "api_bad": 0, "api_error": 0,
                  "api_bytes": 0, "stream_open": 0, "last_signal_id": 0,
                  "by_path": {}}

    # ---- counts ------------------------------------------------------------

    def save(self):
        with self.lock:
            text = json.dumps(self.n, sort_keys=True, separators=(",", ":"))
        tmp = self.status + ".tmp"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, self.status)

    def count(self, key, by=1):
        with self.lock:
            self.n[key] += by

    # ---- API (one keep-alive connection, like fetch) -----------------------

    def get(self, path):
        """GET path; the parsed JSON body (or None), counting the result."""
        key = path.split("?")[0]
        if key.startswith("/api/signals/"):
            key = "/api/signals/ID"
        elif key.startswith("/api/cells/"):
            key = "/api/cells/.../series"
        with self.lock:
            self.n["by_path"][key] = self.n["by_path"].get(key, 0) + 1
        with self.api_lock:
            return self._get(path)

    def _get(self, path):
        for attempt in (0, 1):
            try:
                if self.api_conn is None:
                    self.api_conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=30)
                self.api_conn.request("GET", path, headers={
                    "Accept": "application/json",
                    "Cache-Control": "no-store"})
                r = self.api_conn.getresponse()
                body = r.read()
                break
            except (OSError, http.client.HTTPException):
                # a closed keep-alive connection: reconnect once
                if self.api_conn is not None:
                    self.api_conn.close()
                self.api_conn = None
                if attempt:
                    self.count("api_error")
                    return None
        self.count("api_bytes", len(body))
        self.count("api_ok" if 200 <= r.status < 300 else "api_bad")
        if r.getheader("Connection", "").lower() == "close":
            self.api_conn.close()
            self.api_conn = None
        try:
            return json.loads(body) if 200 <= r.status < 300 else None
        except ValueError:
            return None

    def learn(self, j):
        for s in (j or {}).get("signals", []):
            if isinstance(s.get("id"), int):
                self.known.add(s["id"])

    def boot(self):
        for p in PAGE:
            self.get(p)
        if self.n["api_ok"] != len(PAGE):
            return False
        self.get("/healthz")
        self.get("/api/audit")
        self.get("/api/plans")
        self.learn(self.get("/api/signals?limit=500"))
        return True

    def catch_up(self):
        newest = max(self.known) if self.known else 0
        self.learn(self.get("/api/signals?after_id=%d&limit=500" % newest))

    def open_signal(self, sid):
        full = self.get("/api/signals/%d" % sid)
        if not full:
            return
        parts = [full.get("plan") or "", full.get("device") or "",
                 full.get("event") or ""]
        self.get("/api/cells/" + "/".join(
            urllib.parse.quote(p, safe="") for p in parts) + "/series")

    # ---- timers (setInterval) ----------------------------------------------

    def timers(self):
        start = time.monotonic()
        next_beat, next_audit = start + 2, start + 30
        while True:
            now = time.monotonic()
            time.sleep(max(0.0, min(next_beat, next_audit) - now))
            now = time.monotonic()
            if now >= next_beat:
                next_beat += 2
                if self.last_health and now - self.last_health > 5:
                    self.get("/healthz")
            if now >= next_audit:
                next_audit += 30
                self.get("/api/audit")

    # ---- the stream (EventSource) ------------------------------------------

    def on_event(self, name, data, eid):
        if name == "health":
            self.count("sse_health")
            self.last_health = time.monotonic()
            self.save()
        elif name == "signal":
            self.count("sse_signal")
            try:
                s = json.loads(data)
            except ValueError:
                return
            sid = s.get("id") if isinstance(s, dict) else None
            if isinstance(sid, int):
                with self.lock:
                    self.n["last_signal_id"] = max(
                        self.n["last_signal_id"], sid)
                self.known.add(sid)
                if self.open_signals:
                    self.open_signal(sid)

    def stream(self):
        c = http.client.HTTPConnection(self.host, self.port, timeout=60)
        c.request("GET", "/api/stream",
                  headers={"Accept": "text/event-stream"})
        r = c.getresponse()
        if r.status != 200:
            self.count("api_bad")
            raise SystemExit("stream: HTTP %d" % r.status)
        self.count("stream_open")
        self.catch_up()
        self.save()
        name, data, eid = "message", [], None
        while True:
            line = r.fp.readline()
            if not line:
                return  # the server ended the stream
            self.count("sse_bytes", len(line))
            line = line.decode("utf-8").rstrip("\r\n")
            if not line:
                if data:
                    self.on_event(name, "\n".join(data), eid)
                name, data, eid = "message", [], None
            elif line.startswith(":"):
                if line.startswith(": keepalive"):
                    self.count("sse_keepalive")
            else:
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                if k == "event":
                    name = v
                elif k == "data":
                    data.append(v)
                elif k == "id":
                    eid = v


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    d = Dashboard(args[0], args[1], "--open-signals" in sys.argv)

    def stop(_sig, _frame):
        d.save()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    if not d.boot():
        d.save()
        sys.exit("page load failed: %s" % json.dumps(d.n))
    threading.Thread(target=d.timers, daemon=True).start()
    d.stream()
    d.save()


if __name__ == "__main__":
    main()
