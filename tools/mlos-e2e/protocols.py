"""The protocols the system test calls MLOS Core over, each through the project's Python client
(clients/python): MLOS HTTP, KServe HTTP with JSON and with binary tensors, KServe gRPC and local
IPC. A protocol the server or this machine cannot speak is reported with the reason, never
skipped silently.
"""

import dataclasses
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients" / "python"))

import mlos_client  # noqa: E402

NAMES = ("mlos-http", "kserve-json", "kserve-binary", "grpc", "ipc")
LABELS = {"mlos-http": "MLOS HTTP", "kserve-json": "KServe HTTP JSON",
          "kserve-binary": "KServe HTTP binary", "grpc": "KServe gRPC", "ipc": "IPC"}
HTTP_PROTOCOLS = {"mlos-http": "mlos", "kserve-json": "kserve-json",
                  "kserve-binary": "kserve-binary"}


@dataclasses.dataclass
class Endpoint:
    name: str
    available: bool
    note: str = ""
    client: object = None

    def infer(self, model_id, inputs):
        """{output name: (datatype, numpy array)} of MODEL_ID on INPUTS ({name: numpy array})."""
        if self.name in HTTP_PROTOCOLS:
            outputs = self.client.infer(model_id, inputs, protocol=HTTP_PROTOCOLS[self.name])
        else:
            outputs = self.client.infer(model_id, inputs)
        return {name: (tensor.dtype, tensor.numpy()) for name, tensor in outputs.items()}

    def describe(self):
        return {"name": self.name, "label": LABELS[self.name], "available": self.available,
                "note": self.note}

    def close(self):
        if self.client is not None and hasattr(self.client, "close"):
            self.client.close()


def connect(http_url, grpc_target, ipc_path, apis):
    """An Endpoint per protocol of NAMES. APIS: what the server's /stats says is up."""
    endpoints = []
    for name in NAMES:
        api = {"mlos-http": "mlos-http", "grpc": "grpc", "ipc": "ipc"}.get(name, "kserve-http")
        if apis.get(api) != "up":
            endpoints.append(Endpoint(name, False, f"the server reports {api} as "
                                                   f"{apis.get(api, 'absent')}"))
            continue
        try:
            if name in HTTP_PROTOCOLS:
                client = mlos_client.Client(http_url, timeout=600)
            elif name == "grpc":
                client = mlos_client.GrpcClient(grpc_target, timeout=600)
            else:
                client = mlos_client.IpcClient(ipc_path, timeout=600)
        except (ImportError, OSError, mlos_client.MlosError) as error:
            endpoints.append(Endpoint(name, False, f"the client cannot connect: {error}"))
            continue
        endpoints.append(Endpoint(name, True, "", client))
    return endpoints
