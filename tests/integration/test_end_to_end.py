#!/usr/bin/python3
"""End to end: fixture model -> `axon install` -> `axon register` -> mlos-core -> HTTP inference,
checked against torch's reference outputs; bad input rejected with a useful 4xx while the server
keeps serving; the registry surviving a restart.

Usage: test_end_to_end.py --core BIN --axon BIN --fixtures DIR [unittest arguments]
(ctest passes the built binaries and <build>/fixtures, made by fixtures/make_fixtures.py).
"""

import argparse
import concurrent.futures
import pathlib
import shutil
import sys
import tempfile
import unittest

import numpy

import harness

RTOL, ATOL = 1e-4, 1e-5
FIXTURES = ("mlp", "convnet", "tiny_bert")
OPTIONS = argparse.Namespace()  # --core, --axon, --fixtures; set in __main__


def model_id(name):
    return f"local/{name}@latest"


class Workspace:
    """A temporary directory holding the server's home, AXON_HOME and the children's HOME."""

    def __init__(self, add_cleanup):
        self.path = pathlib.Path(tempfile.mkdtemp(prefix="mlos-e2e-"))
        add_cleanup(shutil.rmtree, self.path, ignore_errors=True)
        environment = harness.scrubbed_environment(self.path)
        self.axon = harness.Axon(OPTIONS.axon, self.path / "axon-home", environment)
        self.server = harness.Server(OPTIONS.core, self.path / "mlos-home", harness.free_port(),
                                     environment)
        # Registered after the directory's removal, so it runs first: the server dies before.
        add_cleanup(self.server.kill)


class ServerTestCase(unittest.TestCase):
    """Base: where the fixtures are and how a reply is compared with torch's outputs."""

    @staticmethod
    def fixture_dir(name):
        return OPTIONS.fixtures / name

    def assert_matches(self, reply, expected_outputs, rows=slice(None)):
        """REPLY is a success whose outputs equal EXPECTED_OUTPUTS[name][ROWS] in shape and value."""
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json.get("status"), "success", reply)
        for name, expected in expected_outputs.items():
            with self.subTest(output=name):
                self.assertIn(name, reply.json["outputs"], reply)
                actual = harness.output_array(reply, name)
                numpy.testing.assert_allclose(actual, expected[rows], rtol=RTOL, atol=ATOL,
                                              err_msg=f"output {name}")


