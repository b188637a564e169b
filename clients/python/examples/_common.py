"""Shared by the examples: make mlos_client importable from this source tree, and build an input
of the shape a model declares (dynamic dimensions as 1) from its metadata."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from mlos_client import DTYPES, Tensor  # noqa: E402
from mlos_client.tensors import element_count, pack_values  # noqa: E402


def example_inputs(metadata):
    """{input name: Tensor} of the declared dtypes and shapes, values 0, 1, 2, ... (mod 100)."""
    inputs = {}
    for spec in metadata["inputs"]:
        shape = [1 if dim < 0 else dim for dim in spec["shape"]]
        count = element_count(shape)
        dtype = spec["datatype"]
        if dtype == "BYTES":
            values = [f"text {index}" for index in range(count)]
        elif dtype == "BOOL":
            values = [index % 2 == 1 for index in range(count)]
        elif DTYPES[dtype].struct_char in ("f", "d", "e", None):
            values = [(index % 100) / 100 for index in range(count)]
        else:
            values = [index % 100 for index in range(count)]
        inputs[spec["name"]] = Tensor(dtype, shape, pack_values(dtype, values))
    return inputs


def print_outputs(outputs):
    for name, tensor in outputs.items():
        values = tensor.flat()
        shown = ", ".join(f"{value:.6g}" if isinstance(value, float) else repr(value)
                          for value in values[:8])
        more = ", ..." if len(values) > 8 else ""
        print(f"{name} {tensor.dtype} {list(tensor.shape)}: [{shown}{more}]")
