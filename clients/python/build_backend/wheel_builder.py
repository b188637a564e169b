"""A PEP 517 build backend for mlos-client with nothing but the standard library: it zips the
mlos_client package into a pure-Python wheel (or an sdist, or an editable wheel whose .pth file
points at this source tree). Metadata comes from pyproject.toml's [project] table.
"""

import base64
import hashlib
import io
import pathlib
import re
import tarfile
import zipfile

try:
    import tomllib
except ImportError:  # Python < 3.11: the [project] table's plain "key = value" strings suffice
    tomllib = None

SOURCE = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "mlos_client"


def _project():
    if tomllib is not None:
        with open(SOURCE / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]
    text = (SOURCE / "pyproject.toml").read_text().split("[project]", 1)[1].split("\n[", 1)[0]
    return dict(re.findall(r'^([\w-]+) = "([^"]*)"$', text, re.MULTILINE))


def _dist_name(project):
    return f"{project['name'].replace('-', '_')}-{project['version']}"


def _metadata(project):
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project['description']}",
             f"Requires-Python: {project['requires-python']}"]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {requirement}; extra == "{extra}"'
                  for requirement in requirements]
    readme = SOURCE / project.get("readme", "README.md")
    text = "\n".join(lines) + "\n"
    if readme.exists():
        text += "Description-Content-Type: text/markdown\n\n" + readme.read_text()
    return text


# mlos-core's gRPC service definition, which GrpcClient compiles at run time: a package built
# from the repository carries it as mlos_client/proto/ (grpc_messages.py looks there).
GRPC_PROTO = SOURCE.parents[1] / "src" / "core" / "api" / "grpc" / "grpc_predict_v2.proto"


def _package_files():
    for path in sorted((SOURCE / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path, path.relative_to(SOURCE).as_posix()
    if GRPC_PROTO.is_file():
        yield GRPC_PROTO, f"{PACKAGE}/proto/{GRPC_PROTO.name}"


def _write_wheel(directory, files):
    """FILES: [(name in the wheel, bytes)]; adds the dist-info and RECORD, returns the name."""
    project = _project()
    dist = _dist_name(project)
    info = f"{dist}.dist-info"
    files = list(files) + [
        (f"{info}/METADATA", _metadata(project).encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: mlos-client wheel_builder\n"
                          b"Root-Is-Purelib: true\nTag: py3-none-any\n")]
    record = []
    wheel_name = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(pathlib.Path(directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files:
            wheel.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{name},sha256={digest.decode()},{len(data)}")
        record.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel_name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(name, path.read_bytes())
                                          for path, name in _package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(f"{PACKAGE}.pth", f"{SOURCE}\n".encode())])


def build_sdist(sdist_directory, config_settings=None):
    dist = _dist_name(_project())
    name = f"{dist}.tar.gz"
    with tarfile.open(pathlib.Path(sdist_directory) / name, "w:gz") as archive:
        for relative in ("pyproject.toml", "README.md", "build_backend/wheel_builder.py"):
            if (SOURCE / relative).exists():
                archive.add(SOURCE / relative, f"{dist}/{relative}")
        for path, relative in _package_files():
            archive.add(path, f"{dist}/{relative}")
        info = tarfile.TarInfo(f"{dist}/PKG-INFO")
        data = _metadata(_project()).encode()
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return name
