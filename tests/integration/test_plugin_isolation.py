#!/usr/bin/python3
"""A plugin that breaks the SMI contract is contained, black-box: the real mlos-core with the
misbehaving test plugin (src/core/testing/misbehaving_plugin.cc) and the libraries built from it
that must fail to become plugins.

Covered: libraries that are not plugins (wrong ABI version, no descriptor, plugin_create failing,
no smi_plugin_init, not even an ELF file) are refused at start-up (plugin_create given the
config file's configuration for its id) and by POST /plugins/register
with a message naming the file, and the server serves on; every way the misbehaving plugin
spoils a request (an error status, an output of the wrong size, shape or dtype, an undeclared,
missing or doubled output, malformed strings, an output too big to allocate) fails that request
alone with a message naming the plugin and the output, while a well-behaved model of the same
plugin, and other requests in flight at the same time, keep getting right answers; a model that
fails to load is a clear registration error.

Usage: test_plugin_isolation.py --core BIN --plugin-dir DIR --broken-plugin-dir DIR
       [unittest arguments]
"""

import argparse
import concurrent.futures
import pathlib
import re
import shutil
import sys
import tempfile
import unittest

import harness

OPTIONS = argparse.Namespace()  # --core, --plugin-dir, --broken-plugin-dir; set in __main__
BROKEN = {  # library -> what the refusal must say
    "libmlos_plugin_wrong_abi.so": "built for SMI 2.0",
    "libmlos_plugin_no_descriptor.so": "returned no descriptor",
    "libmlos_plugin_create_fails.so": "(refuses-to-start): plugin_create failed: the misbehaving "
                                      'plugin refuses to start with config {"mood":"grumpy"}',
    "libmlos_plugin_no_init.so": "does not export smi_plugin_init",
    "libnot_elf.so": "cannot load library",
}
# behaviour -> (HTTP status, what the error must say)
SPOILED = {
    "error": (500, "deliberate failure"),
    "wrong_size": (500, "output 'y': dtype code 1, rank 2, 36 bytes do not describe a dense"),
    "wrong_shape": (500, "output 'y': FP32 [2, 5] does not match the declared FP32 [-1, 4]"),
    "wrong_dtype": (500, "output 'y': INT32 [2, 4] does not match the declared FP32 [-1, 4]"),
    "undeclared_output": (500, "output 'z': the model declares no such output"),
    "missing_output": (500, "output 'y' was never produced"),
    "twice": (500, "output 'y': allocated twice"),
    "bad_strings": (500, "output 's': its bytes are not 2 length-prefixed strings"),
}
ROWS = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]


def inference_body(rows=ROWS):
    return {"inputs": {"x": {"datatype": "FP32", "shape": [len(rows), 4], "data": rows}}}


class PluginIsolationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-isolation-"))
        # The user's plugin folder: the misbehaving plugin among every broken library.
        cls.plugins = cls.directory / "plugins"
        shutil.copytree(OPTIONS.broken_plugin_dir, cls.plugins)
        shutil.copy(pathlib.Path(OPTIONS.plugin_dir) / "libmlos_plugin_misbehaving.so", cls.plugins)
        (cls.plugins / "libnot_elf.so").write_text("this is not a shared library\n")
        config = cls.directory / "core.yaml"  # the configuration plugin_create receives
        config.write_text("plugins:\n  refuses-to-start:\n    mood: grumpy\n")
        environment = harness.scrubbed_environment(cls.directory)
        cls.server = harness.Server(OPTIONS.core, cls.directory / "home", harness.free_port(),
                                    environment,
                                    ["--plugin-dir", cls.plugins, "--config", config])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def register(self, behaviour):
        model_file = self.directory / f"{behaviour}.model"
        model_file.write_text(behaviour + "\n")
        return self.server.request("POST", "/models/register", {
            "model_id": f"test/{behaviour}@1", "path": str(model_file),
            "plugin_id": "misbehaving"})

    def registered(self, behaviour):
        reply = self.register(behaviour)
        self.assertIn(reply.status, (200, 201), reply)
        return f"test/{behaviour}@1"

    def assert_good_answer(self, model_id):
        reply = self.server.infer(model_id, inference_body())
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json["outputs"]["y"]["data"], [v for row in ROWS for v in row])
        self.assertEqual(reply.json["outputs"]["s"]["data"], ["row0", "row1"])

    def test_libraries_that_are_not_plugins_are_refused_and_the_server_serves_on(self):
        listed = {plugin["id"] for plugin in self.server.request("GET", "/plugins").json["plugins"]}
        self.assertIn("misbehaving", listed)
        self.assertIn("onnx", listed)
        log = self.server.log()
        for library, reason in BROKEN.items():
            with self.subTest(library=library):
                self.assertIn(f"skipping plugin: plugin {self.plugins / library}", log)
                self.assertRegex(log, re.escape(library) + ".*" + re.escape(reason))
                reply = self.server.request("POST", "/plugins/register",
                                            {"path": str(self.plugins / library)})
                self.assertEqual(reply.status, 400, reply)
                self.assertIn(str(self.plugins / library), reply.message)
                self.assertIn(reason, reply.message)
        self.assert_good_answer(self.registered("good"))

    def test_each_spoiled_request_fails_alone(self):
        good = self.registered("good")
        for behaviour, (status, message) in SPOILED.items():
            with self.subTest(behaviour=behaviour):
                reply = self.server.infer(self.registered(behaviour), inference_body())
                self.assertEqual(reply.status, status, reply)
                self.assertIn(message, reply.message)
                if behaviour != "error":
                    self.assertIn("plugin 'misbehaving' broke its contract", reply.message)
                self.assert_good_answer(good)
        self.assertEqual(self.server.request("GET", "/health").status, 200)

    def test_an_output_too_big_to_allocate_is_refused_not_fatal(self):
        reply = self.server.infer(self.registered("huge_output"), inference_body())
        self.assertIn(reply.status, (500, 503, 507), reply)
        self.assertIn("output 'y'", reply.message)
        self.assert_good_answer(self.registered("good"))

    def test_good_and_spoiled_requests_at_the_same_time(self):
        good = self.registered("good")
        spoiled = [self.registered(behaviour) for behaviour in SPOILED]

        def ask(index):
            model_id = good if index % 2 == 0 else spoiled[index % len(spoiled)]
            return model_id, self.server.infer(model_id, inference_body())

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            replies = list(pool.map(ask, range(200)))
        for model_id, reply in replies:
            if model_id == good:
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(reply.json["outputs"]["y"]["data"],
                                 [v for row in ROWS for v in row])
            else:
                self.assertEqual(reply.status, 500, reply)

    def test_a_model_that_fails_to_load_is_a_registration_error(self):
        reply = self.register("load_fails")
        self.assertEqual(reply.status, 400, reply)
        self.assertIn("load_fails.model: told to fail loading", reply.message)
        reply = self.register("no_such_behaviour")
        self.assertEqual(reply.status, 400, reply)
        self.assertIn("unknown behaviour 'no_such_behaviour'", reply.message)
        self.assertEqual(self.server.request("GET", "/models/test%2Fload_fails%401").status, 404)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--broken-plugin-dir", required=True)
    OPTIONS, remaining = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *remaining], verbosity=2)
