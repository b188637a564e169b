#!/usr/bin/python3
"""Smoke test of `make bench-engine` (ctest bench_engine_smoke): bench.py --quick end to end on
tiny fixture models, then its --profile mode, checking the JSON each writes.

Usage: smoke_test.py --build DIR --fixtures DIR

Uses the small fixtures of fixtures/make_fixtures.py (bert_opset17 and resnet50_opset17 in their
tiny configurations), so it runs in seconds. Exits 77 (ctest: skipped) when tools/compare-ort's
onnxruntime-node is not installed; the test never installs it.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
SKIPPED = 77


def bench(args, out, *extra):
    command = [sys.executable, str(HERE / "bench.py"), "--build", str(args.build), "--model-dir",
               str(args.fixtures), "--quick", "--out", str(out), *extra]
    run = subprocess.run(command, capture_output=True, text=True)
    print(run.stdout, run.stderr[-3000:], sep="\n")
    return run.returncode


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=pathlib.Path, required=True)
    parser.add_argument("--fixtures", type=pathlib.Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        code = bench(args, work / "results.json", "--models", "bert-16", "resnet50-b8",
                     "--threads", "1", "2")
        if code == SKIPPED:
            return SKIPPED
        check(code == 0, f"bench.py exited {code}")
        report = json.loads((work / "results.json").read_text())
        check(report["openblas_env"] == "inherit", "the JSON says which OpenBLAS environment ran")
        cells = {(row["case"], row["threads"]): row for row in report["results"]}
        check(set(cells) == {("bert-16", 1), ("bert-16", 2), ("resnet50-b8", 1),
                             ("resnet50-b8", 2)}, f"cases run: {sorted(cells)}")
        for row in cells.values():
            for engine in ("ours", "ort"):
                summary = row[engine]
                check(summary["error"] is None, f"{row['case']} {engine}: {summary['error']}")
                check(0 < summary["p50_ms"] <= summary["p90_ms"], f"{row['case']} {engine} p50/p90")
                check(summary["peak_rss_mib"] > 0 and summary["load_ms"] > 0,
                      f"{row['case']} {engine}: RSS and load time")
            check(abs(row["ratio_p50"] - row["ours"]["p50_ms"] / row["ort"]["p50_ms"]) < 1e-9,
                  "ratio = ours / ORT")

        code = bench(args, work / "profile.json", "--profile", "bert-16", "--threads", "1")
        check(code == 0, f"bench.py --profile exited {code}")
        profile = json.loads((work / "profile.json").read_text())["profiles"]["bert-16@1"]
        for engine in ("mlos", "ort"):
            op_types = {row["op_type"] for row in profile[engine]["profile"]}
            check(any("MatMul" in op_type for op_type in op_types),
                  f"{engine} profile has a MatMul: {sorted(op_types)}")
    print("bench-engine smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
