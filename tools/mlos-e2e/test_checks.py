#!/usr/bin/python3
"""The system test's checks (checks.py) pass what matches torch and fail what does not: a wrong
value, shape, datatype, name, class ranking, embedding direction or a protocol that answers
differently. Run: test_checks.py (numpy only)."""

import unittest

import numpy

import checks
import zoo

RNG = numpy.random.default_rng(7)
LOGITS = RNG.standard_normal((3, 10)).astype(numpy.float32)
EMBEDDINGS = RNG.standard_normal((2, 16)).astype(numpy.float32)


def failed(results):
    return sorted({result["check"] for result in results if not result["passed"]})


class CompareTest(unittest.TestCase):
    def test_identical_outputs_pass_every_check(self):
        results = checks.compare({"logits": LOGITS}, {"logits": ("FP32", LOGITS.copy())},
                                 [zoo.Judgement("logits", "top5")])
        self.assertEqual(failed(results), [])
        self.assertEqual({r["check"] for r in results},
                         {"names", "shapes", "dtypes", "values", "top5"})

    def test_float_rounding_within_tolerance_passes(self):
        served = LOGITS * (1 + 1e-6)
        self.assertEqual(failed(checks.compare({"logits": LOGITS}, {"logits": ("FP32", served)})),
                         [])

    def test_one_wrong_value_fails_values(self):
        served = LOGITS.copy()
        served[1, 3] += 0.01
        results = checks.compare({"logits": LOGITS}, {"logits": ("FP32", served)})
        self.assertEqual(failed(results), ["values"])
        self.assertIn("1 of 30 elements outside", [r for r in results
                                                   if r["check"] == "values"][0]["detail"])

    def test_non_finite_values_fail(self):
        served = LOGITS.copy()
        served[0, 0] = numpy.nan
        self.assertEqual(failed(checks.compare({"logits": LOGITS}, {"logits": ("FP32", served)})),
                         ["values"])

    def test_a_missing_or_extra_output_fails_names(self):
        results = checks.compare({"logits": LOGITS, "pooled": EMBEDDINGS},
                                 {"logits": ("FP32", LOGITS), "extra": ("FP32", LOGITS)})
        self.assertEqual(failed(results), ["names"])

    def test_wrong_shape_and_dtype_fail(self):
        results = checks.compare({"logits": LOGITS},
                                 {"logits": ("FP64", LOGITS.reshape(10, 3).astype(numpy.float64))})
        self.assertEqual(failed(results), ["dtypes", "shapes"])

    def test_integer_outputs_must_be_identical(self):
        ids = numpy.arange(6, dtype=numpy.int64).reshape(2, 3)
        self.assertEqual(failed(checks.compare({"ids": ids}, {"ids": ("INT64", ids + (ids == 5))})),
                         ["values"])

    def test_a_changed_ranking_fails_top5(self):
        served = LOGITS.copy()
        worst = numpy.argsort(served[2])[0]
        served[2, worst] = served[2].max() + 1  # the least likely class becomes the most likely
        self.assertIn("top5", failed(checks.compare({"logits": LOGITS},
                                                    {"logits": ("FP32", served)},
                                                    [zoo.Judgement("logits", "top5")])))

    def test_a_turned_embedding_fails_cosine(self):
        served = EMBEDDINGS.copy()
        served[1] = numpy.roll(served[1], 1)
        results = checks.compare({"e": EMBEDDINGS}, {"e": ("FP32", served)},
                                 [zoo.Judgement("e", "cosine")])
        self.assertIn("cosine", failed(results))
        cosine = [r for r in results if r["check"] == "cosine"][0]
        self.assertIn("lowest cosine similarity", cosine["detail"])


class SameAnswersTest(unittest.TestCase):
    def test_identical_bytes_pass(self):
        reply = {"logits": ("FP32", LOGITS)}
        self.assertTrue(checks.same_answers({"ipc": reply, "grpc": dict(reply)})["passed"])

    def test_one_differing_protocol_is_named(self):
        other = LOGITS.copy()
        other[0, 0] = numpy.nextafter(other[0, 0], numpy.float32(numpy.inf))
        result = checks.same_answers({"ipc": {"logits": ("FP32", LOGITS)},
                                      "grpc": {"logits": ("FP32", other)}})
        self.assertFalse(result["passed"])
        self.assertIn("grpc", result["detail"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
