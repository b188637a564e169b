#!/usr/bin/env python3
"""Turns the system test's summary.json (schema mlos-e2e/1, docs/e2e.md) into report.html.

write_report(summary, out_dir) writes out_dir/report.html and returns its path. The page is one
self-contained file: CSS and the chart script (report_assets/) are inlined, the summary itself is
embedded as <script type="application/json" id="summary">, and nothing is fetched to view it.

What it shows, top to bottom: the verdict with configuration, date, duration and totals; every
failure (failed model, check or protocol, with its detail) or "none"; the per-model table (one
row per registered component, so multi-role models have a row per role); the charts, which
report_assets/charts.js draws into SVG in the browser; every check; hardware and versions.

The verdict is FAILED when the summary says so *or* when any model, check or protocol in it
failed: a summary that claims to pass with a failed check inside is itself reported as a failure.
Every value from the summary is HTML-escaped (model names and errors are untrusted text), a
missing figure shows as "—" with the reason when there is one, and a protocol the run could not
use shows as "unavailable" with its note, never as a blank cell.

Each chart is a <figure data-chart="NAME" data-expected-series='[...]'>: the series named there
are computed here from the summary, apart from the script, and browser_check.py verifies that the
script drew at least one mark for each.

Command line: report.py SUMMARY_JSON OUT_DIR
"""

import datetime
import html
import json
import math
import pathlib
import re
import sys

SCHEMA = "mlos-e2e/1"
ASSETS = pathlib.Path(__file__).resolve().parent / "report_assets"
PHASE_SERIES = ("install", "register", "first-inference")
MISSING = '<span class="missing" title="{reason}">—</span>'


# ---- values -------------------------------------------------------------------------------------

def escape(value):
    return html.escape("" if value is None else str(value), quote=True)


