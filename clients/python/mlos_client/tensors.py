"""Tensors as the MLOS clients send and return them, with no dependency but the standard library.

A Tensor is (dtype, shape, data): `dtype` a KServe v2 datatype name ("FP32", "INT64", "BYTES",
...), `shape` a tuple of ints, `data` a bytes-like object holding the elements row-major and
little-endian in the SMI layout (BOOL one byte per element; BYTES, per element, a u32 length then
the bytes; BF16 the upper 16 bits of an IEEE float32). `data` may be a view (of a reply buffer or
of a shared-memory region) rather than a copy.

to_tensor() turns what callers pass as an input into a Tensor: a Tensor, a (dtype, shape, data)
tuple (data bytes-like, or a flat list of values), a numpy array (when numpy is importable), any
object with the buffer protocol (array.array, memoryview: its format gives the dtype), or nested
Python lists/scalars (their nesting gives the shape; the dtype is the one the model declares, else
guessed from the values). Tensor.tolist() and Tensor.numpy() turn results back into values.
"""

import struct
import sys

from .errors import InvalidArgumentError

_LITTLE_ENDIAN = sys.byteorder == "little"


class DType:
    """One datatype: KServe name, SMI code (include/mlos/smi.h), bytes per element (0: BYTES),
    struct format character (None: BF16, BYTES) and numpy dtype string (None: no numpy type)."""

    __slots__ = ("name", "smi_code", "itemsize", "struct_char", "numpy_name")

    def __init__(self, name, smi_code, itemsize, struct_char, numpy_name):
        self.name, self.smi_code, self.itemsize = name, smi_code, itemsize
        self.struct_char, self.numpy_name = struct_char, numpy_name

    def __repr__(self):
        return self.name


DTYPES = {dtype.name: dtype for dtype in (
    DType("FP32", 1, 4, "f", "<f4"), DType("UINT8", 2, 1, "B", "u1"),
    DType("INT8", 3, 1, "b", "i1"), DType("UINT16", 4, 2, "H", "<u2"),
    DType("INT16", 5, 2, "h", "<i2"), DType("INT32", 6, 4, "i", "<i4"),
    DType("INT64", 7, 8, "q", "<i8"), DType("BYTES", 8, 0, None, None),
    DType("BOOL", 9, 1, "?", "?"), DType("FP16", 10, 2, "e", "<f2"),
    DType("FP64", 11, 8, "d", "<f8"), DType("UINT32", 12, 4, "I", "<u4"),
    DType("UINT64", 13, 8, "Q", "<u8"), DType("BF16", 16, 2, None, None))}
DTYPES_BY_SMI_CODE = {dtype.smi_code: dtype for dtype in DTYPES.values()}

# memoryview/array format characters (native sizes, checked below) -> datatype names.
_FORMAT_DTYPES = {"f": "FP32", "d": "FP64", "e": "FP16", "b": "INT8", "B": "UINT8", "h": "INT16",
                  "H": "UINT16", "i": "INT32", "I": "UINT32", "l": None, "L": None, "q": "INT64",
                  "Q": "UINT64", "?": "BOOL", "c": "UINT8"}


def dtype_of(name):
    """The DType called NAME; InvalidArgumentError naming it if there is none."""
    try:
        return DTYPES[name]
    except (KeyError, TypeError):
        raise InvalidArgumentError(f"unknown datatype {name!r}; expected one of "
                                   f"{', '.join(DTYPES)}") from None


def element_count(shape):
    count = 1
    for dim in shape:
        count *= dim
    return count


def _numpy():
    try:
        import numpy
    except ImportError:
        return None
    return numpy


