#!/usr/bin/python3
"""A multi-file model served through its roles: `axon install` of a Hugging Face repository (in
the hub emulator) holding onnx/encoder_model.onnx and onnx/decoder_model.onnx (the T5 encoder
and decoder fixtures), `axon register` into the real mlos-core as one model per role
(hf/acme/t5-small/encoder@main, .../decoder@main), and inference on both against the fixtures'
reference outputs, before and after a restart of the server.

Also: `register --json` prints an array of Core's replies; a role Core refuses fails the command
(exit 3) naming it while the other role stays registered; POST /models/register with a role the
manifest lacks, or a role for a path without a manifest, is 400.

Usage: test_axon_roles.py --core BIN --axon BIN --fixtures DIR [unittest arguments]
"""

import argparse
import json
import pathlib
import shutil
import tempfile
import unittest

import axon_harness
import harness
from axon_harness import HubEmulator, make_repo

OPTIONS = argparse.Namespace()  # --core, --axon, --fixtures; set by axon_harness.run_tests
REPO = "acme/t5-small"
MODEL = f"hf/{REPO}@main"
ROLE_IDS = {"decoder": f"hf/{REPO}/decoder@main", "encoder": f"hf/{REPO}/encoder@main"}
FIXTURES = {"encoder": "t5_encoder_opset17", "decoder": "t5_decoder_opset17"}


class RolesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-roles-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        root = cls.workspace / "hub"
        make_repo(root, REPO, {
            "onnx/encoder_model.onnx": OPTIONS.fixtures / FIXTURES["encoder"] / "model.onnx",
            "onnx/decoder_model.onnx": OPTIONS.fixtures / FIXTURES["decoder"] / "model.onnx",
            "config.json": b'{"model_type": "t5"}\n'})
        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)
        cls.environment = harness.scrubbed_environment(cls.workspace)
        cls.environment.pop("HF_TOKEN", None)
        cls.environment["HF_ENDPOINT"] = cls.emulator.url
        cls.axon = harness.Axon(OPTIONS.axon, cls.workspace / "axon-home", cls.environment)
        installed = json.loads(cls.axon.check("install", MODEL, "--json").stdout)
        cls.package = pathlib.Path(installed["path"])
        cls.execution_files = installed["execution_files"]

    def server(self, name):
        server = harness.Server(OPTIONS.core, self.workspace / name, harness.free_port(),
                                self.environment)
        self.addCleanup(server.kill)
        server.start()
        return server

    def assert_roles_infer(self, server):
        for role, fixture in FIXTURES.items():
            with self.subTest(role=role):
                inputs, outputs = harness.load_reference(OPTIONS.fixtures / fixture)
                axon_harness.assert_infers(self, server, ROLE_IDS[role], inputs, outputs)

    def listed_roles(self, server):
        reply = server.request("GET", "/models")
        self.assertEqual(reply.status, 200, reply)
        return {model["id"]: model.get("role") for model in reply.json["models"]}

    def test_install_records_both_roles(self):
        self.assertEqual(self.execution_files,
                         [{"path": "onnx/decoder_model.onnx", "role": "decoder"},
                          {"path": "onnx/encoder_model.onnx", "role": "encoder"}])

    def test_register_infers_through_each_role_and_survives_a_restart(self):
        server = self.server("home-restart")
        result = self.axon.check("register", MODEL, "--core", server.url)
        self.assertEqual(result.stdout.splitlines(),
                         [f"model {ROLE_IDS['decoder']} registered",
                          f"model {ROLE_IDS['encoder']} registered"])
        self.assertEqual(self.listed_roles(server), {ROLE_IDS["decoder"]: "decoder",
                                                     ROLE_IDS["encoder"]: "encoder"})
        encoder = server.request("GET", f"/models/{harness.quoted_model_id(ROLE_IDS['encoder'])}")
        self.assertEqual(encoder.json["path"], str(self.package))
        self.assertEqual(encoder.json["load_path"], str(self.package / "onnx/encoder_model.onnx"))
        self.assert_roles_infer(server)

        status, _ = server.stop()
        self.assertEqual(status, 0, server.log())
        server = self.server("home-restart")
        self.assertEqual(self.listed_roles(server), {ROLE_IDS["decoder"]: "decoder",
                                                     ROLE_IDS["encoder"]: "encoder"})
        self.assert_roles_infer(server)
        # Registering again is idempotent; --json gives one reply per role.
        replies = json.loads(self.axon.check("register", MODEL, "--core", server.url,
                                             "--json").stdout)
        self.assertEqual([(r["model_id"], r["message"]) for r in replies],
                         [(ROLE_IDS[role], f"model {ROLE_IDS[role]} is already registered")
                          for role in ("decoder", "encoder")])

    def test_a_role_core_refuses_fails_the_command_and_the_other_stays(self):
        server = self.server("home-conflict")
        # The decoder's id is taken by another path: Core answers 409 for that role only.
        taken = server.request("POST", "/models/register", {
            "model_id": ROLE_IDS["decoder"],
            "path": str((OPTIONS.fixtures / FIXTURES["decoder"] / "model.onnx").resolve())})
        self.assertEqual(taken.status, 200, taken)
        result = self.axon.run("register", MODEL, "--core", server.url)
        self.assertEqual(result.returncode, 3, result)
        self.assertEqual(result.stdout, f"model {ROLE_IDS['encoder']} registered\n")
        self.assertIn(f"role decoder: MLOS Core at {server.url}/models/register refused to "
                      f"register {ROLE_IDS['decoder']} (HTTP 409)", result.stderr)
        self.assertIn(f"{MODEL}: failed roles: decoder; registered roles, which stay "
                      "registered: encoder", result.stderr)
        self.assertEqual(self.listed_roles(server), {ROLE_IDS["decoder"]: None,
                                                     ROLE_IDS["encoder"]: "encoder"})

    def test_register_api_refuses_unknown_roles_and_roles_without_a_manifest(self):
        server = self.server("home-errors")
        reply = server.request("POST", "/models/register", {
            "model_id": f"hf/{REPO}/vision@main", "path": str(self.package),
            "role": "vision_encoder"})
        self.assertEqual(reply.status, 400, reply)
        self.assertEqual(reply.message,
                         f"manifest {self.package / 'manifest.yaml'}: no execution file has role "
                         '"vision_encoder"; the package\'s roles: decoder, encoder')
        bare = (OPTIONS.fixtures / FIXTURES["encoder"] / "model.onnx").resolve()
        reply = server.request("POST", "/models/register", {
            "model_id": "local/t5-encoder@1", "path": str(bare), "role": "encoder"})
        self.assertEqual(reply.status, 400, reply)
        self.assertIn('role "encoder" needs a package with a manifest', reply.message)
        self.assertEqual(self.listed_roles(server), {})


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_roles")
