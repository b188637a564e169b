#!/usr/bin/python3
"""MLOS Core's own HTTP API, lifecycle and resource manager, black-box: the real mlos-core on a free
port with a temporary home, real ONNX fixture models (mlp: FP32 input [batch, 16] -> logits
[batch, 4]; tiny_bert: three INT64 inputs) and models of the echo test plugin
(src/core/testing/echo_plugin.cc: JSON descriptions; `delay_ms` makes a slow model, an input named
"fail" fails, memory = file size).

Covered: every MLOS route and its errors (status code and a message naming what was wrong), 503
with Retry-After for full queues and queue timeouts, restart on the same home, eviction by count and
by memory budget, hundreds of concurrent requests with dynamic batching, a load/unload soak with
the server's resident memory, draining on SIGTERM, and the config file / environment settings.
KServe v2 is tests/integration/test_kserve.py's.

Usage:
  test_core_server.py --core BIN --plugin-dir DIR --fixtures DIR [unittest arguments]
  test_core_server.py --core BIN --plugin-dir DIR --asan
    (the ASan build: only the concurrency scenario on echo models, then SIGTERM, exit 0 and no
    sanitizer report in the server's output)
"""

import argparse
import concurrent.futures
import http.client
import json
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy

import harness

RTOL, ATOL = 1e-4, 1e-5
OPTIONS = argparse.Namespace()  # --core, --plugin-dir, --fixtures, --asan; set in __main__
MLP = "local/mlp@1"
VECTOR = [("x", "FP32", [-1, 3])]
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "LeakSanitizer", "runtime error:")


def path_of(model_id):
    return "/models/" + harness.quoted_model_id(model_id)


class ServerCase(unittest.TestCase):
    """Starts servers in a temporary directory, each with the echo plugin, and kills them at the
    end; assertion helpers for replies."""

    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix=f"mlos-core-{cls.__name__}-"))
        cls.servers = []

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers:
            server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    @classmethod
    def start_server(cls, *arguments, home="home", environment=None):
        environment = dict(harness.scrubbed_environment(cls.directory), **(environment or {}))
        server = harness.Server(OPTIONS.core, cls.directory / home, harness.free_port(),
                                environment, ["--plugin-dir", OPTIONS.plugin_dir, *arguments])
        cls.servers.append(server)
        server.start()
        return server

    @classmethod
    def echo_model(cls, name, inputs=VECTOR, **options):
        return harness.write_echo_model(cls.directory / f"{name}.echo", inputs, **options)

    @classmethod
    def register(cls, server, model_id, path, settings=None, load=None):
        body = {"model_id": model_id, "path": str(path)}
        if settings is not None:
            body["settings"] = settings
        if load is not None:
            body["load"] = load
        reply = server.request("POST", "/models/register", body)
        if reply.status != 200:
            raise AssertionError(f"registering {model_id} from {path}: {reply}\n{server.log()}")
        return reply

    def assert_error(self, reply, status, *fragments):
        """REPLY is STATUS with {"status": "error", "message": ...} holding every fragment."""
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.json.get("status") if isinstance(reply.json, dict) else None,
                         "error", reply)
        for fragment in fragments:
            self.assertIn(fragment, reply.message, reply)

    def assert_echo(self, reply, name, rows):
        """REPLY is the echo of input NAME given as ROWS (a nested list of numbers)."""
        self.assertEqual(reply.status, 200, reply)
        output = reply.json["outputs"][f"{name}_echo"]
        self.assertEqual(output["shape"], [len(rows), len(rows[0])], reply)
        self.assertEqual(output["data"], [value for row in rows for value in row], reply)

    def state(self, server, model_id):
        reply = server.request("GET", path_of(model_id))
        self.assertEqual(reply.status, 200, reply)
        return reply.json["state"]

    def wait_for_state(self, server, model_id, state, seconds):
        deadline = time.monotonic() + seconds
        while self.state(server, model_id) != state:
            if time.monotonic() > deadline:
                self.fail(f"{model_id} is {self.state(server, model_id)}, not {state}, "
                          f"{seconds} s on")
            time.sleep(0.05)

    def settings(self, server, model_id):
        reply = server.request("GET", path_of(model_id))
        self.assertEqual(reply.status, 200, reply)
        return reply.json["settings"]

    def wait_until_pending(self, server, model_id, count):
        """Waits until COUNT requests are queued or running on the model (or fails after 10 s)."""
        deadline = time.monotonic() + 10
        while self.metric(server, "nv_inference_pending_request_count", model_id) < count:
            self.assertLess(time.monotonic(), deadline, f"{count} requests never reached {model_id}")
            time.sleep(0.02)

    def metric(self, server, name, model_id=None):
        labels = harness.model_labels(model_id) if model_id else ""
        samples = server.metrics()
        self.assertIn((name, labels), samples, f"no {name}{{{labels}}} in /metrics")
        return samples[(name, labels)]

    def stop_cleanly(self, server, within_s):
        code, seconds = server.stop()
        self.assertEqual(code, 0, f"mlos-core exited with {code}; its log:\n{server.log()}")
        self.assertLess(seconds, within_s, f"SIGTERM took {seconds:.2f} s")
        self.assert_no_sanitizer_report(server)
        return seconds

    def assert_no_sanitizer_report(self, server):
        log = server.log()
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, log, f"a sanitizer reported; mlos-core's output:\n{log}")


def concurrently(calls, workers):
    """Runs the zero-argument CALLS on WORKERS threads started together; their results in order."""
    barrier = threading.Barrier(min(workers, len(calls)))

    def run(call):
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        return call()

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))


def fixture(name):
    return pathlib.Path(OPTIONS.fixtures) / name


# --- 1. every route and its errors -------------------------------------------------------------

