"""What every MLOS client (HTTP, IPC, gRPC) shares: turning the caller's inputs into Tensors.

Inputs are a dict {name: value}; a value is anything tensors.to_tensor() takes. Python lists carry
no datatype, so for those the client asks the server for the model's metadata once and uses the
declared datatype of that input (cached per model until register()/delete() on this client).
"""

from .tensors import DTYPES, Tensor, to_tensor


def _carries_dtype(value):
    """Whether VALUE says its own datatype (else the model's declared one is used)."""
    if isinstance(value, Tensor):
        return True
    if isinstance(value, tuple):
        return len(value) == 3 and isinstance(value[0], str) and value[0] in DTYPES
    return not isinstance(value, (list, str, bytes, bytearray, int, float, bool))


class ClientBase:
    """Base of Client, IpcClient and GrpcClient; subclasses provide metadata(model)."""

    def __init__(self):
        self._declared_dtypes = {}  # model -> {input name: datatype}

    def metadata(self, model):
        raise NotImplementedError

    def _declared_inputs(self, model):
        if model not in self._declared_dtypes:
            self._declared_dtypes[model] = {tensor["name"]: tensor["datatype"]
                                            for tensor in self.metadata(model)["inputs"]}
        return self._declared_dtypes[model]

    def _forget_model(self, model=None):
        if model is None:
            self._declared_dtypes.clear()
        else:
            self._declared_dtypes.pop(model, None)

    def _to_tensors(self, model, inputs, passthrough=()):
        """{name: value} -> {name: Tensor}; values of a PASSTHROUGH type are kept as they are."""
        if not hasattr(inputs, "items"):
            raise TypeError(f"inputs must be a dict of input name -> value, not "
                            f"{type(inputs).__name__}")
        tensors = {}
        for name, value in inputs.items():
            if passthrough and isinstance(value, passthrough):
                tensors[name] = value
                continue
            declared = None
            if not _carries_dtype(value):
                declared = self._declared_inputs(model).get(name)
            tensors[name] = to_tensor(value, declared, f"input '{name}'")
        return tensors
