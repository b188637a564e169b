#!/usr/bin/env python3
"""Opens the system test's report.html in headless Chromium and checks that it renders.

check(html, screenshot, chromium=None) runs Debian's `chromium` once, talks the DevTools protocol
over --remote-debugging-pipe (fd 3: commands in, fd 4: replies and events out, each message JSON
ended by a NUL byte; standard library only), loads the page from file://, and returns

    {"passed": bool,                 # no console errors, no external requests, every chart drawn
     "problems": [str],              # why it did not pass, one line each
     "console_errors": [str],        # console.error/assert, uncaught exceptions, Log errors
     "external_requests": [str],     # any URL the page asked for that is not file: or data:
     "charts": {name: {...}},        # per chart: size, marks per expected series, problems
     "screenshot": str|None,         # the full-page PNG written, None if capture failed
     "chromium": str, "duration_s": float}

A chart is a <figure data-chart="NAME" data-expected-series='["s1", ...]'> that report.py writes;
it has rendered when it holds an <svg> of non-zero size and, for every expected series, at least
one mark (an element with data-series="s1") of non-zero size. report.py names the expected series
from summary.json, apart from the script that draws them, so a series the script drops is caught.
Every wait is bounded: a Chromium that hangs or crashes is killed and reported, never waited on.

Command line: browser_check.py REPORT_HTML --screenshot PNG [--chromium PATH]; prints the result
as JSON and exits 0 only when it passed.
"""

import argparse
import base64
import fcntl
import json
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_CHARTS = ("latency", "memory", "phases")
VIEWPORT_WIDTH = 1400
VIEWPORT_HEIGHT = 900
STARTUP_TIMEOUT_S = 30.0
COMMAND_TIMEOUT_S = 20.0
LOAD_TIMEOUT_S = 20.0
SETTLE_S = 0.3
SHUTDOWN_TIMEOUT_S = 5.0
MAX_SCREENSHOT_HEIGHT = 16384

# Runs in the page: what each chart drew. Returns plain JSON (returnByValue).
CHART_PROBE_JS = r"""
(() => {
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const charts = {};
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    const name = figure.getAttribute("data-chart");
    const chart = {svg: false, width: 0, height: 0, expected_series: [], marks: {}, problems: []};
    let expected = [];
    try {
      expected = JSON.parse(figure.getAttribute("data-expected-series") || "[]");
    } catch (error) {
      chart.problems.push("data-expected-series is not JSON: " + error.message);
    }
    chart.expected_series = expected;
    const svg = figure.querySelector("svg");
    if (!svg) {
      chart.problems.push("no <svg> was drawn");
    } else {
      const box = svg.getBoundingClientRect();
      chart.svg = true;
      chart.width = Math.round(box.width);
      chart.height = Math.round(box.height);
      if (!(box.width > 0 && box.height > 0)) chart.problems.push("the <svg> has zero size");
      for (const series of expected) {
        const marks = Array.from(svg.querySelectorAll("[data-series]"))
            .filter((mark) => mark.getAttribute("data-series") === series && visible(mark));
        chart.marks[series] = marks.length;
        if (marks.length === 0) {
          chart.problems.push("series " + JSON.stringify(series) + " has no visible mark");
        }
      }
    }
    if (charts[name]) chart.problems.push("more than one chart is named " + JSON.stringify(name));
    charts[name] = chart;
  }
  return charts;
})()
"""


class BrowserError(Exception):
    """Chromium did not answer, answered with an error, or went away."""


