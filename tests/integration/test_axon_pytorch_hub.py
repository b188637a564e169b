#!/usr/bin/python3
"""`axon install pytorch/<repo>/<entry>[@ref]` against the hub emulator's PyTorch Hub routes
(tests/hub_emulator/pytorch_hub.py: GitHub API, zipball, weight host), then `axon register` into
the real mlos-core and inference compared with PyTorch's own output.

The fixture repository is written here: a hubconf.py with small models (a convnet with batch
norm, an MLP taking torchvision-style `weights=`, an entry that raises, one whose weight file name
carries a wrong sha256 prefix), weights made with fixed seeds and named `name-<sha256 prefix>.pth`
as torch.hub's check_hash expects.

Covers: conversion to ONNX (auto) and TorchScript (--format torchscript), refs (branch, tag,
latest) with the resolved commit recorded, the hash prefix check (nothing left behind), an unknown
entry point (the error lists the entries), an entry point that raises (its reason), a source
archive with a path-traversal entry (refused), a cut weight download (resumed with Range).

Usage: test_axon_pytorch_hub.py --core BIN --axon BIN [unittest arguments]
Skips when /usr/bin/python3 has no torch.
"""

import argparse
import hashlib
import importlib.util
import io
import json
import pathlib
import shutil
import sys
import tempfile
import time
import unittest

import numpy

import axon_harness
import harness
from axon_harness import HubEmulator

try:
    import torch
except ImportError:  # scripts/install-deps.sh installs python3-torch
    torch = None

OPTIONS = argparse.Namespace()  # --core, --axon; set by axon_harness.run_tests
WEIGHTS_BASE = "https://download.pytorch.org/models"

MODELS = '''
import torch
from torch import nn


def _make_convnet():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


def _make_mlp():
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
'''

HUBCONF = MODELS + '''
dependencies = ["torch"]

URLS = {urls!r}


def _load(model, name):
    state = torch.hub.load_state_dict_from_url(URLS[name], progress=False, check_hash=True)
    model.load_state_dict(state)
    return model


def convnet(pretrained=False, **kwargs):
    """A small convnet (3x224x224 images, 10 classes)."""
    model = _make_convnet()
    return _load(model, "convnet") if pretrained else model


def mlp(*, weights=None, progress=True):
    """An MLP, 16 features to 4, with torchvision's weights= interface."""
    model = _make_mlp()
    return _load(model, "mlp") if weights is not None else model


def badhash(pretrained=False):
    """Its weight file's name carries a sha256 prefix that is not the file's."""
    model = _make_mlp()
    return _load(model, "badhash") if pretrained else model


def broken(pretrained=False):
    raise RuntimeError("broken on purpose: this entry point has no model")
'''


