"""IpcClient: mlos-core over its local IPC socket (docs/ipc.md), the lowest-latency way in.

    client = IpcClient("/tmp/mlos.sock")
    outputs = client.infer("local/mlp@1", {"input": numpy.zeros((1, 16), numpy.float32)})

    region = client.create_region(1 << 20)           # shared memory, registered once
    x = region.put(numpy_array)                      # copy the input into the region once ...
    outputs = client.infer("local/mlp@1", {"input": x}, output_region=region)
    outputs["logits"].numpy()                        # ... and read the output where the server
                                                     # wrote it: no tensor byte crossed the socket

Tensors travel inline in the frames unless they are RegionTensors (bytes in a Region) or the
request names an output_region. Regions are memfd_create() objects mapped here and, after
REGISTER_REGION passes their descriptor (SCM_RIGHTS), in the server. An output in a region is a
view of the region: it is valid until the region is written again or closed.

One connection per IpcClient; calls from several threads are serialized. infer_many() pipelines
several requests on the connection. A reply that breaks the protocol, a timeout mid-frame or a
connection the server closed raise TransportError and close the client: the stream can no longer
be trusted (make a new IpcClient; its regions are gone with the old connection).
"""

import array
import json
import mmap
import os
import socket
import threading

from . import ipc_frames as frames
from .base import ClientBase
from .errors import InvalidArgumentError, MlosError, TransportError, ipc_error
from .tensors import DTYPES, Tensor, element_count, to_tensor

DEFAULT_SOCKET = "/tmp/mlos.sock"
_IOV_MAX = 512  # buffers per sendmsg(); Linux allows 1024


class RegionTensor:
    """An input whose bytes are in a Region: dtype, shape and [offset, offset + length)."""

    __slots__ = ("region", "dtype", "shape", "offset", "length")

    def __init__(self, region, dtype, shape, offset, length):
        self.region, self.dtype, self.shape = region, dtype, tuple(shape)
        self.offset, self.length = offset, length

    def __iter__(self):
        placement = frames.RegionPlacement(self.region.id, self.offset, self.length)
        return iter((self.dtype, self.shape, placement))

    def tensor(self):
        """A Tensor viewing the bytes in the region."""
        return Tensor(self.dtype, self.shape, self.region.view(self.offset, self.length))


