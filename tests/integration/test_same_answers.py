#!/usr/bin/python3
"""Same answers everywhere: one matrix of requests sent through every front end of one real
mlos-core — the MLOS HTTP API (JSON), KServe v2 REST (JSON, and Triton's binary tensors), KServe v2
gRPC (raw tensors), local IPC (inline tensors, and input and outputs in a shared-memory region) and
the C client (libmlos-client over HTTP and IPC shared memory) — whose outputs must be identical:
same names, order, datatypes, shapes and bytes.

The models cover real ONNX graphs (mlp: FP32 [batch, 16] -> [batch, 4]; tiny_bert: three INT64
inputs -> two outputs) and the echo test plugin (each input comes back as <name>_echo) over every datatype the
protocols carry, batch sizes 1 and 3, and a request that asks for a subset of outputs in reverse
order. Errors agree too: a wrong shape is refused with InvalidArgument, an unknown model with
NotFound, on every protocol.

Usage: test_same_answers.py --core BIN --plugin-dir DIR --fixtures DIR [--c-example BIN]
"""

import argparse
import pathlib
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy

import harness

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients/python"))
import mlos_client  # noqa: E402  (the in-tree client package)
from mlos_client import Tensor  # noqa: E402

OPTIONS = argparse.Namespace()
MLP, BERT, ECHO = "local/mlp@1", "local/tiny_bert@1", "local/echo@1"
# Every datatype the protocols carry, with a generator of one value (fixed seed).
ECHO_DTYPES = {
    "FP32": lambda r: r.uniform(-1e3, 1e3), "FP64": lambda r: r.uniform(-1e9, 1e9),
    "FP16": lambda r: r.uniform(-100, 100), "INT8": lambda r: r.randint(-128, 127),
    "INT16": lambda r: r.randint(-2**15, 2**15 - 1), "INT32": lambda r: r.randint(-2**31, 2**31 - 1),
    "INT64": lambda r: r.randint(-2**53, 2**53), "UINT8": lambda r: r.randint(0, 255),
    "UINT16": lambda r: r.randint(0, 2**16 - 1), "UINT32": lambda r: r.randint(0, 2**32 - 1),
    "UINT64": lambda r: r.randint(0, 2**53), "BOOL": lambda r: r.random() < 0.5,
    "BYTES": lambda r: "".join(r.choice("abcé漢 ") for _ in range(r.randint(0, 6))).encode(),
}


def tensor(dtype, shape, generate, generator):
    count = 1
    for dim in shape:
        count *= dim
    values = [generate(generator) for _ in range(count)]
    if dtype == "FP16":  # values a half float holds exactly, so every path sees the same number
        values = [struct.unpack("<e", struct.pack("<e", value))[0] for value in values]
    if dtype == "FP32":
        values = [struct.unpack("<f", struct.pack("<f", value))[0] for value in values]
    return Tensor(dtype, shape, mlos_client.tensors.pack_values(dtype, values, dtype))


class SameAnswersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-same-answers-"))
        cls.socket = cls.directory / "mlos.sock"
        cls.grpc_port = harness.free_port()
        environment = harness.scrubbed_environment(cls.directory)
        cls.server = harness.Server(
            OPTIONS.core, cls.directory / "mlos-home", harness.free_port(), environment,
            arguments=["--plugin-dir", OPTIONS.plugin_dir, "--socket", cls.socket,
                       "--grpc-port", cls.grpc_port],
            front_ends=("http", "grpc", "ipc"))
        echo = harness.write_echo_model(
            cls.directory / "echo.echo",
            [(f"in_{dtype.lower()}", dtype, [-1, 2]) for dtype in ECHO_DTYPES])
        try:
            cls.server.start()
            for model_id, path in ((MLP, OPTIONS.fixtures / "mlp" / "model.onnx"),
                                   (BERT, OPTIONS.fixtures / "tiny_bert" / "model.onnx"),
                                   (ECHO, echo)):
                reply = cls.server.request("POST", "/models/register",
                                           {"model_id": model_id, "path": str(path)})
                if reply.status != 200:
                    raise AssertionError(f"registering {model_id}: {reply}")
        except BaseException:
            cls.tearDownClass()
            raise
        cls.http = mlos_client.Client(cls.server.url)
        cls.ipc = mlos_client.IpcClient(cls.socket)
        cls.grpc = mlos_client.GrpcClient(f"127.0.0.1:{cls.grpc_port}")
        cls.region = cls.ipc.create_region(16 << 20)

    @classmethod
    def tearDownClass(cls):
        for name in ("http", "ipc", "grpc"):
            if hasattr(cls, name):
                getattr(cls, name).close()
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def ipc_shared_memory(self, model, inputs, outputs):
        """IPC with every input in the region and the outputs written after them."""
        placed, offset = {}, 0
        for name, value in inputs.items():
            data = bytes(value.data)
            self.region.buffer[offset:offset + len(data)] = data
            placed[name] = mlos_client.RegionTensor(self.region, value.dtype, value.shape, offset,
                                                    len(data))
            offset = (offset + len(data) + 63) // 64 * 64
        window = (self.region, offset + 64, self.region.size - offset - 64)
        result = self.ipc.infer(model, placed, outputs, output_region=window)
        # The outputs point into the region, which the next request reuses: copy them out.
        return {name: Tensor(t.dtype, t.shape, bytes(t.data)) for name, t in result.items()}

    def paths(self):
        """Every (protocol name, infer function)."""
        return [
            ("mlos-json", lambda m, i, o: self.http.infer(m, i, o, protocol="mlos")),
            ("kserve-json", lambda m, i, o: self.http.infer(m, i, o, protocol="kserve-json")),
            ("kserve-binary", lambda m, i, o: self.http.infer(m, i, o, protocol="kserve-binary")),
            ("grpc", lambda m, i, o: self.grpc.infer(m, i, o)),
            ("ipc", lambda m, i, o: self.ipc.infer(m, i, o)),
            ("ipc-shm", self.ipc_shared_memory),
        ]

    def assert_same_everywhere(self, model, inputs, outputs=None, skip=()):
        answers = {}
        for protocol, infer in self.paths():
            if protocol in skip:
                continue
            with self.subTest(protocol=protocol):
                answers[protocol] = infer(model, inputs, outputs)
        reference_protocol, reference = next(iter(answers.items()))
        self.assertTrue(reference, "no outputs")
        for protocol, answer in answers.items():
            self.assertEqual(list(answer), list(reference),
                             f"{protocol} vs {reference_protocol}: output names or order")
            for name in reference:
                self.assertEqual(answer[name], reference[name],
                                 f"{model} output {name}: {protocol} vs {reference_protocol}")
        return reference

    def test_mlp(self):
        generator = random.Random(1)
        for batch in (1, 3):
            inputs = {"input": tensor("FP32", (batch, 16), lambda r: r.gauss(0, 1), generator)}
            self.assert_same_everywhere(MLP, inputs)

    def test_tiny_bert_and_output_selection(self):
        reference_inputs, _ = harness.load_reference(OPTIONS.fixtures / "tiny_bert")
        outputs = [metadata["name"] for metadata in self.http.metadata(BERT)["outputs"]]
        for batch in (1, 3):
            inputs = {name: mlos_client.to_tensor(numpy.repeat(value[:1], batch, axis=0))
                      for name, value in reference_inputs.items()}
            everything = self.assert_same_everywhere(BERT, inputs)
            self.assertEqual(list(everything), outputs)
            reversed_subset = self.assert_same_everywhere(BERT, inputs, outputs[::-1])
            self.assertEqual(list(reversed_subset), outputs[::-1])

    def test_every_datatype_through_the_echo_plugin(self):
        generator = random.Random(3)
        for batch in (1, 3):
            inputs = {f"in_{dtype.lower()}": tensor(dtype, (batch, 2), generate, generator)
                      for dtype, generate in ECHO_DTYPES.items()}
            answer = self.assert_same_everywhere(ECHO, inputs)
            for name, value in inputs.items():  # echo: what went in comes back as NAME_echo
                self.assertEqual(answer[f"{name}_echo"], value, name)

    def test_errors_agree(self):
        wrong_shape = {"input": Tensor("FP32", (1, 15), bytes(60))}
        for protocol, infer in self.paths():
            with self.subTest(protocol=protocol):
                with self.assertRaises(mlos_client.InvalidArgumentError) as caught:
                    infer(MLP, wrong_shape, None)
                self.assertIn("input", str(caught.exception))
                with self.assertRaises(mlos_client.NotFoundError) as caught:
                    infer("local/nothing@1", {"input": Tensor("FP32", (1, 16), bytes(64))}, None)
                self.assertIn("local/nothing", str(caught.exception))

    def test_c_client_agrees(self):
        if not OPTIONS.c_example:
            self.skipTest("run without --c-example")
        values = Tensor("FP32", (2, 16),
                        struct.pack("<32f", *[i / 100 for i in range(32)]))
        expected = self.http.infer(MLP, {"input": values}, protocol="kserve-binary")["logits"]
        for transport in (["--http", self.server.url], ["--ipc", str(self.socket), "--shm"]):
            result = subprocess.run([OPTIONS.c_example, *transport, MLP, "input", "2,16"],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            printed = [float(line) for line in result.stdout.splitlines()[1:]]
            self.assertEqual(struct.pack(f"<{len(printed)}f", *printed), bytes(expected.data),
                             transport[0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    parser.add_argument("--c-example")
    OPTIONS, remaining = parser.parse_known_args()
    OPTIONS.fixtures = OPTIONS.fixtures.resolve()
    unittest.main(argv=[sys.argv[0], *remaining])
