"""The KServe v2 gRPC message classes for GrpcClient, generated from mlos-core's own .proto.

mlos-core's service definition is src/core/api/grpc/grpc_predict_v2.proto (package `inference`).
This module finds it (the `proto_dir` argument, else $MLOS_GRPC_PROTO_DIR, else the copy a wheel
built from the repository carries in mlos_client/proto/, else the repository beside this source
tree), runs protoc on it once (the `protoc` program, or grpc_tools when installed) into a cache
directory named by the file's SHA-256 ($XDG_CACHE_HOME or ~/.cache, then mlos_client/), and
imports the generated grpc_predict_v2_pb2 module from there. Nothing is downloaded.
"""

import hashlib
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from .errors import UnsupportedError

PROTO_NAME = "grpc_predict_v2.proto"
_PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
_loaded = {}  # proto SHA-256 -> module


def find_proto(proto_dir=None):
    """The path of grpc_predict_v2.proto; UnsupportedError listing where it looked if none."""
    candidates = []
    if proto_dir is not None:
        candidates.append(pathlib.Path(proto_dir))
    if os.environ.get("MLOS_GRPC_PROTO_DIR"):
        candidates.append(pathlib.Path(os.environ["MLOS_GRPC_PROTO_DIR"]))
    candidates += [_PACKAGE_DIR / "proto", _PACKAGE_DIR.parents[2] / "src/core/api/grpc"]
    for directory in candidates:
        if (directory / PROTO_NAME).is_file():
            return directory / PROTO_NAME
    raise UnsupportedError(f"GrpcClient needs mlos-core's {PROTO_NAME}; it is not in "
                           f"{', '.join(str(directory) for directory in candidates)} (pass "
                           f"proto_dir= or set MLOS_GRPC_PROTO_DIR)")


def _run_protoc(proto, out_dir):
    arguments = [f"-I{proto.parent}", f"--python_out={out_dir}", str(proto)]
    protoc = shutil.which("protoc")
    if protoc is not None:
        result = subprocess.run([protoc, *arguments], capture_output=True, text=True)
        failure = result.stderr if result.returncode else None
    else:
        try:
            from grpc_tools import protoc as grpc_tools_protoc
        except ImportError:
            raise UnsupportedError("GrpcClient needs protoc (Debian: protobuf-compiler) or the "
                                   "grpcio-tools package to generate its message classes") \
                from None
        failure = None if grpc_tools_protoc.main(["protoc", *arguments]) == 0 else "failed"
    if failure is not None:
        raise UnsupportedError(f"protoc could not compile {proto}: {failure}")


def load_messages(proto_dir=None):
    """The generated grpc_predict_v2_pb2 module (compiled on first use, then cached)."""
    proto = find_proto(proto_dir)
    digest = hashlib.sha256(proto.read_bytes()).hexdigest()[:16]
    if digest in _loaded:
        return _loaded[digest]
    cache_root = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache")
    out_dir = cache_root / "mlos_client" / f"grpc-{digest}"
    module_path = out_dir / "grpc_predict_v2_pb2.py"
    if not module_path.is_file():
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = pathlib.Path(tempfile.mkdtemp(prefix="grpc-", dir=out_dir.parent))
        try:
            _run_protoc(proto, staging)
            try:
                staging.rename(out_dir)  # atomic: a concurrent process may have won the race
            except OSError:
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    name = f"mlos_client_grpc_predict_v2_pb2_{digest}"
    spec = importlib.util.spec_from_file_location(name, module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _loaded[digest] = module
    return module
