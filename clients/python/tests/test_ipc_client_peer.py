"""IpcClient against a scripted peer on a real Unix socket: what the client puts on the wire is
docs/ipc.md's frames (the REGISTER_REGION descriptor arrives as SCM_RIGHTS on the header's first
byte and maps the client's memory; large tensors arrive whole), error replies raise the right
MlosError and leave the connection usable, pipelined replies may come back in any order, and a
peer that breaks the protocol (bad magic, wrong id or op, a body over the limit, a connection
closed mid-frame, a malformed INFER body) gets a TransportError and a closed client, never a hang.

These tests do not need mlos-core; the end-to-end tests against it are
tests/integration/test_client_python.py.
"""

import array
import json
import mmap
import pathlib
import socket
import struct
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from mlos_client import (InvalidArgumentError, IpcClient, NotFoundError,  # noqa: E402
                         Tensor, TransportError, UnavailableError)
from mlos_client import ipc_frames as frames  # noqa: E402


class Peer:
    """A one-connection server on a temporary socket running SCRIPT(connection, peer) in a
    thread; what the script raises is re-raised by join()."""

    def __init__(self, script):
        self.directory = tempfile.TemporaryDirectory(prefix="mlos-ipc-peer-")
        self.path = str(pathlib.Path(self.directory.name) / "mlos.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.error = None
        self.fds = []
        self.thread = threading.Thread(target=self._run, args=(script,), daemon=True)
        self.thread.start()

    def _run(self, script):
        try:
            connection, _ = self.listener.accept()
            with connection:
                connection.settimeout(10)
                script(connection, self)
        except BaseException as error:  # noqa: B036 - handed to the test thread
            self.error = error

    def join(self):
        self.thread.join(10)
        self.listener.close()
        self.directory.cleanup()
        if self.error is not None:
            raise self.error

    def receive(self, connection):
        """One frame: (Header, body bytes); descriptors that came with it go to self.fds."""
        data, fds = b"", []
        while len(data) < frames.HEADER_SIZE:
            chunk, ancillary, _, _ = connection.recvmsg(frames.HEADER_SIZE - len(data),
                                                        socket.CMSG_SPACE(16))
            if not chunk:
                raise AssertionError("the client closed the connection")
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds += array.array("i", payload[:len(payload) - len(payload) % 4])
            if fds and data:
                raise AssertionError("the descriptor did not come with the header's first byte")
            data += chunk
        self.fds += fds
        header = frames.decode_header(data)
        body = b""
        while len(body) < header.body_length:
            body += connection.recv(header.body_length - len(body))
        return header, body

    @staticmethod
    def reply(connection, header, body=b"", status=0, op=None, request_id=None):
        connection.sendall(frames.encode_header(op or header.op,
                                                header.request_id if request_id is None
                                                else request_id, len(body), status) + body)


def json_reply(document):
    return json.dumps(document).encode()


class WireTest(unittest.TestCase):
    def test_control_ops_send_json_and_return_it(self):
        seen = []

        def script(connection, peer):
            for _ in range(3):
                header, body = peer.receive(connection)
                seen.append((header.op, header.status, header.flags, body))
                if header.op == frames.OP_HEALTH:
                    peer.reply(connection, header, json_reply({"live": True, "ready": True,
                                                               "version": "x"}))
                elif header.op == frames.OP_METADATA:
                    peer.reply(connection, header, b"model 'a/b@1' is not registered", status=2)
                else:
                    peer.reply(connection, header, json_reply({"model": "a/b@1",
                                                               "state": "ready"}))

        peer = Peer(script)
        with IpcClient(peer.path) as client:
            self.assertEqual(client.health(), {"live": True, "ready": True, "version": "x"})
            with self.assertRaises(NotFoundError) as caught:
                client.metadata("a/b@1")
            self.assertEqual(caught.exception.message, "model 'a/b@1' is not registered")
            self.assertEqual(caught.exception.status, "NOT_FOUND")
            self.assertEqual(client.load("a/b@1"), {"model": "a/b@1", "state": "ready"})
        peer.join()
        self.assertEqual(seen, [(frames.OP_HEALTH, 0, 0, b""),
                                (frames.OP_METADATA, 0, 0, b'{"model": "a/b@1"}'),
                                (frames.OP_LOAD, 0, 0, b'{"model": "a/b@1"}')])

    def test_region_descriptor_maps_the_clients_memory(self):
        def script(connection, peer):
            header, body = peer.receive(connection)
            if header.op != frames.OP_REGISTER_REGION or len(peer.fds) != 1:
                raise AssertionError(f"op {header.op}, descriptors {peer.fds}")
            size = json.loads(body)["size"]
            peer.mapping = mmap.mmap(peer.fds[0], size)
            peer.reply(connection, header, json_reply({"region": 42, "size": size}))
            header, body = peer.receive(connection)  # the client wrote, we read and write back
            peer.seen = bytes(peer.mapping[:5])
            peer.mapping[8:12] = b"pong"
            peer.reply(connection, header, json_reply({"live": True, "ready": True,
                                                       "version": "x"}))
            header, body = peer.receive(connection)
            peer.unregistered = (header.op, json.loads(body))
            peer.reply(connection, header, body)

        peer = Peer(script)
        with IpcClient(peer.path) as client:
            region = client.create_region(4096)
            self.assertEqual((region.id, region.size), (42, 4096))
            region.write(b"hello")
            client.health()
            self.assertEqual(bytes(region.view(8, 4)), b"pong")
            region.close()
        peer.join()
        self.assertEqual(peer.seen, b"hello")
        self.assertEqual(peer.unregistered, (frames.OP_UNREGISTER_REGION, {"region": 42}))
        peer.mapping.close()

    def test_infer_frames_inline_and_region_tensors(self):
        big = bytes(range(256)) * 4096  # 1 MiB: more than one sendmsg chunk

        def script(connection, peer):
            header, body = peer.receive(connection)
            peer.reply(connection, header, json_reply({"region": 1, "size": 1024}))
            header, body = peer.receive(connection)
            peer.request = frames.decode_infer_request(body)
            outputs = {"y": ("FP32", (2,), frames.RegionPlacement(1, 64, 8)),
                       "z": ("UINT8", (len(big),), big)}
            mapping = mmap.mmap(peer.fds[0], 1024)
            mapping[64:72] = struct.pack("<2f", 1.5, 2.5)
            mapping.close()
            peer.reply(connection, header,
                       b"".join(bytes(chunk) for chunk in frames.encode_infer_reply(3, 4, outputs)))

        peer = Peer(script)
        with IpcClient(peer.path) as client:
            region = client.create_region(1024)
            x = region.put(("INT32", [2], [7, 8]), offset=512)
            outputs = client.infer("a/b@1", {"x": x, "big": ("UINT8", [len(big)], big)},
                                   outputs=["y", "z"], output_region=(region, 0, 512))
            self.assertEqual(outputs["y"].tolist(), [1.5, 2.5])
            self.assertEqual(bytes(outputs["z"].data), big)
        peer.join()
        request = peer.request
        self.assertEqual((request.model, request.flags, request.output_window),
                         ("a/b@1", frames.OUTPUTS_TO_REGION, (1, 0, 512)))
        self.assertEqual([(d.name, d.dtype, d.shape) for d in request.inputs],
                         [("x", "INT32", (2,)), ("big", "UINT8", (len(big),))])
        self.assertEqual(request.inputs[0].data, frames.RegionPlacement(1, 512, 8))
        self.assertEqual(bytes(request.inputs[1].data), big)
        self.assertEqual(request.outputs, ["y", "z"])

    def test_pipelined_replies_in_any_order(self):
        def script(connection, peer):
            headers = [peer.receive(connection)[0] for _ in range(3)]
            for header in reversed(headers):  # answer the last first
                if header.request_id == headers[1].request_id:
                    peer.reply(connection, header, b"queue full", status=4)
                    continue
                value = struct.pack("<q", header.request_id)
                peer.reply(connection, header, b"".join(
                    bytes(chunk) for chunk in frames.encode_infer_reply(
                        0, 0, {"id": ("INT64", (1,), value)})))

        peer = Peer(script)
        with IpcClient(peer.path) as client:
            results = client.infer_many([{"model": "m", "inputs": {"x": ("INT8", [1], [i])}}
                                         for i in range(3)])
        peer.join()
        self.assertEqual(results[0]["id"].tolist(), [1])
        self.assertIsInstance(results[1], UnavailableError)
        self.assertEqual(results[2]["id"].tolist(), [3])

    def test_pipelined_large_frames_do_not_deadlock(self):
        # The peer answers each request with 1 MiB at once, the client sends 24 requests of 1 MiB:
        # unless the client reads while it writes, both sides wait on full socket buffers.
        payload = bytes(1 << 20)
        reply_body = b"".join(bytes(chunk) for chunk in frames.encode_infer_reply(
            0, 0, {"y": ("UINT8", (len(payload),), payload)}))

        def script(connection, peer):
            for _ in range(24):
                header, _ = peer.receive(connection)
                peer.reply(connection, header, reply_body)

        peer = Peer(script)
        with IpcClient(peer.path, timeout=20) as client:
            results = client.infer_many([{"model": "m", "inputs": {"x": ("UINT8", [len(payload)],
                                                                         payload)}}] * 24)
        peer.join()
        self.assertEqual([result["y"].nbytes for result in results], [len(payload)] * 24)

    def test_inputs_in_a_region_of_another_connection_are_refused(self):
        def script(connection, peer):
            header, _ = peer.receive(connection)
            peer.reply(connection, header, json_reply({"region": 1, "size": 64}))

        peer = Peer(lambda connection, peer: connection.recv(1))  # nothing may be sent here
        other_peer = Peer(script)
        with IpcClient(peer.path) as client, IpcClient(other_peer.path) as other:
            region = other.create_region(64)
            with self.assertRaises(InvalidArgumentError):
                client.infer("m", {"x": region.put(("INT8", [1], [1]))})
        peer.join()
        other_peer.join()


class HostilePeerTest(unittest.TestCase):
    """Each broken reply: TransportError naming the problem, then the client is closed."""

    def run_broken(self, answer, fragment, call=lambda client: client.health()):
        def script(connection, peer):
            header, _ = peer.receive(connection)
            answer(connection, peer, header)

        peer = Peer(script)
        client = IpcClient(peer.path, timeout=5, max_reply_bytes=1 << 20)
        with self.assertRaises(TransportError) as caught:
            call(client)
        self.assertIn(fragment, caught.exception.message)
        self.assertTrue(client.closed)
        with self.assertRaises(TransportError) as again:
            client.health()
        self.assertIn("closed", again.exception.message)
        client.close()
        peer.join()

    def test_bad_magic(self):
        self.run_broken(lambda c, p, h: c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n....."),
                        "magic")

    def test_wrong_request_id(self):
        self.run_broken(lambda c, p, h: p.reply(c, h, b"{}", request_id=h.request_id + 1),
                        "reply for request")

    def test_wrong_op(self):
        self.run_broken(lambda c, p, h: p.reply(c, h, b"{}", op=frames.OP_LIST), "op 2")

    def test_body_over_the_limit(self):
        self.run_broken(lambda c, p, h: c.sendall(frames.encode_header(h.op, h.request_id,
                                                                       1 << 40)),
                        "over the client's limit")

    def test_closed_mid_body(self):
        self.run_broken(lambda c, p, h: c.sendall(frames.encode_header(h.op, h.request_id, 100)
                                                  + b"{"), "closed the connection")

    def test_closed_without_a_reply(self):
        self.run_broken(lambda c, p, h: None, "closed the connection")

    def test_silent_peer_times_out(self):
        def silent(connection, peer, header):
            connection.recv(1)  # waits until the client gives up and closes

        def call(client):
            client._socket.settimeout(0.3)
            client.health()

        self.run_broken(silent, "timed out", call)

    def test_not_json(self):
        self.run_broken(lambda c, p, h: p.reply(c, h, b"\xff not json"), "not JSON")

    def test_malformed_infer_body(self):
        body = struct.pack("<qqH", 0, 0, 1) + struct.pack("<H", 1) + b"y" + bytes([99, 0, 0])
        self.run_broken(lambda c, p, h: p.reply(c, h, body), "unknown dtype code 99",
                        lambda client: client.infer("m", {"x": Tensor("INT8", [1], b"\0")}))


if __name__ == "__main__":
    unittest.main()
