"""The MLOS local IPC wire format, version 1 (docs/ipc.md, include/mlos/ipc.h): frame headers and
INFER bodies, as pure functions over bytes, with no socket.

Encoders return a list of bytes-like chunks (small fields coalesced, large tensor data kept as the
caller's own buffers, so sendmsg() can write them without copying). Decoders check everything a
hostile or broken peer could get wrong (lengths past the end, unknown dtypes, ranks over 16,
negative dims, data sizes that do not match dtype and shape, region references outside their
region, trailing bytes) and raise the given error class naming the field and its byte offset.
Both directions of INFER are here (requests and replies) so each can be round-trip tested.
"""

import collections
import struct

from .errors import InvalidArgumentError, TransportError
from .tensors import DTYPES, DTYPES_BY_SMI_CODE, Tensor, element_count, split_bytes_elements

MAGIC = 0x534F4C4D  # the bytes "MLOS" read as a little-endian u32
VERSION = 1
HEADER = struct.Struct("<IHHQIIQ")  # magic, version, op, request_id, status, flags, body_length
HEADER_SIZE = HEADER.size  # 32

OP_HEALTH, OP_LIST, OP_METADATA, OP_REGISTER, OP_LOAD, OP_UNLOAD = 1, 2, 3, 4, 5, 6
OP_INFER, OP_REGISTER_REGION, OP_UNREGISTER_REGION = 7, 8, 9
OP_NAMES = {1: "HEALTH", 2: "LIST", 3: "METADATA", 4: "REGISTER", 5: "LOAD", 6: "UNLOAD",
            7: "INFER", 8: "REGISTER_REGION", 9: "UNREGISTER_REGION"}

PLACEMENT_INLINE, PLACEMENT_REGION = 0, 1
OUTPUTS_TO_REGION = 1
OUTPUT_ALIGNMENT = 64  # outputs written to a region start at multiples of this from the window
MAX_RANK = 16
_COALESCE_BYTES = 16384  # tensor data up to this size is copied into the frame's field chunk

Header = collections.namedtuple("Header", "magic version op request_id status flags body_length")

# Where a tensor's bytes are in a registered region.
RegionPlacement = collections.namedtuple("RegionPlacement", "region offset length")
# A decoded tensor descriptor: data is a memoryview (inline) or a RegionPlacement.
Descriptor = collections.namedtuple("Descriptor", "name dtype shape data")
InferRequest = collections.namedtuple("InferRequest", "model flags output_window inputs outputs")
InferReply = collections.namedtuple("InferReply", "queue_us compute_us outputs")


def encode_header(op, request_id, body_length, status=0, flags=0):
    return HEADER.pack(MAGIC, VERSION, op, request_id, status, flags, body_length)


def decode_header(data, error=TransportError):
    """32 bytes -> Header; a wrong magic or version raises ERROR (the stream is not MLOS IPC)."""
    if len(data) != HEADER_SIZE:
        raise error(f"IPC frame header: {len(data)} bytes, expected {HEADER_SIZE}")
    header = Header(*HEADER.unpack(data))
    if header.magic != MAGIC:
        raise error(f"IPC frame header: magic 0x{header.magic:08X}, expected 0x{MAGIC:08X} "
                    f"('MLOS')")
    if header.version != VERSION:
        raise error(f"IPC frame header: protocol version {header.version}, this client speaks "
                    f"{VERSION}")
    return header


class _Chunks:
    """Builds a frame body as few chunks: fields accumulate in one bytearray; large data buffers
    are appended as they are."""

    def __init__(self):
        self.chunks = []
        self.fields = bytearray()

    def add(self, fmt, *values):
        self.fields += struct.pack(fmt, *values)

    def string(self, text, what):
        data = text.encode()
        if len(data) > 0xFFFF:
            raise InvalidArgumentError(f"{what} is {len(data)} bytes of UTF-8, the most is 65535")
        self.add("<H", len(data))
        self.fields += data

    def data(self, buffer):
        view = memoryview(buffer).cast("B")
        if len(view) <= _COALESCE_BYTES:
            self.fields += view
            return
        if self.fields:
            self.chunks.append(bytes(self.fields))
            self.fields = bytearray()
        self.chunks.append(view)

    def finish(self):
        if self.fields or not self.chunks:
            self.chunks.append(bytes(self.fields))
        return self.chunks


