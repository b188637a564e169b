#!/usr/bin/python3
"""Axon's local registry (registry.url), package URLs and `axon search`, against the hub emulator
(tests/hub_emulator: registry.py and the Hugging Face routes) and a real mlos-core.

Covers: `axon install <ns>/<name>@latest|@<version>` from the registry (latest resolved to the
version the registry names, every file checked against its manifest) -> register -> inference; a
registry file whose sha256 differs from the manifest rejected with nothing left behind; a registry
manifest listing a path that leaves the package refused before any download; an .axon package
installed over http (resumed after a cut) and over file://; `axon search` across Hugging Face, the
registry and the installed models (table and --json, --limit, --hub), an unreachable hub as a
warning, and every source unreachable as a failure.

Usage: test_axon_registry.py --core BIN --axon BIN --fixtures DIR [unittest arguments]
"""

import argparse
import json
import pathlib
import shutil
import tempfile
import time
import unittest

import yaml

import axon_harness
import harness
from axon_harness import HubEmulator, make_repo, sha256_of

OPTIONS = argparse.Namespace()  # --core, --axon, --fixtures; set by axon_harness.run_tests


def publish(registry, model_id, package_dir, edit_manifest=None):
    """Copies the package folder PACKAGE_DIR (manifest.yaml + files) into the registry as
    MODEL_ID (ns/name@version), rewriting the manifest's id, and EDIT_MANIFEST(dict) if given."""
    name, version = model_id.split("@")
    folder = registry / name / version
    shutil.copytree(package_dir, folder)
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text())
    created = manifest["metadata"]["created"]  # YAML reads the RFC 3339 time as a datetime
    manifest["metadata"]["created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest["metadata"]["namespace"], manifest["metadata"]["name"] = name.split("/", 1)
    manifest["metadata"]["version"] = version
    if edit_manifest:
        edit_manifest(manifest)
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return folder


class RegistryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-registry-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        cls.mlp = OPTIONS.fixtures / "mlp" / "model.onnx"
        cls.environment = harness.scrubbed_environment(cls.workspace)
        cls.environment.pop("HF_TOKEN", None)

        # A package folder made by axon itself (install + export), then published three ways.
        publisher = harness.Axon(OPTIONS.axon, cls.workspace / "publisher", cls.environment)
        publisher.check("install", cls.mlp, "--as", "org/mlp@1.0")
        package = cls.workspace / "package"
        publisher.check("export", "org/mlp@1.0", package)
        cls.package_archive = cls.workspace / "mlp.axon"
        publisher.check("pack", package, "-o", cls.package_archive)

        root = cls.workspace / "hub"
        registry = root / "registry"
        publish(registry, "org/mlp@0.9", package)
        version = publish(registry, "org/mlp@1.0", package)
        shutil.copyfile(cls.package_archive, version / "package.axon")
        (registry / "org" / "mlp" / "model.json").write_text(json.dumps(
            {"latest": "1.0", "description": "A small perceptron", "task": "regression",
             "downloads": 5}))

        def wrong_sha256(manifest):
            manifest["spec"]["format"]["files"][0]["sha256"] = "0" * 64
        publish(registry, "org/badsha@1.0", package, wrong_sha256)

        def escaping_path(manifest):
            manifest["spec"]["format"]["files"].append(
                {"path": "../../etc/passwd", "size": 5, "sha256": "1" * 64})
        evil = publish(registry, "org/evil@1.0", package, escaping_path)
        (evil.parent.parent.parent / "etc").mkdir(exist_ok=True)
        (evil.parent.parent.parent / "etc" / "passwd").write_text("root\n")

        make_repo(root, "org/mlp-hf", {"model.onnx": cls.mlp},
                  config={"downloads": 42, "likes": 3, "pipeline_tag": "tabular-regression"})
        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)

        cls.environment["HF_ENDPOINT"] = cls.emulator.url
        cls.axon_home = cls.workspace / "axon-home"
        cls.axon = harness.Axon(OPTIONS.axon, cls.axon_home, cls.environment)
        cls.axon.check("config", "set", "registry.url", cls.emulator.url + "/")

    def installed(self, *arguments):
        result = self.axon.run("install", *arguments, "--json")
        self.assertEqual(result.returncode, 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return json.loads(result.stdout)

    def installed_ids(self):
        return set(self.axon.check("list", "--format", "names").stdout.split())

    def blobs(self):
        return set((self.axon_home / "cache" / "blobs").rglob("*"))

    def assert_no_staged_downloads(self):
        downloads = self.axon_home / "cache" / "tmp" / "downloads"
        leftovers = [p for p in downloads.rglob("*") if p.is_file()] if downloads.exists() else []
        self.assertEqual(leftovers, [], "staged downloads left behind")

    def assert_is_the_mlp(self, model):
        files = {f["path"]: f["sha256"] for f in model["files"]}
        self.assertEqual(files, {"model.onnx": sha256_of(self.mlp)})
        self.assertEqual(sha256_of(pathlib.Path(model["path"]) / "model.onnx"), sha256_of(self.mlp))

    # -- the registry ------------------------------------------------------------------------

    def test_install_latest_and_a_version_from_the_registry(self):
        self.emulator.call("POST", "/_log/clear")
        latest = self.installed("org/mlp@latest")
        self.assertEqual(latest["model_id"], "org/mlp@latest")
        self.assertEqual(latest["source"], {"hub": "registry", "repo": "org/mlp",
                                            "revision": "latest", "commit": "1.0"})
        self.assert_is_the_mlp(latest)
        paths = [e["path"] for e in self.emulator.log()]
        self.assertIn("/v1/models/org/mlp/latest/manifest.yaml", paths)
        self.assertIn("/v1/models/org/mlp/1.0/files/model.onnx", paths)
        older = self.installed("org/mlp@0.9")
        self.assertEqual(older["source"]["commit"], "0.9")
        self.assert_no_staged_downloads()
        result = self.axon.run("install", "org/nope@1.0")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("the registry has no model org/nope@1.0", result.stderr)

    def test_registry_install_registers_and_infers(self):
        self.installed("org/mlp@1.0")
        server = harness.Server(OPTIONS.core, self.workspace / "mlos-home", harness.free_port(),
                                self.environment)
        self.addCleanup(server.kill)
        server.start()
        self.axon.check("register", "org/mlp@1.0", "--core", server.url)
        inputs, outputs = harness.load_reference(OPTIONS.fixtures / "mlp")
        axon_harness.assert_infers(self, server, "org/mlp@1.0", inputs, outputs)

    def test_a_file_that_differs_from_the_registry_manifest_is_rejected(self):
        blobs_before = self.blobs()
        result = self.axon.run("install", "org/badsha@1.0")
        self.assertEqual(result.returncode, 2, result.stdout)
        self.assertIn("sha256", result.stderr)
        self.assertIn("0" * 64, result.stderr)
        self.assertNotIn("org/badsha@1.0", self.installed_ids())
        self.assertFalse((self.axon_home / "cache" / "models" / "org" / "badsha").exists())
        self.assertEqual(self.blobs() - blobs_before, set(), "a blob of the failed install")
        self.assert_no_staged_downloads()

    def test_a_manifest_path_leaving_the_package_is_refused(self):
        self.emulator.call("POST", "/_log/clear")
        result = self.axon.run("install", "org/evil@1.0")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("../../etc/passwd", result.stderr)
        self.assertIn("must stay inside the package", result.stderr)
        self.assertNotIn("org/evil@1.0", self.installed_ids())
        self.assertEqual([e["path"] for e in self.emulator.log() if "/files/" in e["path"]], [])
        escaped = [p for p in self.axon_home.rglob("passwd")]
        self.assertEqual(escaped, [])
        self.assert_no_staged_downloads()

    # -- packages by URL ---------------------------------------------------------------------

    def test_axon_package_over_http_resumes_after_a_cut(self):
        url = self.emulator.url + "/v1/models/org/mlp/1.0/package.axon"
        self.emulator.set_faults({"registry/org/mlp/package.axon": {"cut_at": 700}})
        self.emulator.call("POST", "/_log/clear")
        model = self.installed(url, "--as", "web/mlp@1.0")
        self.assertEqual(model["model_id"], "web/mlp@1.0")
        self.assert_is_the_mlp(model)
        metadata = json.loads((pathlib.Path(model["path"]) / ".axon_metadata.json").read_text())
        self.assertEqual(metadata["source"]["spec"], url)  # not the staged copy
        fetches = [e for e in self.emulator.log()
                   if e["path"].endswith("/package.axon") and e["method"] == "GET"
                   and e["range"] != "bytes=0-0"]
        self.assertGreaterEqual(len(fetches), 2, fetches)
        self.assertEqual((fetches[-1]["range"], fetches[-1]["status"]), ("bytes=700-", 206),
                         fetches)
        self.assert_no_staged_downloads()
        result = self.axon.run("install", self.emulator.url + "/v1/models/org/mlp/1.0/files/"
                               "model.onnx")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("does not name a package archive", result.stderr)

    def test_axon_package_over_file_url(self):
        model = self.installed(self.package_archive.as_uri(), "--as", "file/mlp@1.0")
        self.assertEqual(model["model_id"], "file/mlp@1.0")
        self.assert_is_the_mlp(model)
        result = self.axon.run("install", (self.workspace / "missing.axon").as_uri())
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("missing.axon", result.stderr)

    # -- search ------------------------------------------------------------------------------

    def search(self, *arguments, environment=None):
        axon = self.axon if environment is None else harness.Axon(
            OPTIONS.axon, self.axon_home, environment)
        return axon.run("search", *arguments)

    def test_search_finds_models_on_every_source(self):
        self.installed("org/mlp@1.0")
        result = self.search("MLP", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        reply = json.loads(result.stdout)
        self.assertEqual(reply["warnings"], [])
        by_source = {}
        for hit in reply["results"]:
            by_source.setdefault(hit["source"], {})[hit["id"]] = hit
        hf = by_source["hf"]["hf/org/mlp-hf"]
        self.assertEqual((hf["downloads"], hf["likes"], hf["task"]), (42, 3, "tabular-regression"))
        registry = by_source["registry"]["org/mlp"]
        self.assertEqual((registry["version"], registry["task"], registry["format"],
                          registry["downloads"]), ("1.0", "regression", "onnx", 5))
        self.assertIn("org/mlp@1.0", by_source["installed"])
        self.assertNotIn("org/evil", by_source["registry"])

        table = self.search("perceptron")
        self.assertEqual(table.returncode, 0, table.stderr)
        lines = table.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "SOURCE", "TASK/FORMAT", "DOWNLOADS"])
        self.assertEqual(lines[1].split(), ["org/mlp", "registry", "regression/onnx", "5"])

        limited = json.loads(self.search("org", "--limit", "1", "--hub", "registry",
                                         "--json").stdout)
        self.assertEqual([(h["source"], h["id"]) for h in limited["results"]],
                         [("registry", "org/badsha")])

    def test_an_unreachable_source_is_a_warning_unless_it_is_the_only_one(self):
        dead = f"http://127.0.0.1:{harness.free_port()}"
        environment = dict(self.environment, HF_ENDPOINT=dead)
        started = time.monotonic()
        result = self.search("mlp", "--json", environment=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertLess(time.monotonic() - started, 20)
        self.assertIn("axon: warning: hf: ", result.stderr)
        reply = json.loads(result.stdout)
        self.assertEqual([w["source"] for w in reply["warnings"]], ["hf"])
        self.assertIn("org/mlp", [h["id"] for h in reply["results"] if h["source"] == "registry"])

        only = self.search("mlp", "--hub", "hf", environment=environment)
        self.assertEqual(only.returncode, 2, only.stderr)
        self.assertIn("no source could be searched (hf)", only.stderr)
        unknown = self.search("mlp", "--hub", "nope")
        self.assertEqual(unknown.returncode, 1, unknown.stderr)
        self.assertIn("hf, registry, installed", unknown.stderr)


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_registry")
