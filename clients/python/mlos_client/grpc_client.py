"""GrpcClient: mlos-core over KServe v2 gRPC (inference.GRPCInferenceService, default port 8081).

    client = GrpcClient("127.0.0.1:8081")
    outputs = client.infer("local/mlp@1", {"input": numpy.zeros((1, 16), numpy.float32)})

Needs the `grpc` package (Debian: python3-grpcio, which brings protobuf) and protoc or grpcio-tools
to generate the message classes from mlos-core's .proto (grpc_messages.py). Inputs travel as
`raw_input_contents` (the SMI/Triton byte layout); outputs are read from `raw_output_contents`, or
from typed `contents` when a server sends those. The surface is Client's; what KServe gRPC does
not have differs: models() is the repository index ({"name", "version", "state", "reason"} per
model) and register() raises UnsupportedError (register over HTTP or IPC).
"""

import grpc

from .base import ClientBase
from .errors import InvalidArgumentError, TransportError, UnsupportedError, grpc_error
from .grpc_messages import load_messages
from .tensors import Tensor, element_count, pack_values

SERVICE = "/inference.GRPCInferenceService/"
# Where typed `contents` keep each datatype (FP16, BF16 have no typed field: raw only).
_CONTENTS_FIELDS = {"BOOL": "bool_contents", "INT8": "int_contents", "INT16": "int_contents",
                    "INT32": "int_contents", "INT64": "int64_contents", "UINT8": "uint_contents",
                    "UINT16": "uint_contents", "UINT32": "uint_contents",
                    "UINT64": "uint64_contents", "FP32": "fp32_contents", "FP64": "fp64_contents",
                    "BYTES": "bytes_contents"}
_METHODS = {"ServerLive": ("ServerLiveRequest", "ServerLiveResponse"),
            "ServerReady": ("ServerReadyRequest", "ServerReadyResponse"),
            "ServerMetadata": ("ServerMetadataRequest", "ServerMetadataResponse"),
            "ModelReady": ("ModelReadyRequest", "ModelReadyResponse"),
            "ModelMetadata": ("ModelMetadataRequest", "ModelMetadataResponse"),
            "ModelInfer": ("ModelInferRequest", "ModelInferResponse"),
            "ModelStatistics": ("ModelStatisticsRequest", "ModelStatisticsResponse"),
            "RepositoryIndex": ("RepositoryIndexRequest", "RepositoryIndexResponse"),
            "RepositoryModelLoad": ("RepositoryModelLoadRequest", "RepositoryModelLoadResponse"),
            "RepositoryModelUnload": ("RepositoryModelUnloadRequest",
                                      "RepositoryModelUnloadResponse")}


def _tensor_metadata(tensors):
    return [{"name": tensor.name, "datatype": tensor.datatype, "shape": list(tensor.shape)}
            for tensor in tensors]


