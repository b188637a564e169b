"""mlos_client.ipc_frames against docs/ipc.md: headers and INFER bodies round-trip byte for byte,
the layout is the documented one, and every way a hostile or broken reply can be wrong (cut at any
byte, lengths past the end, unknown codes, sizes that do not match, references outside a region,
random corruption) raises TransportError naming what, never another exception.

Run: python3 -m unittest discover -s clients/python/tests
"""

import pathlib
import random
import struct
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from mlos_client import InvalidArgumentError, Tensor, TransportError, to_tensor  # noqa: E402
from mlos_client import ipc_frames as frames  # noqa: E402


def joined(chunks):
    return b"".join(bytes(chunk) for chunk in chunks)


def descriptor(name, code, dims, payload, placement=0):
    """A tensor descriptor written field by field from the table in docs/ipc.md."""
    name = name if isinstance(name, bytes) else name.encode()
    out = struct.pack("<H", len(name)) + name + struct.pack("<BB", code, len(dims))
    out += struct.pack(f"<{len(dims)}q", *dims) + struct.pack("<B", placement)
    if placement == 0:
        return out + struct.pack("<Q", len(payload)) + payload
    if placement == 1:
        return out + struct.pack("<IQQ", *payload)
    return out + payload


def reply_body(*descriptors, queue_us=5, compute_us=7):
    return struct.pack("<qqH", queue_us, compute_us, len(descriptors)) + b"".join(descriptors)


class HeaderTest(unittest.TestCase):
    def test_layout_and_round_trip(self):
        header = frames.encode_header(frames.OP_INFER, 0x0102030405060708, 99, status=2)
        self.assertEqual(header[:4], b"MLOS")
        self.assertEqual(len(header), 32)
        self.assertEqual(struct.unpack("<HHQIIQ", header[4:]), (1, 7, 0x0102030405060708, 2, 0, 99))
        self.assertEqual(frames.decode_header(header),
                         frames.Header(frames.MAGIC, 1, 7, 0x0102030405060708, 2, 0, 99))

    def test_wrong_magic_version_or_size(self):
        good = frames.encode_header(frames.OP_HEALTH, 1, 0)
        for bad, fragment in ((b"SOLM" + good[4:], "magic"),
                              (good[:4] + struct.pack("<H", 2) + good[6:], "version 2"),
                              (good[:31], "31 bytes")):
            with self.subTest(fragment=fragment), self.assertRaises(TransportError) as caught:
                frames.decode_header(bad)
            self.assertIn(fragment, caught.exception.message)


class InferRequestTest(unittest.TestCase):
    def test_layout_is_the_documented_one(self):
        chunks = frames.encode_infer_request(
            "local/m@1", {"x": Tensor("FP32", [1, 2], struct.pack("<2f", 1, 2))}, ["y"])
        expected = (struct.pack("<H", 9) + b"local/m@1" + struct.pack("<I", 0)
                    + struct.pack("<H", 1)
                    + descriptor("x", 1, [1, 2], struct.pack("<2f", 1, 2))
                    + struct.pack("<H", 1) + struct.pack("<H", 1) + b"y")
        self.assertEqual(joined(chunks), expected)

    def test_round_trip_inline_region_and_window(self):
        big = to_tensor(("UINT8", [100000], bytes(range(256)) * 390 + bytes(160)))
        inputs = {"a": to_tensor(("INT64", [2], [1, -1])), "big": big,
                  "s": to_tensor(["x", "yz"]),
                  "r": ("FP32", (4, 4), frames.RegionPlacement(3, 128, 64))}
        chunks = frames.encode_infer_request("ns/model@v", inputs, ["o2", "o1"], (5, 64, 4096))
        # the large tensor is sent from the caller's buffer, not copied into the frame
        self.assertTrue(any(chunk.obj is big.data for chunk in chunks
                            if isinstance(chunk, memoryview)))
        request = frames.decode_infer_request(joined(chunks))
        self.assertEqual(request.model, "ns/model@v")
        self.assertEqual(request.flags, frames.OUTPUTS_TO_REGION)
        self.assertEqual(request.output_window, (5, 64, 4096))
        self.assertEqual(request.outputs, ["o2", "o1"])
        decoded = {d.name: d for d in request.inputs}
        self.assertEqual(list(decoded), ["a", "big", "s", "r"])
        self.assertEqual(bytes(decoded["a"].data), struct.pack("<2q", 1, -1))
        self.assertEqual(bytes(decoded["big"].data), bytes(big.data))
        self.assertEqual((decoded["s"].dtype, decoded["s"].shape), ("BYTES", (2,)))
        self.assertEqual(decoded["r"].data, frames.RegionPlacement(3, 128, 64))
        self.assertEqual(decoded["r"].shape, (4, 4))

    def test_limits_are_checked_before_sending(self):
        with self.assertRaises(InvalidArgumentError):
            frames.encode_infer_request("m" * 70000, {})
        with self.assertRaises(InvalidArgumentError):
            frames.encode_infer_request("m", {"x": Tensor("FP32", [1] * 17, b"\0" * 4)})


