#!/usr/bin/python3
"""Compares MLOS's engine with ONNX Runtime on the real-size architectures.

Usage: compare.py [--models DIR] [--mlos-run BIN] [--only NAME ...] [--rtol R] [--atol A]

DIR holds the real-size models of `fixtures/make_fixtures.py --real` (ResNet-50, MobileNetV2,
ViT-B/16, BERT-base, RoBERTa-base, GPT-2, T5-small encoder and decoder at opsets 13 and 17), each
with seeded inputs in test_data_set_<k>/input_<i>.pb; models missing from DIR are exported first.
Every data set runs in mlos-run and in ONNX Runtime (npm onnxruntime-node, through run_ort.js;
install it with `ONNXRUNTIME_NODE_INSTALL=skip npm ci` in this folder). Prints, per model and
opset, each output's largest absolute and relative difference over the data sets and PASS when
every element satisfies |mlos - ort| <= atol + rtol * |ort|. Exits 1 if any model fails.
"""

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnx.numpy_helper

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REAL_MODELS = [f"{name}_opset{opset}"
               for name in ("resnet50", "mobilenet_v2", "vit_b_16", "bert", "roberta", "gpt2",
                            "t5_encoder", "t5_decoder")
               for opset in (13, 17)]


def safe_file_name(name):
    """The file name mlos-run gives an output (see OutputFileNames in tools/mlos-run)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return "_" + safe if safe == "" or safe.startswith(".") else safe


def read_inputs(data_set):
    """[(name, array)] of DATA_SET's input_<i>.pb, in graph order."""
    paths = sorted(data_set.glob("input_*.pb"), key=lambda path: int(path.stem.split("_")[1]))
    inputs = []
    for path in paths:
        proto = onnx.TensorProto()
        proto.ParseFromString(path.read_bytes())
        inputs.append((proto.name, onnx.numpy_helper.to_array(proto)))
    return inputs


def run_mlos(mlos_run, model, inputs, work):
    """{output name: array} from mlos-run, and its wall time in seconds."""
    command = [mlos_run, str(model), "--output-dir", str(work / "mlos")]
    for index, (name, array) in enumerate(inputs):
        path = work / f"input_{index}.npy"
        np.save(path, array)
        command += ["--input", f"{name}={path}"]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if run.returncode != 0:
        raise RuntimeError(f"mlos-run exited {run.returncode}: {run.stderr.strip()}")
    outputs = {}
    for path in (work / "mlos").glob("*.npy"):
        outputs[path.stem] = np.load(path)
    return outputs, seconds


def run_ort(model, inputs, work):
    """[(output name, array)] from ONNX Runtime in graph order, and its wall time in seconds."""
    request = {"model": str(model), "output_dir": str(work / "ort"), "inputs": []}
    (work / "ort").mkdir()
    for index, (name, array) in enumerate(inputs):
        path = work / f"input_{index}.bin"
        np.ascontiguousarray(array).tofile(path)
        request["inputs"].append({"name": name, "dtype": str(array.dtype),
                                  "shape": list(array.shape), "file": str(path)})
    (work / "request.json").write_text(json.dumps(request))
    started = time.monotonic()
    run = subprocess.run(["node", str(HERE / "run_ort.js"), str(work / "request.json")],
                         capture_output=True, text=True)
    seconds = time.monotonic() - started
    if run.returncode != 0:
        raise RuntimeError(f"onnxruntime failed: {run.stderr.strip()}")
    outputs = []
    for output in json.loads((work / "ort" / "outputs.json").read_text()):
        dtype = np.dtype("bool" if output["dtype"] == "bool" else output["dtype"])
        array = np.fromfile(output["file"], dtype=dtype).reshape(output["shape"])
        outputs.append((output["name"], array))
    return outputs, seconds


def differences(actual, expected, rtol, atol):
    """(max abs, max rel, max |expected|, ok): rel divides by |expected| where that is not 0."""
    actual, expected = actual.astype(np.float64), expected.astype(np.float64)
    error = np.abs(actual - expected)
    magnitude = np.abs(expected)
    relative = np.divide(error, magnitude, out=np.zeros_like(error), where=magnitude > 0)
    ok = bool(np.all(error <= atol + rtol * magnitude)) and not np.isnan(actual).any()
    return (float(error.max(initial=0)), float(relative.max(initial=0)),
            float(magnitude.max(initial=0)), ok)


