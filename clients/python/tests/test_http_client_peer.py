"""Client (HTTP) against a scripted HTTP peer: error replies of both APIs become the right
MlosError with the server's message and status, a KServe binary reply is split by
Inference-Header-Content-Length (and refused when its sizes do not add up), requests are the
documented ones (binary inputs after the JSON header), and a keep-alive connection the server
closed while idle is reopened once. No mlos-core needed.
"""

import http.server
import json
import pathlib
import struct
import sys
import threading
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from mlos_client import (Client, InternalError, NotFoundError, TransportError,  # noqa: E402
                         UnavailableError)


class Peer:
    """An HTTP server on 127.0.0.1 answering each request with ANSWER(handler, body)."""

    def __init__(self, answer):
        self.requests = []
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.handle_any()

            def do_POST(self):
                self.handle_any()

            def handle_any(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                peer.requests.append((self.command, self.path, dict(self.headers), body))
                answer(self, body)

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def send(handler, status, body, headers=None, close_silently=False):
    """Answers; CLOSE_SILENTLY closes the connection afterwards without saying so (as a server
    does with an idle keep-alive connection)."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.close_connection = close_silently
    handler.end_headers()
    handler.wfile.write(body)


class HttpClientTest(unittest.TestCase):
    def run_peer(self, answer):
        peer = Peer(answer)
        self.addCleanup(peer.close)
        client = Client(peer.url, timeout=5)
        self.addCleanup(client.close)
        return peer, client

    def test_error_replies_of_both_apis(self):
        replies = {"/models": (503, {"status": "error", "message": "queue full"}),
                   "/v2/models/a/b%401": (404, {"error": "model 'a/b@1' is not registered"})}

        def answer(handler, body):
            if handler.path in replies:
                status, document = replies[handler.path]
                send(handler, status, json.dumps(document).encode())
            else:
                send(handler, 500, b"plain text failure")

        _, client = self.run_peer(answer)
        with self.assertRaises(UnavailableError) as caught:
            client.models()
        self.assertEqual((caught.exception.message, caught.exception.status), ("queue full", 503))
        with self.assertRaises(NotFoundError) as caught:
            client.metadata("a/b@1")
        self.assertEqual(caught.exception.message, "model 'a/b@1' is not registered")
        with self.assertRaises(InternalError) as caught:
            client.stats()
        self.assertEqual(caught.exception.message, "plain text failure")

    def test_binary_request_and_reply(self):
        header = json.dumps({"model_name": "m", "outputs": [
            {"name": "y", "datatype": "FP32", "shape": [2], "parameters": {"binary_data_size": 8}},
            {"name": "z", "datatype": "INT8", "shape": [1], "data": [-3]}]}).encode()

        def answer(handler, body):
            send(handler, 200, header + struct.pack("<2f", 1.5, -2.0),
                 {"Content-Type": "application/octet-stream",
                  "Inference-Header-Content-Length": str(len(header))})

        peer, client = self.run_peer(answer)
        outputs = client.infer("ns/m@1", {"x": ("INT32", [3], [1, 2, 3])})
        self.assertEqual(outputs["y"].tolist(), [1.5, -2.0])
        self.assertEqual(outputs["z"].tolist(), [-3])
        method, path, headers, body = peer.requests[0]
        self.assertEqual((method, path), ("POST", "/v2/models/ns/m%401/infer"))
        json_length = int(headers["Inference-Header-Content-Length"])
        request = json.loads(body[:json_length])
        self.assertEqual(request, {"inputs": [{"name": "x", "datatype": "INT32", "shape": [3],
                                               "parameters": {"binary_data_size": 12}}],
                                   "parameters": {"binary_data_output": True}})
        self.assertEqual(body[json_length:], struct.pack("<3i", 1, 2, 3))

    def test_reply_sizes_that_do_not_add_up(self):
        header = json.dumps({"outputs": [{"name": "y", "datatype": "FP32", "shape": [4],
                                          "parameters": {"binary_data_size": 16}}]}).encode()
        cases = [(str(len(header)), header + bytes(8), "16 binary bytes, 8 are left"),
                 ("9999", header, "outside the")]
        for json_length, body, fragment in cases:
            with self.subTest(fragment=fragment):
                _, client = self.run_peer(lambda handler, _, b=body, n=json_length: send(
                    handler, 200, b, {"Inference-Header-Content-Length": n}))
                with self.assertRaises(TransportError) as caught:
                    client.infer("m", {"x": ("FP32", [1], [0.0])})
                self.assertIn(fragment, caught.exception.message)

    def test_idle_connection_closed_by_the_server_is_reopened(self):
        def answer(handler, body):
            send(handler, 200, b'{"status": "success", "models": []}', close_silently=True)

        peer, client = self.run_peer(answer)
        for _ in range(3):
            self.assertEqual(client.models(), [])
        self.assertEqual(len(peer.requests), 3)

    def test_no_server(self):
        with self.assertRaises(TransportError) as caught:
            Client("http://127.0.0.1:1", timeout=2).models()
        self.assertIn("127.0.0.1:1", caught.exception.message)


if __name__ == "__main__":
    unittest.main()