class ApiTest(ServerCase):
    MAX_REQUEST_BYTES = 65536

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.server = cls.start_server("--max-request-bytes", cls.MAX_REQUEST_BYTES)
            cls.vector_path = cls.echo_model("vector")
            cls.register(cls.server, "t/vec@1", cls.vector_path)
            cls.register(cls.server, MLP, fixture("mlp") / "model.onnx")
        except BaseException:
            cls.tearDownClass()
            raise
        cls.mlp_inputs, cls.mlp_outputs = harness.load_reference(fixture("mlp"))

    def infer_vector(self, rows):
        return self.server.infer("t/vec@1", {"x": rows})

    def test_health(self):
        reply = self.server.request("GET", "/health")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["status"], "healthy")
        self.assertEqual(reply.json["service"], "mlos-core")
        self.assertIn("mlos-http", reply.json["apis"])
        self.assertTrue({"onnx", "echo"} <= set(reply.json["plugins"]), reply)
        self.assertGreaterEqual(reply.json["models"], 2)
        self.assertIsInstance(reply.json["uptime_s"], int)
        self.assertIn("version", reply.json)

    def test_stats(self):
        self.assert_echo(self.infer_vector([[1, 2, 3]]), "x", [[1, 2, 3]])
        reply = self.server.request("GET", "/stats")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["status"], "success")
        model = reply.json["models"]["t/vec@1"]
        self.assertEqual(model["state"], "ready")
        self.assertGreaterEqual(model["stats"]["success"], 1)
        self.assertGreaterEqual(reply.json["inference"]["success"], model["stats"]["success"])
        self.assertGreater(reply.json["http"]["requests"], 0)
        self.assertGreaterEqual(reply.json["models_registered"], 2)
        resources = reply.json["resources"]
        self.assertGreater(resources["memory_budget_bytes"], 0)  # default 75% of memory
        self.assertGreaterEqual(resources["loaded_models"], 1)
        self.assertGreater(resources["resident_bytes"], 0)

    def test_stats_totals_add_up_the_models(self):
        self.assert_echo(self.infer_vector([[1, 2, 3]]), "x", [[1, 2, 3]])
        reply = self.server.request("GET", "/stats")
        self.assertEqual(reply.status, 200, reply)
        for key in ("success", "failure", "executions", "loads", "unloads", "load_failures"):
            models_total = sum(model["stats"][key] for model in reply.json["models"].values())
            self.assertEqual(reply.json["inference"][key], models_total,
                             f"/stats inference.{key} is not the sum over the models: {reply}")

    def test_metrics(self):
        self.assert_echo(self.infer_vector([[4, 5, 6]]), "x", [[4, 5, 6]])
        reply = self.server.request("GET", "/metrics")
        self.assertEqual(reply.status, 200, reply)
        self.assertTrue(reply.headers["content-type"].startswith("text/plain; version=0.0.4"),
                        reply.headers)
        samples = harness.parse_prometheus(reply.body.decode())
        labels = harness.model_labels("t/vec@1")
        self.assertGreaterEqual(samples[("nv_inference_request_success", labels)], 1)
        self.assertEqual(samples[("mlos_model_loaded", labels)], 1)
        self.assertGreater(samples[("mlos_model_memory_bytes", labels)], 0)
        self.assertIn(("mlos_memory_budget_bytes", ""), samples)
        self.assertGreater(samples[("mlos_http_requests_total", 'class="2xx"')], 0)
        self.assertIn("# TYPE nv_inference_count counter", reply.body.decode())

    def test_plugins(self):
        reply = self.server.request("GET", "/plugins")
        self.assertEqual(reply.status, 200, reply)
        plugins = {plugin["id"]: plugin for plugin in reply.json["plugins"]}
        self.assertEqual(reply.json["count"], len(plugins))
        self.assertEqual(plugins["echo"]["execution_formats"], ["echo"])
        self.assertEqual(plugins["onnx"]["origin"], "built-in")
        library = plugins["echo"]["origin"]
        register = "/plugins/register"
        self.assert_error(self.server.request("POST", register, {"path": library}), 409,
                          "'echo'", "already")
        self.assert_error(self.server.request("POST", register, {"id": "echo", "path": library}),
                          409, "plugin 'echo' is already loaded")
        missing = str(self.directory / "libnothing.so")
        self.assert_error(self.server.request("POST", register, {"path": missing}), 400, missing)
        self.assert_error(self.server.request("POST", register, {"id": "x"}), 400,
                          '"path" is required')
        self.assert_error(self.server.request("POST", register, {"path": 5}), 400,
                          '"path" must be a string')
        self.assert_error(self.server.request("POST", register, b"{oops"), 400, "not valid JSON")
        reply = self.server.request("GET", register)
        self.assert_error(reply, 405, "GET is not allowed on /plugins/register")
        self.assertEqual(reply.headers.get("allow"), "POST")

    def test_register_list_describe_delete(self):
        path = self.echo_model("registered", [("r", "INT64", [-1, 2])])
        settings = {"max_batch_size": 4, "instances": 2, "keep_alive_s": 60, "threads": 3}
        reply = self.register(self.server, "t/reg@1", path, settings)
        self.assertEqual(reply.json["message"], "model t/reg@1 registered")
        self.assertEqual(reply.json["plugin_id"], "echo")
        self.assertEqual(reply.json["inference_endpoint"], "/models/t%2Freg%401/inference")
        again = self.register(self.server, "t/reg@1", path)
        self.assertEqual(again.json["message"], "model t/reg@1 is already registered")

        listed = self.server.request("GET", "/models")
        self.assertEqual(listed.status, 200, listed)
        models = {model["id"]: model for model in listed.json["models"]}
        self.assertEqual(listed.json["count"], len(models))
        self.assertTrue({"t/reg@1", "t/vec@1", MLP} <= set(models), listed)
        model = models["t/reg@1"]
        self.assertEqual(model["state"], "unloaded")
        self.assertEqual(model["plugin"], "echo")
        self.assertEqual(model["inputs"], [{"name": "r", "datatype": "INT64", "shape": [-1, 2]}])
        self.assertEqual(model["outputs"],
                         [{"name": "r_echo", "datatype": "INT64", "shape": [-1, 2]}])
        expected = dict(settings, max_queue=128, max_queue_delay_us=0, timeout_ms=0, load=False)
        self.assertEqual(model["settings"], expected)
        self.assertEqual(model["memory_bytes"], 0)
        self.assertIsNone(model["last_used"])

        for path_form in (path_of("t/reg@1"), "/models/t/reg@1"):
            described = self.server.request("GET", path_form)
            self.assertEqual(described.status, 200, described)
            self.assertEqual(described.json["status"], "success")
            self.assertEqual(described.json["id"], "t/reg@1")
            self.assertEqual(described.json["settings"], expected)

        reply = self.server.infer("t/reg@1", {"r": [[7, -8], [9, 10]]})
        self.assert_echo(reply, "r", [[7, -8], [9, 10]])
        self.assertEqual(reply.json["outputs"]["r_echo"]["datatype"], "INT64")

        deleted = self.server.request("DELETE", path_of("t/reg@1"))
        self.assertEqual(deleted.status, 200, deleted)
        self.assertEqual(deleted.json["message"], "model t/reg@1 unregistered")
        self.assert_error(self.server.request("GET", path_of("t/reg@1")), 404, "'t/reg@1'")
        self.assert_error(self.server.request("DELETE", path_of("t/reg@1")), 404, "'t/reg@1'")
        self.assert_error(self.server.infer("t/reg@1", {"r": [[1, 2]]}), 404, "'t/reg@1'")
        ids = [model["id"] for model in self.server.request("GET", "/models").json["models"]]
        self.assertNotIn("t/reg@1", ids)
        # Once deleted, the id may be registered again from another path.
        other = self.echo_model("registered_again")
        self.register(self.server, "t/reg@1", other)
        self.assertEqual(self.server.request("GET", path_of("t/reg@1")).json["path"], str(other))

    def test_registration_errors(self):
        register = "/models/register"
        self.assert_error(self.server.request("POST", register, b'{"model_id": '), 400,
                          "not valid JSON")
        self.assert_error(self.server.request("POST", register, [1]), 400,
                          "must be a JSON object, got array")
        self.assert_error(self.server.request("POST", register, {"path": str(self.vector_path)}),
                          400, '"model_id" is required')
        self.assert_error(
            self.server.request("POST", register, {"model_id": "t/s@1", "path": str(
                self.vector_path), "settings": [1]}), 400, '"settings" must be a JSON object')
        self.assert_error(
            self.server.request("POST", register, {"model_id": "t/s@1", "path": str(
                self.vector_path), "settings": {"instances": 0}}), 400, "instances")
        self.assert_error(
            self.server.request("POST", register, {"model_id": "t/s@1", "path": str(
                self.vector_path), "settings": {"max_queue": "many"}}), 400, "max_queue")
        missing = str(self.directory / "missing.echo")
        self.assert_error(self.server.request("POST", register,
                                              {"model_id": "t/m@1", "path": missing}), 400, missing)
        corrupt = self.directory / "corrupt.echo"
        corrupt.write_text("not json at all")
        self.assert_error(self.server.request("POST", register,
                                              {"model_id": "t/c@1", "path": str(corrupt)}),
                          400, str(corrupt))
        other = self.echo_model("other")
        self.assert_error(self.server.request("POST", register,
                                              {"model_id": "t/vec@1", "path": str(other)}),
                          409, "'t/vec@1'", str(self.vector_path), str(other))
        self.assert_error(self.server.request("POST", register,
                                              {"model_id": "no id!", "path": str(other)}),
                          400, "no id!")
        for model_id in ("t/s@1", "t/m@1", "t/c@1"):
            self.assert_error(self.server.request("GET", path_of(model_id)), 404, model_id)
        reply = self.server.request("GET", register)
        self.assert_error(reply, 405, "use POST")
        self.assertEqual(reply.headers.get("allow"), "POST")

    def test_load_and_unload(self):
        path = self.echo_model("lifecycle")
        self.register(self.server, "t/life@1", path)
        self.assertEqual(self.state(self.server, "t/life@1"), "unloaded")
        reply = self.server.request("POST", path_of("t/life@1") + "/load")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["state"], "ready")
        self.assertEqual(reply.json["message"], "model t/life@1 loaded")
        self.assertEqual(self.state(self.server, "t/life@1"), "ready")
        self.assertGreater(self.server.request("GET", path_of("t/life@1")).json["memory_bytes"], 0)
        reply = self.server.request("POST", path_of("t/life@1") + "/unload")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["state"], "unloaded")
        self.assertEqual(self.state(self.server, "t/life@1"), "unloaded")
        reply = self.server.request("POST", path_of("t/life@1") + "/unload")  # already: fine
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(self.metric(self.server, "mlos_model_loads_total", "t/life@1"), 1)
        self.assertEqual(self.metric(self.server, "mlos_model_unloads_total", "t/life@1"), 1)
        self.assert_error(self.server.request("POST", path_of("t/none@1") + "/load"), 404,
                          "'t/none@1'")
        self.assert_error(self.server.request("POST", path_of("t/none@1") + "/unload"), 404,
                          "'t/none@1'")
        reply = self.server.request("GET", path_of("t/life@1") + "/load")
        self.assert_error(reply, 405, "use POST")
        self.assertEqual(reply.headers.get("allow"), "POST")

    def test_delete_waits_for_the_request_in_flight(self):
        path = self.echo_model("deleted_slow", [("x", "FP32", [-1, 1])], delay_ms=600)
        self.register(self.server, "t/gone@1", path, load=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self.server.infer, "t/gone@1", {"x": [[7]]})
            self.wait_until_pending(self.server, "t/gone@1", 1)
            deleted = self.server.request("DELETE", path_of("t/gone@1"))
            reply = pending.result(timeout=10)
        self.assertEqual(deleted.status, 200, deleted)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["outputs"]["x_echo"]["data"], [7])
        self.assert_error(self.server.infer("t/gone@1", {"x": [[7]]}), 404, "'t/gone@1'")

    def test_a_failed_load_is_a_500_naming_the_file_and_the_next_use_retries(self):
        path = self.echo_model("vanishing")
        self.register(self.server, "t/vanish@1", path)
        path.rename(path.with_suffix(".away"))
        reply = self.server.infer("t/vanish@1", {"x": [[1, 2, 3]]})
        self.assert_error(reply, 500, "'t/vanish@1'", str(path), "'echo'")
        described = self.server.request("GET", path_of("t/vanish@1")).json
        self.assertEqual(described["state"], "failed", described)
        self.assertIn(str(path), described["failure"])
        self.assertEqual(self.metric(self.server, "mlos_model_load_failures_total", "t/vanish@1"),
                         1)
        path.with_suffix(".away").rename(path)
        self.assert_echo(self.server.infer("t/vanish@1", {"x": [[1, 2, 3]]}), "x", [[1, 2, 3]])
        self.assertEqual(self.state(self.server, "t/vanish@1"), "ready")

    def test_unload_waits_for_the_request_in_flight(self):
        path = self.echo_model("unloaded_slow", [("x", "FP32", [-1, 1])], delay_ms=600)
        self.register(self.server, "t/busy@1", path, load=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self.server.infer, "t/busy@1", {"x": [[3]]})
            self.wait_until_pending(self.server, "t/busy@1", 1)
            unloaded = self.server.request("POST", path_of("t/busy@1") + "/unload")
            reply = pending.result(timeout=10)
        self.assertEqual((unloaded.status, unloaded.json["state"]), (200, "unloaded"), unloaded)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["outputs"]["x_echo"]["data"], [3])

    def test_a_request_larger_than_max_batch_size_runs_whole(self):
        path = self.echo_model("small_batches")
        self.register(self.server, "t/batch2@1", path, {"max_batch_size": 2})
        rows = [[i, i + 0.25, -i] for i in range(5)]
        self.assert_echo(self.server.infer("t/batch2@1", {"x": rows}), "x", rows)

    def test_concurrent_first_requests_load_the_model_once(self):
        path = self.echo_model("once_loaded", [("x", "FP32", [-1, 1])], delay_ms=20)
        self.register(self.server, "t/first@1", path)
        replies = concurrently(
            [lambda i=i: self.server.infer("t/first@1", {"x": [[i]]}) for i in range(16)], 16)
        for i, reply in enumerate(replies):
            self.assert_echo(reply, "x", [[i]])
        self.assertEqual(self.metric(self.server, "mlos_model_loads_total", "t/first@1"), 1)

    def test_inference_matches_the_reference(self):
        reply = self.server.infer(MLP, {"input": self.mlp_inputs["input"].tolist()})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["model_id"], MLP)
        self.assertEqual(reply.json["model_version"], "1")
        numpy.testing.assert_allclose(harness.output_array(reply, "logits"),
                                      self.mlp_outputs["logits"], rtol=RTOL, atol=ATOL)
        self.assertEqual(reply.json["output_size"], self.mlp_outputs["logits"].nbytes)
        tensor = {"inputs": {"input": {"shape": [2, 16], "datatype": "FP32",
                                       "data": self.mlp_inputs["input"].flatten().tolist()}}}
        reply = self.server.request("POST", "/models/local/mlp@1/inference", tensor)
        numpy.testing.assert_allclose(harness.output_array(reply, "logits"),
                                      self.mlp_outputs["logits"], rtol=RTOL, atol=ATOL)
        reply = self.server.infer(MLP, tensor, query="?include_outputs=false")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["outputs"]["logits"]["shape"], [2, 4])
        self.assertNotIn("data", reply.json["outputs"]["logits"])
        self.assert_echo(self.infer_vector([[0.5, -1, 2], [3, 4, 5]]), "x",
                         [[0.5, -1, 2], [3, 4, 5]])

    def test_inference_errors(self):
        self.assert_error(self.server.infer("t/vec@1", b'{"x": [[1, 2, 3]'), 400, "not valid JSON")
        self.assert_error(self.infer_vector([["one", 2, 3]]), 400, "model 't/vec@1'",
                          "input 'x'", "FP32", '"one" is not a number')
        self.assert_error(self.infer_vector([[1, 2]]), 400, "input 'x'", "[1, 2]", "[-1, 3]")
        self.assert_error(self.infer_vector([[1, 2, 3], [4, 5]]), 400, "input 'x'", "ragged")
        self.assert_error(self.server.infer("t/vec@1", {"y": [[1, 2, 3]]}), 400,
                          "unknown input 'y'", "x (FP32 [-1, 3])")
        self.assert_error(self.server.infer("t/vec@1", {}), 400, "missing input", "x (FP32")
        self.assert_error(self.server.infer(MLP, {"input": [[1.0] * 15]}), 400, "model 'local/mlp@1'",
                          "input 'input'", "[1, 15]", "[-1, 16]")
        self.assert_error(self.server.infer("t/none@1", {"x": [[1, 2, 3]]}), 404,
                          "model 't/none@1' is not registered")
        reply = self.server.request("GET", path_of("t/vec@1") + "/inference")
        self.assert_error(reply, 405, "GET is not allowed", "use POST")
        self.assertEqual(reply.headers.get("allow"), "POST")
        self.assert_echo(self.infer_vector([[1, 2, 3]]), "x", [[1, 2, 3]])  # still serving

    def test_a_tensor_object_of_another_datatype_is_a_400(self):
        # The model's input is FP32; a tensor object that says it holds INT64 is refused naming
        # both, as KServe v2 refuses it, rather than converted silently.
        reply = self.server.infer(MLP, {"input": {"datatype": "INT64", "data": [1] * 16}})
        self.assert_error(reply, 400, "input 'input'", "INT64", "FP32")

    def test_a_non_finite_number_is_a_400(self):
        # 1e999 overflows a double: the JSON parser refuses it, which must be a client error
        # naming the number, not an internal error.
        reply = self.server.infer("t/vec@1", b'{"x": [[1e999, 2, 3]]}')
        self.assert_error(reply, 400, "1e999")
        reply = self.server.request("POST", "/models/register",
                                    b'{"model_id": "t/n@1", "path": "x", "settings": '
                                    b'{"timeout_ms": 1e999}}')
        self.assert_error(reply, 400, "1e999")

    def test_unknown_routes_and_methods(self):
        self.assert_error(self.server.request("GET", "/nothing"), 404, "no route for GET /nothing")
        self.assert_error(self.server.request("GET", "/models/t%2Fvec%401/explode"), 404)
        self.assert_error(self.server.request("GET", "/models/%zz"), 400, "model id in the path")
        for route, allowed in (("/health", "GET"), ("/stats", "GET"), ("/metrics", "GET"),
                               ("/models", "GET"), ("/plugins", "GET"),
                               (path_of("t/vec@1"), "GET, DELETE")):
            with self.subTest(route=route):
                reply = self.server.request("POST" if allowed != "GET, DELETE" else "PUT", route,
                                            {})
                self.assert_error(reply, 405, f"use {allowed}")
                self.assertEqual(reply.headers.get("allow"), allowed)

    def test_a_body_over_max_request_bytes_is_a_413(self):
        body = json.dumps({"x": [[1.0, 2.0, 3.0]] * 8000}).encode()
        self.assertGreater(len(body), self.MAX_REQUEST_BYTES)
        reply = self.server.infer("t/vec@1", body)
        self.assert_error(reply, 413, str(self.MAX_REQUEST_BYTES), "max_request_bytes")
        self.assert_echo(self.infer_vector([[1, 2, 3]]), "x", [[1, 2, 3]])

    def test_a_failing_model_is_a_500_with_the_plugins_message(self):
        path = self.echo_model("failing", [("fail", "FP32", [-1, 1])])
        self.register(self.server, "t/fail@1", path)
        reply = self.server.infer("t/fail@1", {"fail": [[1]]})
        self.assert_error(reply, 500, "the echo plugin was asked to fail")
        self.assertEqual(self.metric(self.server, "nv_inference_request_failure", "t/fail@1"), 1)

    def test_a_full_queue_is_a_503_with_retry_after(self):
        for max_queue, sent in ((0, 3), (1, 4)):
            with self.subTest(max_queue=max_queue):
                model_id = f"t/slow{max_queue}@1"
                path = self.echo_model(f"slow{max_queue}", [("x", "FP32", [-1, 1])],
                                       delay_ms=1200)
                self.register(self.server, model_id, path,
                              {"max_queue": max_queue, "instances": 1}, load=True)
                self.assertEqual(self.state(self.server, model_id), "ready")
                replies = concurrently(
                    [lambda i=i: self.server.infer(model_id, {"x": [[i]]}) for i in range(sent)],
                    sent)
                answered = [reply for reply in replies if reply.status == 200]
                refused = [reply for reply in replies if reply.status != 200]
                self.assertEqual(len(answered), max_queue + 1, replies)
                for reply in refused:
                    self.assert_error(reply, 503, f"'{model_id}'", f"max_queue {max_queue}")
                    self.assertEqual(reply.headers.get("retry-after"), "1", reply.headers)
                for reply in answered:
                    self.assertEqual(len(reply.json["outputs"]["x_echo"]["data"]), 1)

    def test_a_request_queued_past_timeout_ms_is_a_503(self):
        path = self.echo_model("slow_timeout", [("x", "FP32", [-1, 1])], delay_ms=800)
        self.register(self.server, "t/timeout@1", path,
                      {"timeout_ms": 150, "instances": 1, "max_queue": 8}, load=True)
        replies = concurrently(
            [lambda i=i: self.server.infer("t/timeout@1", {"x": [[i]]}) for i in range(3)], 3)
        self.assertEqual(sorted(reply.status for reply in replies), [200, 503, 503], replies)
        for reply in replies:
            if reply.status == 503:
                self.assert_error(reply, 503, "'t/timeout@1'", "timeout_ms 150")
                self.assertEqual(reply.headers.get("retry-after"), "1", reply.headers)


