"""Axon's local-registry protocol v1 (docs/axon.md, "A local registry") for the hub emulator,
over DIR/registry:

  DIR/registry/<ns>/<name>/<version>/manifest.yaml   the package's manifest
  DIR/registry/<ns>/<name>/<version>/<files>         the files it lists (nested folders allowed)
  DIR/registry/<ns>/<name>/<version>/package.axon    optional: the whole package as one archive
  DIR/registry/<ns>/<name>/model.json                optional: {"latest": "1.0",
                                                     "description": "...", "task": "...",
                                                     "downloads": 0} for the index and "latest"
                                                     (default: the last version folder by name)

Routes (class LocalRegistry):
  GET      /v1/models/<ns>/<name>/<version>/manifest.yaml   <version> may be "latest"
  GET|HEAD /v1/models/<ns>/<name>/<version>/files/<path>    Range, faults "registry/<ns>/<name>/<path>"
  GET|HEAD /v1/models/<ns>/<name>/<version>/package.axon    Range, faults "registry/<ns>/<name>/package.axon"
  GET      /v1/index.json                                   {"models": [{"id", "latest", "versions",
                                                            "description", "task", "format",
                                                            "downloads"}]}
Files are served whatever the manifest says, so tests can publish a manifest that lies.
"""

import json
import re
import urllib.parse


class LocalRegistry:
    MODEL = re.compile(r"^/v1/models/([^/]+)/(.+?)/([^/]+)/(manifest\.yaml|package\.axon|files/.+)$")

    def __init__(self, emulator):
        self.emulator = emulator
        self.root = emulator.root / "registry"

    def handle(self, request, path):
        if path == "/v1/index.json" and request.command == "GET":
            request.send_json(200, {"models": self.index()})
            return True
        match = self.MODEL.match(path)
        if not match or request.command not in ("GET", "HEAD"):
            return False
        namespace, name, version, rest = (urllib.parse.unquote(part) for part in match.groups())
        folder = self.version_folder(namespace, name, version)
        if folder is None:
            request.send_json(404, {"error": f"no model {namespace}/{name}@{version}"})
            return True
        relative = rest[len("files/"):] if rest.startswith("files/") else rest
        target = (folder / relative).resolve()
        if folder.resolve() not in target.parents or not target.is_file():
            request.send_json(404, {"error": f"no file {relative} in {namespace}/{name}@{version}"})
            return True
        if rest == "manifest.yaml":
            request.send_reply(200, {"Content-Type": "application/yaml"}, target.read_bytes())
            return True
        request.send_content(target.read_bytes(), {"ETag": f'"{folder.name}/{relative}"'},
                             f"registry/{namespace}/{name}/{relative}")
        return True

    # -- layout ------------------------------------------------------------------------------

    def model_folders(self):
        """Every DIR/registry/<ns>/<name> holding a version folder with a manifest."""
        if not self.root.is_dir():
            return []
        return sorted({manifest.parent.parent for manifest in self.root.glob("*/**/manifest.yaml")
                       if len(manifest.parent.parent.relative_to(self.root).parts) >= 2})

    def model_info(self, model_folder):
        info_file = model_folder / "model.json"
        info = json.loads(info_file.read_text()) if info_file.is_file() else {}
        versions = sorted(child.name for child in model_folder.iterdir()
                          if (child / "manifest.yaml").is_file())
        info.setdefault("latest", versions[-1] if versions else None)
        info["versions"] = versions
        return info

    def version_folder(self, namespace, name, version):
        model_folder = self.root / namespace / name
        if ".." in (namespace, name, version) or not model_folder.is_dir():
            return None
        if version == "latest":
            version = self.model_info(model_folder)["latest"]
            if version is None:
                return None
        folder = model_folder / version
        return folder if (folder / "manifest.yaml").is_file() else None

    def index(self):
        models = []
        for model_folder in self.model_folders():
            info = self.model_info(model_folder)
            manifest = (model_folder / info["latest"] / "manifest.yaml").read_text()
            found = re.search(r"execution_format:\s*\"?([A-Za-z0-9_]+)", manifest)
            models.append({"id": model_folder.relative_to(self.root).as_posix(),
                           "latest": info["latest"], "versions": info["versions"],
                           "description": info.get("description", ""),
                           "task": info.get("task", ""),
                           "format": found.group(1) if found else "",
                           "downloads": info.get("downloads", 0)})
        return models
