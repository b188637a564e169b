"""GrpcClient's message classes and reply decoding without a server: the classes are compiled
from mlos-core's own grpc_predict_v2.proto into $XDG_CACHE_HOME once (then reused), and a
ModelInferResponse becomes the same Tensors whether its outputs are raw bytes or typed
`contents`; a reply whose counts do not add up is refused.

Needs the grpc package (python3-grpcio) and protoc, as GrpcClient does.
"""

import os
import pathlib
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from mlos_client import InvalidArgumentError, TransportError  # noqa: E402
from mlos_client import grpc_messages  # noqa: E402

try:
    from mlos_client.grpc_client import GrpcClient
except ImportError as missing:  # reported as skipped (ctest's Python has python3-grpcio)
    GrpcClient, GRPC_MISSING = None, f"GrpcClient needs the grpc package: {missing}"
else:
    GRPC_MISSING = None


@unittest.skipIf(GrpcClient is None, GRPC_MISSING)
class GrpcMessagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cache = tempfile.TemporaryDirectory(prefix="mlos-grpc-cache-")
        cls.saved = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = cls.cache.name
        cls.messages = grpc_messages.load_messages()

    @classmethod
    def tearDownClass(cls):
        if cls.saved is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = cls.saved
        cls.cache.cleanup()

    def test_compiled_once_into_the_cache(self):
        generated = list(pathlib.Path(self.cache.name).glob("mlos_client/grpc-*/*_pb2.py"))
        self.assertEqual(len(generated), 1, generated)
        self.assertIs(grpc_messages.load_messages(), self.messages)
        service = self.messages.DESCRIPTOR.services_by_name["GRPCInferenceService"]
        self.assertIn("ModelInfer", service.methods_by_name)

    def test_raw_and_typed_outputs_give_the_same_tensors(self):
        response = self.messages.ModelInferResponse
        raw = response(model_name="m")
        typed = response(model_name="m")
        cases = [("f", "FP32", [2], struct.pack("<2f", 1.5, -2.0), "fp32_contents", [1.5, -2.0]),
                 ("i", "INT8", [3], struct.pack("<3b", -1, 0, 7), "int_contents", [-1, 0, 7]),
                 ("u", "UINT64", [1], struct.pack("<Q", 2**64 - 1), "uint64_contents",
                  [2**64 - 1]),
                 ("b", "BOOL", [2], b"\x01\x00", "bool_contents", [True, False]),
                 ("s", "BYTES", [2], b"\x02\x00\x00\x00ab\x00\x00\x00\x00", "bytes_contents",
                  [b"ab", b""])]
        for name, dtype, shape, data, field, values in cases:
            raw.outputs.add(name=name, datatype=dtype, shape=shape)
            raw.raw_output_contents.append(data)
            output = typed.outputs.add(name=name, datatype=dtype, shape=shape)
            getattr(output.contents, field).extend(values)
        from_raw = GrpcClient._outputs(raw)
        from_typed = GrpcClient._outputs(typed)
        self.assertEqual(list(from_raw), ["f", "i", "u", "b", "s"])
        self.assertEqual(from_raw, from_typed)
        self.assertEqual(from_typed["s"].tolist(), [b"ab", b""])

    def test_replies_that_do_not_add_up(self):
        response = self.messages.ModelInferResponse()
        response.outputs.add(name="y", datatype="FP32", shape=[3]).contents.fp32_contents.extend(
            [1.0, 2.0])
        with self.assertRaises(TransportError) as caught:
            GrpcClient._outputs(response)
        self.assertIn("2 values", caught.exception.message)
        response = self.messages.ModelInferResponse()
        response.outputs.add(name="y", datatype="FP32", shape=[1])
        response.outputs.add(name="z", datatype="FP32", shape=[1])
        response.raw_output_contents.append(bytes(4))
        with self.assertRaises(TransportError):
            GrpcClient._outputs(response)
        response = self.messages.ModelInferResponse()
        response.outputs.add(name="h", datatype="FP16", shape=[1])
        with self.assertRaises(InvalidArgumentError) as caught:
            GrpcClient._outputs(response)
        self.assertIn("without raw contents", caught.exception.message)


if __name__ == "__main__":
    unittest.main()