# --- 2. restart on the same home -----------------------------------------------------------------

class RestartTest(ServerCase):
    def test_models_and_settings_survive_a_restart(self):
        server = self.start_server()
        path = self.echo_model("kept")
        settings = {"max_batch_size": 4, "keep_alive_s": 120, "threads": 2}
        self.register(server, "t/kept@1", path, settings)
        self.register(server, MLP, fixture("mlp") / "model.onnx")
        self.register(server, "t/eager@1", self.echo_model("eager"), {"load": True})
        inputs, outputs = harness.load_reference(fixture("mlp"))
        self.assert_echo(server.infer("t/kept@1", {"x": [[1, 2, 3]]}), "x", [[1, 2, 3]])
        self.assertEqual(server.infer(MLP, {"input": inputs["input"].tolist()}).status, 200)
        seconds = self.stop_cleanly(server, within_s=2.0)
        print(f"\nidle SIGTERM: exit 0 after {seconds:.3f} s", file=sys.stderr)

        server = self.start_server()  # same home, new port
        listed = server.request("GET", "/models")
        self.assertEqual(listed.status, 200, listed)
        models = {model["id"]: model for model in listed.json["models"]}
        self.assertEqual(set(models), {"t/kept@1", MLP, "t/eager@1"})
        for model_id in ("t/kept@1", MLP):
            self.assertEqual(models[model_id]["state"], "unloaded", models[model_id])
        # "load": true in its settings: loaded at start-up, without a request.
        self.wait_for_state(server, "t/eager@1", "ready", 5.0)
        for key, value in settings.items():
            self.assertEqual(models["t/kept@1"]["settings"][key], value, models["t/kept@1"])
        self.assertEqual(models[MLP]["inputs"],
                         [{"name": "input", "datatype": "FP32", "shape": [-1, 16]}])

        self.assert_echo(server.infer("t/kept@1", {"x": [[4, 5, 6]]}), "x", [[4, 5, 6]])
        reply = server.infer(MLP, {"input": inputs["input"].tolist()})
        self.assertEqual(reply.status, 200, reply)
        numpy.testing.assert_allclose(harness.output_array(reply, "logits"), outputs["logits"],
                                      rtol=RTOL, atol=ATOL)
        for model_id in ("t/kept@1", MLP):
            self.assertEqual(self.state(server, model_id), "ready")
            self.assertEqual(self.metric(server, "mlos_model_loads_total", model_id), 1)
        self.stop_cleanly(server, within_s=2.0)


