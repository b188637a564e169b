#!/usr/bin/python3
"""Our ONNX engine against ONNX Runtime on the real-size models: `make bench-engine`.

Usage: bench.py [--build DIR] [--models CASE|MODEL ...] [--threads 1 2] [--repeat 3]
                [--seconds 2] [--min-runs 10] [--max-seconds 10] [--quick]
                [--openblas-env inherit|unset] [--model-dir DIR] [--out FILE]
                [--profile CASE|MODEL ...]

Each case is one model at one batch and sequence length (CASES below). For each case the inputs
are written once by `mlos-bench-engine --write-inputs` (deterministic random data; token ids below
the embedding table's size, attention masks all ones) and read by both engines. Every engine x
case x thread count runs in a fresh process (DIR/bin/mlos-bench-engine, or bench_ort.js on
tools/compare-ort's onnxruntime-node with intraOpNumThreads=N, interOpNumThreads=1 and all graph
optimizations): it loads the model (timed), runs a warm-up, then timed runs until --seconds have
passed and at least --min-runs were made (or --max-seconds and 3 runs, for the slowest), and
reports p50/p90 and its peak RSS (VmHWM). The matrix is run --repeat times, the two engines alternating which goes first; the table shows the
medians over the repeats (of each repeat's p50, p90, load time and peak RSS), the ratio
ours/ORT of the p50s, and, for the batch-8 cases, throughput in samples per second.

--profile CASE ...: instead of the matrix, time every node in both engines (our engine's
SessionOptions::op_profile, ORT's profiler) at each --threads and print the top 15 op types of
each side by side, in ms per run and share of the run.

The models come from `fixtures/make_fixtures.py --real` at opset 17, exported into --model-dir
(default DIR/compare-ort/models, shared with tools/compare-ort) when missing. --openblas-env
unset removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from both engines' environment; inherit
(the default) keeps the environment as it is; the table and the JSON say which, with the
OPENBLAS_* values the engines saw. Results go to --out (default DIR/bench-engine/results.json).
Exits 1 when a run failed (the table shows which), 2 on bad usage, 77 when onnxruntime-node is
missing (install it with `ONNXRUNTIME_NODE_INSTALL=skip npm ci` in tools/compare-ort).
"""

import argparse
import dataclasses
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from machine_description import machine_description  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
ORT_PACKAGE = REPO / "tools/compare-ort/node_modules/onnxruntime-node"
OPENBLAS_TUNING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
SKIPPED = 77
PROFILE_ROWS = 15


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    family: str  # the model: <family>_opset17 in the model directory
    batch: int = 1
    dims: tuple = ()  # (symbolic dimension name, size) pairs

    @property
    def sequence(self):
        sizes = dict(self.dims)
        if "target" in sizes:
            return f"{sizes['target']}/{sizes['source']}"
        return str(sizes.get("sequence", "-"))


CASES = [
    Case("resnet50", "resnet50"),
    Case("mobilenet_v2", "mobilenet_v2"),
    Case("vit_b_16", "vit_b_16"),
    Case("bert-16", "bert", dims=(("sequence", 16),)),
    Case("bert-128", "bert", dims=(("sequence", 128),)),
    Case("roberta-128", "roberta", dims=(("sequence", 128),)),
    Case("gpt2-16", "gpt2", dims=(("sequence", 16),)),
    Case("gpt2-128", "gpt2", dims=(("sequence", 128),)),
    Case("t5_encoder-128", "t5_encoder", dims=(("sequence", 128),)),
    # One decoder step: one target token attending to 128 encoder states.
    Case("t5_decoder-step", "t5_decoder", dims=(("target", 1), ("source", 128))),
    Case("resnet50-b8", "resnet50", batch=8),
    Case("bert-128-b8", "bert", batch=8, dims=(("sequence", 128),)),
]
CASES_BY_NAME = {case.name: case for case in CASES}


def progress(message):
    print(f"[bench-engine] {message}", file=sys.stderr, flush=True)


def select_cases(names):
    """The cases named, or of the model families named, in CASES order."""
    unknown = [name for name in names
               if name not in CASES_BY_NAME and name not in {case.family for case in CASES}]
    if unknown:
        raise SystemExit(f"bench.py: unknown cases {unknown}; choose from "
                         f"{', '.join(CASES_BY_NAME)} or a model: "
                         f"{', '.join(sorted({case.family for case in CASES}))}")
    return [case for case in CASES if case.name in names or case.family in names]