def _number(value):
    """The value as a float when it is a finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _missing(reason="not measured"):
    return MISSING.format(reason=escape(reason))


def format_ms(value, reason="not measured"):
    number = _number(value)
    if number is None:
        return _missing(reason) if value is None else escape(value)
    if number < 1:
        return f"{number:.3f}"
    if number < 10:
        return f"{number:.2f}"
    if number < 100:
        return f"{number:.1f}"
    return f"{number:,.0f}"


def format_seconds(value, reason="not measured"):
    number = _number(value)
    if number is None:
        return _missing(reason) if value is None else escape(value)
    return f"{number:.2f}" if number < 100 else f"{number:,.0f}"


def format_bytes(value, reason="not measured"):
    number = _number(value)
    if number is None:
        return _missing(reason) if value is None else escape(value)
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if number >= size:
            return f"{number / size:.1f} {unit}"
    return f"{number:.0f} B"


def format_count(value, reason="not reported"):
    number = _number(value)
    if number is None:
        return _missing(reason) if value is None else escape(value)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if number >= size:
            return f"{number / size:.1f} {unit}"
    return f"{number:.0f}"


def format_duration(seconds):
    number = _number(seconds)
    if number is None:
        return _missing("not reported")
    minutes, rest = divmod(number, 60)
    return f"{int(minutes)} min {rest:.0f} s" if minutes else f"{rest:.1f} s"


def _list(value):
    return value if isinstance(value, list) else []


def _dict(value):
    return value if isinstance(value, dict) else {}


# ---- what failed --------------------------------------------------------------------------------

def collect_failures(summary):
    """Every failure in the summary as (where, what, detail) triples, in model order."""
    failures = []
    for model in _list(summary.get("models")):
        model = _dict(model)
        name = model.get("name")
        found = len(failures)
        if model.get("error"):
            failures.append((name, "model", model["error"]))
        for component in _list(model.get("components")):
            component = _dict(component)
            for entry in _list(component.get("protocols")):
                entry = _dict(entry)
                if entry.get("status") == "failed":
                    failures.append((f"{name} / {component.get('role')}",
                                     f"protocol {entry.get('protocol')}",
                                     entry.get("error") or "failed without a recorded error"))
        for check in _list(model.get("checks")):
            check = _dict(check)
            if check.get("passed") is not True:
                failures.append((f"{name} / {check.get('component')}",
                                 f"check {check.get('check')} over {check.get('protocol')}",
                                 check.get("detail") or "failed without a recorded detail"))
        if model.get("passed") is not True and len(failures) == found:
            failures.append((name, "model", "marked failed without a recorded reason"))
        elif model.get("passed") is True and len(failures) > found:
            failures.append((name, "model", "marked passed although the failures above are in it"))
    if summary.get("passed") is not True and not failures:
        failures.append(("run", "run", "marked failed without a failed model or check recorded"))
    return failures


def run_passed(summary, failures):
    return summary.get("passed") is True and not failures


# ---- chart expectations -------------------------------------------------------------------------

def _components(summary):
    for model in _list(summary.get("models")):
        for component in _list(_dict(model).get("components")):
            yield _dict(model), _dict(component)


def _positive(value):
    number = _number(value)
    return number is not None and number > 0


def expected_series(summary):
    """Per chart, the series that have at least one drawable (positive) value."""
    latency = []
    for protocol in _list(summary.get("protocols")):
        name = _dict(protocol).get("name")
        if any(_positive(_dict(_dict(entry).get("client_ms")).get("p50"))
               for _, component in _components(summary)
               for entry in _list(component.get("protocols"))
               if _dict(entry).get("protocol") == name) and name not in latency:
            latency.append(name)
    models = [_dict(model) for model in _list(summary.get("models"))]
    memory = ["rss"] if any(_positive(model.get("server_rss_bytes")) for model in models) else []
    phases = []
    if any(_positive(_dict(model.get("phases_s")).get("install")) for model in models):
        phases.append("install")
    if any(_positive(_dict(model.get("phases_s")).get("register")) for model in models):
        phases.append("register")
    if any(_positive(component.get("first_inference_ms")) for _, component in _components(summary)):
        phases.append("first-inference")
    return {"latency": latency, "memory": memory, "phases": phases}


# ---- sections -----------------------------------------------------------------------------------

def _totals(summary):
    """The summary's totals; a count it lacks is counted from its models instead."""
    models = [_dict(model) for model in _list(summary.get("models"))]
    checks = [_dict(check) for model in models for check in _list(model.get("checks"))]
    counted = {"models": len(models),
               "models_passed": sum(model.get("passed") is True for model in models),
               "checks": len(checks),
               "checks_failed": sum(check.get("passed") is not True for check in checks)}
    given = _dict(summary.get("totals"))
    return {key: given[key] if _number(given.get(key)) is not None else value
            for key, value in counted.items()}


def _header(summary, passed, failures):
    totals = _totals(summary)
    verdict = "PASSED" if passed else "FAILED"
    started = summary.get("started")
    facts = [
        ("Configuration", escape(summary.get("configuration") or "not reported")),
        ("Started", escape(started) if started else _missing("not reported")),
        ("Duration", format_duration(summary.get("duration_s"))),
        ("Models passed", f"{escape(totals['models_passed'])} of {escape(totals['models'])}"),
        ("Checks failed", f"{escape(totals['checks_failed'])} of {escape(totals['checks'])}"),
        ("Failures listed", str(len(failures))),
    ]
    fact_html = "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in facts)
    return (f'<header class="verdict-{verdict.lower()}">'
            f'<div class="title"><h1>MLOS system test</h1>'
            f'<span class="verdict" id="verdict">{verdict}</span></div>'
            f'<dl class="facts">{fact_html}</dl></header>')


def _failures(failures):
    if not failures:
        return ('<section id="failures" class="ok"><h2>Failures</h2>'
                '<p>None: every model passed every check over every available protocol.</p>'
                '</section>')
    rows = "".join(f"<tr><td>{escape(where)}</td><td>{escape(what)}</td>"
                   f"<td>{escape(detail)}</td></tr>" for where, what, detail in failures)
    return (f'<section id="failures" class="bad"><h2>Failures ({len(failures)})</h2>'
            f'<table><thead><tr><th>Where</th><th>What</th><th>Detail</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></section>')


