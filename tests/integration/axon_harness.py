"""What Axon's integration tests share: the hub emulator (tests/hub_emulator) as a child process,
fixture repositories written into its root, file digests.

Import next to harness.py (which starts mlos-core and runs axon).
"""

import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import urllib.request

EMULATOR = pathlib.Path(__file__).resolve().parent.parent / "hub_emulator" / "hub_emulator.py"


def sha256_of(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


class HubEmulator:
    """The emulator as a child process on a free port, serving ROOT."""

    def __init__(self, root):
        self.process = subprocess.Popen([sys.executable, str(EMULATOR), "--root", str(root),
                                         "--port", "0"], stdout=subprocess.PIPE, text=True)
        first_line = self.process.stdout.readline().strip()
        if not first_line.startswith("listening on "):
            self.process.kill()
            raise AssertionError(f"hub emulator did not start: {first_line!r}")
        self.url = first_line[len("listening on "):]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())

    def set_faults(self, faults):
        self.call("POST", "/_faults", faults)

    def log(self):
        return self.call("GET", "/_log")

    def commit(self, repo, revision="main"):
        return self.call("GET", f"/api/models/{repo}/revision/{revision}")["sha"]

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


def write_files(folder, files, config=None, config_name=None):
    """Writes FILES ({path: bytes or a path to copy}) under FOLDER, and CONFIG as JSON beside it
    (FOLDER's parent / CONFIG_NAME)."""
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, pathlib.Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
    if config is not None:
        (folder.parent / config_name).write_text(json.dumps(config))


def make_repo(root, repo, files, revision="main", config=None):
    """Writes hf/REPO/REVISION with FILES ({path in repo: bytes or a path to copy}) and CONFIG
    as the repository's repo.json."""
    write_files(root / "hf" / repo / revision, files, config, "repo.json")


def write_matmul_model(path, rows, cols, seed=0):
    """An ONNX model y = x · W (x: FP32 [batch, ROWS], W: random FP32 [ROWS, COLS]), about
    4·ROWS·COLS bytes: big enough to interrupt mid-download, valid for the engine. Returns W."""
    import numpy
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = numpy.random.default_rng(seed).standard_normal((rows, cols)).astype(numpy.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", rows])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", cols])],
        [numpy_helper.from_array(weights, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return weights


ARGUMENT_HELP = {"core": "the mlos-core binary", "axon": "the axon binary",
                 "fixtures": "output directory of fixtures/make_fixtures.py"}


def run_tests(options, doc, name, arguments=("core", "axon", "fixtures")):
    """The main() of an Axon integration test file: parses --core/--axon/--fixtures (those in
    ARGUMENTS, all required) into OPTIONS, runs the file's unittest cases with the other
    arguments, and prints how long they took under NAME."""
    import argparse
    import time
    import unittest

    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    for argument in arguments:
        parser.add_argument(f"--{argument}", required=True, type=pathlib.Path,
                            help=ARGUMENT_HELP[argument])
    known, rest = parser.parse_known_args()
    vars(options).update(vars(known))
    started = time.monotonic()
    try:
        unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
    finally:
        print(f"{name}: {time.monotonic() - started:.1f} s", file=sys.stderr)


def assert_infers(test, server, model_id, inputs, outputs, rtol=1e-4, atol=1e-5):
    """One MLOS API inference of MODEL_ID on SERVER with INPUTS ({"input": array}, sent as a
    nested list so the shape travels) whose outputs must match OUTPUTS ({name: array})."""
    import numpy

    import harness

    reply = server.infer(model_id, {name: array.tolist() for name, array in inputs.items()})
    test.assertEqual(reply.status, 200, reply)
    for name, expected in outputs.items():
        numpy.testing.assert_allclose(harness.output_array(reply, name), expected,
                                      rtol=rtol, atol=atol)
