#!/usr/bin/python3
"""KServe v2 / Open Inference Protocol over gRPC, black-box: the real mlos-core with its gRPC front
end, called as a stock client does: Python message classes generated at test time by `protoc
--python_out` from the server's .proto files (src/core/api/grpc), sent with python3-grpcio's
generic unary_unary/stream_stream calls. Covers every RPC of inference.GRPCInferenceService and
grpc.health.v1.Health (ModelConfig included), typed `contents` and `raw_input_contents` for FP32, INT64, BOOL, BYTES and
FP16 (the echo test plugin) and the mlp ONNX fixture, output selection, typed outputs, errors and
their status codes (NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE, RESOURCE_EXHAUSTED, INTERNAL,
UNIMPLEMENTED), a stream with good and bad requests interleaved, and that gRPC answers what the
KServe REST front end answers for the same input.

Usage: test_grpc.py --core BIN --fixtures DIR --plugin-dir DIR [unittest arguments]
       test_grpc.py --core BIN --fixtures DIR --plugin-dir DIR --latency N
(the second form prints the p50/p99 latency of N sequential tiny-model calls over gRPC and REST).
"""

import argparse
import concurrent.futures
import http.client
import importlib
import json
import pathlib
import queue
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

import grpc
import numpy

import harness

OPTIONS = argparse.Namespace()  # --core, --fixtures, --plugin-dir, --latency; set in __main__
PROTO_DIR = pathlib.Path(__file__).resolve().parents[2] / "src" / "core" / "api" / "grpc"
SERVICE = "inference.GRPCInferenceService"
HEALTH = "grpc.health.v1.Health"
MLP = "local/mlp@1"
BERT = "local/tiny_bert@latest"  # three INT64 inputs; outputs last_hidden_state, pooler_output
TYPES = "t/types@1"  # echo plugin: every input comes back as <name>_echo
TYPES_INPUTS = [("f32", "FP32", [-1, 3]), ("i64", "INT64", [-1]), ("flag", "BOOL", [-1]),
                ("text", "BYTES", [-1]), ("half", "FP16", [-1, 2])]
MEMORY_BUDGET = 4 << 20
MAX_REQUEST_BYTES = 8 << 20
NUMPY_TYPES = {"FP32": numpy.float32, "FP64": numpy.float64, "INT64": numpy.int64,
               "BOOL": numpy.bool_, "FP16": numpy.float16}
TYPED_FIELDS = {"FP32": "fp32_contents", "INT64": "int64_contents", "BOOL": "bool_contents",
                "BYTES": "bytes_contents"}
pb = None      # grpc_predict_v2_pb2, generated in setUpModule
health = None  # health_pb2


def setUpModule():
    global pb, health
    directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-grpc-protos-"))
    subprocess.run(["protoc", f"--python_out={directory}", f"-I{PROTO_DIR}",
                    "grpc_predict_v2.proto", "health.proto"], check=True)
    sys.path.insert(0, str(directory))
    pb = importlib.import_module("grpc_predict_v2_pb2")
    health = importlib.import_module("health_pb2")


class Client:
    """A gRPC channel with the generated serializers: what any stock client puts on the wire."""

    def __init__(self, port):
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", -1),
                                          ("grpc.max_send_message_length", -1)])
        self.calls = {}

    def call(self, method, request, service=SERVICE, timeout=60):
        module = health if service == HEALTH else pb
        response = {"Check": "HealthCheckResponse"}.get(method, method + "Response")
        key = (service, method)
        if key not in self.calls:
            self.calls[key] = self.channel.unary_unary(
                f"/{service}/{method}", request_serializer=type(request).SerializeToString,
                response_deserializer=getattr(module, response).FromString)
        return self.calls[key](request, timeout=timeout)

    def stream(self, requests, timeout=60):
        call = self.channel.stream_stream(
            f"/{SERVICE}/ModelStreamInfer", request_serializer=pb.ModelInferRequest.SerializeToString,
            response_deserializer=pb.ModelStreamInferResponse.FromString)
        return list(call(iter(requests), timeout=timeout))