class InferenceTest(ServerTestCase):
    """One server with every fixture installed and registered; the tests only read from it."""

    @classmethod
    def setUpClass(cls):
        workspace = Workspace(cls.addClassCleanup)
        cls.workspace, cls.axon, cls.server = workspace.path, workspace.axon, workspace.server
        cls.server.start()
        cls.references = {}
        for name in FIXTURES:
            cls.axon.install_and_register(cls.fixture_dir(name), model_id(name), cls.server)
            cls.references[name] = harness.load_reference(cls.fixture_dir(name))

    def tearDown(self):
        self.assertEqual(self.server.request("GET", "/health").status, 200,
                         f"server stopped answering /health; its log:\n{self.server.log()}")

    # -- value forms of SPEC §3.2 ----------------------------------------------------------------

    def test_mlp_flat_array_dynamic_batch_absorbs_length(self):
        inputs, outputs = self.references["mlp"]
        reply = self.server.infer(model_id("mlp"), {"input": inputs["input"].ravel().tolist()})
        self.assert_matches(reply, outputs)

    def test_mlp_flat_array_of_one_row_is_batch_one(self):
        inputs, outputs = self.references["mlp"]
        reply = self.server.infer(model_id("mlp"), {"input": inputs["input"][0].tolist()})
        self.assert_matches(reply, outputs, rows=slice(0, 1))

    def test_convnet_typed_tensor_under_inputs(self):
        inputs, outputs = self.references["convnet"]
        pixels = inputs["pixel_values"]
        body = {"inputs": {"pixel_values": {"shape": list(pixels.shape), "datatype": "FP32",
                                            "data": pixels.ravel().tolist()}}}
        self.assert_matches(self.server.infer(model_id("convnet"), body), outputs)

    def test_tiny_bert_nested_arrays(self):
        inputs, outputs = self.references["tiny_bert"]
        body = {name: value.tolist() for name, value in inputs.items()}
        self.assert_matches(self.server.infer(model_id("tiny_bert"), body), outputs)

    def test_tiny_bert_padded_sentence_pairs_as_typed_tensors(self):
        inputs, outputs = harness.load_reference(self.fixture_dir("tiny_bert"), data_set=1)
        body = {name: {"shape": list(value.shape), "datatype": "INT64",
                       "data": value.ravel().tolist()} for name, value in inputs.items()}
        self.assert_matches(self.server.infer(model_id("tiny_bert"), body), outputs)

    def test_tiny_bert_only_input_ids_generates_mask_and_token_types(self):
        inputs, outputs = self.references["tiny_bert"]
        reply = self.server.infer(model_id("tiny_bert"), {"input_ids": inputs["input_ids"].tolist()})
        self.assert_matches(reply, outputs)

    def test_tiny_bert_flat_input_ids_is_one_sequence(self):
        inputs, outputs = self.references["tiny_bert"]
        reply = self.server.infer(model_id("tiny_bert"),
                                  {"input_ids": inputs["input_ids"][0].tolist()})
        self.assert_matches(reply, outputs, rows=slice(0, 1))

    def test_concurrent_requests_to_two_models_all_match(self):
        calls = [("mlp", {"input": self.references["mlp"][0]["input"].tolist()}),
                 ("tiny_bert", {"input_ids": self.references["tiny_bert"][0]["input_ids"].tolist()})]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            futures = [(name, pool.submit(self.server.infer, model_id(name), body))
                       for _ in range(8) for name, body in calls]
            for name, future in futures:
                self.assert_matches(future.result(), self.references[name][1])

    # -- reply format and model listing ------------------------------------------------------------

    def test_reply_fields(self):
        inputs, _ = self.references["mlp"]
        reply = self.server.infer(model_id("mlp"), {"input": inputs["input"].tolist()})
        self.assertEqual(reply.status, 200, reply)
        for field in ("model_id", "model_version", "inference_time_us", "queue_time_us",
                      "outputs", "output_size"):
            self.assertIn(field, reply.json, reply)
        self.assertEqual(reply.json["outputs"]["logits"]["datatype"], "FP32", reply)
        self.assertEqual(reply.json["outputs"]["logits"]["shape"], [2, 4], reply)

        without_data = self.server.infer(model_id("mlp"), {"input": inputs["input"].tolist()},
                                         query="?include_outputs=false")
        self.assertEqual(without_data.status, 200, without_data)
        self.assertNotIn("data", without_data.json["outputs"]["logits"], without_data)
        self.assertEqual(without_data.json["outputs"]["logits"]["shape"], [2, 4], without_data)

    def test_models_lists_every_registered_model_with_its_signature(self):
        listing = self.server.request("GET", "/models")
        self.assertEqual(listing.status, 200, listing)
        for name in FIXTURES:
            self.assertIn(model_id(name), listing.body.decode(), listing)
        detail = self.server.request("GET", f"/models/{harness.quoted_model_id(model_id('tiny_bert'))}")
        self.assertEqual(detail.status, 200, detail)
        for tensor in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state",
                       "pooler_output"):
            self.assertIn(tensor, detail.body.decode(), detail)

    # -- bad input: a 4xx naming the problem; tearDown checks the server still answers -------------

    def assert_client_error(self, reply, *keywords):
        self.assertGreaterEqual(reply.status, 400, reply)
        self.assertLess(reply.status, 500, reply)
        self.assertEqual(reply.json.get("status") if isinstance(reply.json, dict) else None,
                         "error", reply)
        for keyword in keywords:
            self.assertIn(keyword.lower(), reply.message.lower(), reply)

    def test_malformed_json_is_rejected(self):
        reply = self.server.infer(model_id("mlp"), b'{"input": [1.0, 2.0,')
        self.assertEqual(reply.status, 400, reply)
        self.assert_client_error(reply, "json")

    def test_wrong_input_name_is_named(self):
        inputs, _ = self.references["convnet"]
        reply = self.server.infer(model_id("convnet"), {"image": inputs["pixel_values"].tolist()})
        self.assertEqual(reply.status, 400, reply)
        self.assert_client_error(reply)
        self.assertTrue("image" in reply.message or "pixel_values" in reply.message,
                        f"message names neither the input sent nor the one expected: {reply}")

    def test_wrong_shape_names_input_and_expected_shape(self):
        reply = self.server.infer(model_id("mlp"), {"input": [[1.0, 2.0, 3.0]]})
        self.assertEqual(reply.status, 400, reply)
        self.assert_client_error(reply, "input", "16")

    def test_unknown_model_is_404(self):
        reply = self.server.infer("local/no_such_model@latest", {"input": [1.0]})
        self.assertEqual(reply.status, 404, reply)
        self.assert_client_error(reply, "local/no_such_model@latest")

    def test_registering_corrupt_onnx_is_rejected_and_not_listed(self):
        corrupt = self.workspace / "corrupt.onnx"
        corrupt.write_bytes(b"\x08\x07garbage, not a protobuf\xff\xfe\x00" * 8)
        reply = self.server.request("POST", "/models/register",
                                    {"model_id": "local/corrupt@latest", "path": str(corrupt)})
        self.assert_client_error(reply, "corrupt.onnx")
        listing = self.server.request("GET", "/models")
        self.assertNotIn("local/corrupt@latest", listing.body.decode(), listing)

    def test_axon_refuses_to_install_corrupt_onnx(self):
        corrupt = self.workspace / "broken_model.onnx"
        corrupt.write_bytes(b"not an onnx model at all\x00\xff")
        result = self.axon.run("install", corrupt, "--as", "local/broken@latest")
        self.assertNotEqual(result.returncode, 0, result)
        self.assertIn("broken_model.onnx", result.stdout + result.stderr, result)


