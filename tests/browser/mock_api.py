#!/usr/bin/env python3
"""tests/browser/mock_api.py - a stand-in for devsurv's HTTP API (README.md, "HTTP API and dashboard").

A development tool and the back end of the fast dashboard-only browser test
(tests/integration/browser_mock.sh). Serves contrib/dashboard at /, /index.html
and /static/*, and canned JSON that follows the API contract: /healthz,
/api/signals, /api/signals/{id} (with a "lineage" shaped like
eng_explain_json's), /api/cells, /api/cells/{plan}/{device}/{event}/series,
/api/alerts, /api/sources, /api/audit, /api/plans, /metrics, and the SSE
stream /api/stream (`event: signal` with `id:`, `event: health` every second,
`: keepalive` comments, Last-Event-ID resumes).

Not in the contract, mock only: GET /_mock/emit adds one new signal (the next
canned cell) and pushes it to every stream client; it answers with the
signal as JSON. --token TOKEN requires `Authorization: Bearer TOKEN` (or
?access_token=, RFC 6750 2.3, for EventSource) on every path but /healthz
and the dashboard files (/, /index.html, /static/*: code, no data; a browser
cannot add a header to a page or script load).

Usage: mock_api.py [--port N] [--port-file FILE] [--static DIR] [--token T]
Port 0 (the default) picks a free port; --port-file receives it once the
server listens. Python standard library only.
"""
import argparse
import json
import os
import posixpath
import queue
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DAY = 86400000
T0 = 1767225600000  # 2026-01-01T00:00:00Z

CELLS = [
    # plan, device, event, method, threshold, rate of statistic growth
    ("closure-haematoma", "MGB", "E0505", "maxsprt-poisson", 3.628, 0.16),
    ("pump-hyperglycaemia", "LZG", "E1205", "cusum-bernoulli", 4.5, 0.21),
    ("closure-haematoma", "DXC", "E0505", "maxsprt-poisson", 3.628, 0.19),
    ("lead-fracture", "DTB", "A0401", "maxsprt-binomial", 2.95, 0.12),
]
PLANS = [
    {"id": "closure-haematoma", "title": "Vascular closure devices: "
     "haematoma within 30 days", "method": "maxsprt-poisson",
     "comparator": "baseline", "sha256": "3f" * 32},
    {"id": "pump-hyperglycaemia", "title": "Insulin pumps: hyperglycaemia",
     "method": "cusum-bernoulli", "comparator": "baseline",
     "sha256": "3f" * 32},
    {"id": "lead-fracture", "title": "Pacing leads: fracture vs family",
     "method": "maxsprt-binomial", "comparator": "family",
     "sha256": "3f" * 32},
]
SENTENCES = {
    "E0505": ("Day 3 after closure: a large groin haematoma was noted at the "
              "puncture site.", "haematoma"),
    "E1205": ("Glucose 24 mmol/L, the patient reports hyperglycaemia since "
              "the pump change.", "hyperglycaemia"),
    "A0401": ("Impedance rise; lead fracture suspected on fluoroscopy.",
              "lead fracture"),
}


def iso(ts):
    return datetime.fromtimestamp(ts / 1000, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ts % 1000)


