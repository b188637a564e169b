"""Publishes zoo models into the hub emulator (tests/hub_emulator) the way each hub serves them,
and says how `axon install` reaches them.

publish(model, fixtures, root, axon) writes the model's repository under ROOT, the emulator's
folder, and returns a Publication: the spec to install, the environment Axon needs for that hub,
and how the installed model's tensors are named when the hub renames them (PyTorch Hub entries
are converted by Axon, whose exports call their tensors `input` and `output`).

Every hub gets the same bytes the fixture factory exported (PyTorch Hub gets the architecture's
code and its weights), so every model is checked against the same torch reference.
"""

import dataclasses
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys

import zoo

ORG = "e2e-zoo"
REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
FIXTURE_FACTORY = REPOSITORY / "fixtures"
WEIGHTS_HOST = "download.pytorch.org"


@dataclasses.dataclass
class Publication:
    spec: str  # what `axon install` is given
    environment: dict  # environment variables Axon needs to reach this hub in the emulator
    config: dict = dataclasses.field(default_factory=dict)  # `axon config set` keys
    renames: dict = dataclasses.field(default_factory=dict)  # fixture tensor name -> served name


def repository_name(model):
    return model.name.replace("_", "-")


def fixture_file(fixtures, component):
    return pathlib.Path(fixtures) / component.fixture / "model.onnx"


def copy_into(folder, files):
    """FILES: {path in FOLDER: source path}."""
    for relative, source in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def model_files(model, fixtures):
    """{path in the repository: fixture file}: model.onnx, or one file per role."""
    if model.roles == ["single"]:
        return {"model.onnx": fixture_file(fixtures, model.components[0])}
    return {zoo.ROLE_FILES[component.role]: fixture_file(fixtures, component)
            for component in model.components}


def hf_config(model):
    """A config.json as Hugging Face repositories carry; Axon installs it beside the model."""
    return json.dumps({"architectures": [model.architecture], "model_type": model.name,
                       "e2e_task": model.task}, indent=2).encode()


def publish_hf(model, fixtures, root, url, _axon):
    folder = root / "hf" / ORG / repository_name(model) / "main"
    copy_into(folder, model_files(model, fixtures))
    (folder / "config.json").write_bytes(hf_config(model))
    return Publication(f"hf/{ORG}/{repository_name(model)}", {"HF_ENDPOINT": url})


def publish_modelscope(model, fixtures, root, url, _axon):
    folder = root / "modelscope" / ORG / repository_name(model) / "master"
    copy_into(folder, model_files(model, fixtures))
    (folder / "configuration.json").write_bytes(hf_config(model))
    return Publication(f"modelscope/{ORG}/{repository_name(model)}", {"MODELSCOPE_DOMAIN": url})


def publish_kaggle(model, fixtures, root, url, _axon):
    folder = root / "kaggle" / ORG / repository_name(model) / "onnx" / "default" / "1"
    copy_into(folder, model_files(model, fixtures))
    return Publication(f"kaggle/{ORG}/{repository_name(model)}/onnx/default",
                       {"KAGGLE_API_ENDPOINT": url})


def publish_tfhub(model, fixtures, root, url, _axon):
    folder = root / "tfhub" / ORG / repository_name(model) / "1"
    copy_into(folder, model_files(model, fixtures))
    return Publication(f"tfhub/{ORG}/{repository_name(model)}/1",
                       {"TFHUB_ENDPOINT": url + "/tfhub"})


def publish_registry(model, fixtures, root, url, axon):
    """A package made by Axon itself (install, then export), served by the registry protocol."""
    name = repository_name(model)
    spec = f"{ORG}/{name}@1.0"
    staging = root.parent / "registry-publisher"
    axon.check("install", fixture_file(fixtures, model.components[0]), "--as", spec,
               home=staging / "home")
    package = staging / name
    axon.check("export", spec, package, home=staging / "home")
    target = root / "registry" / ORG / name / "1.0"
    shutil.copytree(package, target)
    return Publication(spec, {}, config={"registry.url": url + "/"})


