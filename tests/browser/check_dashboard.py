#!/usr/bin/env python3
"""tests/browser/check_dashboard.py - the dashboard checked in a real browser.

Drives headless Chromium through chromedriver (wd.py) against a running
server (the engine's `devsurv serve` with [http] listen, or mock_api.py) and
prints the runner's lines: "ok - name" / "FAIL - name: why". Steps:

 1. the page loads; engine health and the audit status show in the header;
    the live stream connects
 2. --trigger CMD / --trigger-url URL makes the server raise a signal (the
    publisher, or the mock's /_mock/emit); a new row (of plan --plan when
    given) must appear without a reload (a marker set in the page before
    must survive), marked "New", and be announced in the aria-live region
 3. basic accessibility: table caption, th scope, labelled form controls,
    no nameless buttons
 4. keyboard: focus the new row's button, press Enter: the detail opens with
    an SVG chart holding the statistic path, the boundary path and a signal
    marker, a text alternative (data table), and the read-only alert note
 5. the evidence shows a <mark> whose text is an expected span: --expect
    TEXT (repeatable), or --expect-db DB: the spans of the text mentions that
    contribute to the signal's cell, read from the store (payload "text"
    sliced at the mention's UTF-8 byte offsets: an oracle independent of the
    API and the page)
 6. the device filter keeps only that device's rows
 7. a screenshot of the page with the detail open goes to --screenshot
    (laptop-sized window) and to <same>_full.png (the whole page)
 8. the browser console has no errors

Exit status 0 when every check passed. Steps stop at the first failure that
later steps depend on.
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wd  # noqa: E402

FAILED = []
PREFIX = ""


def ok(name):
    print("ok - " + PREFIX + name, flush=True)


def fail(name, why):
    print("FAIL - %s%s: %s" % (PREFIX, name,
                               str(why).replace("\n", " ")[:600]),
          flush=True)
    FAILED.append(name)


def step(name, fn, *args):
    """Run fn; ok/FAIL line; returns fn's value or None on failure."""
    try:
        v = fn(*args)
    except (wd.WebDriverError, AssertionError, OSError, ValueError,
            subprocess.SubprocessError, sqlite3.Error) as e:
        fail(name, e or type(e).__name__)
        return None
    ok(name)
    return v if v is not None else True


