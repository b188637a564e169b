"""MLOS client for Python: mlos-core over HTTP (MLOS API and KServe v2 REST), local IPC (Unix
socket, shared memory) and KServe v2 gRPC, with one surface for all of them:

    health(), models(), metadata(model), load(model), unload(model), register(model_id, path, ...),
    infer(model, {input name: value}, outputs=None) -> {output name: Tensor}

Client and IpcClient need only the standard library (numpy is used when it is importable);
GrpcClient needs the `grpc` and `protobuf` packages. Failures raise MlosError subclasses
(mlos_client.errors) carrying the server's message and status.
"""

from .errors import (AlreadyExistsError, InternalError, InvalidArgumentError, MlosError,
                     NotFoundError, OutOfMemoryError, TooLargeError, TransportError,
                     UnavailableError, UnsupportedError)
from .http_client import Client
from .ipc_client import IpcClient, Region, RegionTensor
from .tensors import DTYPES, Tensor, to_tensor

__version__ = "0.1.0"


def __getattr__(name):
    # GrpcClient is imported on first use: it needs grpc, which the other clients do not.
    if name == "GrpcClient":
        from .grpc_client import GrpcClient
        return GrpcClient
    raise AttributeError(f"module 'mlos_client' has no attribute {name!r}")


__all__ = ["Client", "IpcClient", "GrpcClient", "Region", "RegionTensor", "Tensor", "DTYPES",
           "to_tensor", "MlosError", "InvalidArgumentError", "NotFoundError",
           "AlreadyExistsError", "UnavailableError", "OutOfMemoryError", "InternalError",
           "UnsupportedError", "TooLargeError", "TransportError"]
