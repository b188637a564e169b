"""The processes the system test drives: the axon CLI and mlos-core with every front end."""

import subprocess

import harness
import measure

COMMAND_TIMEOUT_S = 1800  # an install of a real-size model from PyTorch Hub converts it


class Axon:
    """The axon CLI with its own AXON_HOME; each call's environment adds a hub's variables."""

    def __init__(self, binary, home, environment):
        self.binary, self.home, self.environment = str(binary), home, environment

    def run(self, *arguments, home=None, environment=None):
        env = dict(self.environment, AXON_HOME=str(home or self.home), **(environment or {}))
        return subprocess.run([self.binary, *map(str, arguments)], env=env, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT_S)

    def check(self, *arguments, home=None, environment=None):
        result = self.run(*arguments, home=home, environment=environment)
        if result.returncode != 0:
            raise RuntimeError(f"`axon {' '.join(map(str, arguments))}` exited with "
                               f"{result.returncode}: {(result.stderr or result.stdout).strip()}")
        return result


class Core:
    """mlos-core with HTTP, gRPC and IPC on free ports, its home under WORK."""

    def __init__(self, build, work, environment):
        self.http_port, self.grpc_port = harness.free_port(), harness.free_port()
        self.socket = work / "mlos.sock"
        self.server = harness.Server(
            build / "bin" / "mlos-core", work / "mlos-home", self.http_port, environment,
            arguments=["--grpc-port", self.grpc_port, "--socket", self.socket,
                       "--plugin-dir", build / "lib" / "plugins", "--keep-alive-s", "-1"],
            front_ends=("http", "grpc", "ipc"))

    def start(self):
        self.server.start()
        return self.server.request("GET", "/stats").json.get("apis", {})

    def memory(self):
        return measure.process_memory(self.server.process.pid)

    def request_duration_us(self, model_id):
        """Cumulative server-side request time of MODEL_ID (queue + compute), from /metrics."""
        labels = harness.model_labels(model_id)
        return self.server.metrics().get(("nv_inference_request_duration_us", labels), 0.0)

    def call(self, method, path):
        reply = self.server.request(method, path, timeout=COMMAND_TIMEOUT_S)
        if reply.status != 200:
            raise RuntimeError(f"{method} {path}: {reply}")
        return reply.json