# --- 3. eviction -----------------------------------------------------------------------------------

class EvictionTest(ServerCase):
    MODEL_BYTES = 1000

    def check_least_recently_used_is_evicted(self, server):
        for name in "abc":
            path = self.echo_model(f"evict_{name}_{server.port}", [(name, "FP32", [-1, 2])],
                                   pad_to=self.MODEL_BYTES)
            self.register(server, f"t/{name}@1", path)
        base = {name: self.metric(server, "mlos_model_unloads_total", f"t/{name}@1")
                for name in "abc"}

        def use(name, value):
            self.assert_echo(server.infer(f"t/{name}@1", {name: [[value, -value]]}), name,
                             [[value, -value]])

        use("a", 1)
        use("b", 2)
        use("a", 3)  # b is now the least recently used
        use("c", 4)
        states = {name: self.state(server, f"t/{name}@1") for name in "abc"}
        self.assertEqual(states, {"a": "ready", "b": "unloaded", "c": "ready"}, server.log())
        unloads = {name: self.metric(server, "mlos_model_unloads_total", f"t/{name}@1") - base[name]
                   for name in "abc"}
        self.assertEqual(unloads, {"a": 0, "b": 1, "c": 0})
        self.assertEqual(self.metric(server, "mlos_loaded_models"), 2)
        use("b", 5)  # a (used before c) goes
        states = {name: self.state(server, f"t/{name}@1") for name in "abc"}
        self.assertEqual(states, {"a": "unloaded", "b": "ready", "c": "ready"}, server.log())
        self.assertEqual(self.metric(server, "mlos_model_unloads_total", "t/a@1") - base["a"], 1)

    def test_max_loaded_models(self):
        server = self.start_server("--max-loaded-models", 2, home="count")
        self.check_least_recently_used_is_evicted(server)
        self.stop_cleanly(server, within_s=2.0)

    def test_a_model_in_use_is_waited_for_not_evicted(self):
        server = self.start_server("--max-loaded-models", 1, home="busy")
        slow = self.echo_model("evict_slow", [("x", "FP32", [-1, 1])], delay_ms=800)
        self.register(server, "t/slow@1", slow, load=True)
        self.register(server, "t/next@1", self.echo_model("evict_next"))
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(server.infer, "t/slow@1", {"x": [[5]]})
            self.wait_until_pending(server, "t/slow@1", 1)
            started = time.monotonic()
            reply = server.infer("t/next@1", {"x": [[1, 2, 3]]})
            waited = time.monotonic() - started
            slow_reply = pending.result(timeout=10)
        self.assertEqual(slow_reply.status, 200, slow_reply)  # not unloaded under its request
        self.assertEqual(slow_reply.json["outputs"]["x_echo"]["data"], [5])
        self.assert_echo(reply, "x", [[1, 2, 3]])
        self.assertGreater(waited, 0.3, "t/next@1 loaded while t/slow@1 was still running")
        self.assertEqual(self.state(server, "t/slow@1"), "unloaded")
        self.stop_cleanly(server, within_s=2.0)

    def test_memory_budget_in_bytes(self):
        budget = int(self.MODEL_BYTES * 2.5)
        server = self.start_server("--memory-budget", budget, home="memory")
        stats = server.request("GET", "/stats").json
        self.assertEqual(stats["resources"]["memory_budget_bytes"], budget)
        self.check_least_recently_used_is_evicted(server)
        self.assertLessEqual(self.metric(server, "mlos_memory_used_bytes"), budget)
        # A model larger than the whole budget is refused (503) without evicting anything.
        path = self.echo_model("evict_huge", [("h", "FP32", [-1, 1])], pad_to=budget + 500)
        self.register(server, "t/huge@1", path)
        reply = server.infer("t/huge@1", {"h": [[1]]})
        self.assert_error(reply, 503, "'t/huge@1'", "memory budget")
        self.assertEqual(reply.headers.get("retry-after"), "1", reply.headers)
        states = {name: self.state(server, f"t/{name}@1") for name in "abc"}
        self.assertEqual(states, {"a": "unloaded", "b": "ready", "c": "ready"})
        self.stop_cleanly(server, within_s=2.0)