class Store:
    """The canned data; emit() adds a signal. Guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.signals = []
        self.cond = threading.Condition(self.lock)
        self.started = time.time()
        for i in range(2):
            self._add(i)

    def series(self, k, upto=None):
        plan, dev, ev, method, thr, g = CELLS[k]
        pts = []
        for d in range(0, 40):
            ts = T0 + d * DAY + k * 3600000
            exp = round(0.35 * (d + 1), 3)
            obs = int(exp + g * d * d / 12)
            stat = round(g * d * d / 30, 4) if d > 3 else 0.0
            pts.append({"ts": ts, "time": iso(ts), "observed": obs,
                        "expected": exp, "statistic": stat,
                        "threshold": thr})
        return pts

    def _cross(self, k):
        thr = CELLS[k][4]
        for p in self.series(k):
            if p["statistic"] >= thr:
                return p
        return self.series(k)[-1]

    def _add(self, k):
        k %= len(CELLS)
        plan, dev, ev, method, thr, g = CELLS[k]
        p = self._cross(k)
        sid = len(self.signals) + 1
        gen = sum(1 for s in self.signals
                  if (s["plan"], s["device"], s["event"]) == (plan, dev, ev))
        status = ["new", "acknowledged", "closed"][sid % 3] if sid <= 2 \
            else "new"
        sig = {"id": sid, "plan": plan, "device": dev, "event": ev,
               "method": method, "statistic": p["statistic"],
               "threshold": thr, "observed": p["observed"],
               "expected": p["expected"], "ts": p["ts"] + gen,
               "time": iso(p["ts"] + gen), "source": "hospA", "epoch": 7,
               "seq": 1000 + sid * 17, "rules": "a1" * 32,
               "plans": "3f" * 32, "generation": gen,
               "alert": {"id": sid, "status": status,
                         "opened": p["ts"], "updated": p["ts"],
                         "by": "" if status == "new" else "analyst",
                         "reason": "" if status == "new" else "reviewed"}}
        self.signals.append(sig)
        return sig

    def emit(self):
        with self.cond:
            sig = self._add(len(self.signals))
            self.cond.notify_all()
            return sig

    def lineage(self, sig):
        """Shaped like eng_explain_json: flat contributions (the real
        shape); the third one nests its mention under "mention" with
        offsets into the whole text, a variant the page must also read."""
        k = next(i for i, c in enumerate(CELLS)
                 if c[:3] == (sig["plan"], sig["device"], sig["event"]))
        sentence, term = SENTENCES[sig["event"]]
        b = sentence.encode().index(term.encode())
        e = b + len(term.encode())
        off = len("Follow-up note. ".encode())
        contribs = []
        for j in range(3):
            ts = sig["ts"] - (3 - j) * DAY
            c = {"source": "hospA", "epoch": 7, "seq": sig["seq"] - 9 + j * 3,
                 "time": iso(ts), "time_ms": ts, "role": "event",
                 "link": "patient-exposure" if j else "structured",
                 "mention": -1 if j == 0 else 0}
            m = {"kind": "event", "code": sig["event"], "system": "imdrf-e",
                 "label": term.capitalize(),
                 "rule": "terms/health_effect.tsv:he.%s.%08x" % (
                     sig["event"], 0xb5d8f7c8 + k),
                 "rule_line": 251 + k, "flags": 0, "flag_names": [],
                 "context": [], "rules": "a1" * 32}
            if j == 1:
                c.update(m, begin=off + b, end=off + e, sent_begin=off,
                         sent_end=off + len(sentence.encode()),
                         sentence=sentence, span_begin=b, span_end=e,
                         text=term)
            elif j == 2:
                m.update(begin=off + b, end=off + e, sent_begin=off,
                         sentence=sentence, context={"negated": False,
                                                     "historical": False})
                c["mention"] = m
            contribs.append(c)
        cp = {"n": 3, "ts": sig["ts"], "root": "cd" * 32, "signed": False}
        return {
            "signal": sig["id"], "plan": sig["plan"], "method": sig["method"],
            "params": {"method": sig["method"], "alpha": 0.05, "T": 20,
                       "M": 1, "D": 0, "cv": sig["threshold"]},
            "statistic": sig["statistic"], "threshold": sig["threshold"],
            "observed": sig["observed"], "expected": sig["expected"],
            "time": sig["time"], "time_ms": sig["ts"],
            "generation": sig["generation"],
            "trigger": {"source": "hospA", "epoch": 7, "seq": sig["seq"]},
            "rules": "a1" * 32, "plans": "3f" * 32,
            "cell": {"plan": sig["plan"], "device": sig["device"],
                     "event": sig["event"],
                     "row": {"observed": sig["observed"],
                             "expected": sig["expected"],
                             "status": "signalled"}},
            "contributions": contribs,
            "audit": [{"seq": 40 + j, "kind": "events_stored", "subject":
                       "hospA/7/%d..hospA/7/%d" % (c["seq"], c["seq"]),
                       "ts": c["time_ms"],
                       "entry_hash": "%02x" % j * 32, "checkpoint": cp}
                      for j, c in enumerate(contribs)],
        }


STORE = Store()


class Handler(BaseHTTPRequestHandler):
    server_version = "devsurv-mock/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if os.environ.get("MOCK_VERBOSE"):
            sys.stderr.write("mock: " + fmt % args + "\n")

    def _send(self, code, body, ctype="application/json; charset=utf-8",
              head=False):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if code == 401:
            self.send_header("WWW-Authenticate", "Bearer")
        if code == 405:
            self.send_header("Allow", "GET, HEAD")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_POST(self):
        self._send(405, {"error": "read-only API: GET and HEAD only"})

    do_PUT = do_DELETE = do_PATCH = do_POST

    def do_HEAD(self):
        self.do_GET(head=True)

    def _authorized(self, path, q):
        """/healthz and the dashboard files (code, no data) are open: a
        browser cannot add a header to the page and script loads."""
        tok = self.server.token
        if not tok or path in ("/healthz", "/", "/index.html") or \
                path.startswith("/static/"):
            return True
        if self.headers.get("Authorization", "") == "Bearer " + tok:
            return True
        return q.get("access_token") == [tok]

    def do_GET(self, head=False):
        u = urllib.parse.urlsplit(self.path)
        path, q = u.path, urllib.parse.parse_qs(u.query)
        if not self._authorized(path, q):
            return self._send(401, {"error": "bearer token required"})
        if path == "/healthz":
            return self._send(200, {"status": "ok", "db": "ok"}, head=head)
        if path == "/_mock/emit":
            return self._send(200, STORE.emit(), head=head)
        if path == "/api/stream":
            return self._stream()
        if path.startswith("/api/") or path == "/metrics":
            code, body = self._api(path, q)
            ctype = "text/plain; version=0.0.4" if path == "/metrics" \
                else "application/json; charset=utf-8"
            return self._send(code, body, ctype, head)
        return self._static(path, head)

    def _api(self, path, q):
        parts = [urllib.parse.unquote(p) for p in path.split("/")[1:]]
        one = lambda k: (q.get(k) or [""])[0]
        with STORE.lock:
            sigs = [dict(s) for s in STORE.signals]
        if path == "/api/signals":
            for k in ("plan", "device", "event", "method", "source"):
                if one(k):
                    sigs = [s for s in sigs if s[k] == one(k)]
            if one("status"):
                sigs = [s for s in sigs if s["alert"]["status"] == one("status")]
            if one("after_id"):
                sigs = [s for s in sigs if s["id"] > int(one("after_id"))]
            else:
                sigs.reverse()
            return 200, {"signals": sigs[:int(one("limit") or 200)],
                         "next_after_id": None}
        if len(parts) == 3 and parts[:2] == ["api", "signals"]:
            s = next((s for s in sigs if str(s["id"]) == parts[2]), None)
            if not s:
                return 404, {"error": "no such signal"}
            s["lineage"] = STORE.lineage(s)
            return 200, s
        if len(parts) == 6 and parts[:2] == ["api", "cells"] \
                and parts[5] == "series":
            key = tuple(parts[2:5])
            k = next((i for i, c in enumerate(CELLS) if c[:3] == key), None)
            if k is None:
                return 404, {"error": "no such cell"}
            return 200, {"plan": key[0], "device": key[1], "event": key[2],
                         "points": STORE.series(k),
                         "signals": [{"id": s["id"], "ts": s["ts"],
                                      "time": s["time"]} for s in sigs
                                     if (s["plan"], s["device"],
                                         s["event"]) == key]}
        if path == "/api/cells":
            return 200, {"cells": [dict(zip(("plan", "device", "event"), c[:3]),
                                        **STORE.series(i)[-1])
                                   for i, c in enumerate(CELLS)]}
        if path == "/api/alerts":
            return 200, {"alerts": [dict(s["alert"], signal_id=s["id"], log=[])
                                    for s in sigs]}
        if path == "/api/sources":
            return 200, {"sources": [{"source": "hospA", "epoch": 7,
                                      "committed": 4000, "events": 3990,
                                      "quarantined": 10, "last_ts": T0,
                                      "last_time": iso(T0),
                                      "discontinuities": 0}]}
        if path == "/api/audit":
            return 200, {"entries": 4123, "checkpoints": 12, "head": "ab" * 32,
                         "last_checkpoint": {"n": 12, "ts": T0, "time": iso(T0),
                                             "age_seconds": 42},
                         "verify": {"status": "ok", "detail":
                                    "4123 entries, 12 checkpoints verified",
                                    "checked_at": iso(int(time.time() * 1000))}}
        if path == "/api/plans":
            return 200, {"plans": PLANS}
        if path == "/metrics":
            return 200, "devsurv_signals_total %d\n" % len(sigs)
        return 404, {"error": "unknown path"}

    def _static(self, path, head):
        root = self.server.static_dir
        if path in ("/", "/index.html"):
            rel = "index.html"
        elif path.startswith("/static/"):
            rel = path[len("/static/"):]
        else:
            return self._send(404, {"error": "unknown path"})
        rel = urllib.parse.unquote(rel)
        if ".." in rel.split("/") or rel.startswith("/") or not rel:
            return self._send(404, {"error": "unknown path"})
        full = os.path.join(root, posixpath.normpath(rel))
        if not os.path.isfile(full):
            return self._send(404, {"error": "unknown path"})
        ext = os.path.splitext(full)[1]
        ctype = {".html": "text/html; charset=utf-8",
                 ".css": "text/css; charset=utf-8",
                 ".js": "application/javascript; charset=utf-8",
                 ".svg": "image/svg+xml"}.get(ext, "application/octet-stream")
        with open(full, "rb") as f:
            return self._send(200, f.read(), ctype, head)

    def _stream(self):
        last = self.headers.get("Last-Event-ID")
        with STORE.lock:
            sent = int(last) if last and last.isdigit() else \
                len(STORE.signals)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        beat = 0.0
        try:
            self.wfile.write(b": keepalive\n\n")
            self.wfile.flush()
            while not self.server.stopping:
                with STORE.cond:
                    STORE.cond.wait(0.2)
                    new = STORE.signals[sent:]
                    sent = len(STORE.signals)
                out = b""
                for s in new:
                    out += b"id: %d\nevent: signal\ndata: %s\n\n" % (
                        s["id"], json.dumps(s).encode())
                if time.time() - beat >= 1.0:
                    beat = time.time()
                    now = int(beat * 1000)
                    h = {"ts": now, "time": iso(now), "last_signal_id": sent,
                         "streams": 1, "engine": {
                             "events": 3990, "quarantined": 10,
                             "signals": sent, "duplicates": 0, "gaps": 0,
                             "resends": 0, "malformed": 0}}
                    out += b"event: health\ndata: %s\n\n" % \
                        json.dumps(h).encode()
                    out += b": keepalive\n\n"
                if out:
                    self.wfile.write(out)
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--static", default=os.path.join(
        here, "..", "..", "contrib", "dashboard"))
    ap.add_argument("--token", default="")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.static_dir = os.path.abspath(a.static)
    srv.token = a.token
    srv.stopping = False
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    print("mock API on http://127.0.0.1:%d/" % port, file=sys.stderr)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping = True


if __name__ == "__main__":
    main()