class Tensor:
    """A tensor: dtype (KServe name), shape (tuple of ints) and data (bytes-like, SMI layout).
    Unpacks as `dtype, shape, data = tensor`."""

    __slots__ = ("dtype", "shape", "data")

    def __init__(self, dtype, shape, data):
        self.dtype = dtype_of(dtype).name
        self.shape = tuple(int(dim) for dim in shape)
        if any(dim < 0 for dim in self.shape):
            raise InvalidArgumentError(f"shape {list(self.shape)} has a negative dimension")
        self.data = data
        expected = self.expected_nbytes()
        if expected is not None and len(memoryview(data).cast("B")) != expected:
            raise InvalidArgumentError(
                f"{self.dtype} {list(self.shape)} needs {expected} bytes, the data has "
                f"{memoryview(data).nbytes}")

    def expected_nbytes(self):
        """The byte size the dtype and shape need; None for BYTES (it depends on the elements)."""
        itemsize = DTYPES[self.dtype].itemsize
        return element_count(self.shape) * itemsize if itemsize else None

    @property
    def nbytes(self):
        return memoryview(self.data).nbytes

    def __iter__(self):
        return iter((self.dtype, self.shape, self.data))

    def __eq__(self, other):
        return (isinstance(other, Tensor) and self.dtype == other.dtype
                and self.shape == other.shape and bytes(self.data) == bytes(other.data))

    def __repr__(self):
        values = self.flat()
        shown = values[:8]
        more = ", ..." if len(values) > 8 else ""
        return f"Tensor({self.dtype}, {list(self.shape)}, [{', '.join(map(repr, shown))}{more}])"

    def flat(self):
        """The elements as a flat list of Python values (bytes for BYTES)."""
        return unpack_values(self.dtype, self.data, element_count(self.shape))

    def tolist(self):
        """The elements as nested lists in the tensor's shape (a scalar for rank 0)."""
        values = self.flat()
        return values[0] if not self.shape else _nest(values, self.shape)

    def numpy(self):
        """A numpy array of the tensor (a view of `data` where the layout allows; BF16 becomes
        float32, BYTES an object array of bytes). Needs numpy."""
        numpy = _numpy()
        if numpy is None:
            raise ImportError("Tensor.numpy() needs numpy; use tolist() or flat() without it")
        dtype = DTYPES[self.dtype]
        if dtype.numpy_name is not None:
            return numpy.frombuffer(self.data, dtype=dtype.numpy_name).reshape(self.shape)
        if self.dtype == "BF16":
            halves = numpy.frombuffer(self.data, dtype="<u2").astype("<u4") << 16
            return halves.view("<f4").reshape(self.shape)
        array = numpy.empty(element_count(self.shape), dtype=object)
        array[:] = self.flat()
        return array.reshape(self.shape)

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)


def _nest(values, shape):
    if len(shape) == 1:
        return list(values)
    step = element_count(shape[1:])
    return [_nest(values[index * step:(index + 1) * step], shape[1:]) for index in range(shape[0])]


def pack_values(dtype_name, values, where="tensor"):
    """A flat list of Python values -> bytes in the SMI layout of DTYPE_NAME. WHERE names the
    tensor in errors."""
    dtype = dtype_of(dtype_name)
    try:
        if dtype.name == "BYTES":
            parts = []
            for value in values:
                element = value.encode() if isinstance(value, str) else bytes(value)
                parts.append(struct.pack("<I", len(element)))
                parts.append(element)
            return b"".join(parts)
        if dtype.name == "BF16":
            words = struct.unpack(f"<{len(values)}I", struct.pack(f"<{len(values)}f", *values))
            return struct.pack(f"<{len(words)}H", *(_round_to_bf16(word) for word in words))
        if dtype.name == "BOOL":
            values = [_to_bool(value) for value in values]
        elif dtype.struct_char in "efd":
            values = [float("nan") if value is None else value for value in values]
        return struct.pack(f"<{len(values)}{dtype.struct_char}", *values)
    except (struct.error, TypeError, ValueError, OverflowError) as error:
        raise InvalidArgumentError(f"{where}: values do not fit {dtype.name}: {error}") from None


def _to_bool(value):
    if value in (0, 1) or isinstance(value, bool):
        return bool(value)
    raise ValueError(f"{value!r} is not a boolean (true/false/0/1)")


def _round_to_bf16(word):
    """The float32 bit pattern WORD rounded to its upper 16 bits, to nearest even (NaN kept)."""
    if (word & 0x7F800000) == 0x7F800000 and (word & 0x007FFFFF):
        return (word >> 16) | 0x0040
    return ((word + 0x7FFF + ((word >> 16) & 1)) >> 16) & 0xFFFF


def unpack_values(dtype_name, data, count):
    """COUNT elements of DTYPE_NAME from DATA (SMI layout) as a flat list of Python values."""
    dtype = dtype_of(dtype_name)
    view = memoryview(data).cast("B")
    if dtype.name == "BYTES":
        return split_bytes_elements(view, count)
    if dtype.name == "BF16":
        halves = struct.unpack(f"<{count}H", view)
        return list(struct.unpack(f"<{count}f",
                                  struct.pack(f"<{count}I", *(half << 16 for half in halves))))
    return list(struct.unpack(f"<{count}{dtype.struct_char}", view))