# --- 4. concurrency and batching ---------------------------------------------------------------

def echo_scenario(case, server, requests, workers):
    """Registers echo models (one batching, one with two instances, one INT64), sends REQUESTS
    inferences over WORKERS threads, checks every reply is its own echo, and that the batching
    model ran fewer executions than inferences. Returns the number of requests sent."""
    models = {
        "t/batched@1": ({"max_batch_size": 16, "max_queue_delay_us": 5000}, "FP32", 10),
        "t/parallel@1": ({"instances": 2}, "FP32", 2),
        "t/ints@1": ({}, "INT64", 0),
    }
    for model_id, (settings, datatype, delay_ms) in models.items():
        name = model_id.split("/")[1].split("@")[0]
        path = case.echo_model(f"concurrent_{name}", [("v", datatype, [-1, 3])], delay_ms=delay_ms)
        case.register(server, model_id, path, settings)
    ids = list(models)

    def call(i):
        model_id = ids[i % len(ids)]
        rows = [[i, i * 2 + (0.5 if models[model_id][1] == "FP32" else 0), -j]
                for j in range(1 + i % 3)]
        return model_id, rows, server.infer(model_id, {"v": rows})

    results = concurrently([lambda i=i: call(i) for i in range(requests)], workers)
    for model_id, rows, reply in results:
        case.assert_echo(reply, "v", rows)
        case.assertEqual(reply.json["model_id"], model_id)
    samples = server.metrics()
    for model_id in ids:
        sent = sum(1 for result in results if result[0] == model_id)
        labels = harness.model_labels(model_id)
        case.assertEqual(samples[("nv_inference_request_success", labels)], sent, model_id)
        case.assertEqual(samples[("nv_inference_request_failure", labels)], 0, model_id)
    labels = harness.model_labels("t/batched@1")
    executions = samples[("nv_inference_exec_count", labels)]
    inferences = samples[("nv_inference_count", labels)]
    print(f"\nt/batched@1: {inferences:.0f} inferences in {executions:.0f} executions",
          file=sys.stderr)
    case.assertLess(executions, inferences, "no dynamic batching happened on t/batched@1")
    return requests


