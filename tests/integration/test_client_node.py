#!/usr/bin/python3
"""The Node.js client (clients/node) against the real mlos-core: starts the server with the mlp
fixture and two echo models registered, then runs clients/node/test/integration/ with node:test
(every protocol must give the fixture's reference output and byte-identical answers, every
datatype echoed exactly, control operations and errors alike) and the two examples.

Usage: test_client_node.py --core BIN --plugin-dir DIR --fixtures DIR --node NODE
       --protocols http[,ipc]
(DIR: where libmlos_plugin_echo.so is). With ipc, the server's socket is passed on and every IPC
test must pass: a server without IPC fails them.
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness

NODE_DIR = pathlib.Path(__file__).resolve().parents[2] / "clients" / "node"
OPTIONS = argparse.Namespace()
MLP, ECHO, ECHO_TEXT = "local/mlp@1", "local/echo@1", "local/echo_text@1"
ECHO_I32, ECHO_F32 = "local/echo_i32@1", "local/echo_f32@1"
ECHO_INPUTS = [("f32", "FP32"), ("f64", "FP64"), ("f16", "FP16"), ("bf16", "BF16"), ("i8", "INT8"),
               ("u8", "UINT8"), ("i16", "INT16"), ("u16", "UINT16"), ("i32", "INT32"),
               ("u32", "UINT32"), ("i64", "INT64"), ("u64", "UINT64"), ("flag", "BOOL")]


class NodeClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-client-node-"))
        cls.socket = cls.directory / "mlos.sock"
        arguments = ["--plugin-dir", OPTIONS.plugin_dir]
        if "ipc" in OPTIONS.protocols:
            arguments += ["--socket", cls.socket]
        cls.server = harness.Server(OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
                                    harness.scrubbed_environment(cls.directory),
                                    arguments=arguments, front_ends=["http", *OPTIONS.protocols])
        try:
            cls.server.start()
            registrations = [(MLP, OPTIONS.fixtures / "mlp" / "model.onnx", {})]
            for model_id, inputs in ((ECHO, ECHO_INPUTS), (ECHO_TEXT, [("text", "BYTES")]),
                                     (ECHO_I32, [("i32", "INT32")]),
                                     (ECHO_F32, [("f32", "FP32")])):
                path = harness.write_echo_model(cls.directory / f"{model_id.split('/')[1]}.json",
                                                [(name, dtype, [-1, 3]) for name, dtype in inputs])
                registrations.append((model_id, path, {"plugin_id": "echo"}))
            for model_id, path, fields in registrations:
                reply = cls.server.request("POST", "/models/register",
                                           {"model_id": model_id, "path": str(path), **fields})
                if reply.status != 200:
                    raise AssertionError(f"registering {model_id}: {reply}")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def environment(self):
        inputs, outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        expected = {
            "models": {"mlp": MLP, "echo": ECHO, "echoText": ECHO_TEXT, "echoI32": ECHO_I32,
                       "echoF32": ECHO_F32},
            "mlpReference": {
                "input": {"shape": list(inputs["input"].shape),
                          "data": inputs["input"].reshape(-1).tolist()},
                "logits": {"shape": list(outputs["logits"].shape),
                           "data": outputs["logits"].reshape(-1).tolist()}},
            "registerPaths": {
                "first": str(harness.write_echo_model(self.directory / "first.json",
                                                      [("x", "INT32", [-1])])),
                "second": str(harness.write_echo_model(self.directory / "second.json",
                                                       [("y", "INT32", [-1])]))},
        }
        expected_path = self.directory / "expected.json"
        expected_path.write_text(json.dumps(expected))
        environment = harness.scrubbed_environment(self.directory)
        environment.update(MLOS_TEST_URL=self.server.url, MLOS_TEST_EXPECTED=str(expected_path))
        if "ipc" in OPTIONS.protocols:
            environment["MLOS_TEST_SOCKET"] = str(self.socket)
        return environment

    def test_node_integration_suite(self):
        result = subprocess.run([OPTIONS.node, "--test", "test/integration/"], cwd=NODE_DIR,
                                env=self.environment(), capture_output=True, text=True,
                                timeout=120)
        print(result.stdout[-6000:], file=sys.stderr)
        self.assertEqual(result.returncode, 0, result.stdout[-6000:] + result.stderr[-3000:])
        self.assertIn("# fail 0", result.stdout)
        self.assertIn("# skipped 0", result.stdout)
        tests = 8 if "ipc" in OPTIONS.protocols else 6
        self.assertIn(f"# pass {tests}", result.stdout)

    def test_examples_run(self):
        runs = [("http_infer.js", self.server.url)]
        if "ipc" in OPTIONS.protocols:
            runs.append(("ipc_infer.js", str(self.socket)))
        for script, where in runs:
            with self.subTest(example=script):
                result = subprocess.run([OPTIONS.node, f"examples/{script}", where, MLP],
                                        cwd=NODE_DIR, capture_output=True, text=True, timeout=60)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("logits FP32 [1, 4]", result.stdout)
        failing = subprocess.run([OPTIONS.node, "examples/http_infer.js", self.server.url,
                                  "local/nothing@1"], cwd=NODE_DIR, capture_output=True,
                                 text=True, timeout=60)
        self.assertEqual(failing.returncode, 1)
        self.assertIn("local/nothing@1", failing.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    parser.add_argument("--node", default="node")
    parser.add_argument("--protocols", default="http,ipc", help="http and optionally ipc")
    OPTIONS, remaining = parser.parse_known_args()
    OPTIONS.fixtures = OPTIONS.fixtures.resolve()
    OPTIONS.protocols = [name for name in OPTIONS.protocols.split(",") if name != "http"]
    if set(OPTIONS.protocols) - {"ipc"}:
        parser.error("the Node.js client speaks http and ipc only")
    unittest.main(argv=[sys.argv[0], *remaining])