# The PyTorch Hub repository: the fixture factory's own architecture code, with an entry point
# that loads the published weights, as torchvision's hubconf does.
HUBCONF = '''"""e2e zoo: {architecture}, built by the fixture factory's architecture code."""

dependencies = ["torch", "torchvision"]

from torch.hub import load_state_dict_from_url

import vision


def {entry}(weights=None, progress=True):
    model = vision.{builder}()
    if weights is not None:
        model.load_state_dict(load_state_dict_from_url("{url}", progress=progress,
                                                       check_hash=True))
    return model.eval()
'''

WEIGHTS_SCRIPT = '''
import sys
import torch
sys.path.insert(0, sys.argv[1])
import make_fixtures
table = make_fixtures.REAL_FIXTURES if sys.argv[3] == "real" else make_fixtures.FIXTURES
fixture = table[sys.argv[2]]()
torch.save(fixture.module.state_dict(), sys.argv[4])
'''


def publish_pytorch(model, fixtures, root, url, _axon, real=False, python=sys.executable):
    """MODEL (an image classifier in fixtures/architectures/vision.py) as an entry point whose
    weights are the fixture's own: the same seed builds the same module, so torch's outputs in
    the fixture's data sets are its reference too."""
    component = model.components[0]
    builder = component.architecture if real else f"tiny_{component.architecture}"
    weights = root / "weights.pth"
    made = subprocess.run([python, "-c", WEIGHTS_SCRIPT, str(FIXTURE_FACTORY), component.fixture,
                           "real" if real else "tiny", str(weights)],
                          capture_output=True, text=True, timeout=600)
    if made.returncode != 0:
        raise RuntimeError(f"building {component.architecture}'s weights with the fixture "
                           f"factory failed: {made.stderr.strip()[-2000:]}")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    file_name = f"{component.architecture}-{digest[:8]}.pth"
    weights_folder = root / "pytorch" / "_weights" / WEIGHTS_HOST / "models"
    weights_folder.mkdir(parents=True, exist_ok=True)
    weights.rename(weights_folder / file_name)

    name = repository_name(model)
    folder = root / "pytorch" / ORG / name / "main"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURE_FACTORY / "architectures" / "vision.py", folder / "vision.py")
    (folder / "hubconf.py").write_text(HUBCONF.format(
        architecture=model.architecture, entry=component.architecture, builder=builder,
        url=f"https://{WEIGHTS_HOST}/models/{file_name}"))
    sample = image_shape(fixtures, component)
    return Publication(
        f"pytorch/{ORG}/{name}/{component.architecture}",
        {"AXON_PYTORCH_GITHUB_ENDPOINT": url + "/github.com",
         "AXON_PYTORCH_GITHUB_API_ENDPOINT": url + "/api.github.com",
         "AXON_PYTORCH_WEIGHTS_MIRROR": url + "/_weights",
         "AXON_PYTORCH_INPUT_SHAPE": ",".join(map(str, [1, *sample[1:]]))},
        renames={"pixel_values": "input", "logits": "output"})


def image_shape(fixtures, component):
    """The shape of the fixture's first data set's pixel_values."""
    import onnx

    proto = onnx.load_tensor(str(pathlib.Path(fixtures) / component.fixture / "test_data_set_0" /
                                 "input_0.pb"))
    return list(proto.dims)


PUBLISHERS = {"hf": publish_hf, "modelscope": publish_modelscope, "kaggle": publish_kaggle,
              "tfhub": publish_tfhub, "registry": publish_registry, "pytorch": publish_pytorch}


def publish(model, fixtures, root, url, axon, real):
    publisher = PUBLISHERS[model.hub]
    if publisher is publish_pytorch:
        return publisher(model, fixtures, root, url, axon, real=real)
    return publisher(model, fixtures, root, url, axon)
