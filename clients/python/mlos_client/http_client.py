"""Client: mlos-core over HTTP, the MLOS API (docs/http_api.md) and KServe v2 REST (docs/kserve.md).

    client = Client("http://127.0.0.1:8080")
    client.register("local/mlp@1", "/models/mlp.onnx")
    outputs = client.infer("local/mlp@1", {"input": [[0.0] * 16]})
    outputs["logits"].tolist()

infer() speaks KServe v2 with Triton's binary tensor extension by default (tensor bytes travel
raw after a JSON header, both ways); protocol="kserve-json" sends and receives JSON numbers, and
protocol="mlos" uses POST /models/{id}/inference. All three give the same Tensors.
Each thread gets its own keep-alive connection; a connection the server closed while idle is
reopened once. Errors raise mlos_client.errors.MlosError subclasses with the server's message.
"""

import http.client
import json
import socket
import threading
import urllib.parse

from .base import ClientBase
from .errors import InvalidArgumentError, TransportError, http_error
from .tensors import Tensor, pack_values

PROTOCOLS = ("kserve-binary", "kserve-json", "mlos")


def _flatten(values):
    if not isinstance(values, list):
        return [values]
    flat = []
    stack = [iter(values)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            flat.append(item)
        else:
            stack.pop()
    return flat


def _json_values(name, tensor):
    """A tensor's elements as JSON values (BYTES as UTF-8 strings)."""
    values = tensor.flat()
    if tensor.dtype == "BYTES":
        try:
            return [value.decode() for value in values]
        except UnicodeDecodeError:
            raise InvalidArgumentError(f"input '{name}': BYTES elements that are not UTF-8 "
                                       f"cannot travel as JSON; use protocol='kserve-binary'") \
                from None
    return values


def _tensor_from_json(name, document):
    dtype, shape = document.get("datatype"), document.get("shape")
    values = _flatten(document.get("data", []))
    if dtype == "BYTES":
        values = [value.encode() if isinstance(value, str) else value for value in values]
    return Tensor(dtype, shape, pack_values(dtype, values, f"output '{name}'"))


class Client(ClientBase):
    """mlos-core over HTTP. URL: "http://host:port"; TIMEOUT: seconds per request; PROTOCOL: the
    default for infer() ("kserve-binary", "kserve-json" or "mlos")."""

    def __init__(self, url="http://127.0.0.1:8080", timeout=60.0, protocol="kserve-binary"):
        super().__init__()
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"Client needs an http://host:port URL, not {url!r}")
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {protocol!r}")
        self.url = url.rstrip("/")
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.timeout = timeout
        self.protocol = protocol
        self._local = threading.local()

    # --- transport --------------------------------------------------------------------------

    def close(self):
        """Closes this thread's connection (others close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                connection.connect()
                # http.client writes the headers and each body chunk apart: without NODELAY the
                # second small write waits for the delayed ACK of the first (tens of ms).
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as error:
                raise TransportError(f"cannot connect to {self.url}: {error}") from error
            self._local.connection = connection
            self._local.used = False
        return connection

    def request(self, method, path, body=None, headers=None):
        """Sends one request; returns (status, {lower-case header: value}, body bytes). BODY is
        bytes, a list of bytes-like chunks, or a value sent as JSON."""
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, bytearray, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, list):
            size = sum(memoryview(chunk).nbytes for chunk in body)
            if size <= 65536:
                body = b"".join(body)  # one write with the headers
        if body is not None:
            headers["Content-Length"] = str(size if isinstance(body, list) else len(body))
        for attempt in (0, 1):
            connection = self._connection()
            reused = self._local.used
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self._local.used = True
                if response.will_close:
                    self.close()
                return (response.status,
                        {name.lower(): value for name, value in response.getheaders()}, data)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self.close()
                if attempt == 0 and reused:
                    continue  # the server closed the idle keep-alive connection: reopen once
                raise TransportError(f"{method} {self.url}{path}: {error}") from error
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise TransportError(f"{method} {self.url}{path}: {error}") from error

    def _call(self, method, path, body=None, headers=None):
        """A request whose reply must be 2xx; returns the parsed JSON (None for an empty body)."""
        status, _, data = self.request(method, path, body, headers)
        if status >= 300:
            raise http_error(status, self._error_message(data))
        return json.loads(data) if data else None

    @staticmethod
    def _error_message(data):
        try:
            document = json.loads(data)
        except ValueError:
            return data.decode(errors="replace")
        if isinstance(document, dict):
            for key in ("message", "error"):
                if isinstance(document.get(key), str):
                    return document[key]
        return data.decode(errors="replace")

    @staticmethod
    def _mlos_path(model):
        return "/models/" + urllib.parse.quote(model, safe="")

    @staticmethod
    def _kserve_path(model):
        return "/v2/models/" + urllib.parse.quote(model, safe="/")

    # --- the common surface -----------------------------------------------------------------

    def health(self):
        """GET /health's document with "live" and "ready" (GET /v2/health/ready) added."""
        document = self._call("GET", "/health")
        document["live"] = document.get("status") == "healthy"
        document["ready"] = self.request("GET", "/v2/health/ready")[0] == 200
        return document

    def models(self):
        """The registered models, as GET /models lists them (a list of MODEL documents)."""
        return self._call("GET", "/models")["models"]

    def model(self, model):
        """One MODEL document (GET /models/{id})."""
        return self._call("GET", self._mlos_path(model))

    def metadata(self, model):
        """KServe v2 model metadata: {"name", "versions", "platform", "inputs", "outputs"}."""
        return self._call("GET", self._kserve_path(model))

    def load(self, model):
        """Loads MODEL and waits until it is ready: {"model", "state"}."""
        reply = self._call("POST", self._mlos_path(model) + "/load")
        return {"model": reply["model_id"], "state": reply["state"]}

    def unload(self, model):
        """Unloads MODEL after its requests in flight: {"model", "state"}."""
        reply = self._call("POST", self._mlos_path(model) + "/unload")
        return {"model": reply["model_id"], "state": reply["state"]}

    def register(self, model_id, path, **fields):
        """POST /models/register with model_id, path and any other documented field
        (plugin_id, execution_format, load, settings, ...); returns the reply document."""
        self._forget_model(model_id)
        return self._call("POST", "/models/register", {"model_id": model_id, "path": str(path),
                                                       **fields})

    def delete(self, model):
        """Unregisters MODEL (DELETE /models/{id})."""
        self._forget_model(model)
        return self._call("DELETE", self._mlos_path(model))

    def stats(self):
        """GET /stats."""
        return self._call("GET", "/stats")

    def infer(self, model, inputs, outputs=None, protocol=None):
        """Runs MODEL on INPUTS ({name: value}); returns {output name: Tensor}, the OUTPUTS named
        (in that order) or all of them in declared order."""
        protocol = protocol or self.protocol
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {protocol!r}")
        tensors = self._to_tensors(model, inputs)
        if protocol == "mlos":
            return self._infer_mlos(model, tensors, outputs)
        return self._infer_kserve(model, tensors, outputs, binary=protocol == "kserve-binary")

    def _infer_mlos(self, model, tensors, outputs):
        body = {"inputs": {name: {"datatype": tensor.dtype, "shape": list(tensor.shape),
                                  "data": _json_values(name, tensor)}
                           for name, tensor in tensors.items()}}
        reply = self._call("POST", self._mlos_path(model) + "/inference", body)
        produced = reply["outputs"]
        wanted = list(produced) if outputs is None else list(outputs)
        missing = [name for name in wanted if name not in produced]
        if missing:
            raise InvalidArgumentError(f"model '{model}' has no output {missing[0]!r}; its "
                                       f"outputs are {', '.join(produced)}")
        return {name: _tensor_from_json(name, produced[name]) for name in wanted}

    def _infer_kserve(self, model, tensors, outputs, binary):
        request = {"inputs": []}
        chunks = []
        for name, tensor in tensors.items():
            entry = {"name": name, "datatype": tensor.dtype, "shape": list(tensor.shape)}
            if binary:
                entry["parameters"] = {"binary_data_size": tensor.nbytes}
                chunks.append(tensor.data)
            else:
                entry["data"] = _json_values(name, tensor)
            request["inputs"].append(entry)
        if outputs is not None:
            request["outputs"] = [{"name": name, "parameters": {"binary_data": binary}}
                                  for name in outputs]
        elif binary:
            request["parameters"] = {"binary_data_output": True}
        header = json.dumps(request).encode()
        headers = {"Content-Type": "application/json"}
        if binary:
            headers = {"Content-Type": "application/octet-stream",
                       "Inference-Header-Content-Length": str(len(header))}
        status, reply_headers, data = self.request(
            "POST", self._kserve_path(model) + "/infer", [header, *chunks], headers)
        if status >= 300:
            raise http_error(status, self._error_message(data))
        return self._kserve_outputs(reply_headers, data)

    @staticmethod
    def _kserve_outputs(headers, data):
        length = headers.get("inference-header-content-length")
        json_length = len(data) if length is None else int(length)
        if not 0 <= json_length <= len(data):
            raise TransportError(f"Inference-Header-Content-Length {json_length} is outside the "
                                 f"{len(data)}-byte reply")
        document = json.loads(data[:json_length])
        binary = memoryview(data)[json_length:]
        results, offset = {}, 0
        for output in document["outputs"]:
            size = output.get("parameters", {}).get("binary_data_size")
            if size is None:
                results[output["name"]] = _tensor_from_json(output["name"], output)
                continue
            if offset + size > len(binary):
                raise TransportError(f"output '{output['name']}' says {size} binary bytes, "
                                     f"{len(binary) - offset} are left in the reply")
            results[output["name"]] = Tensor(output["datatype"], output["shape"],
                                             binary[offset:offset + size])
            offset += size
        return results