def compare_model(model_dir, mlos_run, rtol, atol):
    """Prints one line per output; returns whether every output of every data set passed."""
    name, opset = model_dir.name.rsplit("_opset", 1)
    worst = {}  # output name -> [max abs, max rel, max |ort|, ok]
    times = {"mlos": 0.0, "ort": 0.0}
    failure = None
    for data_set in sorted(model_dir.glob("test_data_set_*")):
        inputs = read_inputs(data_set)
        with tempfile.TemporaryDirectory() as work:
            work = pathlib.Path(work)
            try:
                mlos, mlos_seconds = run_mlos(mlos_run, model_dir / "model.onnx", inputs, work)
                ort, ort_seconds = run_ort(model_dir / "model.onnx", inputs, work)
            except RuntimeError as error:
                failure = f"{data_set.name}: {error}"
                break
        times["mlos"] += mlos_seconds
        times["ort"] += ort_seconds
        for output, expected in ort:
            actual = mlos.get(safe_file_name(output))
            if actual is None:
                failure = f"{data_set.name}: mlos-run wrote no output '{output}'"
                break
            if actual.shape != expected.shape:
                failure = (f"{data_set.name}: output '{output}' has shape {list(actual.shape)}, "
                           f"onnxruntime {list(expected.shape)}")
                break
            measured = differences(actual, expected, rtol, atol)
            entry = worst.setdefault(output, [0.0, 0.0, 0.0, True])
            entry[:3] = [max(old, new) for old, new in zip(entry[:3], measured[:3])]
            entry[3] = entry[3] and measured[3]
        if failure:
            break
    if failure:
        print(f"{name:<14} {opset:>5}  {'-':<18} {'-':>10} {'-':>10} {'-':>10}  FAIL  {failure}",
              flush=True)
        return False
    for output, (abs_diff, rel_diff, magnitude, ok) in worst.items():
        print(f"{name:<14} {opset:>5}  {output:<18} {abs_diff:>10.3g} {rel_diff:>10.3g} "
              f"{magnitude:>10.3g}  "
              f"{'PASS' if ok else 'FAIL'}  (mlos {times['mlos']:.1f} s, "
              f"ort {times['ort']:.1f} s)", flush=True)
    return all(entry[3] for entry in worst.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=pathlib.Path, default=ROOT / "build/compare-ort/models",
                        help="real-size models (exported there when missing)")
    parser.add_argument("--mlos-run", default=str(ROOT / "build/bin/mlos-run"))
    parser.add_argument("--only", nargs="+", choices=REAL_MODELS, metavar="NAME",
                        help=f"compare only these (of {', '.join(REAL_MODELS)})")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    args = parser.parse_args()
    if not (HERE / "node_modules" / "onnxruntime-node").is_dir():
        return f"compare-ort: onnxruntime-node is missing; run " \
               f"`ONNXRUNTIME_NODE_INSTALL=skip npm ci` in {HERE}"
    models = args.only or REAL_MODELS

    missing = [name for name in models if not (args.models / name / "model.onnx").exists()]
    if missing:
        started = time.monotonic()
        subprocess.run([sys.executable, str(ROOT / "fixtures/make_fixtures.py"), "--real",
                        "--out", str(args.models), "--only", *missing], check=True,
                       env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})
        print(f"exported {len(missing)} models in {time.monotonic() - started:.0f} s")

    print(f"rtol {args.rtol:g}, atol {args.atol:g}; differences are MLOS against onnxruntime, "
          f"the largest over each model's data sets")
    print(f"{'model':<14} {'opset':>5}  {'output':<18} {'max abs':>10} {'max rel':>10} "
          f"{'max |ort|':>10}  result")
    started = time.monotonic()
    failed = [name for name in models
              if not compare_model(args.models / name, args.mlos_run, args.rtol, args.atol)]
    print(f"{len(models) - len(failed)} passed, {len(failed)} failed "
          f"({time.monotonic() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
