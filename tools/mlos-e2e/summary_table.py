#!/usr/bin/python3
"""The per-model table of a system-test summary as Markdown: one row per registered model (per
role), with install, register, first-inference and steady-state client p50 per protocol.
mlos-e2e prints it at the end of a run; `summary_table.py summary.json` prints it again.
"""

import json
import pathlib
import sys


def figure(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def latency(entry):
    if entry["status"] == "unavailable":
        return "unavailable"
    p50 = (entry.get("client_ms") or {}).get("p50")
    text = "—" if p50 is None else f"{p50:.{3 if p50 < 1 else 2 if p50 < 100 else 0}f}"
    return text if entry["status"] == "passed" else f"{text} FAILED"


def markdown(summary):
    names = [protocol["name"] for protocol in summary.get("protocols", [])]
    lines = ["| model | role | hub | install s | register s | first inference ms | " +
             " | ".join(f"{name} p50 ms" for name in names) + " | server RSS MiB | result |",
             "|" + "---|" * (8 + len(names))]
    for model in summary.get("models", []):
        phases = model.get("phases_s", {})
        rss = model.get("server_rss_bytes")
        rows = model.get("components") or [{"role": "—", "protocols": []}]
        for component in rows:
            by_protocol = {entry["protocol"]: entry for entry in component.get("protocols", [])}
            lines.append(
                f"| {model['architecture']} | {component['role']} | {model['hub']} | "
                f"{figure(phases.get('install'), 2)} | {figure(phases.get('register'), 2)} | "
                f"{figure(component.get('first_inference_ms'))} | " +
                " | ".join(latency(by_protocol[name]) if name in by_protocol else "—"
                           for name in names) +
                f" | {figure(rss / 2**20 if rss else None, 0)} | "
                f"{'passed' if model['passed'] else 'FAILED'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: summary_table.py SUMMARY_JSON")
    print(markdown(json.loads(pathlib.Path(sys.argv[1]).read_text())))