class Region:
    """A shared-memory region registered with the server: `id`, `size` and `buffer` (a writable
    memoryview of the whole mapping). Made by IpcClient.create_region()."""

    def __init__(self, client, region_id, size, mapping):
        self.client = client
        self.id = region_id
        self.size = size
        self._mapping = mapping
        self.buffer = memoryview(mapping)

    def view(self, offset=0, length=None):
        """A writable memoryview of [offset, offset + length) (to the end without LENGTH)."""
        length = self.size - offset if length is None else length
        if offset < 0 or length < 0 or offset + length > self.size:
            raise InvalidArgumentError(f"region {self.id}: bytes [{offset}, {offset + length}) "
                                       f"are outside its {self.size} bytes")
        return self.buffer[offset:offset + length]

    def write(self, data, offset=0):
        """Copies DATA (bytes-like) to OFFSET; returns the offset after it."""
        source = memoryview(data).cast("B")
        self.view(offset, len(source))[:] = source
        return offset + len(source)

    def put(self, value, offset=0, dtype=None):
        """Copies VALUE (anything to_tensor() takes; DTYPE for plain lists) into the region at
        OFFSET and returns the RegionTensor to pass as an input."""
        tensor = to_tensor(value, dtype, f"region {self.id} tensor")
        self.write(tensor.data, offset)
        return RegionTensor(self, tensor.dtype, tensor.shape, offset, tensor.nbytes)

    def tensor(self, dtype, shape, offset=0, length=None):
        """A RegionTensor for bytes already at OFFSET (LENGTH: what dtype and shape need; give it
        for BYTES)."""
        if length is None:
            itemsize = DTYPES[dtype].itemsize
            if not itemsize:
                raise InvalidArgumentError("a BYTES RegionTensor needs its length")
            length = element_count(shape) * itemsize
        self.view(offset, length)
        return RegionTensor(self, dtype, shape, offset, length)

    def array(self, dtype, shape, offset=0):
        """A writable view of the region as DTYPE and SHAPE at OFFSET: a numpy array when numpy
        is importable, else a memoryview cast to the element format."""
        tensor = Tensor(dtype, shape, self.view(offset, element_count(shape)
                                                * DTYPES[dtype].itemsize))
        try:
            return tensor.numpy()
        except ImportError:
            return tensor.data.cast(DTYPES[dtype].struct_char, shape)

    def close(self):
        """Unregisters the region (if the connection is still open) and unmaps it here. Views of
        it that are still alive keep the mapping until they are released."""
        if self._mapping is None:
            return
        try:
            if not self.client.closed:
                self.client._control(frames.OP_UNREGISTER_REGION, {"region": self.id})
        finally:
            self.client._regions.pop(self.id, None)
            self.buffer.release()
            try:
                self._mapping.close()
            except BufferError:
                pass  # a caller still holds a view; the mapping goes when that view does
            self._mapping = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class IpcClient(ClientBase):
    """mlos-core over its Unix socket PATH. TIMEOUT: seconds a call may wait; MAX_REPLY_BYTES:
    the largest reply body accepted (a larger one is treated as a broken stream)."""

    def __init__(self, path=DEFAULT_SOCKET, timeout=60.0, max_reply_bytes=1 << 34):
        super().__init__()
        self.path = str(path)
        self.max_reply_bytes = max_reply_bytes
        self._lock = threading.Lock()
        self._next_id = 1
        self._regions = {}
        self._broken = None
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(timeout)
        try:
            self._socket.connect(self.path)
        except OSError as error:
            self._socket.close()
            raise TransportError(f"cannot connect to the MLOS IPC socket {self.path}: {error} "
                                 f"(is mlos-core running with IPC, --socket {self.path}?)") \
                from error

    @property
    def closed(self):
        return self._socket.fileno() < 0 or self._broken is not None

    def close(self):
        for region in list(self._regions.values()):
            self._break_region(region)
        self._socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _break_region(region):
        region.client._regions.pop(region.id, None)
        region.buffer.release()
        try:
            region._mapping.close()
        except BufferError:
            pass
        region._mapping = None

    # --- frames -----------------------------------------------------------------------------

    def _fail(self, message, cause=None):
        """Marks the connection unusable and raises TransportError(MESSAGE)."""
        self._broken = message
        try:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it
            except OSError:
                pass
            self._socket.close()
        finally:
            raise TransportError(message) from cause

    def _check_open(self):
        if self._broken is not None:
            raise TransportError(f"the IPC connection to {self.path} is closed: {self._broken}")
        if self._socket.fileno() < 0:
            raise TransportError(f"the IPC connection to {self.path} is closed")

    def _send(self, op, chunks, fds=()):
        """Sends one frame; returns its request id."""
        request_id = self._next_id
        self._next_id += 1
        views = [memoryview(frames.encode_header(op, request_id, frames.body_length(chunks)))]
        views += [memoryview(chunk).cast("B") for chunk in chunks if memoryview(chunk).nbytes]
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                      array.array("i", fds).tobytes())] if fds else []
        try:
            while views:
                sent = self._socket.sendmsg(views[:_IOV_MAX], ancillary)
                ancillary = []  # the descriptor travels with the header's first byte only
                while sent:
                    if sent >= len(views[0]):
                        sent -= len(views[0])
                        views.pop(0)
                    else:
                        views[0] = views[0][sent:]
                        sent = 0
        except OSError as error:
            self._fail(f"sending {frames.OP_NAMES.get(op, op)} to {self.path}: {error}", error)
        return request_id

    def _receive_exactly(self, size, what):
        buffer = bytearray(size)
        view = memoryview(buffer)
        received = 0
        try:
            while received < size:
                count = self._socket.recv_into(view[received:])
                if count == 0:
                    self._fail(f"{self.path} closed the connection in the middle of {what} "
                               f"({received} of {size} bytes)")
                received += count
        except OSError as error:
            self._fail(f"receiving {what} from {self.path}: {error}", error)
        return buffer

    def _receive(self):
        """Reads one frame: (Header, body as a bytearray)."""
        try:
            header = frames.decode_header(bytes(self._receive_exactly(frames.HEADER_SIZE,
                                                                      "a reply header")))
        except TransportError as error:
            if self._broken is None:
                self._fail(f"{self.path}: {error.message}")
            raise
        if header.body_length > self.max_reply_bytes:
            self._fail(f"{self.path}: reply body of {header.body_length} bytes is over the "
                       f"client's limit of {self.max_reply_bytes}")
        return header, self._receive_exactly(header.body_length, "a reply body")

    def _check_reply(self, header, op, body):
        if header.op != op:
            self._fail(f"{self.path}: reply to request {header.request_id} is op {header.op}, "
                       f"the request was op {op}")
        if header.status != 0:
            raise ipc_error(header.status, bytes(body).decode(errors="replace"))
        return body

    def _call(self, op, chunks, fds=()):
        """One request and its reply body; an error status raises its MlosError."""
        with self._lock:
            self._check_open()
            request_id = self._send(op, chunks, fds)
            header, body = self._receive()
            if header.request_id != request_id:
                self._fail(f"{self.path}: reply for request {header.request_id} while only "
                           f"request {request_id} was in flight")
            return self._check_reply(header, op, body)

    def _control(self, op, document=None):
        body = b"" if document is None else json.dumps(document).encode()
        reply = self._call(op, [body])
        try:
            return json.loads(bytes(reply)) if reply else {}
        except ValueError as error:
            self._fail(f"{self.path}: the reply to {frames.OP_NAMES[op]} is not JSON: {error}")

    # --- the common surface -----------------------------------------------------------------

    def health(self):
        """{"live", "ready", "version"}."""
        return self._control(frames.OP_HEALTH)

    def models(self):
        """The registered models, as GET /models lists them."""
        return self._control(frames.OP_LIST)["models"]

    def metadata(self, model):
        """KServe v2 model metadata: {"name", "versions", "platform", "inputs", "outputs"}."""
        return self._control(frames.OP_METADATA, {"model": model})

    def load(self, model):
        """Loads MODEL and waits until it is ready: {"model", "state"}."""
        return self._control(frames.OP_LOAD, {"model": model})

    def unload(self, model):
        """Unloads MODEL after its requests in flight: {"model", "state"}."""
        return self._control(frames.OP_UNLOAD, {"model": model})

    def register(self, model_id, path, **fields):
        """As POST /models/register: model_id, path and any other documented field."""
        self._forget_model(model_id)
        return self._control(frames.OP_REGISTER, {"model_id": model_id, "path": str(path),
                                                  **fields})

    def create_region(self, size):
        """A new shared-memory Region of SIZE bytes, registered with the server."""
        if not isinstance(size, int) or size < 1:
            raise InvalidArgumentError(f"a region needs a size of at least 1 byte, not {size!r}")
        fd = os.memfd_create("mlos-client-region", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, size)
            mapping = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            try:
                reply = self._call(frames.OP_REGISTER_REGION,
                                   [json.dumps({"size": size}).encode()], fds=[fd])
                region_id = json.loads(bytes(reply))["region"]
            except BaseException:
                mapping.close()
                raise
        finally:
            os.close(fd)
        region = Region(self, region_id, size, mapping)
        self._regions[region_id] = region
        return region

    def _infer_request(self, model, inputs, outputs, output_region):
        tensors = self._to_tensors(model, inputs, passthrough=(RegionTensor,))
        for name, tensor in tensors.items():
            if isinstance(tensor, RegionTensor) and self._regions.get(tensor.region.id) \
                    is not tensor.region:
                raise InvalidArgumentError(f"input '{name}' is in region {tensor.region.id}, "
                                           f"which is not registered on this connection")
        window, regions = None, None
        if output_region is not None:
            region, offset, capacity = (output_region if isinstance(output_region, tuple)
                                        else (output_region, 0, output_region.size))
            if self._regions.get(region.id) is not region:
                raise InvalidArgumentError(f"output region {region.id} is not registered on "
                                           f"this connection")
            window, regions = (region.id, offset, capacity), {region.id: region.buffer}
        chunks = frames.encode_infer_request(model, tensors, outputs, window)
        return chunks, regions

    def infer(self, model, inputs, outputs=None, output_region=None):
        """Runs MODEL on INPUTS ({name: value or RegionTensor}); returns {output name: Tensor},
        the OUTPUTS named (in that order) or all in declared order. OUTPUT_REGION (a Region, or
        (region, offset, capacity)) has the server write the outputs there."""
        chunks, regions = self._infer_request(model, inputs, outputs, output_region)
        body = self._call(frames.OP_INFER, chunks)
        return self._decode_reply(body, regions)

    def infer_many(self, requests):
        """Pipelines several inferences on the connection: REQUESTS is a list of dicts with the
        infer() arguments (model, inputs, outputs, output_region). Returns their results in the
        same order; a failed request's place holds its MlosError instead of a dict."""
        results = [None] * len(requests)
        prepared, positions = [], []
        for index, request in enumerate(requests):
            try:  # a request that cannot be encoded (e.g. an unknown model's inputs) fails alone
                prepared.append(self._infer_request(request["model"], request["inputs"],
                                                    request.get("outputs"),
                                                    request.get("output_region")))
                positions.append(index)
            except TransportError:
                raise
            except MlosError as error:
                results[index] = error
        with self._lock:
            self._check_open()
            # Ids are taken here; a thread writes the frames while this one reads the replies, so
            # neither side can block the other with full socket buffers.
            ids = list(range(self._next_id, self._next_id + len(prepared)))
            slots = {request_id: (index, regions)  # where each reply goes, how to decode it
                     for request_id, index, (_, regions) in zip(ids, positions, prepared)}
            send_failure = []

            def send_all():
                try:
                    for chunks, _ in prepared:
                        self._send(frames.OP_INFER, chunks)
                except TransportError as error:
                    send_failure.append(error)

            sender = threading.Thread(target=send_all, name="mlos-ipc-send", daemon=True)
            sender.start()
            try:
                self._receive_replies(slots, results)
            finally:
                sender.join()
            if send_failure:
                raise send_failure[0]
        return results

    def _receive_replies(self, slots, results):
        """Reads the replies of pipelined INFER requests into RESULTS; SLOTS: {request id:
        (index in RESULTS, the request's output regions)}."""
        while slots:
            header, body = self._receive()
            slot = slots.pop(header.request_id, None)
            if slot is None:
                self._fail(f"{self.path}: reply for request {header.request_id}, which is not "
                           f"in flight")
            index, regions = slot
            try:
                results[index] = self._decode_reply(
                    self._check_reply(header, frames.OP_INFER, body), regions)
            except TransportError:
                raise
            except Exception as error:  # the request's own failure
                results[index] = error

    def _decode_reply(self, body, regions):
        try:
            return frames.decode_infer_reply(body, regions).outputs
        except TransportError as error:
            self._fail(f"{self.path}: {error.message}")
