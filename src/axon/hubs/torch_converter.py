"""Axon's PyTorch Hub converter: runs a hub repository's hubconf.py entry point with Debian's torch
and exports the model it builds. Axon embeds this file in its binary and runs it as
`/usr/bin/python3 -I torch_converter.py REQUEST.json` in a private working directory; it is not
meant to be run by hand.

The request (JSON):
  {"mode": "discover" | "convert",
   "repo_dir": folder holding hubconf.py,
   "entry": entry point name,
   "entry_kwargs": {...} or null (null: pretrained weights: weights="DEFAULT" when the entry takes
                   `weights`, pretrained=True when it takes `pretrained`, else no arguments),
   "torch_home": an empty folder (torch.hub's cache goes there, never the user's),
   "reply": where to write the reply,
   convert only:
   "weights": {url: local file} (downloaded and verified by Axon),
   "formats": ["onnx", "torchscript"] in the order to try,
   "input_shape": [batch, ...] or null (null: derived from the model's first layer),
   "out_dir": where the package and the probe go}

The reply (JSON), always written when the script gets that far (exit status 0):
  {"ok": true, "entries": [...], "weights": [{"url", "hash_prefix"}]}     discover: the weights the
      entry downloads first (none when it downloads nothing)
  {"ok": true, "entries": [...], "format": "onnx"|"torchscript", "files": [...], "reasons": [...],
   "probe": {"inputs": [TENSOR], "outputs": [TENSOR]}}                      convert; TENSOR is
      {"name", "dtype": "float32"|"int64", "shape", "file"} with raw little-endian data in `file`
      (under out_dir/probe); "reasons" says why earlier formats failed
  {"ok": false, "needs": {"url", "hash_prefix"}}     the entry downloads weights Axon did not give
  {"ok": false, "error": "...", "entries": [...], "reasons": [...], "unknown_entry": bool}

The network is off in here: socket connections raise, torch.hub's downloader hands out Axon's
verified files (or stops the entry to ask for one); nothing is fetched by this process.
"""

import json
import os
import shutil
import socket
import sys
import traceback

PROBE_EXPORT_BATCH = 2  # the batch the export traces with
PROBE_CHECK_BATCH = 3   # a different batch for the check: the batch dimension must be dynamic
RELATIVE_TOLERANCE = 1e-3
ABSOLUTE_TOLERANCE = 1e-4  # times max(1, the largest expected magnitude)


def refuse_network(*_args, **_kwargs):
    raise OSError("network access is disabled in Axon's PyTorch converter "
                  "(Axon downloads the weights an entry point asks for; nothing else)")


def block_network():
    socket.socket.connect = refuse_network
    socket.socket.connect_ex = refuse_network
    socket.create_connection = refuse_network
    socket.getaddrinfo = refuse_network


class NeedsWeights(BaseException):
    """Raised from torch.hub's downloader for a URL Axon has not fetched. A BaseException so that
    an entry point's `except Exception` fallback (random weights) cannot swallow it."""

    def __init__(self, url, hash_prefix):
        super().__init__(url)
        self.url = url
        self.hash_prefix = hash_prefix


class ConversionError(Exception):
    pass


def install_downloader(torch, weights):
    """torch.hub.download_url_to_file (looked up as a module global by load_state_dict_from_url)
    copies Axon's verified file for a known URL and stops the entry for any other."""

    def download_url_to_file(url, dst, hash_prefix=None, progress=True):
        local = weights.get(url)
        if local is None:
            raise NeedsWeights(url, hash_prefix)
        shutil.copyfile(local, dst)

    torch.hub.download_url_to_file = download_url_to_file


