"""mlos_client.tensors: every datatype packs and unpacks to the same values, inputs of every kind
the API takes become the right Tensor, and bad values are refused naming the tensor.

Run: python3 -m unittest discover -s clients/python/tests (standard library only; the numpy cases
run where numpy is importable and are reported as skipped where it is not).
"""

import array
import math
import pathlib
import struct
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from mlos_client import InvalidArgumentError, Tensor, to_tensor  # noqa: E402
from mlos_client.tensors import pack_values, unpack_values  # noqa: E402

try:
    import numpy
except ImportError:
    numpy = None


class PackTest(unittest.TestCase):
    def test_round_trip_every_dtype(self):
        cases = {"FP32": [1.5, -2.0, 0.0], "FP64": [1e300, -0.1], "FP16": [0.5, -65504.0],
                 "BF16": [1.0, -2.5, 256.0], "INT8": [-128, 127], "UINT8": [0, 255],
                 "INT16": [-32768, 32767], "UINT16": [65535], "INT32": [-2**31, 2**31 - 1],
                 "UINT32": [2**32 - 1], "INT64": [-2**63, 2**63 - 1], "UINT64": [2**64 - 1],
                 "BOOL": [True, False, True], "BYTES": [b"", b"abc", "\u00e9".encode()]}
        for dtype, values in cases.items():
            with self.subTest(dtype=dtype):
                data = pack_values(dtype, values)
                self.assertEqual(unpack_values(dtype, data, len(values)), values)

    def test_layouts_are_the_smi_ones(self):
        self.assertEqual(pack_values("FP32", [1.0]), struct.pack("<f", 1.0))
        self.assertEqual(pack_values("BOOL", [True, False]), b"\x01\x00")
        self.assertEqual(pack_values("BYTES", ["ab", b""]), b"\x02\x00\x00\x00ab\x00\x00\x00\x00")
        self.assertEqual(pack_values("BF16", [1.0]), b"\x80\x3f")  # upper half of 0x3F800000
        # BF16 rounds to nearest even: 1 + 2^-8 is halfway between 1 and 1 + 2^-7.
        self.assertEqual(pack_values("BF16", [1.0 + 2**-8]), b"\x80\x3f")
        self.assertEqual(pack_values("BF16", [1.0 + 3 * 2**-9]), b"\x81\x3f")

    def test_none_is_nan_for_floats(self):
        (value,) = unpack_values("FP32", pack_values("FP32", [None]), 1)
        self.assertTrue(math.isnan(value))

    def test_values_that_do_not_fit_are_refused(self):
        for dtype, values in (("UINT8", [256]), ("INT8", [-129]), ("INT64", [1.5]),
                              ("BOOL", [2]), ("UINT64", [-1])):
            with self.subTest(dtype=dtype), self.assertRaises(InvalidArgumentError) as caught:
                pack_values(dtype, values, "input 'x'")
            self.assertIn("input 'x'", caught.exception.message)
            self.assertIn(dtype, caught.exception.message)

    def test_unknown_dtype(self):
        with self.assertRaises(InvalidArgumentError) as caught:
            Tensor("FP8", [1], b"\x00")
        self.assertIn("FP8", caught.exception.message)


class TensorTest(unittest.TestCase):
    def test_size_must_match_dtype_and_shape(self):
        with self.assertRaises(InvalidArgumentError) as caught:
            Tensor("FP32", [2, 3], bytes(20))
        self.assertIn("needs 24 bytes", caught.exception.message)
        with self.assertRaises(InvalidArgumentError):
            Tensor("INT8", [-1], b"")

    def test_tolist_nests_by_shape(self):
        tensor = Tensor("INT32", [2, 3], struct.pack("<6i", *range(6)))
        self.assertEqual(tensor.tolist(), [[0, 1, 2], [3, 4, 5]])
        self.assertEqual(Tensor("INT32", [], struct.pack("<i", 7)).tolist(), 7)
        self.assertEqual(Tensor("INT32", [2, 0], b"").tolist(), [[], []])
        dtype, shape, data = tensor
        self.assertEqual((dtype, shape, bytes(data)), ("INT32", (2, 3), bytes(tensor.data)))

    def test_to_tensor_from_python_values(self):
        self.assertEqual(to_tensor([[1, 2], [3, 4]], "FP32"),
                         Tensor("FP32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)))
        self.assertEqual(to_tensor([[1, 2]]).dtype, "INT64")  # guessed without a declared type
        self.assertEqual(to_tensor([0.5]).dtype, "FP32")
        self.assertEqual(to_tensor([True]).dtype, "BOOL")
        self.assertEqual(to_tensor(["a", "b"]).tolist(), [b"a", b"b"])
        self.assertEqual(to_tensor(3.0, "FP64").shape, ())
        with self.assertRaises(InvalidArgumentError) as caught:
            to_tensor([[1, 2], [3]], "FP32", "input 'x'")
        self.assertIn("ragged", caught.exception.message)
        self.assertIn("input 'x'", caught.exception.message)

    def test_to_tensor_from_tuple_and_buffers(self):
        self.assertEqual(to_tensor(("INT16", [2], [1, -1])).tolist(), [1, -1])
        self.assertEqual(to_tensor(("UINT8", (3,), b"abc")).tolist(), [97, 98, 99])
        self.assertEqual(to_tensor(array.array("d", [1.5, 2.5])),
                         Tensor("FP64", [2], struct.pack("<2d", 1.5, 2.5)))
        view = memoryview(array.array("i", range(6))).cast("B").cast("i", [2, 3])
        self.assertEqual(to_tensor(view).tolist(), [[0, 1, 2], [3, 4, 5]])
        with self.assertRaises(InvalidArgumentError):
            to_tensor(object(), None, "input 'x'")

    @unittest.skipIf(numpy is None, "numpy is not importable")
    def test_numpy_both_ways(self):
        for dtype in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                      "uint16", "uint32", "uint64", "bool"):
            with self.subTest(dtype=dtype):
                array_in = (numpy.arange(6) % 2).astype(dtype).reshape(2, 3)
                tensor = to_tensor(array_in)
                numpy.testing.assert_array_equal(tensor.numpy(), array_in)
                self.assertEqual(tensor.numpy().dtype, array_in.dtype)
        transposed = numpy.arange(6, dtype=numpy.float32).reshape(2, 3).T  # not contiguous
        numpy.testing.assert_array_equal(to_tensor(transposed).numpy(), transposed)
        big_endian = numpy.arange(3, dtype=">i4")
        self.assertEqual(to_tensor(big_endian).tolist(), [0, 1, 2])
        strings = to_tensor(numpy.array([b"ab", b"c"], dtype=object))
        self.assertEqual(strings.dtype, "BYTES")
        self.assertEqual(list(numpy.asarray(strings)), [b"ab", b"c"])
        bf16 = to_tensor(("BF16", [2], [1.0, -3.0]))
        numpy.testing.assert_array_equal(bf16.numpy(), numpy.array([1.0, -3.0], numpy.float32))


if __name__ == "__main__":
    unittest.main()