def split_bytes_elements(data, count, where="BYTES tensor"):
    """The COUNT elements of a BYTES tensor's data (u32 length + bytes each); the data must hold
    exactly those elements. InvalidArgumentError naming WHERE otherwise."""
    view = memoryview(data).cast("B")
    elements, offset = [], 0
    for index in range(count):
        if offset + 4 > len(view):
            raise InvalidArgumentError(f"{where}: element {index} of {count} has no length")
        (length,) = struct.unpack_from("<I", view, offset)
        offset += 4
        if offset + length > len(view):
            raise InvalidArgumentError(f"{where}: element {index} says {length} bytes, "
                                       f"{len(view) - offset} are left")
        elements.append(bytes(view[offset:offset + length]))
        offset += length
    if offset != len(view):
        raise InvalidArgumentError(f"{where}: {len(view) - offset} bytes after the {count} "
                                   f"elements")
    return elements


def _nested_shape_and_values(value, where):
    """Nested lists -> (shape, flat values); ragged nesting is an error naming the element."""
    shape = []
    probe = value
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    values = []

    def walk(item, depth, path):
        if depth == len(shape):
            if isinstance(item, (list, tuple)):
                raise InvalidArgumentError(f"{where}: element {path} is nested deeper than the "
                                           f"shape {shape} of the first elements")
            values.append(item)
            return
        if not isinstance(item, (list, tuple)) or len(item) != shape[depth]:
            raise InvalidArgumentError(f"{where}: element {path} is not a list of "
                                       f"{shape[depth]} (ragged nesting)")
        for index, child in enumerate(item):
            walk(child, depth + 1, path + [index])

    walk(value, 0, [])
    return tuple(shape), values


def _guess_dtype(values):
    if all(isinstance(value, bool) for value in values) and values:
        return "BOOL"
    if all(isinstance(value, (str, bytes, bytearray)) for value in values) and values:
        return "BYTES"
    if all(isinstance(value, int) for value in values):
        return "INT64"
    return "FP32"


def _from_numpy(array, numpy, where):
    if array.dtype.kind in "OSU":
        values = [value.encode() if isinstance(value, str) else bytes(value)
                  for value in array.reshape(-1).tolist()]
        return Tensor("BYTES", array.shape, pack_values("BYTES", values, where))
    names = {("f", 2): "FP16", ("f", 4): "FP32", ("f", 8): "FP64", ("i", 1): "INT8",
             ("i", 2): "INT16", ("i", 4): "INT32", ("i", 8): "INT64", ("u", 1): "UINT8",
             ("u", 2): "UINT16", ("u", 4): "UINT32", ("u", 8): "UINT64", ("b", 1): "BOOL"}
    name = names.get((array.dtype.kind, array.dtype.itemsize))
    if name is None:
        raise InvalidArgumentError(f"{where}: numpy dtype {array.dtype} has no MLOS datatype")
    array = numpy.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return Tensor(name, array.shape, memoryview(array.reshape(-1).view(numpy.uint8)))


def _from_buffer(view, where):
    fmt = view.format.lstrip("@=<")
    name = _FORMAT_DTYPES.get(fmt, "")
    if name is None:  # C long: its size depends on the platform
        name = "INT64" if view.itemsize == 8 else "INT32"
        if fmt == "L":
            name = "U" + name
    if not name or (view.format[0] not in "<" and not _LITTLE_ENDIAN):
        raise InvalidArgumentError(f"{where}: buffer format {view.format!r} has no MLOS datatype")
    if not view.c_contiguous:
        raise InvalidArgumentError(f"{where}: the buffer is not C-contiguous")
    return Tensor(name, view.shape, view.cast("B"))


def to_tensor(value, declared_dtype=None, where="tensor"):
    """VALUE as a Tensor (see the module comment). DECLARED_DTYPE (a datatype name) is used for
    Python values that carry no type of their own."""
    if isinstance(value, Tensor):
        return value
    if (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)
            and value[0] in DTYPES and isinstance(value[1], (list, tuple))):
        dtype, shape, data = value
        if isinstance(data, (list, tuple)):
            data = pack_values(dtype, list(data), where)
        return Tensor(dtype, shape, data)
    numpy = _numpy() if type(value).__module__ == "numpy" else None
    if numpy is not None:
        return _from_numpy(numpy.asarray(value), numpy, where)
    if not isinstance(value, (list, tuple, str, bytes, bytearray, int, float, bool)):
        try:
            view = memoryview(value)
        except TypeError:
            raise InvalidArgumentError(
                f"{where}: cannot make a tensor of a {type(value).__name__}; give a list, a "
                f"numpy array, a buffer or a (dtype, shape, data) tuple") from None
        return _from_buffer(view, where)
    shape, values = _nested_shape_and_values(value, where)
    dtype = declared_dtype or _guess_dtype(values)
    return Tensor(dtype, shape, pack_values(dtype, values, where))