class DevToolsPipe:
    """One Chromium process and its DevTools connection over fds 3 and 4.

    send() waits for the reply to one command; events are kept in arrival order for the caller.
    close() always leaves no process behind (Browser.close, then SIGKILL after a bounded wait).
    """

    def __init__(self, chromium, user_data_dir):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # Chromium expects the pipe on fds 3 and 4 exactly. bash moves our ends (first placed
        # above 10, so no redirection overwrites another; dash takes single digits only) there
        # and execs Chromium.
        child_read = _move_above(to_browser_read, 10)
        child_write = _move_above(from_browser_write, 10)
        arguments = [
            "--headless=new", "--remote-debugging-pipe", f"--user-data-dir={user_data_dir}",
            "--no-first-run", "--no-default-browser-check", "--disable-gpu",
            "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--disable-component-update", "--disable-dev-shm-usage", "--mute-audio",
            "--hide-scrollbars", f"--window-size={VIEWPORT_WIDTH},{VIEWPORT_HEIGHT}",
        ]
        if os.geteuid() == 0:
            arguments.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        shell = f'exec "$0" "$@" 3<&{child_read} 4>&{child_write} {child_read}<&- {child_write}>&-'
        self.stderr_file = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", shell, chromium, *arguments, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr_file,
            pass_fds=(child_read, child_write), start_new_session=True)
        os.close(child_read)
        os.close(child_write)
        self._next_id = 0
        self._replies = {}
        self._events = []
        self._inbox = queue.Queue()
        self._reader = threading.Thread(target=self._read_messages, daemon=True)
        self._reader.start()

    def _read_messages(self):
        pending = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._inbox.put(None)
                return
            pending += chunk
            *messages, pending = pending.split(b"\0")
            for message in messages:
                self._inbox.put(json.loads(message))

    def _take(self, deadline):
        """Moves one message from the reader into replies/events; False when time ran out."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            message = self._inbox.get(timeout=remaining)
        except queue.Empty:
            return False
        if message is None:
            self._inbox.put(None)  # keep the end visible to later waits
            raise BrowserError(f"Chromium closed its DevTools pipe (exit status "
                               f"{self.process.poll()}): {self.stderr_tail()}")
        if "id" in message:
            self._replies[message["id"]] = message
        else:
            self._events.append(message)
        return True

    def send(self, method, params=None, session_id=None, timeout_s=COMMAND_TIMEOUT_S):
        self._next_id += 1
        command_id = self._next_id
        command = {"id": command_id, "method": method, "params": params or {}}
        if session_id:
            command["sessionId"] = session_id
        try:
            os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        except OSError as error:
            raise BrowserError(f"cannot send {method} to Chromium ({error}): "
                               f"{self.stderr_tail()}") from error
        deadline = time.monotonic() + timeout_s
        while command_id not in self._replies:
            if not self._take(deadline):
                raise BrowserError(f"Chromium did not answer {method} within {timeout_s:.0f} s")
        reply = self._replies.pop(command_id)
        if "error" in reply:
            raise BrowserError(f"{method} failed: {reply['error'].get('message', reply['error'])}")
        return reply.get("result", {})

    def wait_for_event(self, method, session_id, timeout_s):
        """Returns the first event `method` of the session not yet returned, or None on timeout."""
        deadline = time.monotonic() + timeout_s
        seen = 0
        while True:
            for index in range(seen, len(self._events)):
                event = self._events[index]
                if event.get("method") == method and event.get("sessionId") == session_id:
                    del self._events[index]
                    return event
            seen = len(self._events)
            if not self._take(deadline):
                return None

    def drain_events(self, timeout_s=0.0):
        """Collects events that arrive within timeout_s; returns every event not yet returned."""
        deadline = time.monotonic() + timeout_s
        try:
            while self._take(deadline):
                pass
            while not self._inbox.empty() and self._take(time.monotonic() + 0.01):
                pass
        except BrowserError:
            pass  # the browser went away: what it sent before is all there is
        events, self._events = self._events, []
        return events

    def stderr_tail(self, limit=600):
        self.stderr_file.seek(0)
        text = self.stderr_file.read().decode(errors="replace").strip()
        return text[-limit:] if text else "(no stderr)"

    def close(self):
        if self.process.poll() is None:
            try:  # asks politely without waiting for an answer a hung browser would not give
                self._next_id += 1
                os.write(self._to_browser, json.dumps(
                    {"id": self._next_id, "method": "Browser.close"}).encode() + b"\0")
            except OSError:
                pass
            try:
                self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)  # its own session: renderers and helpers too
            except ProcessLookupError:
                pass
            self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.stderr_file.close()


def _move_above(fd, lowest):
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, lowest)
    os.close(fd)
    return moved


def find_chromium(chromium=None):
    """The Chromium to run: the given path, else `chromium` (or chromium-browser) on PATH."""
    if chromium:
        return chromium
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _console_errors(events):
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(argument.get("value", argument.get("description", "")))
                            for argument in params.get("args", []))
            errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text")
            errors.append(f"uncaught exception at line {details.get('lineNumber', 0) + 1}: "
                          f"{description}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            where = f" ({entry['url']})" if entry.get("url") else ""
            errors.append(f"{entry.get('source', 'log')} error: {entry.get('text')}{where}")
    return errors


def _external_requests(events):
    requests = []
    for event in events:
        if event.get("method") == "Network.requestWillBeSent":
            url = event.get("params", {}).get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:")):
                requests.append(url)
    return requests


def _capture_screenshot(browser, session, screenshot):
    metrics = browser.send("Page.getLayoutMetrics", session_id=session)
    content = metrics.get("cssContentSize") or metrics.get("contentSize")
    width = max(1, int(content["width"]))
    height = max(1, min(int(content["height"]), MAX_SCREENSHOT_HEIGHT))
    result = browser.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
        session_id=session, timeout_s=COMMAND_TIMEOUT_S * 2)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(result["data"]))


def check(html, screenshot, chromium=None, expected_charts=DEFAULT_CHARTS):
    """Loads `html` in headless Chromium and reports as the module docstring says."""
    started = time.monotonic()
    html = pathlib.Path(html).resolve()
    screenshot = pathlib.Path(screenshot).resolve()
    result = {"passed": False, "problems": [], "console_errors": [], "external_requests": [],
              "charts": {}, "screenshot": None, "chromium": None, "duration_s": None}
    executable = find_chromium(chromium)
    result["chromium"] = executable
    if not executable or not shutil.which(executable):
        result["problems"].append(f"no Chromium to run: {chromium or 'chromium is not on PATH'}")
        return result
    if not html.is_file():
        result["problems"].append(f"no report at {html}")
        return result

    probed = False
    with tempfile.TemporaryDirectory(prefix="mlos-e2e-chromium-") as user_data_dir:
        browser = None
        try:
            browser = DevToolsPipe(executable, user_data_dir)
            target = browser.send("Target.createTarget", {"url": "about:blank"},
                                  timeout_s=STARTUP_TIMEOUT_S)
            session = browser.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                browser.send(f"{domain}.enable", session_id=session)
            browser.send("Emulation.setDeviceMetricsOverride", {
                "width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1,
                "mobile": False}, session_id=session)
            navigation = browser.send("Page.navigate", {"url": html.as_uri()}, session_id=session)
            if navigation.get("errorText"):
                raise BrowserError(f"cannot open {html}: {navigation['errorText']}")
            if browser.wait_for_event("Page.loadEventFired", session, LOAD_TIMEOUT_S) is None:
                raise BrowserError(f"{html} did not finish loading within {LOAD_TIMEOUT_S:.0f} s")
            probe = browser.send("Runtime.evaluate", {
                "expression": CHART_PROBE_JS, "returnByValue": True,
                "awaitPromise": False}, session_id=session)
            if "exceptionDetails" in probe:
                raise BrowserError("the chart probe threw: "
                                   f"{probe['exceptionDetails'].get('text', probe)}")
            result["charts"] = probe.get("result", {}).get("value") or {}
            probed = True
            _capture_screenshot(browser, session, screenshot)
            result["screenshot"] = str(screenshot)
            events = browser.drain_events(SETTLE_S)
            result["console_errors"] = _console_errors(events)
            result["external_requests"] = _external_requests(events)
        except BrowserError as error:
            result["problems"].append(str(error))
            if browser is not None:
                events = browser.drain_events()
                result["console_errors"] = _console_errors(events)
                result["external_requests"] = _external_requests(events)
        finally:
            if browser is not None:
                browser.close()

    problems = result["problems"]
    problems.extend(result["console_errors"])
    problems.extend(f"the page requested {url}: a report must not need the network"
                    for url in result["external_requests"])
    if probed:
        problems.extend(f"chart {name!r} is missing from the page"
                        for name in expected_charts if name not in result["charts"])
    for name, chart in result["charts"].items():
        problems.extend(f"chart {name!r}: {problem}" for problem in chart.get("problems", []))
    if result["screenshot"] is None and not problems:
        problems.append("no screenshot was captured")
    result["passed"] = not problems
    result["duration_s"] = round(time.monotonic() - started, 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=pathlib.Path, help="the report.html to open")
    parser.add_argument("--screenshot", type=pathlib.Path, required=True,
                        help="where to write the full-page PNG")
    parser.add_argument("--chromium", help="the Chromium executable (default: chromium on PATH)")
    arguments = parser.parse_args()
    result = check(arguments.html, arguments.screenshot, arguments.chromium)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