class ConcurrencyTest(ServerCase):
    def test_hundreds_of_parallel_requests_over_several_models(self):
        server = self.start_server("--worker-threads", 4)
        inputs, outputs = harness.load_reference(fixture("mlp"))
        bert_inputs, bert_outputs = harness.load_reference(fixture("tiny_bert"))
        mlp_path = fixture("mlp") / "model.onnx"
        self.register(server, "local/mlp@batched", mlp_path,
                      {"max_batch_size": 8, "max_queue_delay_us": 2000, "threads": 1})
        self.register(server, "local/mlp@plain", mlp_path, {"threads": 1})
        self.register(server, "local/tiny_bert@1", fixture("tiny_bert") / "model.onnx",
                      {"instances": 2, "threads": 1})

        def call_mlp(i):
            model_id = "local/mlp@batched" if i % 2 else "local/mlp@plain"
            rows = [i % 2] if i % 3 else [0, 1]
            reply = server.infer(model_id, {"input": inputs["input"][rows].tolist()})
            return model_id, rows, reply

        def call_bert(i):
            row = i % 2
            body = {name: array[row:row + 1].tolist() for name, array in bert_inputs.items()}
            return "local/tiny_bert@1", [row], server.infer("local/tiny_bert@1", body)

        calls = [lambda i=i: call_bert(i) if i % 10 == 0 else call_mlp(i) for i in range(240)]
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            echo = pool.submit(echo_scenario, self, server, 200, 24)  # at the same time
            results = concurrently(calls, 24)
            echo.result()
        print(f"\n440 requests over 6 models in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
        for model_id, rows, reply in results:
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.json["model_id"], model_id)
            if model_id.startswith("local/mlp"):
                numpy.testing.assert_allclose(harness.output_array(reply, "logits"),
                                              outputs["logits"][rows], rtol=RTOL, atol=ATOL)
            else:
                for name, expected in bert_outputs.items():
                    numpy.testing.assert_allclose(harness.output_array(reply, name),
                                                  expected[rows], rtol=RTOL, atol=1e-4)
        samples = server.metrics()
        labels = harness.model_labels("local/mlp@batched")
        print(f"local/mlp@batched: {samples[('nv_inference_count', labels)]:.0f} inferences in "
              f"{samples[('nv_inference_exec_count', labels)]:.0f} executions", file=sys.stderr)
        self.assertEqual(sum(1 for result in results if result[0] == "local/mlp@batched"),
                         samples[("nv_inference_request_success", labels)])
        self.stop_cleanly(server, within_s=5.0)


