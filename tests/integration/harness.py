"""Drives the real MLOS binaries for black-box tests: a server process, its HTTP API, the axon CLI
and the fixture models' reference data (fixtures/make_fixtures.py layout).

Nothing here mocks MLOS: the server is the built `mlos-core`, requests go over TCP, and models are
installed and registered with the built `axon`. Child processes get a scrubbed environment (no
MLOS_*/AXON_* variables from the caller, HOME pointed into the test's temporary directory) so a
developer's own ~/.mlos or ~/.axon is never read or written.
"""

import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.parse

import numpy
import onnx
import onnx.numpy_helper

HEALTH_TIMEOUT_S = 20.0
COMMAND_TIMEOUT_S = 60.0


def free_port():
    """Returns a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quoted_model_id(model_id):
    """`local/mlp@latest` -> `local%2Fmlp%40latest`, as model ids travel in URL paths."""
    return urllib.parse.quote(model_id, safe="")


def scrubbed_environment(home):
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("MLOS_", "AXON_"))}
    environment["HOME"] = str(home)
    environment["OMP_WAIT_POLICY"] = "PASSIVE"
    return environment


class Response:
    """An HTTP reply: status code, raw body and, when the body is JSON, the parsed value."""

    def __init__(self, status, body, headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}  # lower-case names
        try:
            self.json = json.loads(body)
        except ValueError:
            self.json = None

    @property
    def message(self):
        """The error message of a `{"status":"error","message":...}` reply, else the raw body."""
        if isinstance(self.json, dict) and isinstance(self.json.get("message"), str):
            return self.json["message"]
        return self.body.decode(errors="replace")

    def __repr__(self):
        return f"HTTP {self.status}: {self.body[:2000].decode(errors='replace')}"


class Server:
    """One mlos-core process on 127.0.0.1 with its home in a given directory: HTTP only, unless
    FRONT_ENDS also names "grpc" or "ipc" (then ARGUMENTS give --grpc-port/--socket)."""

    def __init__(self, binary, home, port, environment, arguments=(), front_ends=("http",)):
        self.binary = binary
        self.home = pathlib.Path(home)
        self.port = port
        self.environment = environment
        self.arguments = [str(argument) for argument in arguments]  # more mlos-core flags
        self.disabled = [f"--no-{name}" for name in ("grpc", "ipc") if name not in front_ends]
        self.log_path = self.home.parent / f"mlos-core-{port}.log"
        self.process = None

    def start(self):
        """Starts the server and waits until GET /health answers 200; fails with the log if not."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--http-port", str(self.port), "--home", str(self.home),
                 *self.disabled, *self.arguments],
                stdout=log, stderr=subprocess.STDOUT, env=self.environment)
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"mlos-core exited with {self.process.returncode} while "
                                     f"starting; its log:\n{self.log()}")
            try:
                if self.request("GET", "/health", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"mlos-core did not answer GET /health on port {self.port} within "
                             f"{HEALTH_TIMEOUT_S} s; its log:\n{self.log()}")

    def terminate(self):
        """Sends SIGTERM and returns the seconds the server took to exit (killing it after 10)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        return time.monotonic() - started

    def stop(self):
        """SIGTERM; returns (exit status, seconds it took). A negative status is a signal."""
        seconds = self.terminate()
        return self.process.returncode, seconds

    def resident_kib(self):
        """The server's resident memory (VmRSS of /proc/<pid>/status), in KiB."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError(f"no VmRSS in /proc/{self.process.pid}/status")

    def metrics(self):
        """GET /metrics, parsed by parse_prometheus."""
        reply = self.request("GET", "/metrics")
        if reply.status != 200:
            raise AssertionError(f"GET /metrics: {reply}")
        return parse_prometheus(reply.body.decode())

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError as error:
            return f"(no log: {error})"

    def request(self, method, path, body=None, timeout=COMMAND_TIMEOUT_S, headers=None):
        """Sends one request; BODY may be bytes (sent as is) or a value to encode as JSON."""
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = {"Content-Type": "application/json"} if body is not None else {}
            all_headers.update(headers or {})
            connection.request(method, path, body=body, headers=all_headers)
            reply = connection.getresponse()
            reply_headers = {name.lower(): value for name, value in reply.getheaders()}
            return Response(reply.status, reply.read(), reply_headers)
        finally:
            connection.close()

    def infer(self, model_id, body, query=""):
        return self.request("POST", f"/models/{quoted_model_id(model_id)}/inference{query}", body)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


class Axon:
    """The axon CLI with its own AXON_HOME."""

    def __init__(self, binary, home, environment):
        self.binary = binary
        self.environment = dict(environment, AXON_HOME=str(home))

    def run(self, *arguments):
        return subprocess.run([self.binary, *map(str, arguments)], env=self.environment,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)

    def check(self, *arguments):
        """Runs axon and fails with its output unless it exits 0."""
        result = self.run(*arguments)
        if result.returncode != 0:
            raise AssertionError(f"`axon {' '.join(map(str, arguments))}` exited with "
                                 f"{result.returncode}\nstdout:\n{result.stdout}\n"
                                 f"stderr:\n{result.stderr}")
        return result

    def install_and_register(self, fixture_dir, model_id, server):
        self.check("install", fixture_dir, "--as", model_id)
        self.check("register", model_id, "--core", server.url)


def parse_prometheus(text):
    """Prometheus text -> {(metric name, label text): value}; label text as written between the
    braces (`model="t/a",version="1"`), "" for none."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name, _, labels = series.partition("{")
        samples[(name, labels.rstrip("}"))] = float(value)
    return samples


def model_labels(model_id):
    """`t/a@1` -> `model="t/a",version="1"`, the labels /metrics gives a model's samples."""
    name, _, version = model_id.rpartition("@")
    return f'model="{name}",version="{version}"'


def write_echo_model(path, inputs, delay_ms=0, pad_to=0):
    """Writes an echo test plugin model (src/core/testing/echo_plugin.cc): INPUTS is a list of
    (name, datatype, shape). The plugin reports the file size as the model's memory, so PAD_TO
    grows the file to that many bytes (with trailing spaces) for memory budget tests."""
    description = {"inputs": [{"name": name, "datatype": datatype, "shape": list(shape)}
                              for name, datatype, shape in inputs], "delay_ms": delay_ms}
    text = json.dumps(description)
    text += " " * max(0, pad_to - len(text))
    pathlib.Path(path).write_text(text)
    return pathlib.Path(path)


def load_reference(fixture_dir, data_set=0):
    """Returns ({input name: array}, {output name: array}) from test_data_set_<DATA_SET>, in
    graph order."""
    data_dir = pathlib.Path(fixture_dir) / f"test_data_set_{data_set}"

    def read(kind):
        tensors = {}
        for path in sorted(data_dir.glob(f"{kind}_*.pb"), key=lambda p: int(p.stem.split("_")[1])):
            proto = onnx.TensorProto()
            proto.ParseFromString(path.read_bytes())
            tensors[proto.name] = onnx.numpy_helper.to_array(proto)
        if not tensors:
            raise AssertionError(f"no {kind}_*.pb in {data_dir}: run fixtures/make_fixtures.py")
        return tensors

    return read("input"), read("output")


def output_array(reply, name):
    """The output NAME of a successful inference reply, as an array of its declared shape."""
    output = reply.json["outputs"][name]
    data = numpy.asarray(output["data"], dtype=numpy.float64)
    if data.size != int(numpy.prod(output["shape"])):
        raise AssertionError(f"output {name}: shape {output['shape']} but {data.size} values")
    return data.reshape(output["shape"])