def export_missing(model_dir, cases):
    """Exports the real-size models the cases need and MODEL_DIR lacks (fixtures/make_fixtures.py,
    the same export as tools/compare-ort)."""
    missing = sorted({f"{case.family}_opset17" for case in cases
                      if not (model_dir / f"{case.family}_opset17" / "model.onnx").exists()})
    if not missing:
        return
    progress(f"exporting {', '.join(missing)} into {model_dir} (minutes)")
    subprocess.run([sys.executable, str(REPO / "fixtures/make_fixtures.py"), "--real", "--out",
                    str(model_dir), "--only", *missing], check=True, stdout=sys.stderr,
                   env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})


def engine_environment(openblas_env):
    """(environment for both engines, {OPENBLAS_* name: value} they see)."""
    environment = dict(os.environ)
    if openblas_env == "unset":
        for name in OPENBLAS_TUNING:
            environment.pop(name, None)
    openblas = {name: value for name, value in sorted(environment.items())
                if name.startswith("OPENBLAS_")}
    return environment, openblas


def describe_openblas(openblas_env, openblas):
    settings = ", ".join(f"{name}={value}" for name, value in openblas.items()) or \
        "no OPENBLAS_* variable set"
    how = "inherited" if openblas_env == "inherit" else \
        f"{' and '.join(OPENBLAS_TUNING)} unset"
    return f"OpenBLAS environment: {how} ({settings})"


def run_json(command, environment, what):
    """The JSON line COMMAND prints last; RuntimeError naming WHAT with its stderr otherwise."""
    run = subprocess.run(command, capture_output=True, text=True, env=environment)
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        raise RuntimeError(f"{what} exited {run.returncode}: {run.stderr.strip()[-2000:]}")
    return json.loads(lines[-1])


class Runner:
    """Runs one engine on one case in a fresh process."""

    def __init__(self, args, environment):
        self.args = args
        self.environment = environment
        self.binary = str(args.build / "bin/mlos-bench-engine")
        self.inputs_root = args.out.parent / "inputs"

    def model(self, case):
        return str(self.args.model_dir / f"{case.family}_opset17" / "model.onnx")

    def inputs(self, case):
        return self.inputs_root / case.name

    def write_inputs(self, case):
        command = [self.binary, self.model(case), "--write-inputs", str(self.inputs(case)),
                   "--batch", str(case.batch)]
        for name, size in case.dims:
            command += ["--dim", f"{name}={size}"]
        run = subprocess.run(command, capture_output=True, text=True, env=self.environment)
        if run.returncode != 0:
            raise RuntimeError(f"writing the inputs of {case.name}: {run.stderr.strip()}")

    def run(self, engine, case, threads, profile=False):
        """The engine's JSON result; with PROFILE, also its time by op type (ORT's trace is
        written into OUT's folder)."""
        timing = ["--warmup", str(self.args.warmup), "--min-runs", str(self.args.min_runs),
                  "--seconds", str(self.args.seconds), "--max-seconds", str(self.args.max_seconds)]
        if engine == "mlos":
            command = [self.binary, self.model(case), "--inputs", str(self.inputs(case)),
                       "--threads", str(threads), *timing]
            if profile:
                command.append("--profile")
        else:
            command = [self.args.node, str(HERE / "bench_ort.js"), self.model(case),
                       str(self.inputs(case)), str(threads), *timing]
            if profile:
                trace_dir = self.args.out.parent / f"ort-trace-{case.name}-{threads}"
                shutil.rmtree(trace_dir, ignore_errors=True)
                command += ["--profile", str(trace_dir)]
        return run_json(command, self.environment, f"{engine} on {case.name} ({threads} threads)")


def median_of(runs, key):
    return statistics.median(run[key] for run in runs) if runs else None


def run_matrix(runner, cases, threads_list, repeat):
    """{(case, threads, engine): {"runs": [result...], "error": str|None}}"""
    cells = {(case.name, threads, engine): {"runs": [], "error": None}
             for case in cases for threads in threads_list for engine in ("mlos", "ort")}
    for round_index in range(repeat):
        engines = ("mlos", "ort") if round_index % 2 == 0 else ("ort", "mlos")
        for case in cases:
            for threads in threads_list:
                for engine in engines:
                    cell = cells[(case.name, threads, engine)]
                    if cell["error"]:
                        continue
                    try:
                        result = runner.run(engine, case, threads)
                    except RuntimeError as error:
                        cell["error"] = str(error)
                        progress(f"FAILED {error}")
                        continue
                    cell["runs"].append(result)
                    progress(f"round {round_index + 1}/{repeat} {case.name} {threads}t {engine}: "
                             f"p50 {result['p50_ms']:.2f} ms")
    return cells


def summarize(cell):
    runs = cell["runs"]
    summary = {key: median_of(runs, key)
               for key in ("p50_ms", "p90_ms", "mean_ms", "load_ms", "peak_rss_mib")}
    summary.update(runs=sum(run["runs"] for run in runs), repeats=len(runs), error=cell["error"])
    return summary


