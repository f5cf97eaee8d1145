"""tests/browser/wd.py - a minimal W3C WebDriver client (Python stdlib only).

Talks to chromedriver's HTTP API (W3C WebDriver, https://www.w3.org/TR/
webdriver2/) with urllib and json, so the browser test needs no npm, no pip
and no network: Debian's `chromium` and `chromium-driver` and python3.

    s = Session.chromium("http://127.0.0.1:9515", profile_dir="/tmp/p")
    s.get("http://127.0.0.1:8080/")
    s.wait(lambda: s.js("return document.title"), 10, "title")
    s.delete()

Not here: the checks themselves (check_dashboard.py), starting chromedriver
(the calling script does, so its cleanup can kill it).
"""
import base64
import json
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ENTER = "\ue007"


class WebDriverError(Exception):
    pass


def call(base, method, path, body=None, timeout=60):
    """One WebDriver command; returns its "value" or raises WebDriverError."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type":
                                          "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"{}").get("value")
    except urllib.error.HTTPError as e:
        try:
            v = json.loads(e.read()).get("value", {})
            msg = "%s: %s" % (v.get("error"), v.get("message", "")[:300])
        except ValueError:
            msg = str(e)
        raise WebDriverError("%s %s -> %s" % (method, path, msg)) from None
    except (urllib.error.URLError, OSError) as e:
        raise WebDriverError("%s %s -> %s" % (method, path, e)) from None


def ready(base):
    """True when the WebDriver server at base answers /status ready."""
    try:
        return bool(call(base, "GET", "/status", timeout=2).get("ready"))
    except WebDriverError:
        return False


class Session:
    def __init__(self, base, sid):
        self.base, self.sid = base, sid

    @classmethod
    def chromium(cls, base, binary="/usr/bin/chromium", profile_dir=None,
                 size=(1366, 900)):
        """A headless Chromium session (no sandbox: tests may run as root
        in a container; the pages it loads are our own, on loopback)."""
        args = ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--lang=en-GB",
                "--force-device-scale-factor=1",
                "--window-size=%d,%d" % size]
        if profile_dir:
            args.append("--user-data-dir=" + profile_dir)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": binary, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}}}}
        v = call(base, "POST", "/session", caps, timeout=90)
        return cls(base, v["sessionId"])

    def cmd(self, method, path, body=None, timeout=60):
        return call(self.base, method, "/session/%s%s" % (self.sid, path),
                    body, timeout)

    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def js(self, script, *args):
        """Run script (a function body) in the page; returns its value."""
        return self.cmd("POST", "/execute/sync",
                        {"script": script, "args": list(args)})

    def find(self, css):
        """The first element matching css, as a WebDriver reference."""
        v = self.cmd("POST", "/element", {"using": "css selector",
                                          "value": css})
        return v[ELEMENT]

    def click(self, el):
        self.cmd("POST", "/element/%s/click" % el, {})

    def send_keys(self, el, text):
        self.cmd("POST", "/element/%s/value" % el, {"text": text})

    def screenshot(self, path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def window_height(self, height, width=1366):
        self.cmd("POST", "/window/rect", {"width": width, "height": height})

    def browser_log(self):
        """Chromium's console log entries (chromedriver extension; [] where
        the driver does not offer it)."""
        try:
            return call(self.base, "POST", "/session/%s/se/log" % self.sid,
                        {"type": "browser"}) or []
        except WebDriverError:
            return []

    def wait(self, cond, timeout, what):
        """Poll cond() until it returns a true value (returned); raise
        WebDriverError naming `what` after timeout seconds."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                v = cond()
                if v:
                    return v
            except WebDriverError as e:
                last = e
            if time.monotonic() > deadline:
                raise WebDriverError("timed out after %ss waiting for %s%s" %
                                     (timeout, what,
                                      " (%s)" % last if last else ""))
            time.sleep(0.1)

    def delete(self):
        try:
            self.cmd("DELETE", "", timeout=20)
        except WebDriverError:
            pass