def body_length(chunks):
    return sum(memoryview(chunk).nbytes for chunk in chunks)


def _encode_descriptor(out, name, dtype, shape, data):
    """One tensor descriptor; DATA is a bytes-like (inline) or a RegionPlacement."""
    out.string(name, f"tensor name {name[:40]!r}")
    if len(shape) > MAX_RANK:
        raise InvalidArgumentError(f"tensor '{name}': rank {len(shape)}, the most is {MAX_RANK}")
    out.add(f"<BB{len(shape)}q", DTYPES[dtype].smi_code, len(shape), *shape)
    if isinstance(data, RegionPlacement):
        out.add("<BIQQ", PLACEMENT_REGION, data.region, data.offset, data.length)
    else:
        out.add("<BQ", PLACEMENT_INLINE, memoryview(data).nbytes)
        out.data(data)


def encode_infer_request(model, inputs, outputs=None, output_window=None):
    """An INFER request body. INPUTS: {name: Tensor or (dtype, shape, RegionPlacement)};
    OUTPUTS: names wanted (None/empty: all); OUTPUT_WINDOW: (region, offset, capacity) to have the
    outputs written into a region."""
    out = _Chunks()
    out.string(model, "model id")
    if output_window is None:
        out.add("<I", 0)
    else:
        out.add("<IIQQ", OUTPUTS_TO_REGION, *output_window)
    if len(inputs) > 0xFFFF:
        raise InvalidArgumentError(f"{len(inputs)} inputs, the most is 65535")
    out.add("<H", len(inputs))
    for name, tensor in inputs.items():
        dtype, shape, data = tensor
        _encode_descriptor(out, name, dtype, shape, data)
    outputs = list(outputs or ())
    out.add("<H", len(outputs))
    for name in outputs:
        out.string(name, f"output name {name[:40]!r}")
    return out.finish()


def encode_infer_reply(queue_us, compute_us, outputs):
    """An INFER reply body (what the server sends); OUTPUTS: {name: (dtype, shape, data)} with
    data bytes-like or a RegionPlacement."""
    out = _Chunks()
    out.add("<qqH", queue_us, compute_us, len(outputs))
    for name, (dtype, shape, data) in outputs.items():
        _encode_descriptor(out, name, dtype, shape, data)
    return out.finish()


class _Reader:
    """Reads little-endian fields from a body, raising ERROR naming WHAT and the offset when a
    field runs past the end."""

    def __init__(self, body, what, error):
        self.view = memoryview(body).cast("B")
        self.offset = 0
        self.what = what
        self.error = error

    def fail(self, message):
        raise self.error(f"{self.what}: {message} (at byte {self.offset} of "
                         f"{len(self.view)})")

    def take(self, size, field):
        if size > len(self.view) - self.offset:
            self.fail(f"{field} needs {size} bytes, {len(self.view) - self.offset} are left")
        start = self.offset
        self.offset += size
        return self.view[start:self.offset]

    def unpack(self, fmt, field):
        layout = struct.Struct(fmt)
        return layout.unpack(self.take(layout.size, field))

    def string(self, field):
        (length,) = self.unpack("<H", f"{field} length")
        data = self.take(length, field)
        try:
            return str(data, "utf-8")
        except UnicodeDecodeError:
            self.offset -= length
            self.fail(f"{field} is not UTF-8")

    def finish(self):
        if self.offset != len(self.view):
            self.fail(f"{len(self.view) - self.offset} bytes after the last field")


