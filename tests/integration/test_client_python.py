#!/usr/bin/python3
"""The Python client (clients/python, mlos_client) against the real mlos-core over every protocol
it speaks: HTTP (KServe binary, KServe JSON, MLOS API), local IPC (inline tensors, shared-memory
regions, pipelining) and KServe gRPC. One test matrix: the mlp and tiny_bert fixtures must give
their reference outputs and byte-identical answers on every protocol; an echo model gives back
every datatype exactly; the control surface (health, models, metadata, load, unload, register)
and the errors (kinds, statuses, the server's messages) agree across protocols. Also: the package
installs with `pip install --no-index`, and the examples run.

Usage: test_client_python.py --core BIN --plugin-dir DIR --fixtures DIR --protocols http,ipc,grpc
(DIR: where libmlos_plugin_echo.so is). Every protocol named must work: a server without IPC or
gRPC fails the tests of that protocol, it does not skip them.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy

import harness

CLIENT_DIR = pathlib.Path(__file__).resolve().parents[2] / "clients" / "python"
sys.path.insert(0, str(CLIENT_DIR))

import mlos_client  # noqa: E402
from mlos_client import (AlreadyExistsError, Client, InvalidArgumentError, IpcClient,  # noqa: E402
                         NotFoundError, RegionTensor, UnsupportedError)

OPTIONS = argparse.Namespace()
MLP, BERT = "local/mlp@1", "local/tiny_bert@latest"
# Echo models: each input comes back as <name>_echo, byte for byte. ECHO_TEXT holds the BYTES
# input, which the MLOS JSON API may refuse (501), so ECHO can be run on every protocol.
ECHO, ECHO_TEXT = "local/echo@1", "local/echo_text@1"
# One-input echo models for the IPC tests.
ECHO_F32, ECHO_I32 = "local/echo_f32@1", "local/echo_i32@1"
ECHO_VALUES = {
    "f32": ("FP32", [[1.5, -2.0, 3.25e-3], [0.0, 1e30, -7.0]]),
    "f64": ("FP64", [[1e300, -0.1, 2.0], [0.0, 5.0, -1e-300]]),
    "f16": ("FP16", [[0.5, -65504.0, 2.0], [0.0, 1.0, -3.0]]),
    "bf16": ("BF16", [[1.0, -2.5, 256.0], [0.0, 3.0, -1.0]]),
    "i8": ("INT8", [[-128, 127, 0], [1, 2, 3]]),
    "u8": ("UINT8", [[0, 255, 7], [1, 2, 3]]),
    "i16": ("INT16", [[-32768, 32767, 0], [1, 2, 3]]),
    "u16": ("UINT16", [[65535, 0, 1], [2, 3, 4]]),
    "i32": ("INT32", [[-2**31, 2**31 - 1, 0], [1, 2, 3]]),
    "u32": ("UINT32", [[2**32 - 1, 0, 1], [2, 3, 4]]),
    "i64": ("INT64", [[-2**53, 2**53, 0], [1, 2, 3]]),
    "u64": ("UINT64", [[2**53, 0, 1], [2, 3, 4]]),
    "flag": ("BOOL", [[True, False, True], [False, False, True]]),
}
TEXT_VALUES = {"text": ("BYTES", [["a", "", "\u00e9t\u00e9"], ["x" * 300, "y", "z"]])}
PROTOCOLS = ["kserve-binary", "kserve-json", "mlos"]


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-client-python-"))
        # GrpcClient compiles its message classes into $XDG_CACHE_HOME: keep them in the test's
        # directory (examples run as child processes inherit it).
        os.environ["XDG_CACHE_HOME"] = str(cls.directory / "cache")
        cls.socket = cls.directory / "mlos.sock"
        cls.grpc_port = harness.free_port()
        arguments = ["--plugin-dir", OPTIONS.plugin_dir]
        if "ipc" in OPTIONS.protocols:
            arguments += ["--socket", cls.socket]
        if "grpc" in OPTIONS.protocols:
            arguments += ["--grpc-port", cls.grpc_port]
        environment = harness.scrubbed_environment(cls.directory)
        cls.server = harness.Server(OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
                                    environment, arguments=arguments,
                                    front_ends=["http", *OPTIONS.protocols])
        try:
            cls.server.start()
            cls.http = Client(cls.server.url)
            for model_id, fixture in ((MLP, "mlp"), (BERT, "tiny_bert")):
                cls.http.register(model_id, OPTIONS.fixtures / fixture / "model.onnx")
            for model_id, values in ((ECHO, ECHO_VALUES), (ECHO_TEXT, TEXT_VALUES),
                                     (ECHO_F32, {"f32": ECHO_VALUES["f32"]}),
                                     (ECHO_I32, {"i32": ECHO_VALUES["i32"]})):
                path = harness.write_echo_model(
                    cls.directory / f"{model_id.split('/')[1]}.json",
                    [(name, dtype, [-1, 3]) for name, (dtype, _) in values.items()])
                cls.http.register(model_id, path, plugin_id="echo")
        except BaseException:
            cls.tearDownClass()
            raise
        cls.mlp_inputs, cls.mlp_outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        cls.bert_inputs, cls.bert_outputs = harness.load_reference(OPTIONS.fixtures / "tiny_bert")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def ipc(self):
        """A new IpcClient (fails, naming the socket, when the server has no IPC)."""
        client = IpcClient(self.socket)
        self.addCleanup(client.close)
        return client

    def grpc(self):
        client = mlos_client.GrpcClient(f"127.0.0.1:{self.grpc_port}")
        self.addCleanup(client.close)
        return client

    def clients(self):
        """[(label, client, infer keyword arguments)] for every protocol under test."""
        clients = [(f"http {protocol}", self.http, {"protocol": protocol})
                   for protocol in PROTOCOLS]
        if "ipc" in OPTIONS.protocols:
            clients.append(("ipc", self.ipc(), {}))
        if "grpc" in OPTIONS.protocols:
            clients.append(("grpc", self.grpc(), {}))
        return clients

    # --- one answer everywhere --------------------------------------------------------------

    def assert_same_everywhere(self, model, inputs, reference, outputs=None, rtol=1e-4,
                               atol=1e-5):
        answers = {}
        for label, client, options in self.clients():
            with self.subTest(protocol=label):
                result = client.infer(model, inputs, outputs=outputs, **options)
                self.assertEqual(list(result), list(outputs or reference), label)
                for name, expected in reference.items():
                    numpy.testing.assert_allclose(result[name].numpy(), expected, rtol=rtol,
                                                  atol=atol, err_msg=f"{label}: output {name}")
                answers[label] = {name: (tensor.dtype, tensor.shape, bytes(tensor.data))
                                  for name, tensor in result.items()}
        first = next(iter(answers.values()))
        for label, answer in answers.items():
            self.assertEqual(answer, first, f"{label} differs from {next(iter(answers))}")

    def test_mlp_reference_outputs_on_every_protocol(self):
        self.assert_same_everywhere(MLP, self.mlp_inputs, self.mlp_outputs)

    def test_tiny_bert_with_outputs_named_in_reverse(self):
        names = list(self.bert_outputs)[::-1]
        self.assert_same_everywhere(BERT, self.bert_inputs,
                                    {name: self.bert_outputs[name] for name in names}, names)

    def test_python_lists_take_the_declared_datatype(self):
        values = self.mlp_inputs["input"].tolist()  # no dtype: FP32 from the metadata
        self.assert_same_everywhere(MLP, {"input": values}, self.mlp_outputs)

    def test_every_datatype_comes_back_exactly(self):
        for label, client, options in self.clients():
            for model_id, values in ((ECHO, ECHO_VALUES), (ECHO_TEXT, TEXT_VALUES)):
                with self.subTest(protocol=label, model=model_id):
                    inputs = {name: mlos_client.to_tensor(value, dtype)
                              for name, (dtype, value) in values.items()}
                    try:
                        result = client.infer(model_id, inputs, **options)
                    except UnsupportedError as refused:
                        # BYTES through the MLOS JSON API may be refused (501, naming BYTES);
                        # every other protocol and datatype must answer.
                        if model_id != ECHO_TEXT or options.get("protocol") != "mlos":
                            raise
                        self.assertIn("BYTES", refused.message)
                        continue
                    self.assertEqual(list(result), [f"{name}_echo" for name in inputs])
                    for name, tensor in inputs.items():
                        echoed = result[f"{name}_echo"]
                        self.assertEqual((echoed.dtype, echoed.shape, bytes(echoed.data)),
                                         (tensor.dtype, tensor.shape, bytes(tensor.data)), name)

    # --- the control surface ----------------------------------------------------------------

    def test_control_surface_agrees(self):
        expected_metadata = self.http.metadata(MLP)
        self.assertEqual(expected_metadata["inputs"],
                         [{"name": "input", "datatype": "FP32", "shape": [-1, 16]}])
        http_ids = sorted(model["id"] for model in self.http.models())
        self.assertEqual(http_ids, sorted([MLP, BERT, ECHO, ECHO_TEXT, ECHO_F32, ECHO_I32]))
        self.assertTrue(self.http.health()["ready"])
        for label, client, _ in self.clients()[2:]:
            with self.subTest(protocol=label):
                health = client.health()
                self.assertEqual((health["live"], health["ready"]), (True, True))
                self.assertEqual(health["version"], self.http.health()["version"])
                self.assertEqual(client.metadata(MLP), expected_metadata)
                if label == "grpc":  # KServe's repository index
                    self.assertEqual(sorted(f"{m['name']}@{m['version']}"
                                            for m in client.models()), http_ids)
                else:
                    self.assertEqual(sorted(m["id"] for m in client.models()), http_ids)
                self.assertEqual(client.unload(MLP), {"model": MLP, "state": "unloaded"})
                self.assertEqual(self.http.model(MLP)["state"], "unloaded")
                self.assertEqual(client.load(MLP), {"model": MLP, "state": "ready"})
                self.assertEqual(self.http.model(MLP)["state"], "ready")

    def test_register_over_each_protocol(self):
        clients = [("http", self.http)] + [(label, client) for label, client, _ in
                                           self.clients()[3:]]
        for label, client in clients:
            with self.subTest(protocol=label):
                model_id = f"reg/{label}@1"
                path = harness.write_echo_model(self.directory / f"reg-{label}.json",
                                                [("x", "INT32", [-1])])
                if label == "grpc":
                    with self.assertRaises(UnsupportedError):
                        client.register(model_id, path, plugin_id="echo")
                    continue
                reply = client.register(model_id, path, plugin_id="echo")
                self.assertEqual(reply["model_id"], model_id)
                self.assertEqual(reply["message"], f"model {model_id} registered")
                result = client.infer(model_id, {"x": [5, -6]})
                self.assertEqual(result["x_echo"].tolist(), [5, -6])
                other = harness.write_echo_model(self.directory / f"other-{label}.json",
                                                 [("y", "INT32", [-1])])
                with self.assertRaises(AlreadyExistsError) as caught:
                    client.register(model_id, other, plugin_id="echo")
                self.assertIn(model_id, caught.exception.message)

    # --- errors -----------------------------------------------------------------------------

    def test_errors_have_the_same_kind_and_the_servers_message(self):
        wrong_shape = {"input": numpy.zeros((2, 15), numpy.float32)}
        statuses = {"http": 404, "ipc": "NOT_FOUND", "grpc": "NOT_FOUND"}
        for label, client, options in self.clients():
            with self.subTest(protocol=label):
                protocol = label.split()[0]
                with self.assertRaises(NotFoundError) as caught:
                    client.infer("local/nothing@1", wrong_shape, **options)
                self.assertIn("local/nothing", caught.exception.message)
                self.assertEqual(caught.exception.status, statuses[protocol])
                self.assertEqual(caught.exception.protocol, protocol)
                with self.assertRaises(InvalidArgumentError) as caught:
                    client.infer(MLP, wrong_shape, **options)
                self.assertIn("input", caught.exception.message)
                self.assertIn("16", caught.exception.message)
                with self.assertRaises(InvalidArgumentError) as caught:
                    client.infer(MLP, {**self.mlp_inputs, "extra": [1.0]}, **options)
                self.assertIn("extra", caught.exception.message)
                with self.assertRaises(NotFoundError):
                    client.metadata("local/nothing@1")
        with self.assertRaises(mlos_client.TransportError) as caught:
            IpcClient(self.directory / "no-such.sock")
        self.assertIn("no-such.sock", caught.exception.message)

    # --- packaging and examples -------------------------------------------------------------

    def test_pip_install_offline(self):
        target = self.directory / "site"
        installed = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--no-cache-dir",
             "--target", str(target), str(CLIENT_DIR)], capture_output=True, text=True,
            timeout=120)
        self.assertEqual(installed.returncode, 0, installed.stdout + installed.stderr)
        check = subprocess.run(
            [sys.executable, "-c", "import json, sys, mlos_client; "
             "print(json.dumps([mlos_client.__file__, "
             "mlos_client.Client(sys.argv[1]).infer(sys.argv[2], {'input': [[0.5] * 16]})"
             "['logits'].shape]))", self.server.url, MLP],
            capture_output=True, text=True, timeout=60, cwd=self.directory,
            env=dict(os.environ, PYTHONPATH=str(target)))
        self.assertEqual(check.returncode, 0, check.stderr)
        path, shape = json.loads(check.stdout)
        self.assertTrue(path.startswith(str(target)), path)
        self.assertEqual(shape, [1, 4])

    def test_examples_run(self):
        examples = CLIENT_DIR / "examples"
        runs = [["http_infer.py", "--url", self.server.url]]
        if "ipc" in OPTIONS.protocols:
            runs.append(["ipc_infer.py", "--socket", str(self.socket)])
        if "grpc" in OPTIONS.protocols:
            runs.append(["grpc_infer.py", "--target", f"127.0.0.1:{self.grpc_port}"])
        for script, *arguments in runs:
            with self.subTest(example=script):
                result = subprocess.run([sys.executable, str(examples / script), *arguments,
                                         "--model", MLP], capture_output=True, text=True,
                                        timeout=60)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("logits FP32 [1, 4]", result.stdout)


class IpcTest(ClientTest):
    """What only IPC has: shared-memory regions and pipelining (loaded with --protocols ipc)."""


    def test_ipc_shared_memory_in_and_out(self):
        client = self.ipc()
        with client.create_region(2 << 20) as region:
            x = region.put(self.mlp_inputs["input"], offset=4096)
            for _ in range(3):  # the region is reused, request after request
                outputs = client.infer(MLP, {"input": x}, output_region=(region, 0, 4096))
                logits = outputs["logits"]
                self.assertIs(logits.data.obj, region._mapping)  # a view of the region
                numpy.testing.assert_allclose(logits.numpy(), self.mlp_outputs["logits"],
                                              rtol=1e-4, atol=1e-5)
                del outputs, logits
            # 588 KiB (a ResNet-50 input's size) in through the region and echoed back into it.
            image = numpy.random.default_rng(1).random((50176, 3), numpy.float32)
            big = region.put(image, offset=0)
            with self.assertRaises(InvalidArgumentError) as caught:  # does not fit the window
                client.infer(ECHO_F32, {"f32": big}, output_region=(region, 1 << 20, 384 << 10))
            self.assertIn(str(image.nbytes), caught.exception.message)
            outputs = client.infer(ECHO_F32, {"f32": big}, output_region=(region, 1 << 20, 1 << 20))
            self.assertEqual(bytes(outputs["f32_echo"].data), image.tobytes())
            del outputs
            outside = RegionTensor(region, "FP32", [1, 3], region.size - 8, 12)
            with self.assertRaises(InvalidArgumentError) as caught:
                client.infer(ECHO_F32, {"f32": outside})
            self.assertIn("f32", caught.exception.message)
        self.assertEqual(client.health()["live"], True)  # the connection survived all of it

    def test_ipc_large_inline_tensors(self):
        client = self.ipc()
        image = numpy.random.default_rng(2).random((50176, 3), numpy.float32)  # 588 KiB
        echoed = client.infer(ECHO_F32, {"f32": image})["f32_echo"]
        numpy.testing.assert_array_equal(echoed.numpy(), image)
        results = client.infer_many([{"model": ECHO_F32, "inputs": {"f32": image * index}}
                                     for index in range(8)])
        for index, result in enumerate(results):
            numpy.testing.assert_array_equal(result["f32_echo"].numpy(), image * index)

    def test_ipc_pipelined_requests(self):
        client = self.ipc()
        requests = [{"model": ECHO_I32, "inputs": {"i32": [[index, -index, 7]]}}
                    for index in range(40)]
        requests[5] = {"model": "local/nothing@1", "inputs": {"x": [1]}}
        results = client.infer_many(requests)
        for index, result in enumerate(results):
            if index == 5:
                self.assertIsInstance(result, NotFoundError)
            else:
                self.assertEqual(result["i32_echo"].tolist(), [[index, -index, 7]])


def load_tests(loader, tests, pattern):
    """ClientTest always; IpcTest (which inherits ClientTest's set-up, not its tests) only when
    IPC is under test."""
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(ClientTest))
    if "ipc" in OPTIONS.protocols:
        suite.addTests(loader.loadTestsFromNames(
            [f"{IpcTest.__name__}.{name}" for name in loader.getTestCaseNames(IpcTest)
             if name not in loader.getTestCaseNames(ClientTest)], sys.modules[__name__]))
    return suite


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    parser.add_argument("--protocols", default="http,ipc,grpc",
                        help="comma-separated: http and any of ipc, grpc")
    OPTIONS, remaining = parser.parse_known_args()
    OPTIONS.fixtures = OPTIONS.fixtures.resolve()
    OPTIONS.protocols = [name for name in OPTIONS.protocols.split(",") if name != "http"]
    unknown = set(OPTIONS.protocols) - {"ipc", "grpc"}
    if unknown:
        parser.error(f"unknown protocols {sorted(unknown)}")
    unittest.main(argv=[sys.argv[0], *remaining])
