#!/usr/bin/env python3
"""Local IPC front end (docs/ipc.md) against the real mlos-core: a small raw-socket client written
here (stdlib socket/struct, memfd regions sent with SCM_RIGHTS) speaks the protocol byte by byte.

Covers: the socket's permissions, HEALTH, LIST and METADATA (the same documents as the HTTP API),
REGISTER/LOAD/UNLOAD, INFER inline and through shared-memory regions (inputs read from a region,
outputs written into the client's window), pipelined requests answered by id, and the errors:
unknown op (the connection stays usable), bad magic and oversized frames (answered, then closed),
region windows out of bounds, regions their client shrinks (refused, the server lives on;
sealable memfds are sealed and read in place), descriptors on frames that are not
REGISTER_REGION (closed by the server), a client that disconnects mid-frame (another client is
not disturbed), a second server refused on a socket in use and a stale socket file replaced.
With the echo test plugin (--plugin-dir), a slow model shows a reply overtaking another and
SIGTERM answering the requests in flight before the server exits 0.

Usage: test_ipc.py --core BIN --fixtures DIR [--plugin-dir ECHO_PLUGIN_DIR] [unittest arguments]
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import numpy

import harness

OPTIONS = argparse.Namespace()  # --core, --fixtures; set in __main__

MAGIC = 0x534F4C4D
HEADER = struct.Struct("<IHHQIIQ")
HEALTH, LIST, METADATA, REGISTER, LOAD, UNLOAD, INFER, REGISTER_REGION, UNREGISTER_REGION = \
    range(1, 10)
OK, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, UNAVAILABLE, OUT_OF_MEMORY, INTERNAL, \
    UNSUPPORTED, TOO_LARGE = range(9)
OUTPUTS_TO_REGION = 1
SMI_CODES = {numpy.dtype(numpy.float32): 1, numpy.dtype(numpy.uint8): 2,
             numpy.dtype(numpy.int8): 3, numpy.dtype(numpy.int32): 6,
             numpy.dtype(numpy.int64): 7, numpy.dtype(numpy.float64): 11}
NUMPY_TYPES = {code: dtype for dtype, code in SMI_CODES.items()}

MLP = "local/mlp@1"


def frame(op, request_id, body=b"", magic=MAGIC, version=1, body_length=None):
    length = len(body) if body_length is None else body_length
    return HEADER.pack(magic, version, op, request_id, 0, 0, length) + body


def string(text):
    data = text.encode()
    return struct.pack("<H", len(data)) + data


def tensor_head(name, array_or_dtype, shape):
    dtype = numpy.dtype(array_or_dtype)
    return (string(name) + struct.pack("<BB", SMI_CODES[dtype], len(shape)) +
            struct.pack(f"<{len(shape)}q", *shape))


def inline_tensor(name, values):
    data = numpy.ascontiguousarray(values).tobytes()
    return (tensor_head(name, values.dtype, values.shape) + struct.pack("<BQ", 0, len(data)) +
            data)


def region_tensor(name, dtype, shape, region, offset, length):
    return tensor_head(name, dtype, shape) + struct.pack("<BIQQ", 1, region, offset, length)


def infer_body(model, tensors, outputs=(), window=None):
    """`tensors` are encoded descriptors; `window` is (region, offset, capacity) or None."""
    body = string(model) + struct.pack("<I", OUTPUTS_TO_REGION if window else 0)
    if window:
        body += struct.pack("<IQQ", *window)
    body += struct.pack("<H", len(tensors)) + b"".join(tensors)
    return body + struct.pack("<H", len(outputs)) + b"".join(string(o) for o in outputs)


def parse_infer_reply(body):
    """Returns (queue_us, compute_us, [(name, dtype, shape, ("inline", bytes) or
    ("region", region, offset, length))])."""
    queue_us, compute_us, count = struct.unpack_from("<qqH", body)
    position = 18
    outputs = []
    for _ in range(count):
        (length,) = struct.unpack_from("<H", body, position)
        name = body[position + 2:position + 2 + length].decode()
        position += 2 + length
        code, rank = struct.unpack_from("<BB", body, position)
        position += 2
        shape = list(struct.unpack_from(f"<{rank}q", body, position))
        position += 8 * rank
        (placement,) = struct.unpack_from("<B", body, position)
        position += 1
        if placement == 0:
            (size,) = struct.unpack_from("<Q", body, position)
            data = ("inline", body[position + 8:position + 8 + size])
            position += 8 + size
        else:
            data = ("region",) + struct.unpack_from("<IQQ", body, position)
            position += 20
        outputs.append((name, NUMPY_TYPES[code], shape, data))
    assert position == len(body), f"{len(body) - position} bytes after the last output"
    return queue_us, compute_us, outputs


class Connection:
    """One client connection; replies are (op, request_id, status, body)."""

    def __init__(self, path):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.settimeout(30)
        self.socket.connect(str(path))

    def close(self):
        self.socket.close()

    def send(self, op, request_id, body=b"", fds=()):
        data = frame(op, request_id, body)
        if fds:
            socket.send_fds(self.socket, [data], list(fds))
        else:
            self.socket.sendall(data)

    def read_exactly(self, size):
        data = b""
        while len(data) < size:
            chunk = self.socket.recv(size - len(data))
            if not chunk:
                raise EOFError(f"connection closed after {len(data)} of {size} bytes")
            data += chunk
        return data

    def receive(self):
        magic, version, op, request_id, status, flags, length = HEADER.unpack(
            self.read_exactly(HEADER.size))
        assert (magic, version, flags) == (MAGIC, 1, 0), (magic, version, flags)
        return op, request_id, status, self.read_exactly(length)

    def call(self, op, body=b"", request_id=1, fds=()):
        self.send(op, request_id, body, fds)
        reply = self.receive()
        assert reply[:2] == (op, request_id), reply
        return reply[2], reply[3]

    def json(self, op, document=None):
        status, body = self.call(op, b"" if document is None else json.dumps(document).encode())
        if status != OK:
            raise AssertionError(f"op {op}: status {status}: {body.decode(errors='replace')}")
        return json.loads(body)

    def at_eof(self):
        try:
            return self.socket.recv(1) == b""
        except ConnectionResetError:
            return True


class Region:
    """A memfd of SIZE bytes, registered on a connection."""

    def __init__(self, connection, size, sealable=False):
        flags = os.MFD_CLOEXEC | (os.MFD_ALLOW_SEALING if sealable else 0)
        self.fd = os.memfd_create("mlos-ipc-test", flags)
        os.ftruncate(self.fd, size)
        self.size = size
        status, body = connection.call(REGISTER_REGION, json.dumps({"size": size}).encode(),
                                       fds=[self.fd])
        assert status == OK, body
        self.id = json.loads(body)["region"]

    def write(self, offset, data):
        os.pwrite(self.fd, data, offset)

    def read(self, offset, length):
        return os.pread(self.fd, length, offset)

    def close(self):
        os.close(self.fd)


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class IpcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-ipc-"))
        cls.socket_path = cls.directory / "mlos.sock"
        environment = harness.scrubbed_environment(cls.directory)
        cls.server = harness.Server(OPTIONS.core, cls.directory / "mlos-home", harness.free_port(),
                                    environment, arguments=["--socket", cls.socket_path],
                                    front_ends=("http", "ipc"))
        try:
            cls.server.start()
            cls.connection = Connection(cls.socket_path)
            reply = cls.connection.json(REGISTER, {
                "model_id": MLP, "path": str(OPTIONS.fixtures / "mlp" / "model.onnx")})
            assert reply["status"] == "success", reply
        except BaseException:
            cls.tearDownClass()
            raise
        cls.inputs, cls.outputs = harness.load_reference(OPTIONS.fixtures / "mlp")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def connect(self):
        connection = Connection(self.socket_path)
        self.addCleanup(connection.close)
        return connection

    def region(self, connection, size, sealable=False):
        region = Region(connection, size, sealable)
        self.addCleanup(region.close)
        return region

    def check_logits(self, data, shape):
        expected = self.outputs["logits"]
        self.assertEqual(shape, list(expected.shape))
        numpy.testing.assert_allclose(numpy.frombuffer(data, numpy.float32).reshape(shape),
                                      expected, rtol=1e-5, atol=1e-5)

    def test_socket_is_0660(self):
        mode = os.stat(self.socket_path).st_mode
        self.assertTrue(stat.S_ISSOCK(mode))
        self.assertEqual(stat.S_IMODE(mode), 0o660)

    def test_health_list_metadata(self):
        connection = self.connect()
        health = connection.json(HEALTH)
        self.assertEqual((health["live"], health["ready"]), (True, True))
        self.assertIsInstance(health["version"], str)
        listed = connection.json(LIST)
        http = self.server.request("GET", "/models").json
        self.assertEqual([m["id"] for m in listed["models"]], [m["id"] for m in http["models"]])
        self.assertEqual(set(listed["models"][0]), set(http["models"][0]))
        metadata = connection.json(METADATA, {"model": MLP})
        self.assertEqual(metadata, self.server.request(
            "GET", "/v2/models/" + harness.quoted_model_id(MLP)).json)
        self.assertEqual(metadata["inputs"][0]["name"], "input")
        status, body = connection.call(METADATA, b'{"model": "local/nothing"}')
        self.assertEqual(status, NOT_FOUND)
        self.assertIn("local/nothing@latest", body.decode())
        status, body = connection.call(METADATA, b"[1, 2]")
        self.assertEqual((status, body), (INVALID_ARGUMENT,
                                          b"METADATA: the body must be a JSON object, got array"))

    def test_register_load_unload(self):
        connection = self.connect()
        model = "local/mlp-lifecycle@1"
        registration = {"model_id": model, "path": str(OPTIONS.fixtures / "mlp" / "model.onnx")}
        reply = connection.json(REGISTER, registration)
        self.assertEqual((reply["status"], reply["model_id"]), ("success", model))
        self.assertEqual(connection.json(LOAD, {"model": model}),
                         {"model": model, "state": "ready"})
        self.assertEqual(connection.json(UNLOAD, {"model": model}),
                         {"model": model, "state": "unloaded"})
        registration["path"] = str(OPTIONS.fixtures / "tiny_bert" / "model.onnx")
        status, body = connection.call(REGISTER, json.dumps(registration).encode())
        self.assertEqual(status, ALREADY_EXISTS, body)
        status, body = connection.call(LOAD, b"{}")
        self.assertEqual((status, body), (INVALID_ARGUMENT, b'LOAD: "model" is missing'))

    def test_infer_inline(self):
        connection = self.connect()
        status, body = connection.call(INFER, infer_body(
            MLP, [inline_tensor("input", self.inputs["input"])]))
        self.assertEqual(status, OK, body)
        queue_us, compute_us, outputs = parse_infer_reply(body)
        self.assertGreaterEqual(queue_us, 0)
        self.assertGreater(compute_us, 0)
        [(name, dtype, shape, (placement, data))] = outputs
        self.assertEqual((name, dtype, placement), ("logits", numpy.float32, "inline"))
        self.check_logits(data, shape)
        # By name, without the version: name@latest is a different id; the explicit output list.
        status, body = connection.call(INFER, infer_body(
            MLP, [inline_tensor("input", self.inputs["input"])], outputs=["logits"]))
        self.assertEqual(status, OK, body)

    def test_infer_through_regions(self):
        for sealable in (False, True):  # copied out, or read in place
            with self.subTest(sealable=sealable):
                self.infer_through_regions(sealable)

    def infer_through_regions(self, sealable):
        connection = self.connect()
        region = self.region(connection, 1 << 16, sealable)
        data = self.inputs["input"].tobytes()
        region.write(256, data)
        capacity = 4096
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, self.inputs["input"].shape, region.id,
                                256, len(data))], window=(region.id, 8192, capacity)))
        self.assertEqual(status, OK, body)
        [(name, dtype, shape, placement)] = parse_infer_reply(body)[2]
        self.assertEqual(placement[:3], ("region", region.id, 8192))
        self.check_logits(region.read(placement[2], placement[3]), shape)

        # Unaligned input offsets are copied, not refused.
        region.write(1001, data)
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, self.inputs["input"].shape, region.id,
                                1001, len(data))]))
        self.assertEqual(status, OK, body)
        self.check_logits(parse_infer_reply(body)[2][0][3][1], [2, 4])

        # The region goes away with UNREGISTER_REGION; its id is then unknown.
        reply = connection.json(UNREGISTER_REGION, {"region": region.id})
        self.assertEqual(reply, {"region": region.id})
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, [2, 16], region.id, 256, len(data))]))
        self.assertEqual(status, NOT_FOUND, body)
        self.assertIn(f"region {region.id} is not registered", body.decode())

    def test_region_errors(self):
        connection = self.connect()
        region = self.region(connection, 4096)
        shape = list(self.inputs["input"].shape)
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, shape, region.id, 4000, 128)]))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertEqual(body.decode(), f"model '{MLP}': input 'input' (FP32 [-1, 16]): bytes "
                                        f"[4000, 4000+128) are outside region {region.id} of "
                                        "4096 bytes")
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, shape, region.id, 2 ** 64 - 8, 128)]))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("overflows", body.decode())
        status, body = connection.call(INFER, infer_body(
            MLP, [inline_tensor("input", self.inputs["input"])], window=(region.id, 0, 16)))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("the outputs need 32 bytes of the output window", body.decode())
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, shape, region.id, 0, 128)],
            window=(region.id, 64, 1024)))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("overlaps an input's bytes", body.decode())
        status, body = connection.call(REGISTER_REGION, b'{"size": 8192}', fds=[region.fd])
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("holds 4096 bytes", body.decode())
        status, body = connection.call(REGISTER_REGION, b'{"size": 64}')
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("no descriptor came with the frame", body.decode())
        self.assertEqual(connection.json(HEALTH)["live"], True)

    def test_region_shrunk_by_its_client(self):
        connection = self.connect()
        data = self.inputs["input"].tobytes()
        inputs = self.region(connection, 1 << 16)
        inputs.write(0, data)
        outputs = self.region(connection, 1 << 16)
        os.ftruncate(inputs.fd, 0)
        os.ftruncate(outputs.fd, 0)
        status, body = connection.call(INFER, infer_body(
            MLP, [region_tensor("input", numpy.float32, [2, 16], inputs.id, 0, len(data))]))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn(f"region {inputs.id} shrank under the request", body.decode())
        status, body = connection.call(INFER, infer_body(
            MLP, [inline_tensor("input", self.inputs["input"])], window=(outputs.id, 0, 4096)))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn(f"output 'logits': region {outputs.id} shrank", body.decode())
        self.assertTrue(connection.json(HEALTH)["live"])
        sealed = self.region(connection, 4096, sealable=True)
        with self.assertRaises(OSError):
            os.ftruncate(sealed.fd, 0)  # the server sealed it against shrinking

    def test_infer_errors_name_the_tensor(self):
        connection = self.connect()
        wrong_type = self.inputs["input"].astype(numpy.float64)
        status, body = connection.call(INFER, infer_body(MLP, [inline_tensor("input", wrong_type)]))
        self.assertEqual((status, body.decode()), (INVALID_ARGUMENT, f"model '{MLP}': input "
                         "'input' (FP32 [-1, 16]): dtype FP64 given, the model expects FP32"))
        status, body = connection.call(INFER, infer_body(MLP, []))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("missing input input (FP32 [-1, 16])", body.decode())
        status, body = connection.call(INFER, infer_body(
            MLP, [inline_tensor("input", numpy.zeros((1, 15), numpy.float32))]))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("dimension 1 must be 16", body.decode())
        status, body = connection.call(INFER, infer_body(
            MLP, [inline_tensor("input", self.inputs["input"])], outputs=["nope"]))
        self.assertEqual(status, INVALID_ARGUMENT)
        self.assertIn("unknown output 'nope'", body.decode())
        status, body = connection.call(INFER, infer_body("local/nothing@1", []))
        self.assertEqual(status, NOT_FOUND)
        status, body = connection.call(INFER, b"\x05\x00ab")
        self.assertEqual((status, body.decode()), (
            INVALID_ARGUMENT, "INFER: model needs 5 bytes at body offset 2, only 2 remain"))

    def test_large_frame_sent_in_pieces(self):
        connection = self.connect()
        rows = numpy.random.default_rng(3).random((16384, 16), dtype=numpy.float32)
        whole = frame(INFER, 77, infer_body(MLP, [inline_tensor("input", rows)]))
        for start in range(0, len(whole), 100_000):
            connection.socket.sendall(whole[start:start + 100_000])
            time.sleep(0.005)
        op, request_id, status, body = connection.receive()
        self.assertEqual((op, request_id, status), (INFER, 77, OK), body[:200])
        [(name, dtype, shape, (placement, data))] = parse_infer_reply(body)[2]
        self.assertEqual(shape, [16384, 4])
        first = self.infer_rows(connection, rows[:2])
        numpy.testing.assert_allclose(numpy.frombuffer(data, numpy.float32)[:8], first,
                                      rtol=1e-5, atol=1e-6)

    def infer_rows(self, connection, rows):
        status, body = connection.call(INFER, infer_body(MLP, [inline_tensor("input", rows)]))
        self.assertEqual(status, OK, body)
        return numpy.frombuffer(parse_infer_reply(body)[2][0][3][1], numpy.float32)

    def test_pipelined_requests_answered_by_id(self):
        connection = self.connect()
        request = infer_body(MLP, [inline_tensor("input", self.inputs["input"])])
        frames = []
        for request_id in range(100, 140):
            op = HEALTH if request_id % 5 == 0 else INFER
            frames.append(frame(op, request_id, b"" if op == HEALTH else request))
        connection.socket.sendall(b"".join(frames))
        replies = {}
        for _ in frames:
            op, request_id, status, body = connection.receive()
            self.assertNotIn(request_id, replies)
            replies[request_id] = (op, status, body)
        self.assertEqual(sorted(replies), list(range(100, 140)))
        for request_id, (op, status, body) in replies.items():
            self.assertEqual(status, OK, body)
            self.assertEqual(op, HEALTH if request_id % 5 == 0 else INFER)
            if op == INFER:
                self.check_logits(parse_infer_reply(body)[2][0][3][1], [2, 4])

    def test_unknown_op_keeps_the_connection(self):
        connection = self.connect()
        status, body = connection.call(42, b"whatever")
        self.assertEqual(status, UNSUPPORTED)
        self.assertIn("unknown op 42", body.decode())
        self.assertTrue(connection.json(HEALTH)["live"])

    def test_bad_magic_and_version_close_the_connection(self):
        for bad in (frame(HEALTH, 9, magic=0xDEADBEEF), frame(HEALTH, 9, version=7)):
            connection = self.connect()
            connection.socket.sendall(bad + frame(HEALTH, 10))
            op, request_id, status, body = connection.receive()
            self.assertEqual((request_id, status), (9, UNSUPPORTED))
            self.assertIn("closing the connection", body.decode())
            self.assertTrue(connection.at_eof())

    def test_oversized_frame_is_refused(self):
        connection = self.connect()
        connection.socket.sendall(frame(INFER, 3, body_length=1 << 40))
        op, request_id, status, body = connection.receive()
        self.assertEqual((request_id, status), (3, TOO_LARGE))
        self.assertIn("body_length 1099511627776 is over the server's limit", body.decode())
        self.assertTrue(connection.at_eof())

    def test_descriptors_on_other_frames_are_closed(self):
        connection = self.connect()
        pid = self.server.process.pid
        connection.json(HEALTH)
        before = open_descriptors(pid)
        for request_id in range(20):
            fd = os.memfd_create("stray")
            status, _ = connection.call(HEALTH, request_id=request_id, fds=[fd])
            os.close(fd)
            self.assertEqual(status, OK)
        connection.json(HEALTH)  # a frame after the last stray one: it is closed by now
        self.assertLessEqual(open_descriptors(pid), before)

    def test_disconnect_mid_frame_leaves_others_alone(self):
        steady = self.connect()
        request = infer_body(MLP, [inline_tensor("input", self.inputs["input"])])
        for cut in (10, HEADER.size + 7):
            rude = Connection(self.socket_path)
            region = Region(rude, 4096)
            whole = frame(INFER, 1, request)
            rude.socket.sendall(whole[:cut])
            rude.close()
            region.close()
            status, body = steady.call(INFER, request, request_id=cut)
            self.assertEqual(status, OK, body)
        self.assertTrue(steady.json(HEALTH)["live"])

    def test_second_server_on_the_same_socket_is_refused(self):
        home = self.directory / "second-home"
        result = subprocess.run(
            [OPTIONS.core, "--http-port", str(harness.free_port()), "--home", str(home),
             "--no-grpc", "--socket", str(self.socket_path)],
            env=harness.scrubbed_environment(self.directory), capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"another server is listening on the IPC socket", result.stderr)
        self.assertTrue(self.connect().json(HEALTH)["live"])


class SlowModelTest(unittest.TestCase):
    """The echo test plugin's slow model: replies out of order, and draining on SIGTERM."""

    def setUp(self):
        if OPTIONS.plugin_dir is None:
            self.skipTest("run without --plugin-dir (the echo test plugin)")
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-ipc-slow-"))
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.path = self.directory / "mlos.sock"
        self.server = harness.Server(
            OPTIONS.core, self.directory / "home", harness.free_port(),
            harness.scrubbed_environment(self.directory),
            arguments=["--socket", self.path, "--plugin-dir", OPTIONS.plugin_dir],
            front_ends=("http", "ipc"))
        self.addCleanup(self.server.kill)
        self.server.start()
        model = harness.write_echo_model(self.directory / "slow.echo", [("x", "FP32", [-1, 2])],
                                         delay_ms=400)
        self.connection = Connection(self.path)
        self.addCleanup(self.connection.close)
        reply = self.connection.json(REGISTER, {"model_id": "local/slow@1", "path": str(model),
                                                "plugin_id": "echo", "load": True})
        self.assertEqual(reply["status"], "success", reply)
        self.request = infer_body("local/slow@1", [inline_tensor(
            "x", numpy.array([[1.5, -2.5]], numpy.float32))])

    def check_echo(self, body):
        [(name, dtype, shape, (placement, data))] = parse_infer_reply(body)[2]
        self.assertEqual((name, shape), ("x_echo", [1, 2]))
        self.assertEqual(numpy.frombuffer(data, numpy.float32).tolist(), [1.5, -2.5])

    def test_a_health_check_is_not_held_back_by_a_slow_inference(self):
        self.connection.socket.sendall(frame(INFER, 1, self.request) + frame(HEALTH, 2))
        first, second = self.connection.receive(), self.connection.receive()
        self.assertEqual((first[1], first[2]), (2, OK))  # the health check overtakes
        self.assertEqual((second[1], second[2]), (1, OK))
        self.check_echo(second[3])

    def test_sigterm_answers_the_requests_in_flight(self):
        other = Connection(self.path)
        self.addCleanup(other.close)
        self.connection.send(INFER, 7, self.request)
        other.send(INFER, 8, self.request)
        time.sleep(0.1)  # both are executing or queued
        self.server.process.send_signal(signal.SIGTERM)
        for connection, request_id in ((self.connection, 7), (other, 8)):
            op, answered, status, body = connection.receive()
            self.assertEqual((answered, status), (request_id, OK), body)
            self.check_echo(body)
            self.assertTrue(connection.at_eof())
        self.assertEqual(self.server.process.wait(timeout=20), 0)
        self.assertFalse(self.path.exists())