def import_hubconf(repo_dir):
    import importlib.util
    sys.path.insert(0, repo_dir)
    spec = importlib.util.spec_from_file_location("hubconf", os.path.join(repo_dir, "hubconf.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entry_points(module):
    # torch.hub.list's rule: the module's public callables.
    return sorted(name for name in dir(module)
                  if callable(getattr(module, name)) and not name.startswith("_"))


def check_dependencies(module):
    import importlib.util
    missing = [name for name in getattr(module, "dependencies", [])
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ConversionError("hubconf.py needs Python packages that are not installed: " +
                              ", ".join(missing) + " (Debian packages python3-<name>)")


def pretrained_kwargs(entry):
    import inspect
    try:
        parameters = inspect.signature(entry).parameters
    except (TypeError, ValueError):
        return {}
    if "weights" in parameters:
        return {"weights": "DEFAULT"}
    if "pretrained" in parameters:
        return {"pretrained": True}
    return {}


def build_model(torch, request, module):
    entry = getattr(module, request["entry"])
    kwargs = request.get("entry_kwargs")
    if kwargs is None:
        kwargs = pretrained_kwargs(entry)
    try:
        model = entry(**kwargs)
    except NeedsWeights:
        raise
    except Exception as error:  # the entry's own failure: its reason is the install's
        raise ConversionError(f"entry point {request['entry']}({format_kwargs(kwargs)}) raised " +
                              describe(error)) from error
    if not isinstance(model, torch.nn.Module):
        raise ConversionError(f"entry point {request['entry']} returned "
                              f"{type(model).__name__}, not a torch.nn.Module")
    return model.eval()


def format_kwargs(kwargs):
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def describe(error):
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


# -- inputs -------------------------------------------------------------------------------------

def derive_input(torch, model):
    """(shape with batch 1, dtype, high) from the first layer that takes the model's input."""
    nn = torch.nn
    for layer in model.modules():
        if isinstance(layer, nn.Conv1d):
            return [1, layer.in_channels, 224], torch.float32, None
        if isinstance(layer, nn.Conv2d):
            return [1, layer.in_channels, 224, 224], torch.float32, None
        if isinstance(layer, nn.Conv3d):
            return [1, layer.in_channels, 16, 112, 112], torch.float32, None
        if isinstance(layer, nn.Linear):
            return [1, layer.in_features], torch.float32, None
        if isinstance(layer, nn.Embedding):
            return [1, 32], torch.int64, layer.num_embeddings
    raise ConversionError("cannot tell the model's input shape from its layers (no Conv, Linear "
                          "or Embedding); set AXON_PYTORCH_INPUT_SHAPE, e.g. 1,3,224,224")


def probe_input(torch, shape, dtype, high, batch):
    generator = torch.Generator().manual_seed(batch)
    shape = [batch] + list(shape[1:])
    if dtype == torch.int64:
        return torch.randint(0, max(1, min(high or 1000, 1000)), shape, generator=generator)
    return torch.randn(shape, generator=generator)


def flatten_outputs(torch, value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [tensor for item in value for tensor in flatten_outputs(torch, item)]
    if isinstance(value, dict):
        return [tensor for item in value.values() for tensor in flatten_outputs(torch, item)]
    raise ConversionError(f"the model returns a {type(value).__name__}, not tensors")


def run_model(torch, model, example):
    with torch.no_grad():
        return [t.detach().contiguous() for t in flatten_outputs(torch, model(example))]


def reproduces(torch, expected, got):
    """None when GOT matches EXPECTED within the tolerance, else why not."""
    if len(expected) != len(got):
        return f"{len(got)} outputs instead of {len(expected)}"
    for index, (want, have) in enumerate(zip(expected, got)):
        if tuple(want.shape) != tuple(have.shape):
            return f"output {index} has shape {list(have.shape)} instead of {list(want.shape)}"
        if not want.is_floating_point():
            if not torch.equal(want, have):
                return f"output {index} differs"
            continue
        scale = max(1.0, float(want.abs().max())) if want.numel() else 1.0
        if not torch.allclose(have.float(), want.float(), rtol=RELATIVE_TOLERANCE,
                              atol=ABSOLUTE_TOLERANCE * scale):
            worst = float((have.float() - want.float()).abs().max())
            return f"output {index} differs from PyTorch's by up to {worst:.3g}"
    return None


def write_tensor(torch, directory, name, tensor):
    dtype = {torch.float32: "float32", torch.int64: "int64"}.get(tensor.dtype)
    if dtype is None:
        tensor, dtype = tensor.float(), "float32"
    path = os.path.join(directory, name + ".bin")
    with open(path, "wb") as out:
        out.write(tensor.contiguous().numpy().astype("<" + ("f4" if dtype == "float32" else "i8"))
                  .tobytes())
    return {"name": name, "dtype": dtype, "shape": list(tensor.shape), "file": path}


def output_names(count):
    return ["output"] if count == 1 else [f"output{i}" for i in range(count)]


# -- strategies ---------------------------------------------------------------------------------

def export_onnx(torch, model, example, check, expected, folder):
    """Exports to FOLDER/model.onnx (opset 17, dynamic batch); Axon checks it in its engine."""
    names = output_names(len(expected))
    axes = {name: {0: "batch"} for name in ["input"] + names}
    with torch.no_grad():
        torch.onnx.export(model, (example,), os.path.join(folder, "model.onnx"),
                          opset_version=17, input_names=["input"], output_names=names,
                          dynamic_axes=axes, do_constant_folding=True)


def export_torchscript(torch, model, example, check, expected, folder):
    """Saves FOLDER/model.pt (scripted, else traced), reloaded and checked here."""
    path = os.path.join(folder, "model.pt")
    reasons = []
    for how in ("script", "trace"):
        try:
            with torch.no_grad():
                module = torch.jit.script(model) if how == "script" else \
                    torch.jit.trace(model, example, strict=False, check_trace=False)
            module.save(path)
            reloaded = torch.jit.load(path)
            problem = reproduces(torch, expected, run_model(torch, reloaded, check))
            if problem is None:
                return
            reasons.append(f"{how}: {problem}")
        except Exception as error:
            reasons.append(f"{how}: {describe(error)}")
        if os.path.exists(path):
            os.remove(path)
    raise ConversionError("; ".join(reasons))


STRATEGIES = {"onnx": export_onnx, "torchscript": export_torchscript}


def convert(torch, request, module, reply):
    model = build_model(torch, request, module)
    if request.get("input_shape"):
        shape = list(request["input_shape"])
        dtype, high = torch.float32, None
    else:
        shape, dtype, high = derive_input(torch, model)
    example = probe_input(torch, shape, dtype, high, PROBE_EXPORT_BATCH)
    check = probe_input(torch, shape, dtype, high, PROBE_CHECK_BATCH)
    try:
        expected = run_model(torch, model, check)
    except Exception as error:
        raise ConversionError(f"the model fails on a probe input of shape {list(check.shape)} "
                              f"({describe(error)}); set AXON_PYTORCH_INPUT_SHAPE") from error
    out_dir = request["out_dir"]
    reasons = []
    for name in request["formats"]:
        folder = os.path.join(out_dir, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        try:
            STRATEGIES[name](torch, model, example, check, expected, folder)
        except Exception as error:
            reasons.append(f"{name}: {error if isinstance(error, ConversionError) else describe(error)}")
            shutil.rmtree(folder, ignore_errors=True)
            continue
        probe_dir = os.path.join(out_dir, "probe")
        shutil.rmtree(probe_dir, ignore_errors=True)
        os.makedirs(probe_dir)
        names = output_names(len(expected))
        reply.update(ok=True, format=name, files=sorted(
            os.path.relpath(os.path.join(base, file), folder)
            for base, _, files in os.walk(folder) for file in files),
            directory=folder, reasons=reasons, probe={
                "inputs": [write_tensor(torch, probe_dir, "input", check)],
                "outputs": [write_tensor(torch, probe_dir, n, t) for n, t in zip(names, expected)]})
        return
    reply.update(ok=False, error="no conversion worked", reasons=reasons)


def discover(torch, request, module, reply):
    try:
        build_model(torch, request, module)
        reply.update(ok=True, weights=[])
    except NeedsWeights as needed:
        reply.update(ok=True, weights=[{"url": needed.url, "hash_prefix": needed.hash_prefix}])


def main():
    with open(sys.argv[1]) as file:
        request = json.load(file)
    block_network()
    reply = {"ok": False, "entries": []}
    try:
        import torch
        import torch.hub
        torch.hub.set_dir(request["torch_home"])
        install_downloader(torch, request.get("weights", {}))
        module = import_hubconf(request["repo_dir"])
        reply["entries"] = entry_points(module)
        if request["entry"] not in reply["entries"]:
            reply.update(error=f"hubconf.py has no entry point {request['entry']}",
                         unknown_entry=True)
        else:
            check_dependencies(module)
            (discover if request["mode"] == "discover" else convert)(torch, request, module, reply)
    except NeedsWeights as needed:
        reply.update(ok=False, needs={"url": needed.url, "hash_prefix": needed.hash_prefix})
    except ConversionError as error:
        reply.update(ok=False, error=str(error))
    except Exception as error:
        reply.update(ok=False, error=describe(error))
    temporary = request["reply"] + ".tmp"
    with open(temporary, "w") as file:
        json.dump(reply, file)
    os.replace(temporary, request["reply"])


if __name__ == "__main__":
    main()