def expected_spans(db, sid):
    """UTF-8 spans of the text mentions contributing to signal sid's cell."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        row = con.execute("select plan, product_code, event_code from signals"
                          " where id = ?", (sid,)).fetchone()
        assert row, "signal %s not in the store" % sid
        q = ("select m.begin, m.end, cast(e.payload as blob)"
             " from contributions c join mentions m on m.source = c.source"
             " and m.epoch = c.epoch and m.seq = c.seq and m.n = c.mention"
             " join events e on e.source = c.source and e.epoch = c.epoch"
             " and e.seq = c.seq where c.plan = ? and c.device = ?"
             " and c.event = ? and c.mention >= 0")
        spans = set()
        for b, e, payload in con.execute(q, row):
            try:
                text = json.loads(bytes(payload)).get("text", "")
                spans.add(text.encode()[b:e].decode().strip().lower())
            except (ValueError, UnicodeDecodeError, AttributeError):
                continue
        spans.discard("")
        assert spans, ("no text mention contributes to cell %s/%s/%s in the"
                       " store" % row)
        return spans
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--webdriver", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--profile")
    ap.add_argument("--trigger")
    ap.add_argument("--trigger-url")
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--expect-db")
    ap.add_argument("--plan", default="",
                    help="the new row to open must be of this plan")
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--name-prefix", default="",
                    help="prefix of every result name (a second run)")
    a = ap.parse_args()
    T = a.timeout
    global PREFIX
    PREFIX = a.name_prefix

    s = step("browser_session", wd.Session.chromium, a.webdriver, a.chromium,
             a.profile)
    if not s:
        return 1
    try:
        run(s, a, T)
    finally:
        s.delete()
    return 1 if FAILED else 0


def run(s, a, T):
    state = lambda i: s.js("var e = document.getElementById(arguments[0]);"
                           "return e && e.getAttribute('data-state');", i)
    if not step("page_loads", lambda: (s.get(a.url), s.wait(
            lambda: s.js("return !!document.querySelector('#signals "
                         "caption') && typeof DSApp === 'object'"),
            T, "the dashboard script"))):
        return
    step("health_in_header", s.wait, lambda: state("health") == "ok", T,
         "health ok in the header")
    step("audit_in_header", s.wait, lambda: state("audit") not in
         (None, "unknown"), T, "the audit status in the header")
    if not step("stream_connected", s.wait, lambda: state("stream-state") ==
                "ok", T, "the live stream"):
        return
    before = s.js("window.__noReload = 'still here';"
                  "return [].map.call(document.querySelectorAll("
                  "'#signal-rows tr'), r => +r.dataset.id);")
    if a.trigger:
        if not step("trigger_runs", lambda: subprocess.run(
                a.trigger, shell=True, check=True, timeout=T * 2,
                stdout=sys.stderr)):
            return
    if a.trigger_url:
        urllib.request.urlopen(a.trigger_url, timeout=10).read()
    sid = step("live_row_appears", s.wait, lambda: s.js(
        "var r = [].find.call(document.querySelectorAll("
        "'#signal-rows tr.is-new'), r => arguments[0].indexOf("
        "+r.dataset.id) < 0 && (!arguments[1] || r.dataset.plan ==="
        " arguments[1])); return r ? +r.dataset.id : 0;", before, a.plan),
        T, "a new signal row" + (" of plan " + a.plan if a.plan else ""))
    if not sid:
        return
    step("row_marked_new", lambda: s.js(
        "var r = document.querySelector('#signal-rows tr[data-id=\"' + "
        "arguments[0] + '\"]'); var b = r.querySelector('.badge-new');"
        "return b && b.textContent.trim() === 'New'", sid) or
        _raise("no 'New' badge on row %s" % sid))
    step("no_reload", lambda: s.js("return window.__noReload") ==
         "still here" or _raise("the page was reloaded"))
    step("announced_live", s.wait, lambda: ("#%d" % sid) in s.js(
        "var a = document.getElementById('announcer');"
        "return a.getAttribute('aria-live') + ' ' + a.textContent"),
        5, "the aria-live announcement")
    step("a11y_basics", lambda: _a11y(s))

    btn = s.find('#signal-rows button.open[data-id="%d"]' % sid)
    if not step("open_with_enter", lambda: (
            s.js("arguments[0].focus()", {wd.ELEMENT: btn}),
            s.send_keys(btn, wd.ENTER),
            s.wait(lambda: s.js(
                "var d = document.getElementById('detail');"
                "return !d.hidden && document.getElementById('detail-heading')"
                ".textContent.indexOf('#' + arguments[0]) >= 0", sid),
                T, "the detail of signal %d" % sid))):
        return
    step("chart_statistic_boundary_marker", s.wait, lambda: s.js(
        "var g = document.querySelector('#chart-stat svg');"
        "if (!g) return false;"
        "var st = g.querySelector('path[data-role=statistic]');"
        "var bd = g.querySelector('path[data-role=boundary]');"
        "var mk = g.querySelector('[data-role=signal-marker] line');"
        "return !!(st && /^M[-0-9.]+ [-0-9.]+/.test(st.getAttribute('d')) &&"
        " bd && /^M/.test(bd.getAttribute('d')) && mk);"), T,
        "the statistic/boundary chart with a signal marker")
    step("chart_counts", s.wait, lambda: s.js(
        "var g = document.querySelector('#chart-counts svg');"
        "return !!(g && g.querySelector('path[data-role=observed]') &&"
        " g.querySelector('path[data-role=expected]'))"), T,
        "the observed/expected chart")
    step("chart_text_alternative", lambda: s.js(
        "var f = document.querySelector('#chart-stat figure');"
        "var svg = f.querySelector('svg');"
        "return svg.getAttribute('role') === 'img' &&"
        " !!svg.querySelector('title').textContent &&"
        " f.querySelectorAll('.data-table tbody tr').length > 0 &&"
        " !!f.querySelector('figcaption').textContent") or
        _raise("chart lacks role=img/title/data table/caption"))
    step("alert_readonly_note", lambda: "devsurv alert ack" in s.js(
        "return document.getElementById('detail').textContent") or
        _raise("no note that alerts are acknowledged with the CLI"))
    if a.expect_db:
        want = step("expected_spans_from_store", expected_spans, a.expect_db,
                    sid)
    else:
        want = {x.strip().lower() for x in a.expect}
    marks = step("evidence_mark", s.wait, lambda: s.js(
        "return [].map.call(document.querySelectorAll('#evidence mark'),"
        " m => m.textContent)"), T, "a <mark> in the evidence")
    if marks and want:
        got = {m.strip().lower() for m in marks}
        if got & want:
            ok("mark_is_matched_span")
        else:
            fail("mark_is_matched_span", "marks %s, expected one of %s" %
                 (sorted(got), sorted(want)))
    step("evidence_has_rule_and_audit", lambda: s.js(
        "var t = document.getElementById('evidence').textContent;"
        "return /Rule/.test(t) && /[Aa]udit/.test(t)") or
        _raise("no rule or audit part in the evidence"))
    os.makedirs(os.path.dirname(os.path.abspath(a.screenshot)), exist_ok=True)
    step("screenshot_saved", lambda: s.screenshot(a.screenshot) > 1000 or
         _raise("empty screenshot"))
    full = os.path.splitext(a.screenshot)[0] + "_full.png"
    step("screenshot_full_page", lambda: (
        s.window_height(min(4000, s.js(
            "return document.documentElement.scrollHeight") + 140)),
        s.screenshot(full), s.window_height(900)))
    dev = s.js("return DSApp.state.signals[arguments[0]].device", sid)
    step("filter_by_device", lambda: (
        s.js("var f = document.getElementById('f-device');"
             "f.value = arguments[0];"
             "f.dispatchEvent(new Event('change', {bubbles: true}));", dev),
        s.wait(lambda: s.js(
            "var r = document.querySelectorAll('#signal-rows tr');"
            "return r.length > 0 && [].every.call(r, x =>"
            " x.dataset.device === arguments[0])", dev), T,
            "rows of device %s only" % dev)))
    errs = [e for e in s.browser_log() if e.get("level") == "SEVERE"]
    if errs:
        fail("no_console_errors", "; ".join(e.get("message", "")
                                            for e in errs[:3]))
    else:
        ok("no_console_errors")


def _a11y(s):
    bad = s.js("""
        var bad = [];
        var t = document.getElementById('signals');
        if (!t.querySelector('caption')) bad.push('table caption');
        t.querySelectorAll('thead th').forEach(function (th) {
            if (th.getAttribute('scope') !== 'col') bad.push('th scope');
        });
        document.querySelectorAll('select, input').forEach(function (c) {
            if (c.closest('[hidden]')) return;
            if (!(c.labels && c.labels.length) &&
                !c.getAttribute('aria-label')) bad.push('label ' + c.id);
        });
        document.querySelectorAll('button').forEach(function (b) {
            if (!(b.getAttribute('aria-label') || b.textContent.trim()))
                bad.push('nameless button');
        });
        if (document.querySelector('[onclick]:not(button):not(a)'))
            bad.push('div with onclick');
        if (!document.querySelector('[aria-live]')) bad.push('aria-live');
        return bad;""")
    assert not bad, "accessibility: " + ", ".join(bad)


def _raise(why):
    raise AssertionError(why)


if __name__ == "__main__":
    sys.exit(main())