def raw_bytes(datatype, values):
    """VALUES (a numpy array, or a list of bytes for BYTES) in the protocol's raw layout."""
    if datatype == "BYTES":
        return b"".join(struct.pack("<I", len(value)) + value for value in values)
    return numpy.ascontiguousarray(values, dtype=NUMPY_TYPES[datatype]).tobytes()


def from_raw(datatype, shape, data):
    if datatype == "BYTES":
        values, offset = [], 0
        while offset < len(data):
            (length,) = struct.unpack_from("<I", data, offset)
            values.append(data[offset + 4:offset + 4 + length])
            offset += 4 + length
        return values
    return numpy.frombuffer(data, dtype=NUMPY_TYPES[datatype]).reshape(shape)


def infer_request(model_id, inputs, raw, outputs=None, request_id="", typed_outputs=False):
    """INPUTS: [(name, datatype, shape, values)]; values a numpy array or a list of bytes."""
    name, _, version = model_id.rpartition("@")
    request = pb.ModelInferRequest(model_name=name, model_version=version, id=request_id)
    for input_name, datatype, shape, values in inputs:
        tensor = request.inputs.add(name=input_name, datatype=datatype, shape=shape)
        if raw:
            request.raw_input_contents.append(raw_bytes(datatype, values))
        elif datatype in TYPED_FIELDS:  # FP16 has no typed field: its contents stay empty
            flat = values if datatype == "BYTES" else numpy.asarray(values).flatten().tolist()
            getattr(tensor.contents, TYPED_FIELDS[datatype]).extend(flat)
    for output in outputs or []:
        request.outputs.add(name=output)
    if typed_outputs:
        request.parameters["binary_data_output"].bool_param = False
    return request


def outputs_of(response):
    """{name: (datatype, shape, values)} of a ModelInferResponse, raw or typed."""
    result = {}
    for index, output in enumerate(response.outputs):
        shape = list(output.shape)
        if response.raw_output_contents:
            values = from_raw(output.datatype, shape, response.raw_output_contents[index])
        else:
            flat = list(getattr(output.contents, TYPED_FIELDS[output.datatype]))
            values = flat if output.datatype == "BYTES" else numpy.asarray(
                flat, dtype=NUMPY_TYPES[output.datatype]).reshape(shape)
        result[output.name] = (output.datatype, shape, values)
    return result


def types_inputs():
    """One value set for every input of TYPES: (name, datatype, shape, values)."""
    return [("f32", "FP32", [2, 3], numpy.arange(6, dtype=numpy.float32).reshape(2, 3) / 7),
            ("i64", "INT64", [3], numpy.array([-(2 ** 62), 0, 2 ** 62 + 5], dtype=numpy.int64)),
            ("flag", "BOOL", [4], numpy.array([True, False, False, True])),
            ("text", "BYTES", [3], [b"hello", b"", b"\x00\xffbytes"]),
            ("half", "FP16", [1, 2], numpy.array([[1.5, -65504]], dtype=numpy.float16))]


class GrpcServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-grpc-"))
        cls.grpc_port = harness.free_port()
        cls.server = harness.Server(
            OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
            harness.scrubbed_environment(cls.directory),
            arguments=["--grpc-port", cls.grpc_port, "--plugin-dir", OPTIONS.plugin_dir,
                       "--memory-budget", MEMORY_BUDGET, "--max-request-bytes", MAX_REQUEST_BYTES],
            front_ends=("http", "grpc"))
        try:
            cls.server.start()
            cls.register(MLP, OPTIONS.fixtures / "mlp" / "model.onnx")
            cls.register(BERT, OPTIONS.fixtures / "tiny_bert" / "model.onnx")
            cls.register(TYPES, cls.echo_model("types", TYPES_INPUTS))
            cls.register("t/fails@1", cls.echo_model("fails", [("fail", "FP32", [-1])]))
            cls.register("t/slow@1", cls.echo_model("slow", [("x", "FP32", [-1])], delay_ms=400),
                         {"max_queue": 0, "instances": 1})
            cls.register("t/huge@1", cls.echo_model("huge", [("x", "FP32", [-1])],
                                                     pad_to=MEMORY_BUDGET + 500))
        except BaseException:
            cls.tearDownClass()
            raise
        cls.client = Client(cls.grpc_port)
        cls.mlp_inputs, cls.mlp_outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        cls.bert_inputs, cls.bert_outputs = harness.load_reference(OPTIONS.fixtures / "tiny_bert")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    @classmethod
    def echo_model(cls, name, inputs, **options):
        return harness.write_echo_model(cls.directory / f"{name}.echo", inputs, **options)

    @classmethod
    def register(cls, model_id, path, settings=None):
        body = {"model_id": model_id, "path": str(path)}
        if settings is not None:
            body["settings"] = settings
        reply = cls.server.request("POST", "/models/register", body)
        if reply.status != 200:
            raise AssertionError(f"registering {model_id}: {reply}\n{cls.server.log()}")

    def rest(self, method, path, body=None, headers=None):
        reply = self.server.request(method, path, body, headers=headers)
        return reply

    def assert_code(self, code, fragments, method, request):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.call(method, request)
        self.assertEqual(caught.exception.code(), code, caught.exception.details())
        for fragment in fragments:
            self.assertIn(fragment, caught.exception.details())
        return caught.exception.details()

    def mlp_request(self, raw, **options):
        array = self.mlp_inputs["input"]
        return infer_request(MLP, [("input", "FP32", list(array.shape), array)], raw, **options)

    # --- health and metadata -----------------------------------------------------------------

    def test_health_service(self):
        for service in ("", SERVICE):
            reply = self.client.call("Check", health.HealthCheckRequest(service=service), HEALTH)
            self.assertEqual(reply.status, health.HealthCheckResponse.SERVING, service)
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.call("Check", health.HealthCheckRequest(service="no.Such"), HEALTH)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_server_live_ready_and_metadata_as_rest(self):
        self.assertTrue(self.client.call("ServerLive", pb.ServerLiveRequest()).live)
        self.assertTrue(self.client.call("ServerReady", pb.ServerReadyRequest()).ready)
        metadata = self.client.call("ServerMetadata", pb.ServerMetadataRequest())
        rest = self.rest("GET", "/v2").json
        self.assertEqual({"name": metadata.name, "version": metadata.version,
                          "extensions": list(metadata.extensions)}, rest)

    def test_model_metadata_as_rest(self):
        rest = self.rest("GET", "/v2/models/local/mlp/versions/1").json
        for name, version in (("local/mlp", "1"), ("local/mlp@1", ""), ("local/mlp@1", "1")):
            with self.subTest(name=name, version=version):
                reply = self.client.call("ModelMetadata",
                                         pb.ModelMetadataRequest(name=name, version=version))
                self.assertEqual(reply.name, "local/mlp")
                self.assertEqual(list(reply.versions), ["1"])
                self.assertEqual(reply.platform, "onnx")
                tensors = [{"name": t.name, "datatype": t.datatype, "shape": list(t.shape)}
                           for t in reply.inputs]
                self.assertEqual(tensors, rest["inputs"])
                self.assertEqual([t.name for t in reply.outputs], ["logits"])
                self.assertEqual(list(reply.outputs[0].shape), [-1, 4])
        config = self.client.call("ModelConfig", pb.ModelConfigRequest(name="local/mlp@1")).config
        rest_config = self.rest("GET", "/v2/models/local/mlp/versions/1/config").json
        self.assertEqual({"name": config.name, "platform": config.platform,
                          "backend": config.backend, "max_batch_size": config.max_batch_size,
                          "input": [{"name": t.name, "data_type": pb.DataType.Name(t.data_type),
                                     "dims": list(t.dims)} for t in config.input],
                          "output": [{"name": t.name, "data_type": pb.DataType.Name(t.data_type),
                                      "dims": list(t.dims)} for t in config.output]},
                         rest_config)
        types_config = self.client.call("ModelConfig", pb.ModelConfigRequest(name=TYPES)).config
        self.assertEqual([pb.DataType.Name(t.data_type) for t in types_config.input],
                         ["TYPE_FP32", "TYPE_INT64", "TYPE_BOOL", "TYPE_STRING", "TYPE_FP16"])
        types = self.client.call("ModelMetadata", pb.ModelMetadataRequest(name="t/types",
                                                                          version="1"))
        self.assertEqual([(t.name, t.datatype) for t in types.inputs],
                         [(name, datatype) for name, datatype, _ in TYPES_INPUTS])
        self.assert_code(grpc.StatusCode.NOT_FOUND, ["local/none@latest"], "ModelMetadata",
                         pb.ModelMetadataRequest(name="local/none"))
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, ["names version '1'", "version '2'"],
                         "ModelMetadata", pb.ModelMetadataRequest(name="local/mlp@1", version="2"))
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, ["model name is empty"],
                         "ModelMetadata", pb.ModelMetadataRequest(name=""))

    # --- inference ---------------------------------------------------------------------------

    def test_mlp_typed_and_raw_equal_the_reference_and_rest(self):
        array = self.mlp_inputs["input"]
        body = json.dumps({"inputs": [{"name": "input", "shape": list(array.shape),
                                       "datatype": "FP32", "parameters": {"binary_data_size":
                                                                          array.nbytes}}],
                           "parameters": {"binary_data_output": True}}).encode()
        rest = self.rest("POST", "/v2/models/local/mlp/versions/1/infer", body + array.tobytes(),
                         headers={"Inference-Header-Content-Length": str(len(body))})
        self.assertEqual(rest.status, 200, rest)
        json_length = int(rest.headers["inference-header-content-length"])
        rest_logits = rest.body[json_length:]
        for raw in (False, True):
            with self.subTest(raw=raw):
                reply = self.client.call("ModelInfer", self.mlp_request(raw, request_id="r-1"))
                self.assertEqual((reply.model_name, reply.model_version, reply.id),
                                 ("local/mlp", "1", "r-1"))
                self.assertEqual(len(reply.raw_output_contents), 1)  # raw outputs by default
                self.assertEqual(reply.raw_output_contents[0], rest_logits)
                datatype, shape, logits = outputs_of(reply)["logits"]
                self.assertEqual((datatype, shape), ("FP32", [2, 4]))
                numpy.testing.assert_allclose(logits, self.mlp_outputs["logits"], rtol=1e-4,
                                              atol=1e-5)
        typed = self.client.call("ModelInfer", self.mlp_request(False, typed_outputs=True))
        self.assertEqual(len(typed.raw_output_contents), 0)
        self.assertEqual(numpy.asarray(typed.outputs[0].contents.fp32_contents,
                                       dtype=numpy.float32).tobytes(), rest_logits)

    def test_every_datatype_typed_and_raw(self):
        inputs = types_inputs()
        for raw in (False, True):
            with self.subTest(raw=raw):
                sent = [i for i in inputs if raw or i[1] != "FP16"]  # FP16 has no typed field
                if not raw:
                    self.assert_code(grpc.StatusCode.INVALID_ARGUMENT,
                                     ["input 'half'", "FP16 has no typed contents field",
                                      "raw_input_contents"],
                                     "ModelInfer", infer_request(TYPES, inputs, raw=False))
                    continue
                reply = self.client.call("ModelInfer", infer_request(TYPES, sent, raw=True))
                outputs = outputs_of(reply)
                self.assertEqual(list(outputs), [f"{name}_echo" for name, *_ in inputs])
                for name, datatype, shape, values in inputs:
                    got_type, got_shape, got = outputs[f"{name}_echo"]
                    self.assertEqual((got_type, got_shape), (datatype, shape), name)
                    if datatype == "BYTES":
                        self.assertEqual(got, values)
                    else:
                        numpy.testing.assert_array_equal(got, values)

    def test_output_selection_and_typed_outputs_as_rest(self):
        inputs = [(name, "INT64", list(array.shape), array)
                  for name, array in self.bert_inputs.items()]
        for wanted in (["pooler_output"], ["pooler_output", "last_hidden_state"], None):
            header = json.dumps({
                "inputs": [{"name": name, "shape": shape, "datatype": "INT64",
                            "parameters": {"binary_data_size": array.nbytes}}
                           for name, _, shape, array in inputs],
                "outputs": [{"name": name, "parameters": {"binary_data": True}}
                            for name in wanted or []],
                "parameters": {"binary_data_output": True}}).encode()
            rest = self.rest("POST", "/v2/models/local/tiny_bert/infer",
                             header + b"".join(array.tobytes() for *_, array in inputs),
                             headers={"Inference-Header-Content-Length": str(len(header))})
            self.assertEqual(rest.status, 200, rest)
            rest_length = int(rest.headers["inference-header-content-length"])
            rest_outputs = json.loads(rest.body[:rest_length])["outputs"]
            rest_binary = rest.body[rest_length:]
            for raw_inputs in (False, True):
                for typed_outputs in (False, True):
                    with self.subTest(wanted=wanted, raw_inputs=raw_inputs, typed=typed_outputs):
                        reply = self.client.call("ModelInfer", infer_request(
                            BERT, inputs, raw_inputs, outputs=wanted,
                            typed_outputs=typed_outputs))
                        self.assertEqual([o.name for o in reply.outputs],
                                         [o["name"] for o in rest_outputs])
                        self.assertEqual(len(reply.raw_output_contents),
                                         0 if typed_outputs else len(rest_outputs))
                        got = outputs_of(reply)
                        offset = 0
                        for output in rest_outputs:
                            size = output["parameters"]["binary_data_size"]
                            datatype, shape, values = got[output["name"]]
                            self.assertEqual((datatype, shape),
                                             (output["datatype"], output["shape"]))
                            self.assertEqual(values.tobytes(), rest_binary[offset:offset + size])
                            numpy.testing.assert_allclose(values, self.bert_outputs[output["name"]],
                                                          rtol=1e-4, atol=1e-5)
                            offset += size
        # Typed outputs need a typed field for every output: FP16 has none.
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT,
                         ["output half_echo (FP16 [-1, 2]) has no typed contents field"],
                         "ModelInfer", infer_request(TYPES, types_inputs(), True,
                                                     typed_outputs=True))

    def test_typed_bool_bytes_int64_fp32_alone(self):
        # The typed contents of each datatype, each through a model of that one input.
        for name, datatype, shape, values in types_inputs()[:4]:
            with self.subTest(datatype=datatype):
                model_id = f"t/only_{name}@1"
                self.register(model_id, self.echo_model(f"only_{name}", [(name, datatype, [-1])]))
                flat = values if datatype == "BYTES" else numpy.asarray(values).flatten()
                count = len(flat)
                typed = self.client.call("ModelInfer", infer_request(
                    model_id, [(name, datatype, [count], flat)], raw=False, typed_outputs=True))
                raw = self.client.call("ModelInfer", infer_request(
                    model_id, [(name, datatype, [count], flat)], raw=True))
                got_typed = outputs_of(typed)[f"{name}_echo"][2]
                got_raw = outputs_of(raw)[f"{name}_echo"][2]
                if datatype == "BYTES":
                    self.assertEqual(got_typed, list(flat))
                    self.assertEqual(got_raw, list(flat))
                else:
                    numpy.testing.assert_array_equal(got_typed, flat)
                    numpy.testing.assert_array_equal(got_raw, flat)

    def test_request_errors_name_the_tensor(self):
        good = types_inputs()
        cases = [
            ("wrong datatype", [("f32", "FP64", [2, 3], numpy.zeros(6))] + good[1:],
             ["model 't/types@1'", "input 'f32' (FP32 [-1, 3])", "datatype \"FP64\" given"]),
            ("wrong shape", [("f32", "FP32", [2, 4], numpy.zeros(8))] + good[1:],
             ["input 'f32'", "dimension 1 must be 3"]),
            ("missing input", good[1:], ["missing input f32 (FP32 [-1, 3])"]),
            ("unknown input", good + [("extra", "FP32", [1], numpy.zeros(1))],
             ["unknown input 'extra'"]),
            ("short raw data", [("f32", "FP32", [3, 3], numpy.zeros(6))] + good[1:],
             ["input 'f32'", "raw_input_contents"]),
        ]
        for label, inputs, fragments in cases:
            with self.subTest(label):
                self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, fragments, "ModelInfer",
                                 infer_request(TYPES, inputs, raw=True))
        request = infer_request(TYPES, good, raw=True)
        del request.raw_input_contents[-1]
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, ["raw_input_contents has 4 entries for "
                                                            "5 inputs"], "ModelInfer", request)
        typed = infer_request(MLP, [("input", "FP32", [2, 16], numpy.zeros(31))], raw=False)
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT,
                         ["input 'input'", "needs 32 elements, contents.fp32_contents has 31"],
                         "ModelInfer", typed)
        mixed = self.mlp_request(False)
        mixed.inputs[0].contents.int64_contents.append(1)
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, ["contents.int64_contents is given"],
                         "ModelInfer", mixed)
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, ["unknown output 'nope' requested"],
                         "ModelInfer", self.mlp_request(True, outputs=["nope"]))

    def test_status_codes(self):
        one = [("x", "FP32", [1], numpy.ones(1))]
        self.assert_code(grpc.StatusCode.NOT_FOUND, ["t/none@latest"], "ModelInfer",
                         infer_request("t/none@", one, raw=True))
        self.assert_code(grpc.StatusCode.INTERNAL, ["t/fails@1"], "ModelInfer",
                         infer_request("t/fails@1", [("fail", "FP32", [1], numpy.ones(1))], True))
        self.assert_code(grpc.StatusCode.RESOURCE_EXHAUSTED, ["t/huge@1", "memory budget"],
                         "ModelInfer", infer_request("t/huge@1", one, raw=True))
        load = pb.RepositoryModelLoadRequest(model_name="local/mlp@1")
        load.parameters["config"].string_param = "{}"
        self.assert_code(grpc.StatusCode.UNIMPLEMENTED, ["load parameter \"config\""],
                         "RepositoryModelLoad", load)
        # A full queue: one request runs, max_queue 0 lets none wait.
        self.client.call("RepositoryModelLoad", pb.RepositoryModelLoadRequest(model_name="t/slow@1"))
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(self.client.call, "ModelInfer",
                                   infer_request("t/slow@1", one, raw=True)) for _ in range(3)]
            codes = []
            for future in futures:
                try:
                    future.result()
                    codes.append(grpc.StatusCode.OK)
                except grpc.RpcError as error:
                    codes.append(error.code())
                    self.assertIn("max_queue 0", error.details())
        self.assertEqual(sorted(codes, key=str),
                         sorted([grpc.StatusCode.OK] + [grpc.StatusCode.UNAVAILABLE] * 2, key=str))
        # Messages beyond --max-request-bytes are refused by gRPC itself.
        big = numpy.zeros(MAX_REQUEST_BYTES // 4 + 16, dtype=numpy.float32)
        self.assert_code(grpc.StatusCode.RESOURCE_EXHAUSTED, [], "ModelInfer",
                         infer_request(TYPES, [("x", "FP32", [big.size], big)], raw=True))

    def test_stream_answers_each_request_in_order(self):
        good = types_inputs()
        requests, expected = [], []
        for index in range(12):
            kind = index % 3
            if kind == 0:
                requests.append(infer_request(TYPES, good, raw=True, request_id=f"g{index}"))
            elif kind == 1:
                requests.append(infer_request(TYPES, good[1:], raw=True, request_id=f"b{index}"))
            else:
                requests.append(infer_request("t/none@1", good, raw=True, request_id=f"n{index}"))
            expected.append(("", "missing input f32", "'t/none@1' is not registered")[kind])
        responses = self.client.stream(requests)
        self.assertEqual(len(responses), len(requests))
        for request, response, fragment in zip(requests, responses, expected):
            self.assertEqual(response.infer_response.id, request.id)
            if not fragment:
                self.assertEqual(response.error_message, "")
                outputs = outputs_of(response.infer_response)
                numpy.testing.assert_array_equal(outputs["f32_echo"][2], good[0][3])
                self.assertEqual(outputs["text_echo"][2], good[3][3])
            else:
                self.assertIn(fragment, response.error_message)
        self.assertEqual(self.client.stream([]), [])  # a stream with no request ends cleanly

    def test_stream_of_many_requests_in_flight(self):
        array = self.mlp_inputs["input"]
        requests = [infer_request(MLP, [("input", "FP32", list(array.shape), array)], raw=True,
                                  request_id=str(index)) for index in range(200)]
        responses = self.client.stream(requests)
        self.assertEqual([r.infer_response.id for r in responses], [str(i) for i in range(200)])
        self.assertTrue(all(r.error_message == "" for r in responses))

    # --- repository and statistics -----------------------------------------------------------

    def test_repository_load_unload_ready_and_index_as_rest(self):
        model = pb.ModelReadyRequest(name="local/mlp", version="1")
        self.client.call("RepositoryModelLoad", pb.RepositoryModelLoadRequest(
            model_name="local/mlp@1"))
        self.assertTrue(self.client.call("ModelReady", model).ready)
        index = self.client.call("RepositoryIndex", pb.RepositoryIndexRequest())
        rest_index = self.rest("POST", "/v2/repository/index", {}).json
        as_json = [{key: value for key, value in (("name", m.name), ("version", m.version),
                                                  ("state", m.state), ("reason", m.reason))
                    if value} for m in index.models]
        self.assertEqual(sorted(as_json, key=str), sorted(rest_index, key=str))
        ready = self.client.call("RepositoryIndex", pb.RepositoryIndexRequest(ready=True))
        self.assertIn(("local/mlp", "1", "READY"),
                      [(m.name, m.version, m.state) for m in ready.models])
        self.assertTrue(all(m.state == "READY" for m in ready.models))

        self.client.call("RepositoryModelUnload", pb.RepositoryModelUnloadRequest(
            model_name="local/mlp@1"))
        self.assertFalse(self.client.call("ModelReady", model).ready)
        unloaded = self.client.call("RepositoryIndex", pb.RepositoryIndexRequest())
        self.assertIn(("local/mlp", "1", "UNAVAILABLE", "unloaded"),
                      [(m.name, m.version, m.state, m.reason) for m in unloaded.models])
        self.client.call("ModelInfer", self.mlp_request(True))  # loads on first use
        self.assertTrue(self.client.call("ModelReady", model).ready)
        self.assert_code(grpc.StatusCode.NOT_FOUND, ["local/none@latest"], "ModelReady",
                         pb.ModelReadyRequest(name="local/none"))
        self.assert_code(grpc.StatusCode.NOT_FOUND, ["local/none@latest"],
                         "RepositoryModelLoad", pb.RepositoryModelLoadRequest(
                             model_name="local/none"))

    def test_statistics_as_rest(self):
        for _ in range(3):
            self.client.call("ModelInfer", self.mlp_request(True))
        reply = self.client.call("ModelStatistics", pb.ModelStatisticsRequest(name="local/mlp",
                                                                              version="1"))
        rest = self.rest("GET", "/v2/models/local/mlp/versions/1/stats").json["model_stats"][0]
        self.assertEqual(len(reply.model_stats), 1)
        stats = reply.model_stats[0]
        self.assertEqual((stats.name, stats.version), ("local/mlp", "1"))
        self.assertGreaterEqual(stats.inference_count, 3)
        self.assertEqual(stats.inference_count, rest["inference_count"])
        self.assertEqual(stats.execution_count, rest["execution_count"])
        self.assertEqual(stats.last_inference, rest["last_inference"])
        for field in ("success", "fail", "queue", "compute_infer"):
            duration = getattr(stats.inference_stats, field)
            self.assertEqual({"count": duration.count, "ns": duration.ns},
                             rest["inference_stats"][field], field)
        every = self.client.call("ModelStatistics", pb.ModelStatisticsRequest())
        self.assertTrue({"local/mlp", "t/types"} <= {s.name for s in every.model_stats})
        self.assert_code(grpc.StatusCode.NOT_FOUND, ["local/none@latest"], "ModelStatistics",
                         pb.ModelStatisticsRequest(name="local/none"))


class GrpcShutdownTest(unittest.TestCase):
    """SIGTERM with a stream open: answers already asked for are written, the stream ends with
    UNAVAILABLE at once (it does not hold the shutdown), and the server exits 0."""

    def test_sigterm_ends_an_open_stream(self):
        directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-grpc-stop-"))
        grpc_port = harness.free_port()
        server = harness.Server(OPTIONS.core, directory / "mlos-home", harness.free_port(),
                                harness.scrubbed_environment(directory),
                                arguments=["--grpc-port", grpc_port, "--plugin-dir",
                                           OPTIONS.plugin_dir],
                                front_ends=("http", "grpc"))
        try:
            server.start()
            path = harness.write_echo_model(directory / "slow.echo", [("x", "FP32", [-1])],
                                            delay_ms=300)
            reply = server.request("POST", "/models/register",
                                   {"model_id": "t/slow@1", "path": str(path), "load": True})
            self.assertEqual(reply.status, 200, reply)
            requests = queue.Queue()
            call = Client(grpc_port).channel.stream_stream(
                f"/{SERVICE}/ModelStreamInfer",
                request_serializer=pb.ModelInferRequest.SerializeToString,
                response_deserializer=pb.ModelStreamInferResponse.FromString)(
                    iter(requests.get, None), timeout=60)
            request = infer_request("t/slow@1", [("x", "FP32", [1], numpy.ones(1))], raw=True)
            requests.put(request)
            self.assertEqual(next(call).error_message, "")
            requests.put(request)  # still running when SIGTERM comes: answered before the end
            time.sleep(0.1)
            status, seconds = server.stop()
            self.assertEqual(status, 0, server.log())
            self.assertLess(seconds, 3.0, server.log())
            self.assertEqual(next(call).error_message, "")
            with self.assertRaises(grpc.RpcError) as caught:
                next(call)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
            self.assertIn("shutting down", caught.exception.details())
            requests.put(None)
        finally:
            server.kill()
            shutil.rmtree(directory, ignore_errors=True)


def latency(count):
    """p50 and p99 of COUNT sequential mlp calls over gRPC (raw) and KServe REST (JSON and
    binary), one connection each, on a fresh server; ServerLive shows what a gRPC call costs
    without a model (mostly the Python client)."""
    setUpModule()
    GrpcServerTest.setUpClass()
    try:
        test = GrpcServerTest()
        array = test.mlp_inputs["input"][:1]
        grpc_request = infer_request(MLP, [("input", "FP32", list(array.shape), array)], raw=True)
        connection = http.client.HTTPConnection("127.0.0.1", test.server.port)
        path = "/v2/models/" + urllib.parse.quote(MLP) + "/infer"
        json_body = json.dumps({"inputs": [{"name": "input", "shape": list(array.shape),
                                            "datatype": "FP32",
                                            "data": array.flatten().tolist()}]}).encode()
        header = json.dumps({"inputs": [{"name": "input", "shape": list(array.shape),
                                         "datatype": "FP32",
                                         "parameters": {"binary_data_size": array.nbytes}}],
                             "parameters": {"binary_data_output": True}}).encode()

        def rest(body, headers):
            connection.request("POST", path, body=body, headers=headers)
            reply = connection.getresponse()
            reply.read()
            assert reply.status == 200, reply.status

        live = pb.ServerLiveRequest()
        calls = {
            "gRPC ServerLive (floor)": lambda: test.client.call("ServerLive", live),
            "gRPC ModelInfer (raw)": lambda: test.client.call("ModelInfer", grpc_request),
            "REST /v2 infer (JSON)": lambda: rest(json_body,
                                                  {"Content-Type": "application/json"}),
            "REST /v2 infer (binary)": lambda: rest(header + array.tobytes(), {
                "Content-Type": "application/octet-stream",
                "Inference-Header-Content-Length": str(len(header))}),
        }
        for label, call in calls.items():
            for _ in range(100):
                call()  # warm up: load, connections
            times = []
            for _ in range(count):
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1e6)
            times.sort()
            print(f"{label:26} p50 {statistics.median(times):8.1f} us   "
                  f"p99 {times[int(len(times) * 0.99) - 1]:8.1f} us   ({count} calls)")
    finally:
        GrpcServerTest.tearDownClass()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--core", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--latency", type=int, default=0,
                        help="print the latency of this many calls per protocol instead of testing")
    OPTIONS, remaining = parser.parse_known_args()
    if OPTIONS.latency:
        latency(OPTIONS.latency)
        sys.exit(0)
    unittest.main(argv=[sys.argv[0], *remaining])
