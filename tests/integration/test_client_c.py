#!/usr/bin/python3
"""libmlos-client (include/mlos/client.h) against the real mlos-core, through its example program
(src/client/examples/infer.c): the mlp fixture (FP32 [batch, 16] -> logits [batch, 4]) run over
HTTP (KServe binary tensors), over IPC with inline tensors, and over IPC with the input and the
outputs in a shared-memory region; every transport must give the server's own MLOS API answer.
Errors come back with the server's message and a failing exit status.

Usage: test_client_c.py --core BIN --example BIN --fixtures DIR [unittest arguments]
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy

import harness

OPTIONS = argparse.Namespace()
MLP = "local/mlp@1"


def run_example(*arguments):
    return subprocess.run([OPTIONS.example, *map(str, arguments)], capture_output=True, text=True,
                          timeout=60)


def parse_outputs(stdout):
    """The example's "output NAME DTYPE dims" blocks -> {name: array}."""
    outputs, name, shape, values = {}, None, None, []
    for line in stdout.splitlines() + ["output end"]:
        if line.startswith("output "):
            if name is not None:
                outputs[name] = numpy.array(values, dtype=numpy.float64).reshape(shape)
            parts = line.split()
            if len(parts) == 4:
                name, shape, values = parts[1], [int(d) for d in parts[3].split(",")], []
        else:
            values.append(float(line))
    return outputs


class CClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-client-c-"))
        cls.socket = cls.directory / "mlos.sock"
        environment = harness.scrubbed_environment(cls.directory)
        cls.server = harness.Server(OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
                                    environment, arguments=["--socket", cls.socket],
                                    front_ends=("http", "ipc"))
        try:
            cls.server.start()
            reply = cls.server.request("POST", "/models/register", {
                "model_id": MLP, "path": str(OPTIONS.fixtures / "mlp" / "model.onnx")})
            if reply.status != 200:
                raise AssertionError(f"registering {MLP}: {reply}")
        except BaseException:
            cls.tearDownClass()
            raise
        values = (numpy.arange(2 * 16, dtype=numpy.float32) / 100).reshape(2, 16)
        reply = cls.server.infer(MLP, {"inputs": {"input": values.tolist()}})
        if reply.status != 200:
            raise AssertionError(f"reference inference: {reply}")
        cls.expected = harness.output_array(reply, "logits")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def assert_same_answer(self, *transport):
        result = run_example(*transport, MLP, "input", "2,16")
        self.assertEqual(result.returncode, 0, result.stderr)
        outputs = parse_outputs(result.stdout)
        self.assertEqual(list(outputs), ["logits"])
        numpy.testing.assert_allclose(outputs["logits"], self.expected, rtol=1e-6, atol=1e-6)

    def test_http(self):
        self.assert_same_answer("--http", self.server.url)

    def test_ipc_inline(self):
        self.assert_same_answer("--ipc", self.socket)

    def test_ipc_shared_memory(self):
        self.assert_same_answer("--ipc", self.socket, "--shm")

    def test_errors_carry_the_server_message(self):
        for transport in (("--http", self.server.url), ("--ipc", self.socket)):
            wrong_shape = run_example(*transport, MLP, "input", "2,15")
            self.assertEqual(wrong_shape.returncode, 1)
            self.assertIn("input", wrong_shape.stderr)
            unknown = run_example(*transport, "local/nothing@1", "input", "1,16")
            self.assertEqual(unknown.returncode, 1)
            self.assertIn("local/nothing", unknown.stderr)
        refused = run_example("--ipc", self.directory / "no-such.sock", MLP, "input", "1,16")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("cannot connect", refused.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--example", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    OPTIONS, remaining = parser.parse_known_args()
    OPTIONS.fixtures = OPTIONS.fixtures.resolve()
    unittest.main(argv=[sys.argv[0], *remaining])
