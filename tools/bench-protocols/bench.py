#!/usr/bin/python3
"""What each protocol adds on top of the model: the figures behind `make bench-protocols`.

Usage: bench.py --build DIR [--repeat 3] [--requests 2000] [--quick]

Makes two models with onnx.helper (no download, no torch): "tiny", an MLP layer FP32 [1, 16] ->
[1, 4], and "image", ReduceMean over a ResNet-50 sized input FP32 [1, 3, 224, 224] (602,112 bytes)
-> [1, 3], whose compute is small so that the figure is the cost of moving the input. Starts
mlos-core on free ports with a temporary home (HTTP, gRPC and the IPC socket), registers both
models loaded, and times sequential round trips, one request at a time, for each protocol:

  in-process   the engine through the onnx plugin, Execute alone (mlos-bench-inprocess)
  http         KServe v2 REST with binary tensors, through libmlos-client (mlos-bench-client)
  ipc          the local socket, tensors inline (mlos-bench-client)
  ipc-shm      the local socket, input and outputs in a shared-memory region (mlos-bench-client)
  grpc         KServe v2 gRPC ModelInfer with raw tensors (mlos-bench-grpc)

Prints p50/p99 latency and requests/s per protocol and model (medians over --repeat runs), what
each protocol adds over in-process at p50, and the goals of issue 7: IPC adds <= 15 us at p50 for
the tiny model, gRPC <= 100 us, the 600 KB input <= 100 us over IPC shared memory. Writes every
figure to DIR/bench-protocols/results.json. Client and server share the machine's cores.
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

MODELS = {
    "tiny": {"id": "bench/tiny@1", "shape": [1, 16]},
    "image": {"id": "bench/image@1", "shape": [1, 3, 224, 224]},
}
GOALS_US = {("ipc", "tiny"): 15.0, ("grpc", "tiny"): 100.0, ("ipc-shm", "image"): 100.0}


def progress(message):
    print(f"[bench-protocols] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_models(directory):
    """Writes tiny/model.onnx and image/model.onnx under DIRECTORY; returns their paths."""
    import numpy
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    generator = numpy.random.default_rng(7)
    weights = numpy_helper.from_array(generator.standard_normal((16, 4)).astype(numpy.float32), "w")
    bias = numpy_helper.from_array(generator.standard_normal(4).astype(numpy.float32), "b")
    tiny = helper.make_graph(
        [helper.make_node("MatMul", ["input", "w"], ["product"]),
         helper.make_node("Add", ["product", "b"], ["output"])], "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 16])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 4])], [weights, bias])
    image = helper.make_graph(
        [helper.make_node("ReduceMean", ["input"], ["output"], axes=[2, 3], keepdims=0)], "image",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3])])
    paths = {}
    for name, graph in (("tiny", tiny), ("image", image)):
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        path = directory / name / "model.onnx"
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(path))
        paths[name] = path
    return paths


def request_body(directory, name, shape):
    """The MLOS API body mlos-bench-inprocess decodes: element i holds i / 100 (as the client)."""
    count = 1
    for dim in shape:
        count *= dim
    path = directory / f"{name}.json"
    path.write_text(json.dumps({"inputs": {"input": [i / 100 for i in range(count)]}}))
    return path


class Server:
    def __init__(self, build, home):
        self.http_port, self.grpc_port = free_port(), free_port()
        self.socket = home.parent / "mlos.sock"
        self.log = open(home.parent / "mlos-core.log", "wb")
        home.mkdir(parents=True)
        self.process = subprocess.Popen(
            [str(build / "bin/mlos-core"), "--home", str(home), "--http-port", str(self.http_port),
             "--grpc-port", str(self.grpc_port), "--socket", str(self.socket)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as reply:
                    if reply.status == 200 and self.socket.exists():
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"mlos-core did not start; see {self.log.name}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    def register(self, model_id, path):
        body = json.dumps({"model_id": model_id, "path": str(path), "load": True,
                           "settings": {"instances": 1, "threads": 1}}).encode()
        request = urllib.request.Request(f"{self.url}/models/register", body,
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as reply:
            if reply.status != 200:
                raise SystemExit(f"registering {model_id}: HTTP {reply.status}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def run_json(command):
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(build, server, model, path, body, protocol, requests):
    shape = ",".join(map(str, MODELS[model]["shape"]))
    warmup = max(requests // 10, 20)
    if protocol == "in-process":
        return run_json([build / "bin/mlos-bench-inprocess", "--model", path, "--body-file", body,
                         "--settings", '{"threads": 1}', "--requests", requests,
                         "--warmup", warmup])
    if protocol == "grpc":
        return run_json([build / "bin/mlos-bench-grpc", "--address",
                         f"127.0.0.1:{server.grpc_port}", "--model", MODELS[model]["id"],
                         "--input", "input", "--shape", shape, "--requests", requests,
                         "--warmup", warmup])
    address = server.url if protocol == "http" else server.socket
    return run_json([build / "bin/mlos-bench-client", "--transport", protocol, "--address",
                     address, "--model", MODELS[model]["id"], "--input", "input", "--shape", shape,
                     "--requests", requests, "--warmup", warmup])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True, type=pathlib.Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="one repeat of 200 requests")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.requests = 1, 200
    build = args.build.resolve()
    protocols = ["in-process", "http", "grpc", "ipc", "ipc-shm"]

    directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-bench-protocols-"))
    server = None
    try:
        paths = make_models(directory / "models")
        bodies = {name: request_body(directory, name, spec["shape"])
                  for name, spec in MODELS.items()}
        server = Server(build, directory / "home")
        for name, spec in MODELS.items():
            server.register(spec["id"], paths[name])
        runs = {}
        for repeat in range(args.repeat):
            for model in MODELS:
                for protocol in protocols:
                    progress(f"run {repeat + 1}/{args.repeat}: {model} over {protocol}")
                    runs.setdefault((model, protocol), []).append(
                        measure(build, server, model, paths[model], bodies[model], protocol,
                                args.requests))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)

    results = {}
    print(f"\nSequential round trips, {args.requests} requests per run, medians of {args.repeat} "
          f"runs ({os.cpu_count()} cores shared by client and server)\n")
    print(f"{'model':6} {'protocol':11} {'p50 µs':>9} {'p99 µs':>9} {'req/s':>9} {'added p50 µs':>13}")
    for model in MODELS:
        base = statistics.median(run["p50_us"] for run in runs[(model, "in-process")])
        for protocol in protocols:
            figures = {key: statistics.median(run[key] for run in runs[(model, protocol)])
                       for key in ("p50_us", "p99_us", "rps")}
            figures["added_p50_us"] = figures["p50_us"] - base
            results[f"{model}/{protocol}"] = figures
            added = "" if protocol == "in-process" else f"{figures['added_p50_us']:13.1f}"
            print(f"{model:6} {protocol:11} {figures['p50_us']:9.1f} {figures['p99_us']:9.1f} "
                  f"{figures['rps']:9.0f} {added}")
    print("\nGoals (issue 7):")
    for (protocol, model), goal in GOALS_US.items():
        key = f"{model}/{protocol}"
        if key not in results:
            print(f"  {protocol} on {model}: not measured")
            continue
        added = results[key]["added_p50_us"]
        verdict = "met" if added <= goal else "NOT met"
        print(f"  {protocol} adds {added:.1f} µs at p50 on {model} (goal <= {goal:.0f}): {verdict}")
    out = build / "bench-protocols"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
