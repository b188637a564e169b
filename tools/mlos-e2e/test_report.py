#!/usr/bin/env python3
"""Tests of the system test's report (report.py) and its browser check (browser_check.py).

The report is written from sample_summary.build() (several models, a multi-role one, a failed
check, an unavailable protocol, nulls, a model name that is HTML) and checked as text: one
self-contained file, every untrusted string escaped, failures and unavailable protocols shown.
Then real headless Chromium opens it: the check must pass and save a full-page PNG. The negative
tests prove the check can fail: a page with a JS error, a missing chart, a series the script did
not draw, a request to the network, and a Chromium that never answers (killed, not waited on).
The browser tests are skipped only when no `chromium` is installed.

Run: /usr/bin/python3 tools/mlos-e2e/test_report.py  (ctest: e2e_report)
"""

import copy
import html.parser
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import browser_check  # noqa: E402
import report  # noqa: E402
import sample_summary  # noqa: E402

CHROMIUM = browser_check.find_chromium()
NEEDS_CHROMIUM = unittest.skipUnless(
    CHROMIUM, "chromium is not installed (Debian package `chromium`; scripts/install-deps.sh)")
HOSTILE_NAME = '<script>alert("owned")</script>&lt;b&gt;'


class TableText(html.parser.HTMLParser):
    """The text of every <td class="model"> (its first text node: the model's name) and the
    number of rows in the models table's body."""

    def __init__(self):
        super().__init__()
        self.model_names = []
        self.model_rows = 0
        self._in_models_table = False
        self._in_body = False
        self._in_model_cell = False
        self._pending_name = None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "table" and "models" in (attributes.get("class") or ""):
            self._in_models_table = True
        elif tag == "tbody" and self._in_models_table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.model_rows += 1
        elif tag == "td" and self._in_body and attributes.get("class") == "model":
            self._in_model_cell = True
            self._pending_name = ""
        elif tag in ("small", "div") and self._in_model_cell:
            self._finish_name()

    def handle_endtag(self, tag):
        if tag == "td":
            self._finish_name()
        elif tag == "table":
            self._in_models_table = self._in_body = False

    def handle_data(self, data):
        if self._in_model_cell and self._pending_name is not None:
            self._pending_name += data

    def _finish_name(self):
        if self._in_model_cell and self._pending_name is not None:
            self.model_names.append(self._pending_name)
        self._in_model_cell = False
        self._pending_name = None