class RestartTest(ServerTestCase):
    """The registry survives a graceful restart: models come back registered and still run."""

    def setUp(self):
        workspace = Workspace(self.addCleanup)
        self.axon, self.server = workspace.axon, workspace.server
        self.server.start()

    def tearDown(self):
        self.server.kill()

    def test_models_survive_sigterm_and_restart(self):
        self.axon.install_and_register(self.fixture_dir("mlp"), model_id("mlp"), self.server)
        inputs, outputs = harness.load_reference(self.fixture_dir("mlp"))
        body = {"input": inputs["input"].tolist()}
        self.assert_matches(self.server.infer(model_id("mlp"), body), outputs)

        seconds = self.server.terminate()
        self.assertLess(seconds, 2.0, f"mlos-core took {seconds:.1f} s to exit on SIGTERM when idle")
        self.assertEqual(self.server.process.returncode, 0,
                         f"exit status after SIGTERM; log:\n{self.server.log()}")

        self.server.start()
        listing = self.server.request("GET", "/models")
        self.assertEqual(listing.status, 200, listing)
        self.assertIn(model_id("mlp"), listing.body.decode(), listing)
        self.assert_matches(self.server.infer(model_id("mlp"), body), outputs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--core", required=True, type=pathlib.Path, help="the mlos-core binary")
    parser.add_argument("--axon", required=True, type=pathlib.Path, help="the axon binary")
    parser.add_argument("--fixtures", required=True, type=pathlib.Path,
                        help="output directory of fixtures/make_fixtures.py")
    known, rest = parser.parse_known_args()
    vars(OPTIONS).update(vars(known))
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