class InferReplyTest(unittest.TestCase):
    def test_inline_outputs_are_views_of_the_body(self):
        body = bytearray(reply_body(descriptor("y", 1, [2], struct.pack("<2f", 0.5, 1.5)),
                                    descriptor("s", 8, [1], b"\x02\x00\x00\x00hi")))
        reply = frames.decode_infer_reply(body)
        self.assertEqual((reply.queue_us, reply.compute_us), (5, 7))
        self.assertEqual(list(reply.outputs), ["y", "s"])
        self.assertEqual(reply.outputs["y"].tolist(), [0.5, 1.5])
        self.assertEqual(reply.outputs["s"].tolist(), [b"hi"])
        self.assertIs(reply.outputs["y"].data.obj, body)

    def test_region_outputs_point_into_the_region(self):
        region = bytearray(256)
        region[64:72] = struct.pack("<2f", 3.0, 4.0)
        body = reply_body(descriptor("y", 1, [2], (9, 64, 8), placement=1))
        reply = frames.decode_infer_reply(body, {9: region})
        self.assertEqual(reply.outputs["y"].tolist(), [3.0, 4.0])
        region[64:68] = struct.pack("<f", -1.0)  # a view, not a copy
        self.assertEqual(reply.outputs["y"].tolist(), [-1.0, 4.0])

    def test_encoder_and_decoder_agree(self):
        outputs = {"a": ("BOOL", (3,), b"\x01\x00\x01"), "b": ("FP64", (), struct.pack("<d", 2.5)),
                   "c": ("INT32", (1, 0), b"")}
        body = joined(frames.encode_infer_reply(11, 22, outputs))
        reply = frames.decode_infer_reply(body)
        self.assertEqual({name: (t.dtype, t.shape, bytes(t.data))
                          for name, t in reply.outputs.items()},
                         {name: (d, s, b) for name, (d, s, b) in outputs.items()})


class HostileReplyTest(unittest.TestCase):
    """Every malformed reply body is a TransportError with a message, nothing else."""

    def assert_refused(self, body, fragment, regions=None):
        with self.assertRaises(TransportError) as caught:
            frames.decode_infer_reply(body, regions)
        self.assertIn(fragment, caught.exception.message)

    def test_cut_at_every_byte(self):
        body = reply_body(descriptor("y", 1, [2, 2], bytes(16)),
                          descriptor("s", 8, [1], b"\1\0\0\0z"))
        for end in range(len(body)):
            with self.subTest(end=end):
                self.assert_refused(body[:end], "IPC INFER reply")
        frames.decode_infer_reply(body)  # whole, it is fine

    def test_each_field_wrong(self):
        region = {4: bytearray(128)}
        cases = [
            (reply_body(descriptor("y", 14, [1], b"\0")), "unknown dtype code 14"),
            (reply_body(descriptor("y", 1, [1] * 17, bytes(4))), "rank 17"),
            (reply_body(descriptor("y", 1, [-1], b"")), "negative dimension"),
            (reply_body(descriptor("y", 1, [3], bytes(8))), "needs 12 bytes"),
            (reply_body(descriptor("y", 1, [1], b"", placement=2)), "placement 2"),
            (reply_body(descriptor("y", 8, [2], b"\x01\0\0\0a\x05\0\0\0b")), "element 1"),
            (reply_body(descriptor("y", 8, [1], b"\x01\0\0\0ab")), "after the 1 elements"),
            (reply_body(descriptor("y", 8, [3], b"\0" * 8)), "at least 12"),
            (reply_body(descriptor("y", 1, [2], (5, 0, 8), placement=1)), "region 5"),
            (reply_body(descriptor("y", 1, [2], (4, 124, 8), placement=1)), "outside region 4"),
            (reply_body(descriptor("y", 1, [2], (4, 2**64 - 4, 8), placement=1)), "outside"),
            (reply_body(descriptor("y", 1, [1], bytes(4)), descriptor("y", 1, [1], bytes(4))),
             "comes twice"),
            (reply_body(descriptor("y", 1, [1], bytes(4))) + b"\0", "1 bytes after"),
            (reply_body(descriptor(b"\xff\xfe", 1, [1], bytes(4))), "not UTF-8"),
            (struct.pack("<qqH", 0, 0, 1) + struct.pack("<H", 1) + b"y" + struct.pack("<BB", 1, 1)
             + struct.pack("<q", 2**62) + struct.pack("<BQ", 0, 2**64 - 1), "needs"),
        ]
        for body, fragment in cases:
            with self.subTest(fragment=fragment):
                self.assert_refused(body, fragment, region)

    def test_random_corruption_never_escapes_as_another_error(self):
        body = reply_body(descriptor("logits", 1, [2, 4], bytes(32)),
                          descriptor("names", 8, [2], b"\2\0\0\0ab\1\0\0\0c"),
                          descriptor("r", 7, [1], (1, 0, 8), placement=1))
        regions = {1: bytearray(64)}
        generator = random.Random(7)
        refused = 0
        for _ in range(3000):
            mutated = bytearray(body)
            for _ in range(generator.randint(1, 4)):
                mutated[generator.randrange(len(mutated))] = generator.randrange(256)
            try:
                frames.decode_infer_reply(bytes(mutated), regions)
            except TransportError as error:
                self.assertTrue(error.message)
                refused += 1
        self.assertGreater(refused, 1000)  # most corruptions are caught, none crash


if __name__ == "__main__":
    unittest.main()