class GrpcClient(ClientBase):
    """mlos-core over gRPC at TARGET ("host:port", or "grpc://host:port"). TIMEOUT: seconds per
    call; PROTO_DIR: where grpc_predict_v2.proto is, when it is not found by itself."""

    def __init__(self, target="127.0.0.1:8081", timeout=60.0, proto_dir=None):
        super().__init__()
        self.target = target.split("://", 1)[-1]
        self.timeout = timeout
        self.messages = load_messages(proto_dir)
        unlimited = [("grpc.max_send_message_length", -1),
                     ("grpc.max_receive_message_length", -1)]
        self.channel = grpc.insecure_channel(self.target, options=unlimited)
        self._stubs = {}
        for method, (request, response) in _METHODS.items():
            self._stubs[method] = self.channel.unary_unary(
                SERVICE + method,
                request_serializer=getattr(self.messages, request).SerializeToString,
                response_deserializer=getattr(self.messages, response).FromString)

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, method, **fields):
        request = getattr(self.messages, _METHODS[method][0])(**fields)
        try:
            return self._stubs[method](request, timeout=self.timeout)
        except grpc.RpcError as error:
            code = error.code()
            if code in (grpc.StatusCode.UNAVAILABLE,) and "connect" in (error.details() or ""):
                raise TransportError(f"gRPC {method} at {self.target}: {error.details()}",
                                     code.name, "grpc") from None
            raise grpc_error(code.name, error.details() or code.name) from None

    # --- the common surface -----------------------------------------------------------------

    def health(self):
        """{"live", "ready", "version"}."""
        live = self._call("ServerLive").live
        ready = self._call("ServerReady").ready
        return {"live": live, "ready": ready, "version": self._call("ServerMetadata").version}

    def models(self):
        """The repository index: [{"name", "version", "state", "reason"}]."""
        return [{"name": model.name, "version": model.version, "state": model.state,
                 "reason": model.reason} for model in self._call("RepositoryIndex").models]

    def metadata(self, model):
        """KServe v2 model metadata: {"name", "versions", "platform", "inputs", "outputs"}."""
        reply = self._call("ModelMetadata", name=model)
        return {"name": reply.name, "versions": list(reply.versions), "platform": reply.platform,
                "inputs": _tensor_metadata(reply.inputs),
                "outputs": _tensor_metadata(reply.outputs)}

    def ready(self, model):
        return self._call("ModelReady", name=model).ready

    def load(self, model):
        """Loads MODEL and waits until it is ready: {"model", "state"}."""
        self._call("RepositoryModelLoad", model_name=model)
        return {"model": model, "state": "ready"}

    def unload(self, model):
        """Unloads MODEL after its requests in flight: {"model", "state"}."""
        self._call("RepositoryModelUnload", model_name=model)
        return {"model": model, "state": "unloaded"}

    def register(self, model_id, path, **fields):
        raise UnsupportedError("KServe v2 gRPC has no model registration; register with Client "
                               "(HTTP) or IpcClient", "UNIMPLEMENTED", "grpc")

    def statistics(self, model=""):
        return self._call("ModelStatistics", name=model)

    def infer(self, model, inputs, outputs=None):
        """Runs MODEL on INPUTS ({name: value}); returns {output name: Tensor}, the OUTPUTS named
        (in that order) or all of them in declared order."""
        tensors = self._to_tensors(model, inputs)
        request = self.messages.ModelInferRequest(model_name=model)
        for name, tensor in tensors.items():
            request.inputs.add(name=name, datatype=tensor.dtype, shape=tensor.shape)
            request.raw_input_contents.append(bytes(tensor.data))
        for name in outputs or ():
            request.outputs.add(name=name)
        try:
            reply = self._stubs["ModelInfer"](request, timeout=self.timeout)
        except grpc.RpcError as error:
            raise grpc_error(error.code().name, error.details() or error.code().name) from None
        return self._outputs(reply)

    @staticmethod
    def _outputs(reply):
        raw = list(reply.raw_output_contents)
        if raw and len(raw) != len(reply.outputs):
            raise TransportError(f"the reply has {len(reply.outputs)} outputs but "
                                 f"{len(raw)} raw_output_contents", None, "grpc")
        results = {}
        for index, output in enumerate(reply.outputs):
            shape = list(output.shape)
            if raw:
                results[output.name] = Tensor(output.datatype, shape, raw[index])
                continue
            field = _CONTENTS_FIELDS.get(output.datatype)
            if field is None:
                raise InvalidArgumentError(f"output '{output.name}': {output.datatype} came "
                                           f"without raw contents")
            values = list(getattr(output.contents, field))
            if len(values) != element_count(shape):
                raise TransportError(f"output '{output.name}': shape {shape} but "
                                     f"{len(values)} values", None, "grpc")
            results[output.name] = Tensor(output.datatype, shape,
                                          pack_values(output.datatype, values,
                                                      f"output '{output.name}'"))
        return results