def p50_ratio(ours, ort):
    """ours p50 / ORT p50 of two summaries; None unless both ran."""
    return ours["p50_ms"] / ort["p50_ms"] if ours["p50_ms"] and ort["p50_ms"] else None


def number(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(cases, threads_list, summaries):
    header = (f"{'model':<16} {'batch':>5} {'seq':>7} {'thr':>3} | {'ours p50':>9} {'p90':>9} | "
              f"{'ORT p50':>9} {'p90':>9} | {'ratio':>5} | {'RSS MiB ours/ORT':>17} | "
              f"{'load ms ours/ORT':>17}")
    print(header)
    print("-" * len(header))
    for case in cases:
        for threads in threads_list:
            ours = summaries[(case.name, threads, "mlos")]
            ort = summaries[(case.name, threads, "ort")]
            ratio = p50_ratio(ours, ort)
            print(f"{case.name:<16} {case.batch:>5} {case.sequence:>7} {threads:>3} | "
                  f"{number(ours['p50_ms'], 2):>9} {number(ours['p90_ms'], 2):>9} | "
                  f"{number(ort['p50_ms'], 2):>9} {number(ort['p90_ms'], 2):>9} | "
                  f"{number(ratio, 2):>5} | "
                  f"{number(ours['peak_rss_mib'], 0):>8}/{number(ort['peak_rss_mib'], 0):<8} | "
                  f"{number(ours['load_ms'], 0):>8}/{number(ort['load_ms'], 0):<8}")
            for engine, summary in (("ours", ours), ("ORT", ort)):
                if summary["error"]:
                    print(f"    {engine} FAILED: {summary['error'].splitlines()[-1][:200]}")
    batched = [case for case in cases if case.batch > 1]
    if batched:
        print("\nthroughput (samples/s = batch / p50)")
        for case in batched:
            for threads in threads_list:
                ours = summaries[(case.name, threads, "mlos")]["p50_ms"]
                ort = summaries[(case.name, threads, "ort")]["p50_ms"]
                ours_rate = case.batch * 1e3 / ours if ours else None
                ort_rate = case.batch * 1e3 / ort if ort else None
                ratio = ours_rate / ort_rate if ours_rate and ort_rate else None
                print(f"  {case.name:<16} {threads} threads: ours {number(ours_rate)}, "
                      f"ORT {number(ort_rate)}, ours/ORT {number(ratio, 2)}")


def run_profiles(runner, cases, threads_list):
    """Prints and returns {"<case>@<threads>": {"mlos": result, "ort": result}}."""
    profiles = {}
    for case in cases:
        for threads in threads_list:
            progress(f"profiling {case.name} at {threads} threads")
            both = {engine: runner.run(engine, case, threads, profile=True)
                    for engine in ("mlos", "ort")}
            profiles[f"{case.name}@{threads}"] = both
            print_profile(case, threads, both)
    return profiles


def print_profile(case, threads, both):
    print(f"\n{case.name}, batch {case.batch}, seq {case.sequence}, {threads} threads: "
          f"time per run by op type (top {PROFILE_ROWS}; nodes = node runs per model run)")
    columns = []
    for engine in ("mlos", "ort"):
        rows = both[engine]["profile"]
        total = sum(row["ms"] for row in rows) or 1.0
        lines = [f"{row['op_type'][:22]:<22} {row['nodes']:>5.0f} {row['ms']:>8.2f} "
                 f"{100 * row['ms'] / total:>5.1f}%" for row in rows[:PROFILE_ROWS]]
        lines.append(f"{'sum of nodes':<22} {'':>5} {total:>8.2f} {'':>6}")
        lines.append(f"{'run p50 (profiling on)':<22} {'':>5} {both[engine]['p50_ms']:>8.2f} "
                     f"{'':>6}")
        columns.append(lines)
    width = 22 + 1 + 5 + 1 + 8 + 1 + 6
    print(f"{'ours: op type':<22} {'nodes':>5} {'ms':>8} {'share':>6} | "
          f"{'ORT: op type':<22} {'nodes':>5} {'ms':>8} {'share':>6}")
    height = max(len(column) for column in columns)
    for column in columns:
        column[-2:-2] = [" " * width] * (height - len(column))
    for left, right in zip(*columns):
        print(f"{left:<{width}} | {right}")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=pathlib.Path, default=REPO / "build",
                        help="build directory holding bin/mlos-bench-engine")
    parser.add_argument("--models", nargs="+", metavar="CASE",
                        default=[case.name for case in CASES],
                        help=f"cases ({', '.join(CASES_BY_NAME)}) or models "
                             "(every case of that model: bert = bert-16, bert-128, bert-128-b8); "
                             "default all")
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="timed runs last at least this long per process")
    parser.add_argument("--min-runs", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=10.0,
                        help="a slow model stops after this long and 3 runs")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1 repeat, 1 warm-up, 3 runs, no minimum time")
    parser.add_argument("--openblas-env", choices=("inherit", "unset"), default="inherit")
    parser.add_argument("--model-dir", type=pathlib.Path,
                        help="models as <name>_opset17/model.onnx "
                             "(default BUILD/compare-ort/models; missing ones are exported)")
    parser.add_argument("--out", type=pathlib.Path,
                        help="results JSON (default BUILD/bench-engine/results.json)")
    parser.add_argument("--profile", nargs="+", metavar="CASE",
                        help="profile these cases by op type instead of running the matrix")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    args = parser.parse_args()
    args.build = args.build.resolve()
    args.model_dir = (args.model_dir or args.build / "compare-ort/models").resolve()
    args.out = (args.out or args.build / "bench-engine/results.json").resolve()
    if args.quick:
        args.repeat, args.warmup, args.min_runs, args.seconds = 1, 1, 3, 0.0
    return args