def _protocols(summary):
    items = []
    for protocol in _list(summary.get("protocols")):
        protocol = _dict(protocol)
        label = escape(protocol.get("label") or protocol.get("name"))
        code = f'<code>{escape(protocol.get("name"))}</code>'
        if protocol.get("available") is True:
            items.append(f'<li class="available">{label} {code}</li>')
        else:
            note = escape(protocol.get("note") or "no reason recorded")
            items.append(f'<li class="unavailable">{label} {code} — unavailable: {note}</li>')
    if not items:
        items.append('<li class="unavailable">the summary lists no protocols</li>')
    return f'<section id="protocols"><h2>Protocols</h2><ul>{"".join(items)}</ul></section>'


def _protocol_cell(entry, protocol):
    """One component's figures over one protocol; never blank."""
    if entry is None:
        if protocol.get("available") is not True:
            return (f'<td class="unavailable" title="{escape(protocol.get("note"))}">'
                    f'unavailable</td>')
        return '<td class="missing">not run</td>'
    status = entry.get("status")
    if status == "unavailable":
        reason = entry.get("error") or protocol.get("note") or "no reason recorded"
        return f'<td class="unavailable" title="{escape(reason)}">unavailable</td>'
    client = _dict(entry.get("client_ms"))
    figures = (f'<span class="p50">{format_ms(client.get("p50"))}</span>'
               f'<span class="p90">p90 {format_ms(client.get("p90"))}</span>')
    if status == "failed":
        error = escape(entry.get("error") or "failed without a recorded error")
        return (f'<td class="num failed" title="{error}"><span class="tag">failed</span>'
                f'{figures}</td>')
    return f'<td class="num">{figures}</td>'


def _server_p50(component, protocols):
    """Core's own p50 from the first protocol, in column order, that measured one."""
    entries = {_dict(entry).get("protocol"): _dict(entry)
               for entry in _list(component.get("protocols"))}
    for protocol in protocols:
        name = protocol.get("name")
        value = _dict(entries.get(name, {}).get("server_ms")).get("p50")
        if _number(value) is not None:
            return f'<td class="num" title="over {escape(name)}">{format_ms(value)}</td>'
    return f'<td class="num">{_missing("the server reported no timing")}</td>'


def _component_failed(model, component):
    role = component.get("role")
    if any(_dict(entry).get("status") == "failed" for entry in _list(component.get("protocols"))):
        return True
    return any(_dict(check).get("component") == role and _dict(check).get("passed") is not True
               for check in _list(model.get("checks")))