class StaleSocketTest(unittest.TestCase):
    def test_stale_socket_file_is_replaced_and_removed_on_stop(self):
        directory = pathlib.Path(tempfile.mkdtemp(prefix="mlos-ipc-stale-"))
        self.addCleanup(shutil.rmtree, directory, True)
        path = directory / "stale.sock"
        leftover = socket.socket(socket.AF_UNIX)
        leftover.bind(str(path))  # bound, never listening: what a killed server leaves
        leftover.close()
        server = harness.Server(OPTIONS.core, directory / "home", harness.free_port(),
                                harness.scrubbed_environment(directory),
                                arguments=["--socket", path], front_ends=("http", "ipc"))
        self.addCleanup(server.kill)
        server.start()
        connection = Connection(path)
        self.assertTrue(connection.json(HEALTH)["live"])
        connection.close()
        code, _ = server.stop()
        self.assertEqual(code, 0)
        self.assertFalse(path.exists())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--core", required=True)
    parser.add_argument("--fixtures", required=True, type=pathlib.Path)
    parser.add_argument("--plugin-dir")  # the echo test plugin's folder, for the slow model
    OPTIONS, remaining = parser.parse_known_args(namespace=OPTIONS)
    OPTIONS.fixtures = OPTIONS.fixtures.resolve()
    unittest.main(argv=[sys.argv[0], *remaining])