def main():
    args = parse_arguments()
    if not ORT_PACKAGE.is_dir():
        print(f"bench-engine: SKIPPED: onnxruntime-node is not installed; run "
              f"`ONNXRUNTIME_NODE_INSTALL=skip npm ci` in {ORT_PACKAGE.parents[1]}")
        return SKIPPED
    if not (args.build / "bin/mlos-bench-engine").exists():
        print(f"bench-engine: {args.build}/bin/mlos-bench-engine is missing; build the "
              f"mlos-bench-engine target", file=sys.stderr)
        return 2
    cases = select_cases(args.profile or args.models)
    environment, openblas = engine_environment(args.openblas_env)
    export_missing(args.model_dir, cases)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    runner = Runner(args, environment)
    for case in cases:
        runner.write_inputs(case)

    report = {"machine": machine_description(), "openblas_env": args.openblas_env,
              "openblas": openblas, "threads": args.threads, "repeat": args.repeat,
              "seconds": args.seconds, "min_runs": args.min_runs,
              "max_seconds": args.max_seconds, "warmup": args.warmup,
              "model_dir": str(args.model_dir)}
    print(f"{machine_description()}\n{describe_openblas(args.openblas_env, openblas)}")
    started = time.monotonic()
    if args.profile:
        report["profiles"] = run_profiles(runner, cases, args.threads)
        out = args.out.with_name("profile.json") if args.out.name == "results.json" else args.out
        out.write_text(json.dumps(report, indent=1) + "\n")
        print(f"\nwritten {out} ({time.monotonic() - started:.0f} s)")
        return 0

    cells = run_matrix(runner, cases, args.threads, args.repeat)
    summaries = {key: summarize(cell) for key, cell in cells.items()}
    blas = sorted({(run["openblas_threads"], run["openblas_core"])
                   for (_, _, engine), cell in cells.items() if engine == "mlos"
                   for run in cell["runs"]})
    report["openblas_runtime"] = [{"threads": threads, "core": core} for threads, core in blas]
    print("our engine's OpenBLAS (held to one thread per call; the engine's pool splits GEMMs): " +
          ", ".join(f"{threads} threads, {core} kernels" for threads, core in blas))
    print(f"medians over {args.repeat} repeats of each process's p50/p90 (ms), peak RSS and load "
          f"time; each process: {args.warmup} warm-up runs, then at least {args.min_runs} runs "
          f"and {args.seconds:g} s (at most {args.max_seconds:g} s if 3 runs were made); "
          f"ratio = ours p50 / ORT p50")
    print_table(cases, args.threads, summaries)
    report["results"] = [
        {"case": case.name, "model": f"{case.family}_opset17", "batch": case.batch,
         "dims": dict(case.dims), "threads": threads,
         "ours": summaries[(case.name, threads, "mlos")],
         "ort": summaries[(case.name, threads, "ort")],
         "ratio_p50": p50_ratio(summaries[(case.name, threads, "mlos")],
                                summaries[(case.name, threads, "ort")]),
         "runs": {"ours": cells[(case.name, threads, "mlos")]["runs"],
                  "ort": cells[(case.name, threads, "ort")]["runs"]}}
        for case in cases for threads in args.threads]
    ort_versions = {run.get("ort_version") for cell in cells.values() for run in cell["runs"]
                    if run.get("ort_version")}
    report["ort_version"] = ", ".join(sorted(ort_versions))
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwritten {args.out} ({time.monotonic() - started:.0f} s)")
    return 1 if any(cell["error"] for cell in cells.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