def _model_table(summary):
    protocols = [_dict(protocol) for protocol in _list(summary.get("protocols"))]
    protocol_heads = "".join(
        f'<th class="num{"" if protocol.get("available") is True else " unavailable"}">'
        f'{escape(protocol.get("label") or protocol.get("name"))}<small>p50 / p90 ms</small></th>'
        for protocol in protocols)
    head = ("<tr><th>Model<small>architecture · task</small></th><th>Hub<small>source</small></th>"
            "<th class=num>Parameters</th><th class=num>Size</th><th class=num>Install s</th>"
            "<th class=num>Register s</th>"
            "<th>Role</th><th class=num>First inference ms</th>"
            f"{protocol_heads}<th class=num>Server p50 ms</th><th class=num>Server RSS</th>"
            "<th>Verdict</th></tr>")
    body = []
    for model in _list(summary.get("models")):
        model = _dict(model)
        components = [_dict(component) for component in _list(model.get("components"))]
        span = max(1, len(components))
        phases = _dict(model.get("phases_s"))
        model_passed = model.get("passed") is True
        row_class = "passed" if model_passed else "failed"
        error = model.get("error")
        leading = "".join([
            f'<td rowspan={span} class="model">{escape(model.get("name"))}'
            f'<small>{escape(model.get("architecture"))} · {escape(model.get("task"))}</small>'
            + (f'<div class="error">{escape(error)}</div>' if error else "") + "</td>",
            f'<td rowspan={span} class="source">{escape(model.get("hub"))}'
            f'<small>{escape(model.get("source"))}</small></td>',
            f'<td rowspan={span} class="num">{format_count(model.get("parameters"))}</td>',
            f'<td rowspan={span} class="num">{format_bytes(model.get("size_bytes"))}</td>',
            f'<td rowspan={span} class="num">{format_seconds(phases.get("install"))}</td>',
            f'<td rowspan={span} class="num">{format_seconds(phases.get("register"))}</td>',
        ])
        trailing = (f'<td rowspan={span} class="num">{format_bytes(model.get("server_rss_bytes"))}'
                    f'</td><td rowspan={span} class="verdict-cell">'
                    f'{"passed" if model_passed else "FAILED"}</td>')
        if not components:
            body.append(f'<tr class="{row_class}">{leading}<td colspan={len(protocols) + 3} '
                        f'class="missing">no component was registered</td>{trailing}</tr>')
            continue
        for index, component in enumerate(components):
            entries = {_dict(entry).get("protocol"): _dict(entry)
                       for entry in _list(component.get("protocols"))}
            role_class = " failed-role" if _component_failed(model, component) else ""
            cells = (f'<td class="role{role_class}" title="{escape(component.get("model_id"))}">'
                     f'{escape(component.get("role"))}</td>'
                     f'<td class="num">{format_ms(component.get("first_inference_ms"))}</td>'
                     + "".join(_protocol_cell(entries.get(protocol.get("name")), protocol)
                               for protocol in protocols)
                     + _server_p50(component, protocols))
            if index == 0:
                body.append(f'<tr class="{row_class}">{leading}{cells}{trailing}</tr>')
            else:
                body.append(f'<tr class="{row_class} continued">{cells}</tr>')
    if not body:
        body.append(f'<tr><td colspan={len(protocols) + 11} class="missing">no models</td></tr>')
    return ('<section id="models"><h2>Models</h2>'
            '<p class="note">Client times are steady-state requests after the first, measured in '
            'the test\'s client around one inference call; the server column is Core\'s own time '
            'for the same requests. Hover a cell for its reason or protocol.</p>'
            f'<div class="table-wrap"><table class="models"><thead>{head}</thead>'
            f'<tbody>{"".join(body)}</tbody></table></div></section>')


def _charts(summary):
    series = expected_series(summary)
    captions = {
        "latency": "Steady-state client p50 latency per model and protocol (ms, log scale; "
                   "the whisker reaches p90)",
        "memory": "Server resident memory (RSS) after each model's steady-state runs",
        "phases": "Phase times per model (s, log scale): install, register, first inference "
                  "(summed over the model's roles; includes loading)",
    }
    figures = "".join(
        f'<figure class="chart" data-chart="{name}" '
        f'data-expected-series="{escape(json.dumps(series[name]))}">'
        f'<figcaption>{escape(caption)}</figcaption><div class="chart-body"></div></figure>'
        for name, caption in captions.items())
    return f'<section id="charts"><h2>Charts</h2>{figures}</section>'