class AsanServerTest(ServerCase):
    """The concurrency scenario against a sanitizer build: exit 0 and a clean report."""

    def test_concurrency_under_asan(self):
        server = self.start_server(
            "--worker-threads", 4,
            environment={"ASAN_OPTIONS": "detect_leaks=1",
                         "UBSAN_OPTIONS": "print_stacktrace=1"})
        echo_scenario(self, server, 240, 24)
        # The failure and lifecycle paths too: a failing model, a refused request, load/unload.
        self.register(server, "t/fail@1", self.echo_model("asan_fail", [("fail", "FP32", [1])]))
        self.assertEqual(server.infer("t/fail@1", {"fail": [1]}).status, 500)
        self.assertEqual(server.infer("t/batched@1", {"v": [["x", 1, 2]]}).status, 400)
        for _ in range(5):
            self.assertEqual(server.request("POST", path_of("t/ints@1") + "/unload").status, 200)
            self.assertEqual(server.request("POST", path_of("t/ints@1") + "/load").status, 200)
        self.assertEqual(server.request("DELETE", path_of("t/parallel@1")).status, 200)
        # Full queue, queue timeout and keep_alive 0 on a slow model.
        slow = self.echo_model("asan_slow", [("x", "FP32", [-1, 1])], delay_ms=300)
        self.register(server, "t/slow@1", slow,
                      {"max_queue": 2, "timeout_ms": 200, "keep_alive_s": 0}, load=True)
        replies = concurrently(
            [lambda i=i: server.infer("t/slow@1", {"x": [[i]]}) for i in range(6)], 6)
        self.assertIn(200, [reply.status for reply in replies], replies)
        self.assertEqual({reply.status for reply in replies} - {200, 503}, set(), replies)
        self.wait_for_state(server, "t/slow@1", "unloaded", 5.0)
        # SIGTERM with a request in flight: answered, then exit 0 with a clean report.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(server.infer, "t/slow@1", {"x": [[9]]})
            self.wait_until_pending(server, "t/slow@1", 1)
            self.stop_cleanly(server, within_s=10.0)
            self.assertEqual(pending.result(timeout=10).status, 200)


# --- 5. load/unload soak -------------------------------------------------------------------------

class SoakTest(ServerCase):
    CYCLES = 1000

    def test_load_unload_cycles_do_not_grow_memory(self):
        server = self.start_server()
        inputs, outputs = harness.load_reference(fixture("mlp"))
        self.register(server, MLP, fixture("mlp") / "model.onnx", {"threads": 1})
        body = json.dumps({"input": inputs["input"].tolist()}).encode()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)

        def call(method, path, payload=None):
            connection.request(method, path, body=payload,
                               headers={"Content-Type": "application/json"})
            reply = connection.getresponse()
            return harness.Response(reply.status, reply.read())

        started = time.monotonic()
        warm_kib = None
        try:
            for cycle in range(self.CYCLES):
                reply = call("POST", path_of(MLP) + "/load")
                self.assertEqual((reply.status, reply.json["state"]), (200, "ready"), reply)
                if cycle % 5 == 0:
                    reply = call("POST", path_of(MLP) + "/inference", body)
                    self.assertEqual(reply.status, 200, reply)
                    numpy.testing.assert_allclose(harness.output_array(reply, "logits"),
                                                  outputs["logits"], rtol=RTOL, atol=ATOL)
                reply = call("POST", path_of(MLP) + "/unload")
                self.assertEqual((reply.status, reply.json["state"]), (200, "unloaded"), reply)
                if cycle == 0:
                    warm_kib = server.resident_kib()
        finally:
            connection.close()
        elapsed = time.monotonic() - started
        final_kib = server.resident_kib()
        growth = (final_kib - warm_kib) / warm_kib
        print(f"\nsoak: {self.CYCLES} load/unload cycles ({self.CYCLES // 5} inferences) in "
              f"{elapsed:.1f} s; VmRSS after the first cycle {warm_kib} KiB, after the soak "
              f"{final_kib} KiB ({growth:+.1%})", file=sys.stderr)
        self.assertEqual(self.metric(server, "mlos_model_loads_total", MLP), self.CYCLES)
        self.assertEqual(self.metric(server, "mlos_model_unloads_total", MLP), self.CYCLES)
        self.assertLessEqual(growth, 0.05, f"VmRSS grew from {warm_kib} to {final_kib} KiB")
        self.stop_cleanly(server, within_s=2.0)


# --- 6. graceful shutdown --------------------------------------------------------------------------

