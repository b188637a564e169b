#!/usr/bin/python3
"""Checks that mlos-run reproduces the reference outputs of models in the ONNX test layout.

Usage: check_fixtures.py --mlos-run BIN DIR [DIR ...]

Each DIR holds model.onnx and test_data_set_*/{input_N.pb, output_N.pb} (the layout of
fixtures/make_fixtures.py and of the ONNX backend tests). For every data set this runs mlos-run
with the inputs, reads the .npy files it writes and compares them with the reference outputs
(element-wise |actual - expected| <= atol + rtol * |expected|). Prints one line per data set and
exits 1 if any failed.
"""

import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper


def safe_file_name(name):
    """The file name mlos-run gives an output (see OutputFileNames in tensor_files.h)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return "_" + safe if safe == "" or safe.startswith(".") else safe


def check_data_set(mlos_run, model, data_set, rtol, atol):
    """Returns None when the outputs match, else a reason."""
    inputs = sorted(data_set.glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1]))
    with tempfile.TemporaryDirectory() as out:
        command = [mlos_run, str(model), "--output-dir", out]
        for path in inputs:
            command += ["--input", str(path)]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            return f"mlos-run exited {run.returncode}: {run.stderr.strip()}"
        for path in sorted(data_set.glob("output_*.pb")):
            reference = onnx.TensorProto()
            reference.ParseFromString(path.read_bytes())
            expected = onnx.numpy_helper.to_array(reference)
            actual_path = pathlib.Path(out) / (safe_file_name(reference.name) + ".npy")
            if not actual_path.exists():
                return f"no output '{reference.name}'"
            actual = np.load(actual_path)
            if actual.shape != expected.shape or actual.dtype != expected.dtype:
                return (f"output '{reference.name}': got {actual.dtype}{list(actual.shape)}, "
                        f"expected {expected.dtype}{list(expected.shape)}")
            if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
                worst = np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64)))
                return f"output '{reference.name}': max abs difference {worst:.3g}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlos-run", required=True, help="the mlos-run binary")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("models", nargs="+", type=pathlib.Path, help="model directories")
    args = parser.parse_args()
    failures = 0
    for model_dir in args.models:
        for data_set in sorted(model_dir.glob("test_data_set_*")):
            reason = check_data_set(args.mlos_run, model_dir / "model.onnx", data_set,
                                    args.rtol, args.atol)
            print(f"{'FAIL' if reason else 'PASS'} {model_dir.name}/{data_set.name}"
                  + (f": {reason}" if reason else ""))
            failures += reason is not None
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
