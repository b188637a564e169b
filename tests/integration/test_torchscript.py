#!/usr/bin/python3
"""The torchscript plugin in the real server, black-box: mlos-core loads the plugin modules of
<build>/lib/plugins; each fixture model (mlp, convnet, tiny_bert) is registered three ways and run
over HTTP, and all agree with torch's reference outputs and with each other (rtol 1e-4, atol 1e-5):

  onnx/<name>@1     model.onnx through the `onnx` plugin;
  ts/<name>@1       a package folder holding model.pt and a manifest.yaml that declares
                    execution_format torchscript and the ONNX graph's inputs and outputs;
  pt/<name>@1       model.pt registered directly with "plugin_id": "torchscript" (mlp and convnet
                    only): its signature is derived by the plugin (forward's argument names,
                    FP32, rank unknown; one output named "output").

Inference goes through the MLOS API (POST /models/{id}/inference) and KServe v2
(POST /v2/models/{m}/infer). GET /plugins must list torchscript with the models it runs. The
declared and the derived registrations run in two servers, so that a failure of one does not hide
the other.

Usage: test_torchscript.py --core BIN --plugin-dir DIR --fixtures DIR [unittest arguments]
"""

import argparse
import hashlib
import pathlib
import shutil
import sys
import tempfile
import unittest
import urllib.parse

import numpy
import onnx

import harness

RTOL, ATOL = 1e-4, 1e-5
OPTIONS = argparse.Namespace()  # --core, --plugin-dir, --fixtures; set in __main__
MODELS = ("mlp", "convnet", "tiny_bert")
DIRECT_MODELS = ("mlp", "convnet")  # all-FP32 inputs: the derived signature's guess holds
NUMPY_TO_KSERVE = {numpy.dtype(numpy.float32): "FP32", numpy.dtype(numpy.int64): "INT64"}
ONNX_TO_MANIFEST = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64"}


def graph_io(values):
    """The manifest io entries of ONNX graph inputs or outputs (symbolic dimensions -> -1)."""
    entries = []
    for value in values:
        tensor = value.type.tensor_type
        shape = [dim.dim_value if dim.HasField("dim_value") else -1 for dim in tensor.shape.dim]
        entries.append(f"      - name: {value.name}\n"
                       f"        dtype: {ONNX_TO_MANIFEST[tensor.elem_type]}\n"
                       f"        shape: {shape}\n")
    return "".join(entries)


def write_torchscript_package(fixture_dir, package_dir):
    """A package folder with a copy of model.pt and a manifest declaring the ONNX graph's io."""
    package_dir.mkdir(parents=True)
    model = package_dir / "model.pt"
    shutil.copyfile(fixture_dir / "model.pt", model)
    data = model.read_bytes()
    graph = onnx.load(str(fixture_dir / "model.onnx")).graph
    (package_dir / "manifest.yaml").write_text(
        "apiVersion: axon.mlos.io/v1\n"
        "kind: Model\n"
        f"metadata:\n  name: {fixture_dir.name}\n  namespace: ts\n  version: '1'\n"
        "spec:\n"
        "  framework: pytorch\n"
        "  format:\n"
        "    type: torchscript\n"
        "    execution_format: torchscript\n"
        "    files:\n"
        f"      - path: model.pt\n        size: {len(data)}\n"
        f"        sha256: {hashlib.sha256(data).hexdigest()}\n"
        "    execution_files:\n      - path: model.pt\n        role: single\n"
        "  io:\n"
        f"    inputs:\n{graph_io(graph.input)}"
        f"    outputs:\n{graph_io(graph.output)}")
    return package_dir


def mlos_body(inputs):
    return {"inputs": {name: {"shape": list(array.shape),
                              "datatype": NUMPY_TO_KSERVE[array.dtype],
                              "data": array.flatten().tolist()}
                       for name, array in inputs.items()}}


def kserve_body(inputs):
    return {"inputs": [{"name": name, "shape": list(array.shape),
                        "datatype": NUMPY_TO_KSERVE[array.dtype],
                        "data": array.flatten().tolist()} for name, array in inputs.items()]}


def data_sets(fixture_dir):
    count = len(list(fixture_dir.glob("test_data_set_*")))
    return [harness.load_reference(fixture_dir, k) for k in range(count)]


