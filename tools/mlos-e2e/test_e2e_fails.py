#!/usr/bin/python3
"""mlos-e2e fails a run whose served answers disagree with torch: the reference of one zoo model is
changed (its top class moved), the whole system test runs on it, and it must exit non-zero with the
model failed on `values` and `top5` over every protocol, in summary.json and in the report.

Usage: test_e2e_fails.py --e2e BUILD/bin/mlos-e2e --fixtures DIR (the fixture factory's default set)
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy
import onnx
import onnx.numpy_helper

OPTIONS = argparse.Namespace()
MODEL, FIXTURE = "efficientnet_b0", "efficientnet_b0_opset17"


class E2eFailsTest(unittest.TestCase):
    def test_a_wrong_reference_fails_the_model_and_the_run(self):
        work = pathlib.Path(tempfile.mkdtemp(prefix="mlos-e2e-fails-"))
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        fixtures = work / "fixtures"
        shutil.copytree(OPTIONS.fixtures / FIXTURE, fixtures / FIXTURE)
        reference = fixtures / FIXTURE / "test_data_set_0" / "output_0.pb"
        logits = onnx.numpy_helper.to_array(onnx.load_tensor(str(reference))).copy()
        logits[0, numpy.argmin(logits[0])] = logits.max() + 1.0  # a new top class in row 0
        reference.write_bytes(onnx.numpy_helper.from_array(logits, "logits").SerializeToString())

        run = subprocess.run([str(OPTIONS.e2e), "--quick", "--fixtures", str(fixtures),
                              "--models", MODEL, "--requests", "2", "--out", str(work / "out")],
                             capture_output=True, text=True, timeout=600)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        summary = json.loads((work / "out" / "summary.json").read_text())
        self.assertFalse(summary["passed"])
        [model] = summary["models"]
        self.assertFalse(model["passed"])
        failed = {(check["protocol"], check["check"]) for check in model["checks"]
                  if not check["passed"]}
        available = [p["name"] for p in summary["protocols"] if p["available"]]
        self.assertTrue(available)
        for protocol in available:
            self.assertIn((protocol, "values"), failed)
            self.assertIn((protocol, "top5"), failed)
        # Data set 1 was left alone and still passes: the check judges answers, not the model.
        self.assertTrue(any(check["passed"] and check["detail"].startswith("data set 1")
                            for check in model["checks"] if check["check"] == "values"))
        self.assertIn("FAILED", (work / "out" / "report.html").read_text())
        self.assertIn(f"FAILED {MODEL}", run.stdout)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--e2e", required=True, type=pathlib.Path)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    known, rest = parser.parse_known_args()
    vars(OPTIONS).update(vars(known))
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
