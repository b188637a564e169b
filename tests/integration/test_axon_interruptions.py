#!/usr/bin/python3
"""Axon under interruption and contention, against the hub emulator:

- kill -9 mid-download: the store (models and blobs) is exactly as before; the next install
  resumes the partial file with a Range request and installs the hub's bytes.
- kill -9 at moments spread over whole installs: after each kill every installed model still
  verifies and the model is either fully installed or absent; a final install succeeds.
- two installs of one model at once: both succeed, the model's bytes are downloaded once.

Usage: test_axon_interruptions.py --axon BIN --fixtures DIR [unittest arguments]
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import axon_harness
import harness
from axon_harness import HubEmulator, make_repo, sha256_of, write_matmul_model

OPTIONS = argparse.Namespace()  # --axon, --fixtures; set by axon_harness.run_tests
BIG_ROWS, BIG_COLS = 1024, 2048  # an 8 MiB model


def store_snapshot(home):
    """{path: sha256 or "<dir>"} of everything under models/ and blobs/ (not tmp/)."""
    snapshot = {}
    for part in ("models", "blobs"):
        root = home / "cache" / part
        for path in sorted(root.rglob("*")) if root.exists() else []:
            key = str(path.relative_to(home))
            snapshot[key] = "<dir>" if path.is_dir() else (
                "-> " + os.readlink(path) if path.is_symlink() else sha256_of(path))
    return snapshot


class InterruptionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-interrupt-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        cls.big = cls.workspace / "big.onnx"
        write_matmul_model(cls.big, BIG_ROWS, BIG_COLS)
        root = cls.workspace / "hub"
        for name in ("killed", "anytime", "twice"):
            make_repo(root, f"org/{name}", {"model.onnx": cls.big, "config.json": b"{}\n"})
        make_repo(root, "org/small", {"model.onnx": OPTIONS.fixtures / "mlp" / "model.onnx"})
        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)
        cls.environment = harness.scrubbed_environment(cls.workspace)
        cls.environment.pop("HF_TOKEN", None)
        cls.environment["HF_ENDPOINT"] = cls.emulator.url

    def setUp(self):
        self.home = pathlib.Path(tempfile.mkdtemp(dir=self.workspace, prefix="axon-home-"))
        self.axon = harness.Axon(OPTIONS.axon, self.home, self.environment)
        self.axon.check("install", "hf/org/small@main")  # the store has something to keep
        self.emulator.set_faults({})
        self.emulator.call("POST", "/_log/clear")

    def start_install(self, spec):
        return subprocess.Popen([str(OPTIONS.axon), "install", spec, "--json"],
                                env=dict(self.environment, AXON_HOME=str(self.home)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def staged_bytes(self, repo):
        folder = self.home / "cache" / "tmp" / "downloads" / "hf" / repo
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
        return sum(p.stat().st_size for p in files)

    def assert_store_intact(self):
        for model_id in self.axon.check("list", "--format", "names").stdout.split():
            self.axon.check("verify", model_id)

    def test_kill_9_mid_download_leaves_the_store_as_it_was_and_the_next_install_resumes(self):
        self.emulator.set_faults({"hf/org/killed/model.onnx": {"bytes_per_second": 2 << 20,
                                                              "times": -1}})
        before = store_snapshot(self.home)
        install = self.start_install("hf/org/killed@main")
        deadline = time.monotonic() + 30
        while self.staged_bytes("org/killed") < (1 << 20) and time.monotonic() < deadline:
            if install.poll() is not None:
                self.fail(f"the install ended before the kill: {install.communicate()}")
            time.sleep(0.02)
        staged = self.staged_bytes("org/killed")
        install.send_signal(signal.SIGKILL)
        install.communicate()
        self.assertGreaterEqual(staged, 1 << 20, "the download never got going")
        self.assertLess(staged, self.big.stat().st_size, "the download finished before the kill")
        self.assertEqual(store_snapshot(self.home), before, "the killed install changed the store")
        self.assert_store_intact()

        self.emulator.set_faults({})
        model = json.loads(self.axon.check("install", "hf/org/killed@main", "--json").stdout)
        self.assertEqual({f["path"]: f["sha256"] for f in model["files"]}["model.onnx"],
                         sha256_of(self.big))
        fetches = [e for e in self.emulator.log() if e["path"].startswith("/_cdn/")
                   and e["method"] == "GET"]
        resumed = [e for e in fetches if e["range"] and e["status"] == 206]
        self.assertTrue(resumed, fetches)
        first = int(resumed[0]["range"].split("=")[1].split("-")[0])
        self.assertGreaterEqual(first, 1 << 20, resumed)  # what was on disk was not fetched again
        self.axon.check("verify", "hf/org/killed@main")

    def test_kill_9_at_any_moment_never_leaves_a_broken_model(self):
        # A slow link spreads the install over about a second; kills land in the metadata
        # requests, the download, the hashing and the publishing.
        self.emulator.set_faults({"hf/org/anytime/model.onnx": {"bytes_per_second": 16 << 20,
                                                                "times": -1}})
        delays = [0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0]
        for delay in delays:
            install = self.start_install("hf/org/anytime@main")
            time.sleep(delay)
            install.send_signal(signal.SIGKILL)
            install.communicate()
            self.assert_store_intact()
            ids = self.axon.check("list", "--format", "names").stdout.split()
            model_dir = self.home / "cache" / "models" / "hf" / "org" / "anytime" / "main"
            self.assertEqual("hf/org/anytime@main" in ids, model_dir.exists(), delay)
            if model_dir.exists():  # it finished before the kill: start the next one afresh
                self.axon.check("uninstall", "hf/org/anytime@main")
        self.emulator.set_faults({})
        model = json.loads(self.axon.check("install", "hf/org/anytime@main", "--json").stdout)
        self.assertEqual({f["path"]: f["sha256"] for f in model["files"]}["model.onnx"],
                         sha256_of(self.big))
        self.assert_store_intact()

    def test_concurrent_installs_of_one_model_both_succeed_and_download_once(self):
        self.emulator.set_faults({"hf/org/twice/model.onnx": {"bytes_per_second": 16 << 20}})
        first, second = self.start_install("hf/org/twice@main"), self.start_install(
            "hf/org/twice@main")
        results = [first.communicate(timeout=60), second.communicate(timeout=60)]
        self.assertEqual([first.returncode, second.returncode], [0, 0], results)
        outcomes = sorted(json.loads(out)["outcome"] for out, _ in results)
        self.assertEqual(outcomes, ["installed", "unchanged"], results)
        fetched = [e for e in self.emulator.log() if e["path"].startswith("/_cdn/")
                   and e["method"] == "GET" and e["path"].endswith("/model.onnx")]
        self.assertEqual(len(fetched), 1, fetched)
        self.axon.check("verify", "hf/org/twice@main")
        self.assertEqual(self.staged_bytes("org/twice"), 0)


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_interruptions", ("axon", "fixtures"))
