#!/usr/bin/python3
"""`axon install hf/<org>/<name>[@revision]` against the hub emulator (tests/hub_emulator), then
`axon register` into the real mlos-core and one inference through it.

Covers: revision pinning (@main, @<commit>, @latest) with the resolved commit in the manifest,
sha256s of what was installed, gated repositories without/with HF_TOKEN, a corrupted download
failing the install and leaving nothing in the store, a cut download retried, a 429 with
Retry-After honoured, hub file names that try to leave the package refused, and a repository with
only PyTorch weights refused with its reason.

Usage: test_axon_hubs.py --core BIN --axon BIN --fixtures DIR [unittest arguments]
"""

import argparse
import hashlib
import json
import pathlib
import shutil
import tempfile
import unittest

import axon_harness
import harness
from axon_harness import HubEmulator, make_repo, sha256_of

OPTIONS = argparse.Namespace()  # --core, --axon, --fixtures; set by axon_harness.run_tests
TOKEN = "hf_emulator_token"


class HubInstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-hubs-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        cls.mlp = OPTIONS.fixtures / "mlp" / "model.onnx"
        root = cls.workspace / "hub"
        mlp_files = {"model.onnx": cls.mlp, "config.json": b'{"model_type": "mlp"}\n',
                     "README.md": b"# mlp\n", "pytorch_model.bin": b"weights"}
        make_repo(root, "org/mlp", mlp_files)
        make_repo(root, "org/mlp", {"model.onnx": cls.mlp}, revision="v1")
        make_repo(root, "org/gated", {"model.onnx": cls.mlp},
                  config={"gated": "auto", "tokens": [TOKEN]})
        for name in ("corrupt", "corrupt-config", "cut", "busy"):
            make_repo(root, f"org/{name}", {"onnx/model.onnx": cls.mlp, "config.json": b"{}"})
        make_repo(root, "org/evil", {"model.onnx": cls.mlp}, config={"extra_siblings": [
            {"rfilename": "../../etc/passwd", "content": "root:x:0:0::/root:/bin/sh\n"},
            {"rfilename": "a/../../escaped.json", "content": "{}"}]})
        make_repo(root, "org/weights", {"pytorch_model.bin": b"w", "config.json": b"{}"})
        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)

        cls.environment = harness.scrubbed_environment(cls.workspace)
        cls.environment.pop("HF_TOKEN", None)
        cls.environment["HF_ENDPOINT"] = cls.emulator.url
        cls.axon_home = cls.workspace / "axon-home"
        cls.axon = harness.Axon(OPTIONS.axon, cls.axon_home, cls.environment)

    def install(self, spec, *more, token=None):
        axon = self.axon
        if token is not None:
            axon = harness.Axon(OPTIONS.axon, self.axon_home, dict(self.environment, HF_TOKEN=token))
        return axon.run("install", spec, "--json", *more)

    def installed(self, spec, *more, token=None):
        result = self.install(spec, *more, token=token)
        self.assertEqual(result.returncode, 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return json.loads(result.stdout)

    def installed_ids(self):
        return set(self.axon.check("list", "--format", "names").stdout.split())

    def assert_no_staged_downloads(self):
        downloads = self.axon_home / "cache" / "tmp" / "downloads"
        leftovers = [p for p in downloads.rglob("*") if p.is_file()] if downloads.exists() else []
        self.assertEqual(leftovers, [], "staged downloads left behind")

    def assert_nothing_left_of(self, spec):
        self.assertNotIn(spec, self.installed_ids())
        self.assert_no_staged_downloads()

    # -- revisions ---------------------------------------------------------------------------

    def test_install_by_branch_commit_and_latest_records_the_commit(self):
        commit = self.emulator.commit("org/mlp")
        for revision in ("main", commit, "latest"):
            with self.subTest(revision=revision):
                model = self.installed(f"hf/org/mlp@{revision}")
                self.assertEqual(model["model_id"], f"hf/org/mlp@{revision}")
                self.assertEqual(model["source"], {"hub": "hf", "repo": "org/mlp",
                                                   "revision": revision, "commit": commit})
                files = {f["path"]: f for f in model["files"]}
                self.assertEqual(set(files), {"model.onnx", "config.json"})
                self.assertEqual(files["model.onnx"]["sha256"], sha256_of(self.mlp))
                self.assertEqual(files["config.json"]["sha256"],
                                 hashlib.sha256(b'{"model_type": "mlp"}\n').hexdigest())
                self.assertEqual(model["execution_files"], [{"path": "model.onnx",
                                                             "role": "single"}])
                self.assertEqual([i["name"] for i in model["inputs"]], ["input"])
                package = pathlib.Path(model["path"])
                self.assertEqual(sha256_of(package / "model.onnx"), sha256_of(self.mlp))
                manifest = (package / "manifest.yaml").read_text()
                self.assertIn(commit, manifest)
        tag = self.installed("hf/org/mlp@v1")
        self.assertEqual(tag["source"]["commit"], self.emulator.commit("org/mlp", "v1"))
        self.assertNotEqual(tag["source"]["commit"], commit)

    def test_unknown_revision_is_not_found(self):
        result = self.install("hf/org/mlp@nope")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('no repository org/mlp with revision "nope"', result.stderr)

    def test_endpoint_from_axon_config_when_hf_endpoint_is_unset(self):
        environment = dict(self.environment)
        del environment["HF_ENDPOINT"]
        axon = harness.Axon(OPTIONS.axon, self.workspace / "configured-home", environment)
        axon.check("config", "set", "hf.endpoint", self.emulator.url)
        result = axon.check("install", "hf/org/mlp@v1", "--json")
        self.assertEqual(json.loads(result.stdout)["source"]["commit"],
                         self.emulator.commit("org/mlp", "v1"))

    def test_revision_option_and_format_choice(self):
        model = self.installed("hf/org/mlp", "--revision", "v1", "--as", "hf/org/mlp-v1@pinned")
        self.assertEqual(model["source"]["commit"], self.emulator.commit("org/mlp", "v1"))
        both = self.install("hf/org/mlp@main", "--revision", "v1")
        self.assertEqual(both.returncode, 2, both.stderr)
        self.assertIn("already names a revision", both.stderr)
        no_script = self.install("hf/org/mlp@main", "--format", "torchscript")
        self.assertEqual(no_script.returncode, 2, no_script.stderr)
        self.assertIn("no TorchScript file (--format torchscript)", no_script.stderr)
        bad = self.install("hf/org/mlp@main", "--format", "tensorflow")
        self.assertEqual(bad.returncode, 1, bad.stderr)

    # -- access ------------------------------------------------------------------------------

    def test_gated_repository_needs_hf_token(self):
        result = self.install("hf/org/gated@main")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("gated or private", result.stderr)
        self.assertIn("set HF_TOKEN", result.stderr)
        result = self.install("hf/org/gated@main", token="hf_wrong")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("does not grant access", result.stderr)
        self.assertNotIn("hf/org/gated@main", self.installed_ids())
        model = self.installed("hf/org/gated@main", token=TOKEN)
        self.assertEqual(model["files"][0]["sha256"], sha256_of(self.mlp))

    # -- faults ------------------------------------------------------------------------------

    def test_corrupted_download_fails_and_leaves_nothing(self):
        self.emulator.set_faults({"hf/org/corrupt/onnx/model.onnx": {"corrupt": True}})
        blobs_before = set((self.axon_home / "cache" / "blobs").rglob("*"))
        result = self.install("hf/org/corrupt@main")
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("sha256", result.stderr)
        self.assertIn(sha256_of(self.mlp), result.stderr)
        self.assert_nothing_left_of("hf/org/corrupt@main")
        self.assertFalse((self.axon_home / "cache" / "models" / "hf" / "org" / "corrupt").exists())
        self.assertEqual(set((self.axon_home / "cache" / "blobs").rglob("*")) - blobs_before,
                         set(), "a blob of the failed install was stored")

    def test_corrupted_git_file_fails_its_blob_id_check(self):
        # config.json is kept in git, not LFS: the Hub lists no sha256 for it, only its blobId.
        self.emulator.set_faults({"hf/org/corrupt-config/config.json": {"corrupt": True}})
        result = self.install("hf/org/corrupt-config@main")
        self.assertEqual(result.returncode, 2, result.stdout)
        self.assertIn("config.json", result.stderr)
        self.assertIn("git blob sha1 mismatch", result.stderr)
        self.assert_nothing_left_of("hf/org/corrupt-config@main")

    def test_cut_download_is_retried(self):
        self.emulator.set_faults({"hf/org/cut/onnx/model.onnx": {"cut_at": 1000}})
        self.emulator.call("POST", "/_log/clear")
        model = self.installed("hf/org/cut@main")
        files = {f["path"]: f["sha256"] for f in model["files"]}
        self.assertEqual(files["onnx/model.onnx"], sha256_of(self.mlp))
        fetches = [e for e in self.emulator.log() if e["path"].startswith("/_cdn/")
                   and e["method"] == "GET" and e["path"].endswith("/model.onnx")]
        self.assertGreaterEqual(len(fetches), 2, fetches)
        # The retry continues where the cut left off.
        self.assertEqual((fetches[1]["range"], fetches[1]["status"]), ("bytes=1000-", 206), fetches)
        self.assert_no_staged_downloads()

    def test_429_retry_after_is_honoured(self):
        self.emulator.set_faults({"hf/org/busy/config.json": {"status": 429, "retry_after": 2}})
        self.installed("hf/org/busy@main")
        tries = [e for e in self.emulator.log() if e["path"] == "/org/busy/resolve/"
                 + self.emulator.commit("org/busy") + "/config.json" and e["method"] == "GET"]
        self.assertEqual([e["status"] for e in tries][:2], [429, 200], tries)
        self.assertGreaterEqual(tries[1]["time"] - tries[0]["time"], 1.9, tries)

    # -- untrusted names and unsupported repositories ----------------------------------------

    def test_path_traversal_names_are_refused(self):
        result = self.install("hf/org/evil@main")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('unsafe file name "../../etc/passwd"', result.stderr)
        self.assert_nothing_left_of("hf/org/evil@main")
        escaped = [p for p in self.workspace.rglob("*")
                   if p.name in ("passwd", "escaped.json") and "hub" not in p.parts]
        self.assertEqual(escaped, [])
        self.assertFalse(any("passwd" in e["path"] or "escaped" in e["path"]
                             for e in self.emulator.log()))

    def test_weights_only_repository_is_refused_with_the_reason(self):
        result = self.install("hf/org/weights@main")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("no ONNX or TorchScript file; conversion from PyTorch weights is not "
                      "supported yet", result.stderr)

    # -- into Core ---------------------------------------------------------------------------

    def test_register_and_infer(self):
        self.installed("hf/org/mlp@main")
        server = harness.Server(OPTIONS.core, self.workspace / "mlos-home", harness.free_port(),
                                self.environment)
        self.addCleanup(server.kill)
        server.start()
        self.axon.check("register", "hf/org/mlp@main", "--core", server.url)
        inputs, outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        axon_harness.assert_infers(self, server, "hf/org/mlp@main", inputs, outputs)


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_hubs")
