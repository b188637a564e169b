#!/usr/bin/python3
"""`axon install` from ModelScope (modelscope/, ms/), Kaggle Models (kaggle/) and TF Hub (tfhub/,
tf/) against the hub emulator (tests/hub_emulator: modelscope.py, kaggle.py), then `axon register`
into the real mlos-core and one inference per hub.

Covers: revision/version pinning recorded in source.commit (ModelScope branch, tag, commit;
Kaggle latest and numbered versions; TF Hub handle versions), archives with a top folder and a
one-file download, a SavedModel-only model refused with its reason and nothing left behind,
traversal names in a listing and inside an archive refused, a corrupt download rejected and a cut
one resumed, 401/403/404 explained with the environment variables to set.

Usage: test_axon_modelscope_kaggle.py --core BIN --axon BIN --fixtures DIR [unittest arguments]
"""

import argparse
import json
import pathlib
import shutil
import tempfile
import unittest

import axon_harness
import harness
from axon_harness import HubEmulator, sha256_of, write_files

OPTIONS = argparse.Namespace()  # --core, --axon, --fixtures; set by axon_harness.run_tests
MS_TOKEN = "ms-emulator-token"
SAVED_MODEL = {"saved_model.pb": b"\x08\x01", "variables/variables.index": b"index",
               "variables/variables.data-00000-of-00001": b"data"}
SAVED_MODEL_REASON = "TensorFlow SavedModels cannot be converted here"


class ModelScopeKaggleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-ms-kaggle-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        cls.mlp = OPTIONS.fixtures / "mlp" / "model.onnx"
        root = cls.workspace / "hub"
        ms, kg = root / "modelscope" / "damo", root / "kaggle" / "acme"
        write_files(ms / "mlp" / "master", {"model.onnx": cls.mlp, "config.json": b"{}",
                                            "configuration.json": b"{}", "README.md": b"# mlp\n"},
                    {"tags": ["v1"]}, "repo.json")
        write_files(ms / "mlp" / "v1", {"model.onnx": cls.mlp})
        write_files(ms / "private" / "master", {"model.onnx": cls.mlp},
                    {"private": True, "tokens": [MS_TOKEN]}, "repo.json")
        write_files(ms / "evil" / "master", {"model.onnx": cls.mlp}, {"extra_files": [
            {"Path": "../../etc/passwd", "content": "root:x:0:0::/root:/bin/sh\n"}]}, "repo.json")
        for name in ("corrupt", "cut"):
            write_files(ms / name / "master", {"onnx/model.onnx": cls.mlp})

        write_files(kg / "mlp" / "onnx" / "default" / "1", {"model.onnx": cls.mlp})
        write_files(kg / "mlp" / "onnx" / "default" / "2", {"model.onnx": cls.mlp,
                                                            "config.json": b'{"v": 2}'})
        write_files(kg / "mlp" / "onnx" / "nested" / "1", {"model.onnx": cls.mlp,
                                                           "LICENSE": b"MIT"},
                    {"top_folder": "mlp"}, "instance.json")
        write_files(kg / "mlp" / "onnx" / "single" / "1", {"model.onnx": cls.mlp},
                    {"single_file": True}, "instance.json")
        write_files(kg / "bert" / "tensorFlow2" / "base" / "1", SAVED_MODEL)
        write_files(kg / "evil" / "onnx" / "archive" / "1", {"model.onnx": cls.mlp},
                    {"archive_extra": [{"name": "../../escaped.txt", "content": "x"}]},
                    "instance.json")
        write_files(kg / "evil" / "onnx" / "listing" / "1", {"model.onnx": cls.mlp},
                    {"listing_extra": ["../../etc/passwd"]}, "instance.json")
        write_files(kg / "gated" / "onnx" / "default" / "1", {"model.onnx": cls.mlp},
                    {"consent": True, "users": {"alice": "alice-key"}}, "instance.json")
        for name in ("corrupt", "cut"):  # two files: the download must be an archive
            write_files(kg / name / "onnx" / "default" / "1", {"model.onnx": cls.mlp,
                                                               "config.json": b"{}"})

        write_files(root / "tfhub" / "google" / "mlp" / "classification" / "1",
                    {"model.onnx": cls.mlp, "saved_model.pb": b"\x08\x01"})
        write_files(root / "tfhub" / "google" / "bert" / "3", SAVED_MODEL)

        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)
        cls.environment = harness.scrubbed_environment(cls.workspace)
        for name in ("MODELSCOPE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
            cls.environment.pop(name, None)
        cls.environment.update({"MODELSCOPE_DOMAIN": cls.emulator.url,
                                "KAGGLE_API_ENDPOINT": cls.emulator.url,
                                "TFHUB_ENDPOINT": cls.emulator.url + "/tfhub"})
        cls.axon_home = cls.workspace / "axon-home"
        cls.axon = harness.Axon(OPTIONS.axon, cls.axon_home, cls.environment)

    # -- helpers -----------------------------------------------------------------------------

    def install(self, spec, **environment):
        axon = self.axon
        if environment:
            axon = harness.Axon(OPTIONS.axon, self.axon_home, dict(self.environment, **environment))
        return axon.run("install", spec, "--json")

    def installed(self, spec, **environment):
        result = self.install(spec, **environment)
        self.assertEqual(result.returncode, 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return json.loads(result.stdout)

    def refused(self, spec, *expected, **environment):
        result = self.install(spec, **environment)
        self.assertEqual(result.returncode, 2, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        for text in expected:
            self.assertIn(text, result.stderr)
        self.assert_nothing_left_of(spec)
        return result

    def installed_ids(self):
        return set(self.axon.check("list", "--format", "names").stdout.split())

    def assert_nothing_left_of(self, spec):
        self.assertNotIn(spec if "@" in spec else spec + "@latest", self.installed_ids())
        tmp = self.axon_home / "cache" / "tmp" / "downloads"
        leftovers = [p for p in tmp.rglob("*") if p.is_file()] if tmp.exists() else []
        self.assertEqual(leftovers, [], "staged downloads or unpacked files left behind")

    def ms_commit(self, repo, revision):
        reply = self.emulator.call("GET", f"/api/v1/models/{repo}/revisions")["Data"]
        entries = reply["RevisionMap"]["Branches"] + (reply["RevisionMap"]["Tags"] or [])
        return next(e["CommitId"] for e in entries if e["Revision"] == revision)

    def assert_mlp_package(self, model, extra=()):
        files = {f["path"]: f["sha256"] for f in model["files"]}
        self.assertEqual(set(files), {"model.onnx", *extra})
        self.assertEqual(files["model.onnx"], sha256_of(self.mlp))
        self.assertEqual(model["execution_files"], [{"path": "model.onnx", "role": "single"}])
        self.assertEqual(sha256_of(pathlib.Path(model["path"]) / "model.onnx"), sha256_of(self.mlp))

    # -- ModelScope --------------------------------------------------------------------------

    def test_modelscope_latest_tag_and_commit_are_pinned(self):
        master = self.ms_commit("damo/mlp", "master")
        model = self.installed("modelscope/damo/mlp")
        self.assertEqual(model["source"], {"hub": "modelscope", "repo": "damo/mlp",
                                           "revision": "latest", "commit": master})
        self.assert_mlp_package(model, extra=("config.json",))
        self.assertIn(master, (pathlib.Path(model["path"]) / "manifest.yaml").read_text())
        tag = self.installed("ms/damo/mlp@v1")
        self.assertEqual(tag["source"]["commit"], self.ms_commit("damo/mlp", "v1"))
        self.assertNotEqual(tag["source"]["commit"], master)
        self.assert_mlp_package(tag)
        by_commit = self.installed(f"modelscope/damo/mlp@{master}")
        self.assertEqual(by_commit["source"]["commit"], master)

    def test_modelscope_private_model_needs_the_token(self):
        self.refused("modelscope/damo/private", "ModelScope refused access to damo/private",
                     "set MODELSCOPE_API_TOKEN")
        self.refused("modelscope/damo/private", "does not grant access",
                     MODELSCOPE_API_TOKEN="wrong")
        self.installed("modelscope/damo/private", MODELSCOPE_API_TOKEN=MS_TOKEN)

    def test_modelscope_unknown_model_and_revision(self):
        self.refused("modelscope/damo/nothing", "ModelScope has no model damo/nothing")
        self.refused("modelscope/damo/mlp@v9", 'with revision "v9"')

    def test_modelscope_traversal_names_are_refused(self):
        self.emulator.call("POST", "/_log/clear")
        self.refused("modelscope/damo/evil", 'unsafe file name "../../etc/passwd"')
        self.assertFalse(any("FilePath" in e["path"] for e in self.emulator.log()))
        self.assertEqual([p for p in self.workspace.rglob("passwd") if "hub" not in p.parts], [])

    def test_modelscope_corrupt_is_rejected_and_cut_resumed(self):
        self.emulator.set_faults({"modelscope/damo/corrupt/onnx/model.onnx": {"corrupt": True},
                                  "modelscope/damo/cut/onnx/model.onnx": {"cut_at": 1000}})
        self.refused("modelscope/damo/corrupt", "sha256", sha256_of(self.mlp))
        self.emulator.call("POST", "/_log/clear")
        model = self.installed("modelscope/damo/cut")
        self.assertEqual({f["path"]: f["sha256"] for f in model["files"]},
                         {"onnx/model.onnx": sha256_of(self.mlp)})
        fetches = [e for e in self.emulator.log() if e["path"] == "/api/v1/models/damo/cut/repo"]
        self.assertEqual([(e["range"], e["status"]) for e in fetches][:2],
                         [(None, 200), ("bytes=1000-", 206)], fetches)

    # -- Kaggle Models -----------------------------------------------------------------------

    def test_kaggle_latest_and_numbered_versions_are_pinned(self):
        latest = self.installed("kaggle/acme/mlp/onnx/default")
        self.assertEqual(latest["source"], {"hub": "kaggle", "repo": "acme/mlp/onnx/default",
                                            "revision": "latest", "commit": "2"})
        self.assert_mlp_package(latest, extra=("config.json",))
        first = self.installed("kaggle/acme/mlp/onnx/default@1")
        self.assertEqual(first["source"]["commit"], "1")
        self.assert_mlp_package(first)
        self.refused("kaggle/acme/mlp/onnx/default@7", "Kaggle has no model")

    def test_kaggle_archive_with_a_top_folder_and_a_one_file_download(self):
        self.assert_mlp_package(self.installed("kaggle/acme/mlp/onnx/nested@1"))
        self.assert_mlp_package(self.installed("kaggle/acme/mlp/onnx/single@1"))

    def test_kaggle_saved_model_is_refused_before_downloading(self):
        self.emulator.call("POST", "/_log/clear")
        result = self.refused("kaggle/acme/bert/tensorFlow2/base", SAVED_MODEL_REASON,
                              "kaggle/acme/bert/tensorFlow2/base@1", "no TensorFlow in Debian",
                              "tf2onnx")
        self.assertFalse(any("download" in e["path"] or "_kaggle_storage" in e["path"]
                             for e in self.emulator.log()), result.stderr)

    def test_kaggle_traversal_in_listing_and_archive_is_refused(self):
        self.refused("kaggle/acme/evil/onnx/listing", 'unsafe file name "../../etc/passwd"')
        self.refused("kaggle/acme/evil/onnx/archive", "../../escaped.txt", "refusing the archive")
        self.assertEqual(list(self.workspace.rglob("escaped.txt")), [])

    def test_kaggle_credentials_explained(self):
        self.refused("kaggle/acme/gated/onnx/default", "HTTP 401",
                     "set KAGGLE_USERNAME and KAGGLE_KEY")
        self.refused("kaggle/acme/gated/onnx/default", "HTTP 403", "terms must be accepted",
                     KAGGLE_USERNAME="alice", KAGGLE_KEY="wrong")
        model = self.installed("kaggle/acme/gated/onnx/default",
                               KAGGLE_USERNAME="alice", KAGGLE_KEY="alice-key")
        self.assert_mlp_package(model)
        self.refused("kaggle/acme/nothing/onnx/default", "Kaggle has no model", "HTTP 404")

    def test_kaggle_corrupt_archive_is_rejected_and_cut_resumed(self):
        self.emulator.set_faults({"kaggle/acme/corrupt/onnx/default/download": {"corrupt": True},
                                  "kaggle/acme/cut/onnx/default/download": {"cut_at": 300}})
        self.refused("kaggle/acme/corrupt/onnx/default", "not a tar archive")
        self.emulator.call("POST", "/_log/clear")
        self.assert_mlp_package(self.installed("kaggle/acme/cut/onnx/default"),
                                extra=("config.json",))
        fetches = [e for e in self.emulator.log() if e["path"].startswith("/_kaggle_storage/")
                   and e["method"] == "GET"]
        self.assertEqual([(e["range"], e["status"]) for e in fetches][:2],
                         [(None, 200), ("bytes=300-", 206)], fetches)

    # -- TF Hub ------------------------------------------------------------------------------

    def test_tfhub_handle_version_is_pinned(self):
        model = self.installed("tfhub/google/mlp/classification/1")
        self.assertEqual(model["source"], {"hub": "tfhub", "repo": "google/mlp/classification",
                                           "revision": "latest", "commit": "1"})
        self.assert_mlp_package(model)  # the ONNX, not the SavedModel beside it
        alias = self.installed("tf/google/mlp/classification@1")
        self.assertEqual(alias["source"]["commit"], "1")
        self.refused("tfhub/google/mlp/classification", "needs its version number")
        self.refused("tfhub/google/mlp/classification/4", "TF Hub has no model", "HTTP 404")

    def test_tfhub_saved_model_fails_with_the_reason_and_leaves_nothing(self):
        self.refused("tfhub/google/bert/3", SAVED_MODEL_REASON, "tfhub/google/bert/3")
        self.assertEqual(list((self.axon_home / "cache" / "tmp").rglob("saved_model.pb")), [])

    # -- configuration and Core --------------------------------------------------------------

    def test_endpoints_from_axon_config(self):
        environment = {k: v for k, v in self.environment.items()
                       if k not in ("MODELSCOPE_DOMAIN", "KAGGLE_API_ENDPOINT", "TFHUB_ENDPOINT")}
        axon = harness.Axon(OPTIONS.axon, self.workspace / "configured-home", environment)
        axon.check("config", "set", "modelscope.endpoint", self.emulator.url)
        axon.check("config", "set", "kaggle.endpoint", self.emulator.url)
        axon.check("config", "set", "tfhub.endpoint", self.emulator.url + "/tfhub")
        for spec in ("ms/damo/mlp@v1", "kaggle/acme/mlp/onnx/default@1", "tf/google/mlp/classification/1"):
            axon.check("install", spec, "--json")

    def test_register_and_infer_from_each_hub(self):
        specs = ("modelscope/damo/mlp@master", "kaggle/acme/mlp/onnx/nested@1",
                 "tfhub/google/mlp/classification/1@latest")
        for spec in specs:
            self.installed(spec)
        server = harness.Server(OPTIONS.core, self.workspace / "mlos-home", harness.free_port(),
                                self.environment)
        self.addCleanup(server.kill)
        server.start()
        inputs, outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        for spec in specs:
            with self.subTest(spec=spec):
                self.axon.check("register", spec, "--core", server.url)
                axon_harness.assert_infers(self, server, spec, inputs, outputs)


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_modelscope_kaggle")