class ServerTestCase(unittest.TestCase):
    """One mlos-core for the class, with the models of `registrations` registered."""

    @classmethod
    def registrations(cls, fixtures, root):
        """Yields (model id, registration body) pairs."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.TemporaryDirectory(prefix="mlos_torchscript_")
        root = pathlib.Path(cls.temp.name)
        cls.fixtures = pathlib.Path(OPTIONS.fixtures).resolve()
        cls.server = harness.Server(
            OPTIONS.core, root / "home", harness.free_port(),
            harness.scrubbed_environment(root), ["--plugin-dir", OPTIONS.plugin_dir])
        cls.server.start()
        try:
            for model_id, body in cls.registrations(cls.fixtures, root):
                reply = cls.server.request("POST", "/models/register",
                                           dict(body, model_id=model_id))
                if reply.status != 200:
                    raise AssertionError(f"registering {model_id}: {reply}\n{cls.server.log()}")
        except BaseException:
            cls.server.kill()
            cls.temp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        status, _ = cls.server.stop()
        log = cls.server.log()
        cls.temp.cleanup()
        if status != 0:
            raise AssertionError(f"mlos-core exited with {status}; its log:\n{log}")

    def infer(self, model_id, inputs):
        """MLOS API inference: {output name: array}."""
        reply = self.server.infer(model_id, mlos_body(inputs))
        self.assertEqual(reply.status, 200, f"{model_id}: {reply}")
        return {name: harness.output_array(reply, name) for name in reply.json["outputs"]}

    def infer_kserve(self, model_id, inputs):
        path = "/v2/models/" + urllib.parse.quote(model_id) + "/infer"
        reply = self.server.request("POST", path, kserve_body(inputs))
        self.assertEqual(reply.status, 200, f"{model_id}: {reply}")
        return {output["name"]: numpy.asarray(output["data"]).reshape(output["shape"])
                for output in reply.json["outputs"]}

    def assert_close(self, actual, expected, what):
        self.assertEqual(actual.shape, expected.shape, what)
        numpy.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)



class DeclaredSignatureTest(ServerTestCase):
    """onnx/<name>@1 and ts/<name>@1 (a package whose manifest declares the tensors)."""

    @classmethod
    def registrations(cls, fixtures, root):
        for name in MODELS:
            yield f"onnx/{name}@1", {"path": str(fixtures / name / "model.onnx")}
            package = write_torchscript_package(fixtures / name, root / "packages" / name)
            yield f"ts/{name}@1", {"path": str(package)}

    def test_plugins_lists_torchscript(self):
        reply = self.server.request("GET", "/plugins")
        self.assertEqual(reply.status, 200, reply)
        plugins = {plugin["id"]: plugin for plugin in reply.json["plugins"]}
        self.assertIn("torchscript", plugins, reply)
        self.assertEqual(plugins["torchscript"]["execution_formats"], ["torchscript"])
        self.assertEqual(set(plugins["torchscript"]["models"]), {f"ts/{name}@1" for name in MODELS})

    def test_declared_signature_is_the_manifests(self):
        for name in MODELS:
            onnx_model = self.server.request("GET", "/models/" + harness.quoted_model_id(
                f"onnx/{name}@1")).json
            torchscript = self.server.request("GET", "/models/" + harness.quoted_model_id(
                f"ts/{name}@1")).json
            self.assertEqual(torchscript["plugin"], "torchscript")
            self.assertEqual(torchscript["inputs"], onnx_model["inputs"], name)
            self.assertEqual(torchscript["outputs"], onnx_model["outputs"], name)

    def test_both_plugins_agree_with_the_reference(self):
        for name in MODELS:
            for k, (inputs, outputs) in enumerate(data_sets(self.fixtures / name)):
                from_onnx = self.infer(f"onnx/{name}@1", inputs)
                from_torchscript = self.infer(f"ts/{name}@1", inputs)
                from_kserve = self.infer_kserve(f"ts/{name}@1", inputs)
                self.assertEqual(set(from_torchscript), set(outputs), name)
                for output, expected in outputs.items():
                    what = f"{name} data set {k} output {output}"
                    self.assert_close(from_onnx[output], expected, "onnx: " + what)
                    self.assert_close(from_torchscript[output], expected, "torchscript: " + what)
                    self.assert_close(from_kserve[output], expected, "kserve torchscript: " + what)
                    self.assert_close(from_torchscript[output], from_onnx[output],
                                      "torchscript vs onnx: " + what)


class DerivedSignatureTest(ServerTestCase):
    """onnx/<name>@1 and pt/<name>@1 (model.pt registered directly, signature derived)."""

    @classmethod
    def registrations(cls, fixtures, root):
        for name in DIRECT_MODELS:
            yield f"onnx/{name}@1", {"path": str(fixtures / name / "model.onnx")}
            yield f"pt/{name}@1", {"path": str(fixtures / name / "model.pt"),
                                   "plugin_id": "torchscript"}

    def test_derived_signature(self):
        reply = self.server.request("GET", "/models/" + harness.quoted_model_id("pt/mlp@1"))
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["plugin"], "torchscript")
        self.assertEqual([(i["name"], i["datatype"]) for i in reply.json["inputs"]],
                         [("input", "FP32")])
        self.assertEqual([o["name"] for o in reply.json["outputs"]], ["output"])

    def test_direct_pt_registration_runs(self):
        for name in DIRECT_MODELS:
            for k, (inputs, outputs) in enumerate(data_sets(self.fixtures / name)):
                (expected,) = outputs.values()
                from_torchscript = self.infer(f"pt/{name}@1", inputs)
                self.assertEqual(list(from_torchscript), ["output"])
                self.assert_close(from_torchscript["output"], expected,
                                  f"{name} data set {k}")
                from_onnx = self.infer(f"onnx/{name}@1", inputs)
                self.assert_close(from_torchscript["output"], next(iter(from_onnx.values())),
                                  f"{name} data set {k}: torchscript vs onnx")

    def test_bad_request_is_a_clean_error(self):
        inputs = {"input": numpy.zeros((2, 15), dtype=numpy.float32)}
        reply = self.server.infer("pt/mlp@1", mlos_body(inputs))
        self.assertEqual(reply.status, 400, reply)
        self.assertIn("shapes cannot be multiplied", reply.message)
        # The server keeps serving the model.
        good = {"input": numpy.zeros((1, 16), dtype=numpy.float32)}
        self.assertEqual(self.server.infer("pt/mlp@1", mlos_body(good)).status, 200)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--fixtures", required=True)
    OPTIONS, remaining = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *remaining], verbosity=2)