def _decode_descriptor(reader, index, kind):
    where = f"{kind} {index}"
    name = reader.string(f"{where} name")
    where = f"{kind} '{name}'"
    code, rank = reader.unpack("<BB", f"{where} dtype and rank")
    dtype = DTYPES_BY_SMI_CODE.get(code)
    if dtype is None:
        reader.fail(f"{where}: unknown dtype code {code}")
    if rank > MAX_RANK:
        reader.fail(f"{where}: rank {rank}, the most is {MAX_RANK}")
    shape = reader.unpack(f"<{rank}q", f"{where} dims")
    if any(dim < 0 for dim in shape):
        reader.fail(f"{where}: negative dimension in {list(shape)}")
    (placement,) = reader.unpack("<B", f"{where} placement")
    if placement == PLACEMENT_INLINE:
        (length,) = reader.unpack("<Q", f"{where} length")
        data = reader.take(length, f"{where} data")
    elif placement == PLACEMENT_REGION:
        data = RegionPlacement(*reader.unpack("<IQQ", f"{where} region reference"))
        length = data.length
    else:
        reader.fail(f"{where}: unknown placement {placement}")
    expected = element_count(shape) * dtype.itemsize
    if dtype.itemsize and length != expected:
        reader.fail(f"{where}: {dtype.name} {list(shape)} needs {expected} bytes, the "
                    f"descriptor says {length}")
    if not dtype.itemsize and length < 4 * element_count(shape):
        reader.fail(f"{where}: BYTES {list(shape)} needs at least {4 * element_count(shape)} "
                    f"bytes, the descriptor says {length}")
    return Descriptor(name, dtype.name, tuple(shape), data)


def decode_infer_request(body, error=InvalidArgumentError):
    """An INFER request body -> InferRequest (inputs: list of Descriptor)."""
    reader = _Reader(body, "IPC INFER request", error)
    model = reader.string("model id")
    (flags,) = reader.unpack("<I", "flags")
    window = reader.unpack("<IQQ", "output window") if flags & OUTPUTS_TO_REGION else None
    (count,) = reader.unpack("<H", "input count")
    inputs = [_decode_descriptor(reader, index, "input") for index in range(count)]
    (count,) = reader.unpack("<H", "output count")
    outputs = [reader.string(f"output name {index}") for index in range(count)]
    reader.finish()
    return InferRequest(model, flags, window, inputs, outputs)


def decode_infer_reply(body, regions=None, error=TransportError):
    """An INFER reply body -> InferReply with outputs {name: Tensor}. Inline data stays a view of
    BODY; a region placement becomes a view of the region. REGIONS: {region id: buffer} of the
    regions outputs may be in; a reference to another region or outside one raises ERROR."""
    reader = _Reader(body, "IPC INFER reply", error)
    queue_us, compute_us, count = reader.unpack("<qqH", "times and output count")
    outputs = {}
    for index in range(count):
        descriptor = _decode_descriptor(reader, index, "output")
        data = descriptor.data
        where = f"output '{descriptor.name}'"
        if isinstance(data, RegionPlacement):
            region = (regions or {}).get(data.region)
            if region is None:
                reader.fail(f"{where} is in region {data.region}, which is not this request's "
                            f"output region")
            region = memoryview(region).cast("B")
            if data.offset > len(region) or data.length > len(region) - data.offset:
                reader.fail(f"{where}: bytes [{data.offset}, {data.offset + data.length}) are "
                            f"outside region {data.region} of {len(region)} bytes")
            data = region[data.offset:data.offset + data.length]
        if descriptor.name in outputs:
            reader.fail(f"{where} comes twice")
        if descriptor.dtype == "BYTES":
            try:
                split_bytes_elements(data, element_count(descriptor.shape), where)
            except InvalidArgumentError as bad:
                reader.fail(bad.message)
        outputs[descriptor.name] = Tensor(descriptor.dtype, descriptor.shape, data)
    reader.finish()
    return InferReply(queue_us, compute_us, outputs)
