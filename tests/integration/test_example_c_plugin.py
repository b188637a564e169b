#!/usr/bin/python3
"""The example C plugin (src/plugins/example_c, libmlos_plugin_linear.so) served by the real
mlos-core, black-box: the server loads it from --plugin-dir, registers ".linear" models through it,
and answers inferences over the MLOS API and KServe v2 with the numbers numpy computes; bad
requests and a malformed model file are clear errors and the server keeps serving.

Usage: test_example_c_plugin.py --core BIN --plugin-dir DIR [unittest arguments]
(ctest passes the built server and <build>/lib/plugins).
"""

import argparse
import pathlib
import shutil
import sys
import tempfile
import unittest
import urllib.parse

import numpy

import harness

OPTIONS = argparse.Namespace()  # --core, --plugin-dir; set in __main__
RTOL, ATOL = 1e-5, 1e-6
LINEAR = "local/linear@1"      # registered by execution format
RELU = "local/linear_relu@1"   # registered by plugin id


def write_linear_model(path, weights, bias, activation=None):
    """Writes an mlos-linear file (the format is described in linear_plugin.c) for y = W·x + b;
    every float is written with 9 significant digits, which read back as the same FP32 value."""
    out_width, in_width = weights.shape
    lines = ["mlos-linear 1", f"input x {in_width}", f"output y {out_width}"]
    if activation:
        lines.append(f"activation {activation}")
    lines.append("weights")
    lines += [" ".join(f"{value:.9g}" for value in row) for row in weights]
    lines.append("bias " + " ".join(f"{value:.9g}" for value in bias))
    pathlib.Path(path).write_text("\n".join(lines) + "\n")
    return pathlib.Path(path)


class ExampleCPluginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-example-c-"))
        random = numpy.random.default_rng(7)
        cls.weights = random.standard_normal((3, 4)).astype(numpy.float32)
        cls.bias = random.standard_normal(3).astype(numpy.float32)
        cls.model_path = write_linear_model(cls.directory / "model.linear", cls.weights, cls.bias)
        cls.relu_path = write_linear_model(cls.directory / "relu.linear", cls.weights, cls.bias,
                                           activation="relu")
        cls.server = harness.Server(OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
                                    harness.scrubbed_environment(cls.directory),
                                    ["--plugin-dir", OPTIONS.plugin_dir])
        try:
            cls.server.start()
            for body in ({"model_id": LINEAR, "path": str(cls.model_path),
                          "execution_format": "mlos-linear"},
                         {"model_id": RELU, "path": str(cls.relu_path), "plugin_id": "linear"}):
                reply = cls.server.request("POST", "/models/register", body)
                if reply.status != 200 or reply.json.get("plugin_id") != "linear":
                    raise AssertionError(f"registering {body['model_id']}: {reply}")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def expected(self, x, relu=False):
        y = x.astype(numpy.float64) @ self.weights.T.astype(numpy.float64) + self.bias
        return numpy.maximum(y, 0) if relu else y

    def assert_serving(self):
        """One good inference: the server still answers after whatever came before."""
        x = numpy.ones((1, 4), dtype=numpy.float32)
        reply = self.server.infer(LINEAR, {"x": x.tolist()})
        self.assertEqual(reply.status, 200, reply)
        numpy.testing.assert_allclose(harness.output_array(reply, "y"), self.expected(x),
                                      rtol=RTOL, atol=ATOL)

    def test_plugin_is_listed(self):
        reply = self.server.request("GET", "/plugins")
        self.assertEqual(reply.status, 200, reply)
        plugins = {plugin["id"]: plugin for plugin in reply.json["plugins"]}
        self.assertIn("linear", plugins, reply)
        self.assertEqual(plugins["linear"]["execution_formats"], ["mlos-linear"])
        self.assertTrue(plugins["linear"]["origin"].endswith("libmlos_plugin_linear.so"),
                        plugins["linear"])

    def test_model_describes_its_signature(self):
        reply = self.server.request("GET", f"/models/{harness.quoted_model_id(LINEAR)}")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["plugin"], "linear")
        self.assertEqual(reply.json["inputs"], [{"name": "x", "datatype": "FP32", "shape": [-1, 4]}])
        self.assertEqual(reply.json["outputs"],
                         [{"name": "y", "datatype": "FP32", "shape": [-1, 3]}])
        load = self.server.request("POST", f"/models/{harness.quoted_model_id(LINEAR)}/load")
        self.assertEqual(load.status, 200, load)
        reply = self.server.request("GET", f"/models/{harness.quoted_model_id(LINEAR)}")
        self.assertEqual(reply.json["memory_bytes"], (3 * 4 + 3) * 4, reply)

    def test_infer_through_the_mlos_api(self):
        x = numpy.random.default_rng(1).standard_normal((5, 4)).astype(numpy.float32)
        for model_id, relu in ((LINEAR, False), (RELU, True)):
            reply = self.server.infer(model_id, {"x": x.tolist()})
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.json["outputs"]["y"]["shape"], [5, 3])
            self.assertEqual(reply.json["outputs"]["y"]["datatype"], "FP32")
            numpy.testing.assert_allclose(harness.output_array(reply, "y"),
                                          self.expected(x, relu), rtol=RTOL, atol=ATOL)

    def test_infer_through_kserve_v2(self):
        x = numpy.random.default_rng(2).standard_normal((2, 4)).astype(numpy.float32)
        path = "/v2/models/" + urllib.parse.quote(LINEAR) + "/infer"
        reply = self.server.request("POST", path, {
            "inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32",
                        "data": x.flatten().tolist()}],
            "outputs": [{"name": "y"}]})
        self.assertEqual(reply.status, 200, reply)
        (output,) = reply.json["outputs"]
        self.assertEqual((output["name"], output["datatype"], output["shape"]), ("y", "FP32", [2, 3]))
        numpy.testing.assert_allclose(numpy.asarray(output["data"]).reshape(2, 3),
                                      self.expected(x), rtol=RTOL, atol=ATOL)
        # The binary tensor data extension: the input's bytes follow the JSON header, at an offset
        # with no particular alignment.
        header = ('{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32",'
                  '"parameters":{"binary_data_size":32}}]}').encode()
        reply = self.server.request("POST", path, header + x.tobytes(), headers={
            "Inference-Header-Content-Length": str(len(header)),
            "Content-Type": "application/octet-stream"})
        self.assertEqual(reply.status, 200, reply)
        numpy.testing.assert_allclose(numpy.asarray(reply.json["outputs"][0]["data"]).reshape(2, 3),
                                      self.expected(x), rtol=RTOL, atol=ATOL)

    def test_bad_requests_are_errors_and_the_server_keeps_serving(self):
        reply = self.server.infer(LINEAR, {"x": [[1, 2, 3]]})  # 3 columns, the model takes 4
        self.assertIn(reply.status, range(400, 600), reply)
        self.assertEqual(reply.json["status"], "error", reply)
        self.assertIn("x", reply.message)
        path = "/v2/models/" + urllib.parse.quote(LINEAR) + "/infer"
        reply = self.server.request("POST", path, {
            "inputs": [{"name": "x", "shape": [1, 5], "datatype": "FP32", "data": [1] * 5}]})
        self.assertIn(reply.status, range(400, 600), reply)
        self.assertIn("error", reply.json, reply)
        reply = self.server.request("POST", path, {
            "inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1] * 4}],
            "outputs": [{"name": "z"}]})
        self.assertIn(reply.status, range(400, 600), reply)
        self.assertIn("z", reply.json["error"], reply)
        self.assert_serving()

    def test_malformed_model_file_is_a_clear_registration_error(self):
        broken = self.directory / "broken.linear"
        broken.write_text("mlos-linear 1\ninput x 2\noutput y 1\nweights 1 oops\nbias 0\n")
        reply = self.server.request("POST", "/models/register", {
            "model_id": "local/broken@1", "path": str(broken), "execution_format": "mlos-linear"})
        self.assertEqual(reply.status, 400, reply)
        self.assertIn(f"{broken}:4: weights value 2 of 2 is not a number: 'oops'", reply.message)
        missing = self.server.request("GET", "/models/" + harness.quoted_model_id("local/broken@1"))
        self.assertEqual(missing.status, 404, missing)
        self.assert_serving()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--plugin-dir", required=True)
    OPTIONS, remaining = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *remaining])