def embedded_summary(page):
    match = re.search(r'<script type="application/json" id="summary">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def png_size(path):
    data = pathlib.Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


class ReportContentTest(unittest.TestCase):
    def setUp(self):
        self.summary = sample_summary.build()
        self.directory = tempfile.TemporaryDirectory(prefix="mlos-e2e-report-")
        self.page_path = report.write_report(self.summary,
                                             pathlib.Path(self.directory.name) / "out")
        self.page = self.page_path.read_text(encoding="utf-8")

    def tearDown(self):
        self.directory.cleanup()

    def assertContains(self, text, page=None):
        """assertIn without printing the whole page when it fails."""
        if text not in (page or self.page):
            self.fail(f"the report does not contain {text!r}")

    def assertLacks(self, text):
        if text in self.page:
            self.fail(f"the report contains {text!r}")

    def test_sample_holds_every_case_the_report_must_show(self):
        models = self.summary["models"]
        self.assertTrue(any(len(model["components"]) > 1 for model in models))
        self.assertTrue(any(not check["passed"] for model in models for check in model["checks"]))
        self.assertTrue(any(not protocol["available"] for protocol in self.summary["protocols"]))
        self.assertTrue(any(model["parameters"] is None for model in models))
        self.assertIn(HOSTILE_NAME, [model["name"] for model in models])
        self.assertFalse(self.summary["passed"])

    def test_page_is_one_file_that_needs_no_network(self):
        self.assertEqual(self.page_path.name, "report.html")
        self.assertTrue(self.page.startswith("<!doctype html>"))
        resource = re.compile(
            r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\s*\(|@import|<link\b""",
            re.IGNORECASE)
        # (the sample's hostile source holds "src=x" too, but escaped and with no URL)
        self.assertEqual(resource.findall(self.page), [])
        self.assertLacks("<script src")
        self.assertContains("<style>")
        self.assertEqual(len(list(self.page_path.parent.iterdir())), 1)

    def test_untrusted_text_is_escaped(self):
        self.assertLacks(HOSTILE_NAME)
        self.assertLacks("<img src=x")
        self.assertLacks("<i>v2</i>")
        self.assertContains(
            "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;&amp;lt;b&amp;gt;")
        # Exactly the two scripts report.py writes; the embedded JSON cannot close its element.
        self.assertEqual(self.page.lower().count("<script"), 2)
        self.assertEqual(self.page.lower().count("</script"), 2)
        self.assertEqual(embedded_summary(self.page), self.summary)
        parser = TableText()
        parser.feed(self.page)
        self.assertEqual(parser.model_names, [model["name"] for model in self.summary["models"]])

    def test_failures_come_first_with_their_detail(self):
        self.assertContains('<span class="verdict" id="verdict">FAILED</span>')
        self.assertContains("<title>MLOS system test: FAILED")
        failures = self.page.index('id="failures"')
        self.assertLess(failures, self.page.index('id="models"'))
        self.assertContains("Failures (3)")
        self.assertContains("max |error| 0.41 at logits[0,1] above atol 1e-04 + rtol 1e-03")
        self.assertContains("top-5 [0, 1] differs from torch&#x27;s [1, 0]")
        self.assertContains("reply outputs differ from HTTP&#x27;s")

    def test_table_has_a_row_per_role_and_names_unavailable_protocols(self):
        parser = TableText()
        parser.feed(self.page)
        components = sum(len(model["components"]) for model in self.summary["models"])
        self.assertEqual(parser.model_rows, components)
        self.assertGreater(components, len(self.summary["models"]))
        for role in ("encoder", "decoder", "text_encoder", "vision_encoder"):
            self.assertContains(f">{role}</td>")
        unavailable = 'title="python3-grpcio is not importable">unavailable</td>'
        self.assertEqual(self.page.count(unavailable), components)
        self.assertContains("unavailable: python3-grpcio is not importable")
        self.assertContains('<td class="num"><span class="p50">0.102</span>')  # mlp_tiny over HTTP
        self.assertContains('class="missing" title="not measured">—</span>')

    def test_hardware_and_versions_are_shown(self):
        for fact in ("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "sse4_2, avx2, fma, avx512f",
                     "24.0 GiB", "Debian GNU/Linux 12 (bookworm)", "6.1.0-27-cloud-amd64",
                     "d548b95", "1.13.0"):
            self.assertContains(fact)

    def test_chart_expectations_come_from_the_summary(self):
        expected = report.expected_series(self.summary)
        self.assertEqual(expected["latency"], ["mlos-http", "kserve-json", "kserve-binary", "ipc"])
        self.assertEqual(expected["memory"], ["rss"])
        self.assertEqual(expected["phases"], ["install", "register", "first-inference"])

    def test_a_passing_run_says_so(self):
        summary = copy.deepcopy(self.summary)
        summary["models"] = [model for model in summary["models"] if model["passed"]]
        summary["passed"] = True
        page = report.render_report(summary)
        self.assertContains('<span class="verdict" id="verdict">PASSED</span>', page)
        self.assertContains("None: every model passed every check", page)

    def test_a_summary_that_claims_to_pass_over_a_failed_check_fails(self):
        summary = copy.deepcopy(self.summary)
        summary["passed"] = True
        for model in summary["models"]:
            model["passed"] = True
        page = report.render_report(summary)
        self.assertContains('<span class="verdict" id="verdict">FAILED</span>', page)
        self.assertContains("marked passed although the failures above are in it", page)

    def test_another_schema_is_refused(self):
        with self.assertRaisesRegex(ValueError, "mlos-e2e/1"):
            report.render_report({"schema": "mlos-e2e/0"})

    def test_command_line_writes_the_report(self):
        summary_path = pathlib.Path(self.directory.name) / "summary.json"
        summary_path.write_text(json.dumps(self.summary), encoding="utf-8")
        out = pathlib.Path(self.directory.name) / "cli"
        finished = subprocess.run([sys.executable, str(HERE / "report.py"), str(summary_path),
                                   str(out)], capture_output=True, text=True, timeout=60)
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertEqual(finished.stdout.strip(), str(out / "report.html"))
        self.assertEqual(embedded_summary((out / "report.html").read_text()), self.summary)


@NEEDS_CHROMIUM
class BrowserCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="mlos-e2e-browser-")
        cls.root = pathlib.Path(cls.directory.name)
        cls.summary = sample_summary.build()
        cls.page_path = report.write_report(cls.summary, cls.root / "out")
        cls.page = cls.page_path.read_text(encoding="utf-8")

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def variant(self, name, page):
        path = self.root / name / "report.html"
        path.parent.mkdir()
        path.write_text(page, encoding="utf-8")
        return path

    def check(self, path):
        return browser_check.check(path, path.parent / "screenshot.png", CHROMIUM)

    def test_report_renders_without_errors(self):
        screenshot = self.root / "out" / "report.png"
        result = browser_check.check(self.page_path, screenshot, CHROMIUM)
        self.assertTrue(result["passed"], json.dumps(result, indent=2))
        self.assertEqual(result["console_errors"], [])
        self.assertEqual(result["external_requests"], [])
        expected = report.expected_series(self.summary)
        self.assertEqual(sorted(result["charts"]), sorted(expected))
        for name, chart in result["charts"].items():
            self.assertGreater(chart["width"], 500, name)
            self.assertGreater(chart["height"], 200, name)
            self.assertEqual(sorted(chart["marks"]), sorted(expected[name]), name)
        # a bar per measured component and protocol (8 components in the sample)
        self.assertEqual(result["charts"]["latency"]["marks"]["ipc"], 8)
        self.assertEqual(result["charts"]["memory"]["marks"]["rss"], 5)
        self.assertEqual(result["screenshot"], str(screenshot))
        width, height = png_size(screenshot)
        self.assertEqual(width, browser_check.VIEWPORT_WIDTH)
        self.assertGreater(height, 2000)  # the whole page, not the 900 px viewport
        self.assertGreater(screenshot.stat().st_size, 50_000)

    def test_a_run_that_measured_nothing_still_renders(self):
        summary = {"schema": "mlos-e2e/1", "passed": False, "protocols": [], "models": [],
                   "server": {}, "hardware": {}, "versions": {}, "totals": {}}
        path = report.write_report(summary, self.root / "empty")
        result = browser_check.check(path, self.root / "empty" / "report.png", CHROMIUM)
        self.assertTrue(result["passed"], json.dumps(result, indent=2))
        self.assertEqual({name: chart["marks"] for name, chart in result["charts"].items()},
                         {"latency": {}, "memory": {}, "phases": {}})
        page = path.read_text(encoding="utf-8")
        self.assertIn("marked failed without a failed model or check recorded", page)
        self.assertIn("the summary lists no protocols", page)

    def test_javascript_error_fails_the_check(self):
        page = self.page.replace("</body>", "<script>window.notAFunction();</script></body>")
        result = self.check(self.variant("script-error", page))
        self.assertFalse(result["passed"])
        self.assertTrue(any("notAFunction" in error for error in result["console_errors"]),
                        result["console_errors"])

    def test_console_error_fails_the_check(self):
        page = self.page.replace("</body>",
                                 "<script>console.error('figures lost');</script></body>")
        result = self.check(self.variant("console-error", page))
        self.assertFalse(result["passed"])
        self.assertIn("console.error: figures lost", result["console_errors"])

    def test_missing_chart_fails_the_check(self):
        page = self.page.replace("latency: drawLatency, ", "")
        self.assertNotEqual(page, self.page)
        result = self.check(self.variant("chart-not-drawn", page))
        self.assertFalse(result["passed"])
        self.assertIn("chart 'latency': no <svg> was drawn", result["problems"])
        self.assertEqual(result["console_errors"], [])

        page = re.sub(r'<figure class="chart" data-chart="memory".*?</figure>', "", self.page)
        self.assertNotEqual(page, self.page)
        result = self.check(self.variant("chart-gone", page))
        self.assertFalse(result["passed"])
        self.assertIn("chart 'memory' is missing from the page", result["problems"])

    def test_undrawn_series_fails_the_check(self):
        page = self.page.replace(
            'data-chart="latency" data-expected-series="[&quot;mlos-http&quot;',
            'data-chart="latency" data-expected-series="[&quot;grpc&quot;, &quot;mlos-http&quot;')
        self.assertNotEqual(page, self.page)
        result = self.check(self.variant("series-missing", page))
        self.assertFalse(result["passed"])
        self.assertIn('chart \'latency\': series "grpc" has no visible mark', result["problems"])

    def test_network_request_fails_the_check(self):
        page = self.page.replace("</body>", '<img src="http://127.0.0.1:9/logo.png"></body>')
        result = self.check(self.variant("network", page))
        self.assertFalse(result["passed"])
        self.assertIn("http://127.0.0.1:9/logo.png", result["external_requests"])

    def test_command_line_exit_status(self):
        command = [sys.executable, str(HERE / "browser_check.py"), "--chromium", CHROMIUM]
        good = subprocess.run(command + [str(self.page_path), "--screenshot",
                                         str(self.root / "cli-good.png")],
                              capture_output=True, text=True, timeout=90)
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        self.assertTrue(json.loads(good.stdout)["passed"])
        broken = self.variant("cli-broken",
                              self.page.replace("</body>", "<script>oops(</script></body>"))
        bad = subprocess.run(command + [str(broken), "--screenshot",
                                        str(self.root / "cli-bad.png")],
                             capture_output=True, text=True, timeout=90)
        self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
        self.assertFalse(json.loads(bad.stdout)["passed"])


class BrokenBrowserTest(unittest.TestCase):
    """A Chromium that fails is reported, never waited on (no real Chromium needed)."""

    def fake_chromium(self, directory, body):
        fake = directory / "chromium"
        fake.write_text(f"#!/bin/sh\n{body}\n")
        fake.chmod(0o755)
        return str(fake)

    def test_a_chromium_that_exits_at_once_is_reported(self):
        with tempfile.TemporaryDirectory(prefix="mlos-e2e-dead-") as directory:
            directory = pathlib.Path(directory)
            fake = self.fake_chromium(directory, "echo 'cannot open display' >&2; exit 3")
            page = report.write_report(sample_summary.build(), directory / "out")
            result = browser_check.check(page, directory / "shot.png", fake)
            self.assertFalse(result["passed"])
            self.assertIsNone(result["screenshot"])
            self.assertIn("cannot open display", " ".join(result["problems"]))
    def test_a_chromium_that_never_answers_is_killed(self):
        with tempfile.TemporaryDirectory(prefix="mlos-e2e-hung-") as directory:
            directory = pathlib.Path(directory)
            pid_file = directory / "pid"
            fake = self.fake_chromium(directory, f"echo $$ > {pid_file}\nexec sleep 600")
            page = report.write_report(sample_summary.build(), directory / "out")
            saved = browser_check.STARTUP_TIMEOUT_S, browser_check.SHUTDOWN_TIMEOUT_S
            browser_check.STARTUP_TIMEOUT_S, browser_check.SHUTDOWN_TIMEOUT_S = 2.0, 1.0
            try:
                started = time.monotonic()
                result = browser_check.check(page, directory / "shot.png", fake)
                elapsed = time.monotonic() - started
            finally:
                browser_check.STARTUP_TIMEOUT_S, browser_check.SHUTDOWN_TIMEOUT_S = saved
            self.assertFalse(result["passed"])
            self.assertIn("did not answer Target.createTarget", " ".join(result["problems"]))
            self.assertLess(elapsed, 10)
            with self.assertRaises(ProcessLookupError):
                os.kill(int(pid_file.read_text()), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
