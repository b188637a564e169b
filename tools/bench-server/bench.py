#!/usr/bin/python3
"""What mlos-core adds on top of the model: the server benchmarks behind `make bench-server`.

Usage: bench.py --build DIR [--repeat 3] [--duration 3] [--resnet-requests 5]
                [--resnet-duration 12] [--core BINARY] [--skip-resnet] [--quick]

Needs DIR/bin/{mlos-core,mlos-bench-http,mlos-bench-inprocess}. Makes the fixture models it needs
with fixtures/make_fixtures.py (the small MLP, and ResNet-50 at real size: about a minute the first
time, then cached under DIR/bench-server/models), starts mlos-core on a free port with a temporary
home, registers the models, writes the request bodies (MLOS JSON, KServe v2 JSON, KServe v2 with
Triton's binary tensor extension) and runs each scenario --repeat times:

  tiny model      p50/p99 in-process (Execute alone) vs over HTTP: MLOS JSON, KServe JSON, KServe
                  binary; server-added = HTTP minus in-process; requests/s at concurrency 1, 8, 64
  ResNet-50 JSON  one request of 150,528 JSON floats: total time vs in-process Execute ->
                  transport overhead (the original system spent about 1.1 s there)
  ResNet-50 c=8   throughput with dynamic batching (max_batch_size 8, max_queue_delay_us 2000)
                  vs batch 1, and the ratio

Prints a table of medians over the repeats, marks each goal of issue 4 met or not met, and writes
every figure to DIR/bench-server/results.json. docs/benchmarks.md explains each figure. Run with
Debian's /usr/bin/python3 (torch, onnx).
"""

import argparse
import functools
import json
import os
import pathlib
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from machine_description import machine_description  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
TINY_ID = "bench/mlp@1"
RESNET_ID = "bench/resnet50@1"
RESNET_BATCHED_ID = "bench/resnet50-batched@1"
BATCHING_SETTINGS = {"max_batch_size": 8, "max_queue_delay_us": 2000, "instances": 1}
UNBATCHED_SETTINGS = {"instances": 1}
RESNET_FIXTURE = "resnet50_opset13"

GOAL_SERVER_ADDED_P50_US = 50.0
GOAL_RESNET_JSON_OVERHEAD_MS = 10.0
GOAL_BATCHING_RATIO = 1.5


def progress(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Fixture models


def make_fixture(cache, name, real):
    """Returns CACHE/<name>/model.onnx, exporting it with fixtures/make_fixtures.py if missing."""
    out = cache / ("real" if real else "small")
    model = out / name / "model.onnx"
    if model.exists():
        return model
    progress(f"exporting fixture {name}{' at real size (about a minute)' if real else ''} "
             f"into {out}")
    command = [sys.executable, str(REPO / "fixtures/make_fixtures.py"), "--out", str(out),
               "--only", name] + (["--real"] if real else [])
    started = time.monotonic()
    # make_fixtures prints one line per model when done; its output goes straight to stderr.
    subprocess.run(command, check=True, stdout=sys.stderr,
                   env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})
    progress(f"exported {name} in {time.monotonic() - started:.0f} s")
    return model


def graph_io(model_path):
    """(inputs, outputs) of an ONNX file: lists of (name, [dims, str for a symbolic one])."""
    import onnx  # imported late: loading it costs a second

    model = onnx.load(str(model_path), load_external_data=False)
    initializers = {tensor.name for tensor in model.graph.initializer}

    def dims(value):
        return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]

    inputs = [(v.name, dims(v)) for v in model.graph.input if v.name not in initializers]
    outputs = [(v.name, dims(v)) for v in model.graph.output]
    return inputs, outputs


def require_dynamic_batch(model_path, inputs, outputs):
    """Dynamic batching stacks requests along dimension 0: the export must leave it symbolic."""
    for name, dims in inputs + outputs:
        if not dims or not isinstance(dims[0], str):
            raise SystemExit(f"{model_path}: '{name}' has shape {dims}; dynamic batching needs a "
                             "symbolic batch dimension 0 (export with dynamic_axes)")


# ---------------------------------------------------------------------------------------------
# Request bodies