def load_source(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def state_bytes(model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()


@unittest.skipIf(torch is None, "/usr/bin/python3 has no torch (scripts/install-deps.sh)")
class PyTorchHubInstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-pytorch-hub-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        root = cls.workspace / "hub"
        models_file = cls.workspace / "models.py"
        models_file.write_text(MODELS)
        models = load_source(models_file, "fixture_models")

        # Weights with fixed seeds, named as torch.hub's check_hash wants.
        cls.models, urls = {}, {}
        weights_dir = root / "pytorch" / "_weights" / "download.pytorch.org" / "models"
        weights_dir.mkdir(parents=True)
        for seed, (name, make) in enumerate((("convnet", models._make_convnet),
                                            ("mlp", models._make_mlp))):
            torch.manual_seed(seed)
            model = make().eval()
            if name == "convnet":  # batch norm statistics that are not the identity
                with torch.no_grad():
                    model[1].running_mean.uniform_(-0.5, 0.5)
                    model[1].running_var.uniform_(0.5, 2.0)
            data = state_bytes(model)
            file_name = f"{name}-{hashlib.sha256(data).hexdigest()[:8]}.pth"
            (weights_dir / file_name).write_bytes(data)
            urls[name] = f"{WEIGHTS_BASE}/{file_name}"
            cls.models[name] = model
        cls.convnet_weights = urls["convnet"].rsplit("/", 1)[1]
        bad = state_bytes(models._make_mlp())
        (weights_dir / "badhash-00000000.pth").write_bytes(bad)
        urls["badhash"] = f"{WEIGHTS_BASE}/badhash-00000000.pth"

        hubconf = HUBCONF.format(urls=urls)
        for ref in ("main", "v1"):
            folder = root / "pytorch" / "pytorch" / "tinyhub" / ref
            folder.mkdir(parents=True)
            (folder / "hubconf.py").write_text(hubconf + f"\n# ref {ref}\n")
            (folder / "README.md").write_text("# tinyhub\n")
        evil = root / "pytorch" / "someone" / "evilhub"
        (evil / "main").mkdir(parents=True)
        (evil / "main" / "hubconf.py").write_text(hubconf)
        (evil / "repo.json").write_text(json.dumps({"extra_entries": [
            {"name": "../../escaped.py", "content": "print('escaped')\n"}]}))

        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)
        cls.environment = harness.scrubbed_environment(cls.workspace)
        cls.environment.pop("GITHUB_TOKEN", None)
        cls.environment.update({
            "AXON_PYTORCH_GITHUB_ENDPOINT": cls.emulator.url + "/github.com",
            "AXON_PYTORCH_GITHUB_API_ENDPOINT": cls.emulator.url + "/api.github.com",
            "AXON_PYTORCH_WEIGHTS_MIRROR": cls.emulator.url + "/_weights",
            "TMPDIR": str(cls.workspace),
        })
        cls.axon_home = cls.workspace / "axon-home"
        cls.axon = harness.Axon(OPTIONS.axon, cls.axon_home, cls.environment)
        cls.server = None

    @classmethod
    def core(cls):
        if cls.server is None:
            cls.server = harness.Server(OPTIONS.core, cls.workspace / "mlos-home",
                                        harness.free_port(), cls.environment)
            cls.addClassCleanup(cls.server.kill)
            cls.server.start()
        return cls.server

    def commit(self, ref, repo="pytorch/tinyhub"):
        with urllib_request(f"{self.emulator.url}/api.github.com/repos/{repo}/commits/{ref}") as r:
            return json.loads(r.read())["sha"]

    def install(self, spec, *more):
        return self.axon.run("install", spec, "--json", *more)

    def installed(self, spec, *more):
        result = self.install(spec, *more)
        self.assertEqual(result.returncode, 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return json.loads(result.stdout)

    def assert_failed(self, result, *phrases):
        self.assertNotEqual(result.returncode, 0, result.stdout)
        for phrase in phrases:
            self.assertIn(phrase, result.stderr)

    def assert_nothing_left(self, spec):
        self.assertNotIn(spec, self.axon.check("list", "--format", "names").stdout.split())
        self.assert_no_leftovers()

    def assert_no_leftovers(self):
        tmp = self.axon_home / "cache" / "tmp"
        leftovers = [p for p in (tmp / "downloads").rglob("*") if p.is_file()] \
            if (tmp / "downloads").exists() else []
        self.assertEqual(leftovers, [], "staged downloads left behind")
        self.assertEqual(list(self.workspace.glob("axon-pytorch-hub-*")), [],
                         "the unpacked repository was left behind")

    def torch_output(self, name, inputs):
        with torch.no_grad():
            return self.models[name](torch.from_numpy(inputs)).numpy()

    def infer(self, model_id, name, inputs):
        reply = self.core().infer(model_id, {"input": inputs.tolist()})  # nested: the shape
        self.assertEqual(reply.status, 200, reply)
        numpy.testing.assert_allclose(harness.output_array(reply, "output"),
                                      self.torch_output(name, inputs), rtol=1e-3, atol=1e-4)

    # -- conversions -------------------------------------------------------------------------

    def test_convnet_converts_to_onnx_and_runs_in_core(self):
        started = time.monotonic()
        model = self.installed("pytorch/tinyhub/convnet")
        print(f"install of the convnet fixture: {time.monotonic() - started:.1f} s",
              file=sys.stderr)
        self.assertEqual(model["source"], {"hub": "pytorch", "repo": "pytorch/tinyhub/convnet",
                                           "revision": "latest", "commit": self.commit("main")})
        self.assertEqual(model["execution_files"], [{"path": "model.onnx", "role": "single"}])
        self.assertEqual([f["path"] for f in model["files"]], ["model.onnx"])
        manifest = (pathlib.Path(model["path"]) / "manifest.yaml").read_text()
        self.assertIn("pytorch", manifest)
        self.assertEqual(model["inputs"][0]["shape"], [-1, 3, 224, 224])
        self.assert_no_leftovers()
        self.axon.check("register", "pytorch/tinyhub/convnet@latest", "--core", self.core().url)
        inputs = numpy.random.default_rng(7).standard_normal((2, 3, 224, 224)).astype(numpy.float32)
        self.infer("pytorch/tinyhub/convnet@latest", "convnet", inputs)

    def test_mlp_at_a_tag_with_weights_interface(self):
        model = self.installed("torch/pytorch/tinyhub/mlp@v1")
        self.assertEqual(model["source"]["commit"], self.commit("v1"))
        self.assertNotEqual(self.commit("v1"), self.commit("main"))
        self.assertEqual(model["inputs"][0]["shape"], [-1, 16])
        self.axon.check("register", "torch/pytorch/tinyhub/mlp@v1", "--core", self.core().url)
        inputs = numpy.random.default_rng(3).standard_normal((5, 16)).astype(numpy.float32)
        self.infer("torch/pytorch/tinyhub/mlp@v1", "mlp", inputs)

    def test_format_torchscript(self):
        model = self.installed("pytorch/tinyhub/mlp@main", "--format", "torchscript")
        self.assertEqual(model["execution_files"], [{"path": "model.pt", "role": "single"}])
        package = pathlib.Path(model["path"])
        manifest = (package / "manifest.yaml").read_text()
        self.assertIn("torchscript", manifest)
        scripted = torch.jit.load(str(package / "model.pt"))
        inputs = numpy.random.default_rng(5).standard_normal((3, 16)).astype(numpy.float32)
        with torch.no_grad():
            numpy.testing.assert_allclose(scripted(torch.from_numpy(inputs)).numpy(),
                                          self.torch_output("mlp", inputs), rtol=1e-5, atol=1e-6)
        plugins = OPTIONS.core.parent.parent / "lib" / "plugins"
        if not (plugins / "libmlos_plugin_torchscript.so").exists():
            self.skipTest("the torchscript plugin is not built: no inference in Core")
        self.axon.check("register", "pytorch/tinyhub/mlp@main", "--core", self.core().url)
        self.infer("pytorch/tinyhub/mlp@main", "mlp", inputs)

    # -- refusals ----------------------------------------------------------------------------

    def test_wrong_hash_prefix_is_refused_and_nothing_kept(self):
        result = self.install("pytorch/tinyhub/badhash")
        self.assert_failed(result, "hash check", "00000000")
        self.assert_nothing_left("pytorch/tinyhub/badhash@latest")

    def test_unknown_entry_lists_the_entries(self):
        result = self.install("pytorch/tinyhub/resnet50")
        self.assert_failed(result, 'no entry point "resnet50"', "badhash, broken, convnet, mlp")
        self.assert_nothing_left("pytorch/tinyhub/resnet50@latest")

    def test_entry_that_raises_fails_with_its_reason(self):
        result = self.install("pytorch/tinyhub/broken")
        self.assert_failed(result, "RuntimeError: broken on purpose")
        self.assert_nothing_left("pytorch/tinyhub/broken@latest")

    def test_unknown_ref_and_repository(self):
        self.assert_failed(self.install("pytorch/tinyhub/mlp@nope"), 'branch, tag or commit "nope"')
        self.assert_failed(self.install("pytorch/nohub/mlp"), "GitHub has no repository pytorch/nohub")

    def test_traversal_in_the_source_archive_is_refused(self):
        result = self.install("pytorch/someone/evilhub/mlp")
        self.assert_failed(result, "escaped.py", "refusing the archive")
        self.assertEqual([p for p in self.workspace.rglob("escaped.py")], [])
        self.assert_nothing_left("pytorch/someone/evilhub/mlp@latest")

    def test_cut_weight_download_resumes(self):
        key = f"pytorch/_weights/download.pytorch.org/models/{self.convnet_weights}"
        self.emulator.set_faults({key: {"cut_at": 1000}})
        self.emulator.call("POST", "/_log/clear")
        self.installed("pytorch/tinyhub/convnet@main", "--as", "pytorch/tinyhub/convnet-cut@main")
        fetches = [e for e in self.emulator.log() if e["method"] == "GET"
                   and e["path"].endswith(self.convnet_weights)]
        self.assertGreaterEqual(len(fetches), 2, fetches)
        self.assertEqual((fetches[1]["range"], fetches[1]["status"]), ("bytes=1000-", 206), fetches)


def urllib_request(url):
    import urllib.request
    return urllib.request.urlopen(url, timeout=10)


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_pytorch_hub", ("core", "axon"))
