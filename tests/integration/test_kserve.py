#!/usr/bin/python3
"""KServe v2 / Open Inference Protocol over REST, black-box: the real mlos-core, real ONNX fixture
models (mlp: FP32 input [batch, 16] -> logits [batch, 4]; tiny_bert: three INT64 inputs -> two
outputs), requests built byte for byte as tritonclient.http builds them (JSON, and Triton's binary
tensor data extension both ways), every metadata, health, repository and statistics route, and the
error cases with their status and a message naming the tensor.

Usage: test_kserve.py --core BIN --fixtures DIR [unittest arguments]
(ctest passes the built server and <build>/fixtures, made by fixtures/make_fixtures.py).
"""

import argparse
import http.client
import json
import pathlib
import shutil
import struct
import sys
import tempfile
import unittest
import urllib.parse

import numpy

import harness

RTOL, ATOL = 1e-4, 1e-5
OPTIONS = argparse.Namespace()  # --core, --fixtures; set in __main__
MLP = "local/mlp@1"
BERT = "local/tiny_bert@latest"
NUMPY_TO_KSERVE = {numpy.dtype(numpy.float32): "FP32", numpy.dtype(numpy.int64): "INT64"}
KSERVE_TO_NUMPY = {"FP32": numpy.float32, "INT64": numpy.int64, "FP64": numpy.float64}


class Reply:
    """An HTTP reply of the KServe API: status, headers and the body split as tritonclient does."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        length = headers.get("inference-header-content-length")
        self.json_length = int(length) if length is not None else len(body)
        try:
            self.json = json.loads(body[:self.json_length]) if self.json_length else None
        except ValueError:
            self.json = None
        self.binary = body[self.json_length:]

    @property
    def error(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), str):
            return self.json["error"]
        return self.body.decode(errors="replace")

    def output(self, name):
        """Output NAME as an array, read from JSON "data" or from the binary section."""
        offset = 0
        for output in self.json["outputs"]:
            size = output.get("parameters", {}).get("binary_data_size")
            if output["name"] == name:
                dtype = KSERVE_TO_NUMPY[output["datatype"]]
                if size is None:
                    return numpy.asarray(output["data"], dtype=dtype).reshape(output["shape"])
                return numpy.frombuffer(self.binary[offset:offset + size],
                                        dtype=dtype).reshape(output["shape"])
            offset += size or 0
        raise AssertionError(f"no output {name} in {self.json}")

    def __repr__(self):
        return f"HTTP {self.status} {self.headers}: {self.body[:2000]!r}"


def model_path(model_id):
    """`local/mlp@1` -> `/v2/models/local/mlp%401`: quoted as tritonclient quotes it ('/' kept)."""
    return "/v2/models/" + urllib.parse.quote(model_id)


def tensor_json(name, array, binary):
    """One request input as tritonclient's InferInput._get_tensor() writes it."""
    tensor = {"name": name, "shape": list(array.shape), "datatype": NUMPY_TO_KSERVE[array.dtype]}
    if binary:
        tensor["parameters"] = {"binary_data_size": array.nbytes}
    else:
        tensor["data"] = array.flatten().tolist()
    return tensor


def infer_body(inputs, binary_inputs=False, outputs=None, binary_outputs=False, request_id=None):
    """(body, json length or None) exactly as tritonclient.http's _get_inference_request builds
    them: JSON (json.dumps), then the binary inputs' bytes in input order."""
    request = {}
    if request_id is not None:
        request["id"] = request_id
    if outputs is not None:
        request["outputs"] = [{"name": name, "parameters": {"binary_data": binary_outputs}}
                              for name in outputs]
    elif binary_outputs:
        request["parameters"] = {"binary_data_output": True}
    request["inputs"] = [tensor_json(name, array, binary_inputs) for name, array in inputs.items()]
    body = json.dumps(request).encode()
    if not binary_inputs:
        return body, None
    return body + b"".join(array.tobytes() for array in inputs.values()), len(body)


class KServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-kserve-"))
        environment = harness.scrubbed_environment(cls.directory)
        cls.server = harness.Server(OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
                                    environment)
        try:
            cls.server.start()
            for model_id, fixture in ((MLP, "mlp"), (BERT, "tiny_bert")):
                reply = cls.server.request("POST", "/models/register", {
                    "model_id": model_id, "path": str(OPTIONS.fixtures / fixture / "model.onnx")})
                if reply.status != 200:
                    raise AssertionError(f"registering {model_id}: {reply}")
        except BaseException:
            cls.tearDownClass()
            raise
        cls.mlp_inputs, cls.mlp_outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        cls.bert_inputs, cls.bert_outputs = harness.load_reference(OPTIONS.fixtures / "tiny_bert")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def call(self, method, path, body=None, json_length=None, headers=None):
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        all_headers = dict(headers or {})
        if json_length is not None:
            all_headers["Inference-Header-Content-Length"] = str(json_length)
            all_headers.setdefault("Content-Type", "application/octet-stream")
        elif body is not None:
            all_headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port,
                                                timeout=harness.COMMAND_TIMEOUT_S)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            headers = {key.lower(): value for key, value in response.getheaders()}
            return Reply(response.status, headers, response.read())
        finally:
            connection.close()

    def infer(self, model_id, inputs, **options):
        body, json_length = infer_body(inputs, **options)
        return self.call("POST", model_path(model_id) + "/infer", body, json_length)

    def assert_error(self, reply, status, *fragments):
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(set(reply.json), {"error"}, reply)
        for fragment in fragments:
            self.assertIn(fragment, reply.error)

    # --- metadata, health ------------------------------------------------------------------

    def test_server_metadata_and_health(self):
        reply = self.call("GET", "/v2")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["name"], "mlos-core")
        self.assertIn("version", reply.json)
        self.assertEqual(set(reply.json["extensions"]),
                         {"binary_tensor_data", "model_repository", "statistics"})
        self.assertEqual(self.call("GET", "/v2/health/live").status, 200)
        self.assertEqual(self.call("GET", "/v2/health/ready").status, 200)

    def test_model_metadata(self):
        expected = {"name": "local/mlp", "versions": ["1"], "platform": "onnx",
                    "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 16]}],
                    "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 4]}]}
        for path in (model_path(MLP), "/v2/models/local%2Fmlp%401", "/v2/models/local/mlp/versions/1"):
            with self.subTest(path=path):
                reply = self.call("GET", path)
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(reply.json, expected)
        config = self.call("GET", model_path(MLP) + "/config")
        self.assertEqual(config.status, 200, config)
        self.assertEqual(config.json["max_batch_size"], 0)
        self.assertEqual(config.json["input"],
                         [{"name": "input", "data_type": "TYPE_FP32", "dims": [-1, 16]}])
        bert = self.call("GET", "/v2/models/local/tiny_bert")  # no version: @latest
        self.assertEqual(bert.status, 200, bert)
        self.assertEqual([tensor["name"] for tensor in bert.json["inputs"]],
                         ["input_ids", "attention_mask", "token_type_ids"])
        self.assertEqual(bert.json["inputs"][0]["datatype"], "INT64")

    # --- inference -------------------------------------------------------------------------

    def test_json_inference(self):
        reply = self.infer(MLP, self.mlp_inputs, request_id="req-1")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers["content-type"], "application/json")
        self.assertEqual(reply.json["model_name"], "local/mlp")
        self.assertEqual(reply.json["model_version"], "1")
        self.assertEqual(reply.json["id"], "req-1")
        numpy.testing.assert_allclose(reply.output("logits"), self.mlp_outputs["logits"],
                                      rtol=RTOL, atol=ATOL)

    def test_nested_json_data(self):
        array = self.mlp_inputs["input"]
        body = {"inputs": [{"name": "input", "shape": list(array.shape), "datatype": "FP32",
                            "data": array.tolist()}]}
        reply = self.call("POST", model_path(MLP) + "/infer", body)
        self.assertEqual(reply.status, 200, reply)
        numpy.testing.assert_allclose(reply.output("logits"), self.mlp_outputs["logits"],
                                      rtol=RTOL, atol=ATOL)

    def test_binary_request_json_reply(self):
        reply = self.infer(MLP, self.mlp_inputs, binary_inputs=True)
        self.assertEqual(reply.status, 200, reply)
        self.assertNotIn("inference-header-content-length", reply.headers)
        self.assertIn("data", reply.json["outputs"][0])
        numpy.testing.assert_allclose(reply.output("logits"), self.mlp_outputs["logits"],
                                      rtol=RTOL, atol=ATOL)

    def test_binary_both_ways(self):
        # tritonclient with no outputs named asks for every output as binary_data_output.
        for outputs in (None, ["logits"]):
            with self.subTest(outputs=outputs):
                reply = self.infer(MLP, self.mlp_inputs, binary_inputs=True, outputs=outputs,
                                   binary_outputs=True)
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(reply.headers["content-type"], "application/octet-stream")
                self.assertIn("inference-header-content-length", reply.headers)
                output = reply.json["outputs"][0]
                self.assertNotIn("data", output)
                self.assertEqual(output["parameters"]["binary_data_size"], 2 * 4 * 4)
                self.assertEqual(len(reply.binary), 2 * 4 * 4)
                numpy.testing.assert_allclose(reply.output("logits"), self.mlp_outputs["logits"],
                                              rtol=RTOL, atol=ATOL)

    def test_int64_inputs_and_requested_outputs_only(self):
        for binary in (False, True):
            with self.subTest(binary=binary):
                reply = self.infer(BERT, self.bert_inputs, binary_inputs=binary,
                                   outputs=["pooler_output"], binary_outputs=binary)
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual([o["name"] for o in reply.json["outputs"]], ["pooler_output"])
                numpy.testing.assert_allclose(reply.output("pooler_output"),
                                              self.bert_outputs["pooler_output"],
                                              rtol=RTOL, atol=ATOL)
        both = self.infer(BERT, self.bert_inputs, outputs=["pooler_output", "last_hidden_state"])
        self.assertEqual([o["name"] for o in both.json["outputs"]],
                         ["pooler_output", "last_hidden_state"])

    # --- repository, readiness, statistics ----------------------------------------------------

    def test_repository_readiness_and_statistics(self):
        ready_path = model_path(MLP) + "/ready"
        self.assertEqual(self.call("POST", "/v2/repository/models/local%2Fmlp%401/load").status,
                         200)
        self.assertEqual(self.call("GET", ready_path).status, 200)
        index = self.call("POST", "/v2/repository/index", {"ready": True})
        self.assertEqual(index.status, 200, index)
        self.assertIn({"name": "local/mlp", "version": "1", "state": "READY"}, index.json)

        unloaded = self.call("POST", "/v2/repository/models/local/mlp%401/unload")
        self.assertEqual(unloaded.status, 200, unloaded)
        self.assert_error(self.call("GET", ready_path), 400, "local/mlp@1", "not ready")
        index = self.call("POST", "/v2/repository/index")
        self.assertEqual(index.status, 200, index)
        self.assertIn({"name": "local/mlp", "version": "1", "state": "UNAVAILABLE",
                       "reason": "unloaded"}, index.json)
        self.assertNotIn("local/mlp", [item["name"] for item in
                                       self.call("POST", "/v2/repository/index",
                                                 {"ready": True}).json])

        # Inference loads it again on first use, and is counted.
        self.assertEqual(self.infer(MLP, self.mlp_inputs).status, 200)
        self.assertEqual(self.call("GET", ready_path).status, 200)
        stats = self.call("GET", model_path(MLP) + "/stats")
        self.assertEqual(stats.status, 200, stats)
        entry = stats.json["model_stats"][0]
        self.assertEqual((entry["name"], entry["version"]), ("local/mlp", "1"))
        self.assertGreaterEqual(entry["inference_stats"]["success"]["count"], 1)
        self.assertGreaterEqual(entry["inference_count"], 1)
        self.assertGreater(entry["last_inference"], 0)
        all_stats = self.call("GET", "/v2/models/stats")
        self.assertEqual({m["name"] for m in all_stats.json["model_stats"]},
                         {"local/mlp", "local/tiny_bert"})

        self.assert_error(self.call("POST", "/v2/repository/models/local%2Fmlp%401/load",
                                    {"parameters": {"config": "{}"}}), 501, "config")
        self.assert_error(self.call("POST", "/v2/repository/models/local%2Fnone/load"), 404,
                          "local/none@latest")
        self.assert_error(self.call("GET", "/v2/models/local/none/ready"), 404, "local/none@latest")
        self.assert_error(self.call("GET", "/v2/models/local/none/stats"), 404, "local/none@latest")

    # --- errors ----------------------------------------------------------------------------

    def test_routing_errors(self):
        self.assert_error(self.call("GET", "/v2/nowhere"), 404, "no route")
        reply = self.call("GET", model_path(MLP) + "/infer")
        self.assert_error(reply, 405, "use POST")
        self.assertEqual(reply.headers["allow"], "POST")
        self.assert_error(self.infer("local/none@1", self.mlp_inputs), 404, "local/none@1")

    def test_request_errors_name_the_tensor(self):
        good = self.mlp_inputs["input"]
        path = model_path(MLP) + "/infer"

        def tensor(**change):
            value = {"name": "input", "shape": [2, 16], "datatype": "FP32",
                     "data": good.flatten().tolist()}
            value.update(change)
            return {"inputs": [value]}

        cases = [
            (tensor(name="inputs"), "unknown input 'inputs'", "input (FP32 [-1, 16])"),
            ({"inputs": []}, "missing input input (FP32 [-1, 16])"),
            ({"inputs": tensor()["inputs"] * 2}, "input 'input' is given twice"),
            (tensor(datatype="FP64"), "input 'input'", "datatype \"FP64\" given",
             "expects FP32"),
            (tensor(shape=[32]), "input 'input'", "rank 1", "[-1, 16]"),
            (tensor(shape=[2, 8], data=good.flatten()[:16].tolist()), "input 'input'",
             "dimension 1 must be 16"),
            (tensor(shape=[3, 16]), "input 'input'", "needs 48 elements", "has 32"),
            (tensor(data=["x"] * 32), "input 'input'", "element 0", "not a number"),
            (tensor(data=[1e39] * 32), "input 'input'", "element 0", "out of range for FP32"),
            ({"inputs": tensor()["inputs"], "outputs": [{"name": "probabilities"}]},
             "unknown output 'probabilities'", "logits (FP32 [-1, 4])"),
        ]
        for body, *fragments in cases:
            with self.subTest(error=fragments[0]):
                self.assert_error(self.call("POST", path, body), 400, "model 'local/mlp@1'",
                                  *fragments)

        ids = self.bert_inputs["input_ids"]
        bert_path = model_path(BERT) + "/infer"
        for data, fragment in ((1.5, "1.5 is not an integer, as INT64 requires"),
                               (1e19, "out of range for INT64")):
            with self.subTest(error=fragment):
                inputs = [tensor_json(name, array, False) for name, array in self.bert_inputs.items()]
                inputs[0]["data"] = [data] * ids.size
                self.assert_error(self.call("POST", bert_path, {"inputs": inputs}), 400,
                                  "input 'input_ids' (INT64 [-1, -1])", fragment)

    def test_malformed_and_non_finite_json(self):
        path = model_path(MLP) + "/infer"
        self.assert_error(self.call("POST", path, b"{\"inputs\": ["), 400, "not valid JSON")
        overflow = (b'{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":[1e999'
                    + b",0" * 15 + b"]}]}")
        self.assert_error(self.call("POST", path, overflow), 400, "1e999")
        self.assert_error(self.call("POST", path, b"[1, 2]"), 400, "must be a JSON object")

    def test_binary_framing_errors(self):
        path = model_path(MLP) + "/infer"
        body, json_length = infer_body(self.mlp_inputs, binary_inputs=True)
        self.assert_error(self.call("POST", path, body[:-4], json_length), 400,
                          "input 'input'", "binary_data_size is 128 but only 124 bytes")
        self.assert_error(self.call("POST", path, body + b"\0\0\0\0", json_length), 400,
                          "4 bytes too many")
        header = json.loads(body[:json_length])
        header["inputs"][0]["parameters"]["binary_data_size"] = 64
        short = json.dumps(header).encode()
        self.assert_error(self.call("POST", path, short + body[json_length:json_length + 64],
                                    len(short)),
                          400, "input 'input'", "binary_data_size is 64",
                          "[2, 16] of FP32 needs 128 bytes")
        self.assert_error(self.call("POST", path, body, json_length=len(body) + 1), 400,
                          "Inference-Header-Content-Length")
        self.assert_error(self.call("POST", path, body[:json_length]), 400, "input 'input'",
                          "no Inference-Header-Content-Length header")
        # The server keeps serving after all of the above.
        self.assertEqual(self.infer(MLP, self.mlp_inputs, binary_inputs=True).status, 200)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    OPTIONS, remaining = parser.parse_known_args()
    OPTIONS.fixtures = OPTIONS.fixtures.resolve()  # the server resolves relative paths elsewhere
    unittest.main(argv=[sys.argv[0], *remaining])