def float32_values(count, seed):
    """COUNT float32 values as Python floats (what numpy's tolist() gives a client)."""
    generator = random.Random(seed)
    return [struct.unpack("f", struct.pack("f", generator.gauss(0, 1)))[0] for _ in range(count)]


def kserve_binary_body(input_name, shape, values, output_names):
    """Triton's binary tensor extension: a JSON header, then the raw little-endian tensor."""
    header = json.dumps({
        "inputs": [{"name": input_name, "shape": shape, "datatype": "FP32",
                    "parameters": {"binary_data_size": 4 * len(values)}}],
        "outputs": [{"name": name, "parameters": {"binary_data": True}}
                    for name in output_names]}).encode()
    return header + struct.pack(f"<{len(values)}f", *values), len(header)


def write_bodies(directory, prefix, input_name, shape, output_names, seed):
    """Writes the three bodies of one request; returns {kind: (path, extra headers)}."""
    count = 1
    for dim in shape:
        count *= dim
    values = float32_values(count, seed)
    mlos_json = json.dumps({"inputs": {input_name: values}})
    kserve_json = json.dumps({"inputs": [{"name": input_name, "shape": shape,
                                          "datatype": "FP32", "data": values}]})
    binary, header_length = kserve_binary_body(input_name, shape, values, output_names)
    bodies = {}
    for kind, body, headers in (
            ("mlos_json", mlos_json.encode(), ["Content-Type: application/json"]),
            ("kserve_json", kserve_json.encode(), ["Content-Type: application/json"]),
            ("kserve_binary", binary, ["Content-Type: application/octet-stream",
                                       f"Inference-Header-Content-Length: {header_length}"])):
        path = directory / f"{prefix}.{kind}.body"
        path.write_bytes(body)
        bodies[kind] = (path, headers)
    return bodies


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """mlos-core on a free port with a temporary home; stopped with SIGTERM on close()."""

    def __init__(self, binary, home, log_path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [str(binary), "--http-port", "0", "--host", "127.0.0.1", "--home", str(home),
             "--no-grpc", "--no-ipc"],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.process.stdout.readline().decode()  # "mlos-core listening on http://h:p"
        if "listening on" not in line:
            self.close()
            raise SystemExit(f"mlos-core did not start: {line!r}; log:\n{self.log_tail()}")
        self.port = int(line.rsplit(":", 1)[1])

    def log_tail(self):
        return pathlib.Path(self.log_path).read_text(errors="replace")[-3000:]

    def request(self, method, path, body=None, timeout=600):
        """(status, parsed JSON or text) of one call; never raises on an HTTP error status."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                status, text = reply.status, reply.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def quote(model_id):
    return urllib.parse.quote(model_id, safe="")


def register(server, model_id, model_path, settings=None):
    """Registers and loads MODEL_ID; returns whether the server kept the settings it was given."""
    body = {"model_id": model_id, "path": str(model_path), "load": True}
    if settings:
        body["settings"] = settings
    status, reply = server.request("POST", "/models/register", body)
    if status != 200:
        raise SystemExit(f"registering {model_id} failed: HTTP {status}: {reply}")
    if not settings:
        return True
    status, info = server.request("GET", f"/models/{quote(model_id)}")
    kept = info.get("settings", {}) if isinstance(info, dict) else {}
    return all(kept.get(key) == value for key, value in settings.items())


def kserve_infer_path(server, model_id):
    """The KServe v2 infer route of MODEL_ID, or None when the server has no KServe API.

    Tries the names a server may give an MLOS id 'ns/name@version': the whole id, percent-encoded;
    then 'ns/name' percent-encoded with the version in /versions/{v}."""
    name, _, version = model_id.partition("@")
    for model_path in (f"/v2/models/{quote(model_id)}",
                       f"/v2/models/{quote(name)}/versions/{quote(version)}"):
        status, _ = server.request("GET", model_path)
        if status == 200:
            return model_path + "/infer"
    return None


def batch_sizes(server, model_id):
    """Inferences and executions of MODEL_ID so far, from the KServe statistics (None without)."""
    status, reply = server.request("GET", f"/v2/models/{quote(model_id)}/stats")
    if status != 200 or not isinstance(reply, dict) or not reply.get("model_stats"):
        return None
    stats = reply["model_stats"][0]
    return {"inferences": stats.get("inference_count", 0),
            "executions": stats.get("execution_count", 0)}


# ---------------------------------------------------------------------------------------------
# Running the tools


def run_tool(command):
    """Runs a bench tool; returns its JSON line, failing loudly if any request failed."""
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(map(str, command))}\nexit {result.returncode}\n"
                         f"{result.stdout}{result.stderr}")
    return json.loads(lines[-1])


class Bench:
    def __init__(self, arguments, server):
        self.arguments = arguments
        self.server = server
        self.bin = arguments.build / "bin"

    def http(self, path, body, concurrency=1, duration=None, requests=None, warmup=2,
             reported_field=None):
        command = [self.bin / "mlos-bench-http", "--port", self.server.port, "--path", path,
                   "--concurrency", concurrency, "--warmup", warmup]
        body_path, headers = body or (None, [])
        if body_path:
            command += ["--body-file", body_path]
        if reported_field:
            command += ["--reported-field", reported_field]
        for header in headers:
            command += ["--header", header]
        if requests:
            command += ["--requests", requests]
        else:
            command += ["--duration", duration or self.arguments.duration]
        return run_tool(command)

    def inprocess(self, model, body, duration=None, requests=None, warmup=2, batch=1):
        command = [self.bin / "mlos-bench-inprocess", "--model", model, "--body-file", body[0],
                   "--warmup", warmup, "--batch", batch]
        if requests:
            command += ["--requests", requests]
        else:
            command += ["--duration", duration or self.arguments.duration]
        return run_tool(command)

    def rounds(self, title, scenarios):
        """Runs every scenario of SCENARIOS ({label: run}) once per round, --repeat rounds, so
        that the runs to be compared alternate and see the same load on a shared machine.
        Returns {label: {"median": per-field medians, "runs": [...]}}."""
        runs = {label: [] for label in scenarios}
        for index in range(self.arguments.repeat):
            for label, run in scenarios.items():
                progress(f"{title}: {label} ({index + 1}/{self.arguments.repeat})")
                runs[label].append(run())
        results = {}
        for label, label_runs in runs.items():
            fields = [key for key, value in label_runs[0].items()
                      if isinstance(value, (int, float))]
            median = {key: statistics.median(run[key] for run in label_runs) for key in fields}
            results[label] = {"median": median, "runs": label_runs}
        return results


# ---------------------------------------------------------------------------------------------
# Scenarios


def tiny_scenarios(bench, model, bodies, mlos_path, kserve_path):
    """Latency at concurrency 1: in-process, the HTTP floor (a GET that touches no model: what
    HTTP and loopback TCP alone cost), and inference over each API."""
    floor_path = "/v2/health/live" if kserve_path else "/health"
    scenarios = {
        "in-process": lambda: bench.inprocess(model, bodies["mlos_json"]),
        "HTTP floor": lambda: bench.http(floor_path, None),
        "MLOS JSON": lambda: bench.http(mlos_path, bodies["mlos_json"]),
    }
    if kserve_path:
        scenarios["KServe JSON"] = lambda: bench.http(kserve_path, bodies["kserve_json"])
        scenarios["KServe binary"] = lambda: bench.http(kserve_path, bodies["kserve_binary"])
    results = bench.rounds("tiny model", scenarios)
    results["HTTP floor"]["path"] = floor_path
    return results


def throughput_scenarios(bench, path, body):
    return bench.rounds("tiny model requests/s", {
        concurrency: functools.partial(bench.http, path, body, concurrency=concurrency)
        for concurrency in (1, 8, 64)})


def resnet_json_scenario(bench, model, bodies, mlos_path, kserve_path):
    count = bench.arguments.resnet_requests
    scenarios = {
        "in-process": lambda: bench.inprocess(model, bodies["mlos_json"], requests=count,
                                              warmup=1),
        "MLOS JSON": lambda: bench.http(mlos_path, bodies["mlos_json"], requests=count, warmup=1,
                                        reported_field="inference_time_us"),
    }
    if kserve_path:
        scenarios["KServe binary"] = lambda: bench.http(kserve_path, bodies["kserve_binary"],
                                                        requests=count, warmup=1)
    return bench.rounds("ResNet-50, one request", scenarios)


def batching_scenario(bench, model, mlos_json_body, unbatched_path, batched_path, body):
    """The server's throughput at concurrency 8 without and with batching, and the engine's own
    batch-8 execution in-process: the ceiling of what batching can gain."""
    duration = bench.arguments.resnet_duration
    return bench.rounds("ResNet-50 at concurrency 8", {
        "engine batch 8": lambda: bench.inprocess(model, mlos_json_body, requests=2, warmup=1,
                                                  batch=8),
        "batch 1": lambda: bench.http(unbatched_path, body, concurrency=8, duration=duration,
                                      warmup=1),
        "batched": lambda: bench.http(batched_path, body, concurrency=8, duration=duration,
                                      warmup=1),
    })


# ---------------------------------------------------------------------------------------------
# Report


def goal(met):
    return "met" if met else "NOT met"


def report(results, notes):
    out = []
    p = out.append
    p("")
    p("MLOS Core server benchmark (medians over the repeats; times in µs unless marked)")
    p(f"machine: {results['machine']}")
    p(f"server: {results['core']}")
    p("timings on a small shared machine (2 cores, other work running) are noisy: compare "
      "figures from one run, on one machine, and rerun before drawing conclusions")
    p("")
    tiny = results.get("tiny")
    if tiny:
        base = tiny["in-process"]["median"]
        p(f"Tiny model ({results['tiny_model']}): latency at concurrency 1")
        p(f"  {'':16} {'p50':>10} {'p99':>10}   {'server-added p50':>16} {'p99':>10}")
        for label, data in tiny.items():
            if label == "HTTP floor":
                continue
            m = data["median"]
            added_p50, added_p99 = m["p50_us"] - base["p50_us"], m["p99_us"] - base["p99_us"]
            added = "" if label == "in-process" else f"   {added_p50:16.1f} {added_p99:10.1f}"
            p(f"  {label:16} {m['p50_us']:10.1f} {m['p99_us']:10.1f}{added}")
        floor = tiny["HTTP floor"]
        p(f"  HTTP alone (GET {floor['path']}, no model): p50 {floor['median']['p50_us']:.1f}, "
          f"p99 {floor['median']['p99_us']:.1f}: loopback TCP, both HTTP stacks, no inference")
        p("")
    throughput = results.get("throughput")
    if throughput:
        p(f"Tiny model requests/s ({results['throughput_api']})")
        for concurrency, data in throughput.items():
            m = data["median"]
            p(f"  concurrency {concurrency:>3}: {m['rps']:10.0f} req/s   p50 {m['p50_us']:10.1f}  "
              f"p99 {m['p99_us']:10.1f}  errors {m['errors']:.0f}")
        p("")
    resnet = results.get("resnet_json")
    if resnet:
        in_process = resnet["in-process"]["median"]
        execute_ms = in_process["p50_us"] / 1e3
        p("ResNet-50, one request of 150,528 floats at concurrency 1 (ms)")
        p(f"  in-process Execute           {execute_ms:10.1f}   (in-process, the MLOS JSON body "
          f"takes {in_process['parse_us'] / 1e3:.1f} to parse and "
          f"{in_process['decode_us'] / 1e3:.1f} to decode)")
        for label in ("MLOS JSON", "KServe binary"):
            if label in resnet:
                median = resnet[label]["median"]
                total_ms = median["p50_us"] / 1e3
                p(f"  over HTTP, {label:18} {total_ms:10.1f}   minus in-process Execute: "
                  f"{total_ms - execute_ms:8.1f}")
                if median.get("reported_count"):
                    server_ms = median["reported_p50"] / 1e3
                    p(f"    the server's own execution (inference_time_us) {server_ms:.1f}; "
                      f"transport overhead = round trip minus that: {total_ms - server_ms:.1f}")
        p("")
    batching = results.get("batching")
    if batching:
        one = batching["batch 1"]["median"]
        batched = batching["batched"]["median"]
        p("ResNet-50 throughput at concurrency 8")
        p(f"  batch 1            {one['rps']:8.2f} req/s   p50 {one['p50_us'] / 1e3:8.1f} ms")
        p(f"  dynamic batching   {batched['rps']:8.2f} req/s   p50 "
          f"{batched['p50_us'] / 1e3:8.1f} ms   (max_batch_size 8, max_queue_delay_us 2000)")
        p(f"  ratio              {results['batching_ratio']:8.2f}x")
        counts = batching.get("batches")
        if counts and counts["executions"]:
            p(f"  the batched model ran {counts['inferences']} requests in {counts['executions']} "
              f"executions: {counts['inferences'] / counts['executions']:.1f} requests per batch")
        single = results["resnet_json"]["in-process"]["median"]["p50_us"]
        eight = batching["engine batch 8"]["median"]["p50_us"]
        p(f"  engine alone, in-process: batch 8 in {eight / 1e3:.0f} ms vs 8 x batch 1 in "
          f"{8 * single / 1e3:.0f} ms: batching can gain at most {8 * single / eight:.2f}x")
        p("")
    p("Goals (issue 4)")
    for name, (value, met) in results["goals"].items():
        p(f"  {name:58} {value:>14}   {goal(met) if met is not None else 'not measured'}")
    for note in notes:
        p(f"note: {note}")
    print("\n".join(out), flush=True)


def compute_goals(results):
    goals = {}
    tiny = results.get("tiny", {})
    if "KServe binary" in tiny:
        added = (tiny["KServe binary"]["median"]["p50_us"] - tiny["in-process"]["median"]["p50_us"])
        goals["server-added p50, binary tensors <= 50 µs"] = (
            f"{added:.1f} µs", added <= GOAL_SERVER_ADDED_P50_US)
    else:
        goals["server-added p50, binary tensors <= 50 µs"] = ("-", None)
    resnet = results.get("resnet_json")
    if resnet:
        # The server's own execution time of the same requests, when its replies say it, rather
        # than an execution in another process, which on a busy machine varies by more than the
        # overhead itself.
        http = resnet["MLOS JSON"]["median"]
        execution = (http["reported_p50"] if http.get("reported_count")
                     else resnet["in-process"]["median"]["p50_us"])
        overhead = (http["p50_us"] - execution) / 1e3
        goals["ResNet-50 JSON request transport overhead <= 10 ms"] = (
            f"{overhead:.1f} ms", overhead <= GOAL_RESNET_JSON_OVERHEAD_MS)
    else:
        goals["ResNet-50 JSON request transport overhead <= 10 ms"] = ("-", None)
    if "batching_ratio" in results:
        ratio = results["batching_ratio"]
        goals["ResNet-50 batching gain at concurrency 8 >= 1.5x"] = (
            f"{ratio:.2f}x", ratio >= GOAL_BATCHING_RATIO)
    else:
        goals["ResNet-50 batching gain at concurrency 8 >= 1.5x"] = ("-", None)
    results["goals"] = goals


# ---------------------------------------------------------------------------------------------


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, type=pathlib.Path,
                        help="build directory with bin/mlos-core and the bench tools")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median taken)")
    parser.add_argument("--duration", type=float, default=3.0,
                        help="seconds per tiny-model run")
    parser.add_argument("--resnet-requests", type=int, default=5,
                        help="ResNet-50 requests per single-request run")
    parser.add_argument("--resnet-duration", type=float, default=12.0,
                        help="seconds per ResNet-50 throughput run")
    parser.add_argument("--core", type=pathlib.Path,
                        help="the mlos-core binary to measure (default: BUILD/bin/mlos-core)")
    parser.add_argument("--skip-resnet", action="store_true", help="tiny model only")
    parser.add_argument("--quick", action="store_true",
                        help="one short run per scenario (a smoke test, not figures to quote)")
    arguments = parser.parse_args()
    arguments.build = arguments.build.resolve()
    if arguments.quick:
        arguments.repeat, arguments.duration = 1, 1.0
        arguments.resnet_requests, arguments.resnet_duration = 2, 6.0
    arguments.core = (arguments.core or arguments.build / "bin/mlos-core").resolve()
    for tool in (arguments.core, *(arguments.build / "bin" / name
                                   for name in ("mlos-bench-http", "mlos-bench-inprocess"))):
        if not tool.exists():
            parser.error(f"{tool} is missing; build it first")
    return arguments


def main():
    arguments = parse_arguments()
    work = arguments.build / "bench-server"
    cache = work / "models"
    bodies_dir = work / "bodies"
    bodies_dir.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine_description(), "core": str(arguments.core), "settings": {
        "repeat": arguments.repeat, "duration_s": arguments.duration,
        "resnet_requests": arguments.resnet_requests,
        "resnet_duration_s": arguments.resnet_duration}}
    notes = []

    tiny_model = make_fixture(cache, "mlp", real=False)
    tiny_inputs, tiny_outputs = graph_io(tiny_model)
    (tiny_input, tiny_dims), = tiny_inputs
    tiny_shape = [1] + tiny_dims[1:]
    tiny_bodies = write_bodies(bodies_dir, "mlp", tiny_input, tiny_shape,
                               [name for name, _ in tiny_outputs], seed=1)
    results["tiny_model"] = f"fixture mlp, input {tiny_input} {tiny_shape}"

    resnet_model = None
    if not arguments.skip_resnet:
        resnet_model = make_fixture(cache, RESNET_FIXTURE, real=True)
        resnet_inputs, resnet_outputs = graph_io(resnet_model)
        require_dynamic_batch(resnet_model, resnet_inputs, resnet_outputs)
        (resnet_input, resnet_dims), = resnet_inputs
        resnet_shape = [1] + resnet_dims[1:]
        resnet_bodies = write_bodies(bodies_dir, "resnet50", resnet_input, resnet_shape,
                                     [name for name, _ in resnet_outputs], seed=2)

    home = pathlib.Path(tempfile.mkdtemp(prefix="mlos-bench-home-"))
    server = Server(arguments.core, home, work / "mlos-core.log")
    progress(f"mlos-core listening on port {server.port} (log: {server.log_path})")
    try:
        register(server, TINY_ID, tiny_model)
        mlos_tiny = f"/models/{quote(TINY_ID)}/inference"
        kserve_tiny = kserve_infer_path(server, TINY_ID)
        if not kserve_tiny:
            notes.append("the server has no KServe v2 route for the model: the KServe JSON and "
                         "binary figures and the binary-tensor goal are missing; requests/s use "
                         "MLOS JSON")
        bench = Bench(arguments, server)
        results["tiny"] = tiny_scenarios(bench, tiny_model, tiny_bodies, mlos_tiny, kserve_tiny)
        if kserve_tiny:
            results["throughput_api"] = "KServe binary"
            results["throughput"] = throughput_scenarios(bench, kserve_tiny,
                                                         tiny_bodies["kserve_binary"])
        else:
            results["throughput_api"] = "MLOS JSON"
            results["throughput"] = throughput_scenarios(bench, mlos_tiny,
                                                         tiny_bodies["mlos_json"])

        if resnet_model:
            progress("registering ResNet-50 twice (batch 1, and dynamic batching)")
            register(server, RESNET_ID, resnet_model, UNBATCHED_SETTINGS)
            batching_kept = register(server, RESNET_BATCHED_ID, resnet_model, BATCHING_SETTINGS)
            mlos_resnet = f"/models/{quote(RESNET_ID)}/inference"
            kserve_resnet = kserve_infer_path(server, RESNET_ID)
            results["resnet_json"] = resnet_json_scenario(bench, resnet_model, resnet_bodies,
                                                          mlos_resnet, kserve_resnet)
            if not batching_kept:
                notes.append("the server did not keep the registration settings (GET /models/{id} "
                             "shows no matching \"settings\"): it has no dynamic batching yet, so "
                             "the batching figures are not measured")
            else:
                kserve_batched = kserve_infer_path(server, RESNET_BATCHED_ID)
                if kserve_resnet and kserve_batched:
                    paths = (kserve_resnet, kserve_batched, resnet_bodies["kserve_binary"])
                else:
                    paths = (mlos_resnet, f"/models/{quote(RESNET_BATCHED_ID)}/inference",
                             resnet_bodies["mlos_json"])
                results["batching"] = batching_scenario(bench, resnet_model,
                                                        resnet_bodies["mlos_json"], *paths)
                results["batching"]["batches"] = batch_sizes(server, RESNET_BATCHED_ID)
                results["batching_ratio"] = (results["batching"]["batched"]["median"]["rps"]
                                             / results["batching"]["batch 1"]["median"]["rps"])
    finally:
        server.close()
        shutil.rmtree(home, ignore_errors=True)

    compute_goals(results)
    results["notes"] = notes
    (work / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    report(results, notes)
    print(f"all figures: {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