def _checks(summary):
    rows = []
    count = 0
    for model in _list(summary.get("models")):
        model = _dict(model)
        for check in _list(model.get("checks")):
            check = _dict(check)
            count += 1
            passed = check.get("passed") is True
            rows.append(f'<tr class="{"passed" if passed else "failed"}">'
                        f'<td>{escape(model.get("name"))}</td>'
                        f'<td>{escape(check.get("component"))}</td>'
                        f'<td>{escape(check.get("protocol"))}</td>'
                        f'<td>{escape(check.get("check"))}</td>'
                        f'<td>{"passed" if passed else "FAILED"}</td>'
                        f'<td>{escape(check.get("detail"))}</td></tr>')
    return (f'<section id="checks"><h2>Checks</h2><details><summary>All {count} checks</summary>'
            '<table><thead><tr><th>Model</th><th>Component</th><th>Protocol</th><th>Check</th>'
            f'<th>Result</th><th>Detail</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            '</details></section>')


def _facts(pairs):
    return "".join(f"<div><dt>{escape(label)}</dt><dd>{value}</dd></div>" for label, value in pairs)


def _environment(summary):
    hardware = _dict(summary.get("hardware"))
    versions = _dict(summary.get("versions"))
    server = _dict(summary.get("server"))

    def fact(value, reason="not reported"):
        if value is None or value == "" or value == []:
            return _missing(reason) + ' <span class="missing-text">not reported</span>'
        return escape(", ".join(map(str, value)) if isinstance(value, list) else value)

    hardware_facts = [
        ("CPU", fact(hardware.get("cpu_model"))),
        ("Logical CPUs", fact(hardware.get("logical_cpus"))),
        ("Physical cores", fact(hardware.get("physical_cores"))),
        ("SIMD", fact(hardware.get("simd"))),
        ("Memory", format_bytes(hardware.get("memory_bytes")) if hardware.get("memory_bytes")
                   is not None else fact(None)),
        ("OS", fact(hardware.get("os"))),
        ("Kernel", fact(hardware.get("kernel"))),
    ]
    known = {"cpu_model", "logical_cpus", "physical_cores", "simd", "memory_bytes", "os", "kernel"}
    hardware_facts += [(key, fact(value)) for key, value in hardware.items() if key not in known]
    version_facts = [(key, fact(value)) for key, value in versions.items()] or [
        ("versions", _missing("not reported"))]
    server_facts = [
        ("RSS at start", format_bytes(server.get("rss_bytes_start"))),
        ("RSS peak", format_bytes(server.get("rss_bytes_peak"))),
        ("RSS at end", format_bytes(server.get("rss_bytes_end"))),
    ]
    return ('<section id="environment"><h2>Hardware, versions and server memory</h2>'
            f'<div class="columns"><div><h3>Hardware</h3><dl>{_facts(hardware_facts)}</dl></div>'
            f'<div><h3>Versions</h3><dl>{_facts(version_facts)}</dl></div>'
            f'<div><h3>Server memory</h3><dl>{_facts(server_facts)}</dl></div></div></section>')


def _finite(value):
    """The value with NaN and infinities (which JSON.parse rejects) replaced by null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _embedded_json(summary):
    """The summary as JSON that cannot end its <script> element or open a comment."""
    text = json.dumps(_finite(summary), allow_nan=False, ensure_ascii=False, default=str)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _asset(name):
    text = (ASSETS / name).read_text(encoding="utf-8")
    if re.search(r"</?(script|style)|<!--", text, re.IGNORECASE):
        raise ValueError(f"{ASSETS / name} holds a script or style tag or <!--: "
                         "it cannot be inlined")
    return text


def render_report(summary):
    """The whole report.html as a string. Raises ValueError for another schema than mlos-e2e/1."""
    if not isinstance(summary, dict) or summary.get("schema") != SCHEMA:
        found = summary.get("schema") if isinstance(summary, dict) else type(summary).__name__
        raise ValueError(f"report: expected a summary of schema {SCHEMA}, got {found!r}")
    failures = collect_failures(summary)
    passed = run_passed(summary, failures)
    title = (f"MLOS system test: {'PASSED' if passed else 'FAILED'} "
             f"({summary.get('configuration') or 'unknown configuration'}, "
             f"{summary.get('started') or 'undated'})")
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "\n".join([
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_asset('report.css')}</style>",
        "</head><body><main>",
        _header(summary, passed, failures),
        _failures(failures),
        _protocols(summary),
        _model_table(summary),
        _charts(summary),
        _checks(summary),
        _environment(summary),
        f'<footer>Generated {generated} by tools/mlos-e2e/report.py from summary.json '
        f'(schema {SCHEMA}), which is embedded in this page.</footer>',
        "</main>",
        f'<script type="application/json" id="summary">{_embedded_json(summary)}</script>',
        f"<script>{_asset('charts.js')}</script>",
        "</body></html>",
    ])


def write_report(summary, out_dir):
    """Writes out_dir/report.html (creating out_dir) and returns its path."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    path.write_text(render_report(summary), encoding="utf-8")
    return path


def main():
    if len(sys.argv) != 3:
        print("usage: report.py SUMMARY_JSON OUT_DIR", file=sys.stderr)
        return 2
    summary_path = pathlib.Path(sys.argv[1])
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        path = write_report(summary, pathlib.Path(sys.argv[2]))
    except (OSError, ValueError) as error:
        print(f"report: {summary_path}: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