class ShutdownTest(ServerCase):
    def test_sigterm_answers_the_requests_in_flight_then_exits_0(self):
        server = self.start_server()
        path = self.echo_model("drain", [("x", "FP32", [-1, 1])], delay_ms=500)
        self.register(server, "t/drain@1", path, load=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            # One running, two queued behind it (instances 1).
            pending = [pool.submit(server.infer, "t/drain@1", {"x": [[i]]}) for i in range(3)]
            self.wait_until_pending(server, "t/drain@1", 3)
            server.process.send_signal(signal.SIGTERM)
            self.assertTrue(self.connections_refused(server), "new connections while draining")
            replies = [future.result(timeout=10) for future in pending]
        for i, reply in enumerate(replies):
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.json["outputs"]["x_echo"]["data"], [i])
        self.assertEqual(server.process.wait(timeout=5), 0, server.log())
        self.assert_no_sanitizer_report(server)
        self.assertIn("SIGTERM received", server.log())

    def connections_refused(self, server, seconds=5.0):
        """Whether the server stops accepting connections within SECONDS."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                server.request("GET", "/health", timeout=2)
            except ConnectionRefusedError:
                return True
            except OSError:
                pass  # accepted just before the listener closed, then cut: try again
            time.sleep(0.05)
        return False

    def wait_for_log(self, server, text, seconds=5.0):
        deadline = time.monotonic() + seconds
        while text not in server.log():
            self.assertLess(time.monotonic(), deadline, f"no '{text}' in the log:\n{server.log()}")
            time.sleep(0.02)

    def test_a_second_signal_ends_the_drain_at_once(self):
        server = self.start_server(home="impatient")
        path = self.echo_model("very_slow", [("x", "FP32", [-1, 1])], delay_ms=5000)
        self.register(server, "t/very_slow@1", path, load=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(server.infer, "t/very_slow@1", {"x": [[1]]})
            self.wait_until_pending(server, "t/very_slow@1", 1)
            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            self.wait_for_log(server, "SIGTERM received")  # the first one was taken
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(timeout=10)
            self.assertLess(time.monotonic() - started, 2.0)
            with self.assertRaises(ConnectionError):
                pending.result(timeout=10)


# --- 7. configuration ----------------------------------------------------------------------------

class ConfigTest(ServerCase):
    def test_config_file_environment_and_flags(self):
        config = self.directory / "core.yaml"
        config.write_text(
            "memory_budget: 64MiB\n"
            "max_loaded_models: 2\n"
            "keep_alive_s: 1\n"
            "max_queue: 50\n"
            "instances: 3\n"
            "models:\n"
            "  t/cfg@1:\n"
            "    max_batch_size: 8\n"
            "    max_queue_delay_us: 1000\n"
            "    threads: 2\n"
            "  t/pinned@1:\n"
            "    keep_alive_s: -1\n"
            "  t/once@1:\n"
            "    keep_alive_s: 0\n")
        server = self.start_server(
            "--config", config, "--instances", 2,
            environment={"MLOS_MAX_QUEUE": "77", "MLOS_MEMORY_BUDGET": "100000",
                         "MLOS_INSTANCES": "4"})
        resources = server.request("GET", "/stats").json["resources"]
        self.assertEqual(resources["memory_budget_bytes"], 100000)  # environment over config
        self.assertEqual(resources["max_loaded_models"], 2)  # config
        for name in ("cfg", "pinned", "once", "a", "b"):
            self.register(server, f"t/{name}@1", self.echo_model(f"config_{name}"))
        self.assertEqual(self.settings(server, "t/cfg@1"), {
            "max_batch_size": 8, "max_queue_delay_us": 1000, "threads": 2,  # models: mapping
            "max_queue": 77,  # environment over config
            "instances": 2,  # flag over environment over config
            "keep_alive_s": 1, "timeout_ms": 0, "load": False})
        self.assertEqual(self.settings(server, "t/pinned@1")["keep_alive_s"], -1)
        self.assertEqual(self.settings(server, "t/a@1")["max_batch_size"], 0)
        # Settings given at registration are laid over the config's, key by key.
        self.register(server, "t/over@1", self.echo_model("config_over"), {"max_queue": 5})
        self.assertEqual(self.settings(server, "t/over@1")["max_queue"], 5)
        self.register(server, "t/cfg@2", self.echo_model("config_cfg2"), {"max_queue": 5})

        # keep_alive_s 0: unloaded as soon as its request is answered.
        self.assert_echo(server.infer("t/once@1", {"x": [[1, 2, 3]]}), "x", [[1, 2, 3]])
        self.wait_for_state(server, "t/once@1", "unloaded", 1.0)
        # Pinned: never evicted, though two other models take turns in the one other slot.
        self.assert_echo(server.infer("t/pinned@1", {"x": [[0, 0, 0]]}), "x", [[0, 0, 0]])
        for turn in range(4):
            name = "ab"[turn % 2]
            self.assert_echo(server.infer(f"t/{name}@1", {"x": [[turn, 1, 2]]}), "x",
                             [[turn, 1, 2]])
            self.assertEqual(self.state(server, "t/pinned@1"), "ready")
        self.assertEqual(self.state(server, "t/a@1"), "unloaded")
        # keep_alive_s 1 (config default): b is unloaded after a second idle, pinned stays.
        self.wait_for_state(server, "t/b@1", "unloaded", 3.0)
        self.assertEqual(self.state(server, "t/pinned@1"), "ready")
        self.assertEqual(self.metric(server, "mlos_model_unloads_total", "t/pinned@1"), 0)
        self.stop_cleanly(server, within_s=2.0)

    def test_bad_settings_stop_the_server_with_a_message_naming_them(self):
        def refused(config_text, *arguments, environment=None):
            config = self.directory / "bad.yaml"
            config.write_text(config_text)
            result = subprocess.run(
                [OPTIONS.core, "--config", str(config), "--http-port", "0",
                 "--home", str(self.directory / "bad-home"), *map(str, arguments)],
                env=dict(harness.scrubbed_environment(self.directory), **(environment or {})),
                capture_output=True, text=True, timeout=30)
            self.assertEqual(result.returncode, 2, result)
            return result.stderr

        stderr = refused("max_loaded_models: lots\n")
        self.assertIn("max_loaded_models", stderr)
        self.assertIn(str(self.directory / "bad.yaml"), stderr)
        stderr = refused("models:\n  t/x@1:\n    instances: 0\n")
        self.assertIn("models.t/x@1", stderr)
        self.assertIn("instances", stderr)
        stderr = refused("", "--memory-budget", "lots")
        self.assertIn("memory-budget", stderr)
        self.assertIn("'lots'", stderr)
        stderr = refused("", environment={"MLOS_KEEP_ALIVE_S": "-5"})
        self.assertIn("MLOS_KEEP_ALIVE_S", stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core", required=True, help="the mlos-core binary")
    parser.add_argument("--plugin-dir", required=True, help="folder of the echo test plugin")
    parser.add_argument("--fixtures", type=pathlib.Path, help="fixtures/make_fixtures.py output")
    parser.add_argument("--asan", action="store_true",
                        help="sanitizer build: only the concurrency scenario on echo models")
    arguments, rest = parser.parse_known_args()
    OPTIONS.__dict__.update(vars(arguments))
    OPTIONS.plugin_dir = str(pathlib.Path(arguments.plugin_dir).resolve())
    if arguments.fixtures is not None:
        OPTIONS.fixtures = arguments.fixtures.resolve()
    if not arguments.asan and arguments.fixtures is None:
        parser.error("--fixtures is required (unless --asan)")
    loader = unittest.defaultTestLoader
    if arguments.asan:
        suite = loader.loadTestsFromTestCase(AsanServerTest)
    elif rest:
        suite = loader.loadTestsFromNames(rest, sys.modules[__name__])
    else:
        suite = unittest.TestSuite(
            loader.loadTestsFromTestCase(case) for case in
            (ApiTest, RestartTest, EvictionTest, ConcurrencyTest, SoakTest, ShutdownTest,
             ConfigTest))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
