"""Kaggle Models and TF Hub routes for the hub emulator (hub_emulator.py): the Kaggle API v1 as
`kagglehub` calls it, and tfhub.dev's compressed download as tensorflow_hub fetches it (which
tfhub.dev now redirects to Kaggle's storage).

Layout:
  DIR/kaggle/<owner>/<model>/<framework>/<variation>/instance.json   optional:
        {"users": {"alice": "key"}}   with "consent": true, answers 401 without credentials and
                                      403 for credentials not listed (HTTP Basic user:key, or
                                      Bearer key)
        "top_folder": "name"          the archive holds everything under that folder
        "archive_extra": [{"name": "../evil.txt", "content": "x"}]   raw entries added to the
                                      archive (hostile-archive fixtures)
        "listing_extra": ["../../x"]  names added to the file listing only
        "single_file": true           a one-file version's download is the file, not an archive
  DIR/kaggle/<owner>/<model>/<framework>/<variation>/<version>/<files>  version 1, 2, ...
  DIR/tfhub/<publisher>/<model path...>/<version>/<files>             a TF Hub model version

Kaggle routes (class KaggleHub), under /api/v1/models/<owner>/<model>/<framework>/<variation>:
  GET /get                        {"versionNumber": newest, "slug", "framework", ...}
  GET /<version>/files            {"files": [{"name", "size"}], "nextPageToken": ""}
  GET /<version>/download         302 to /_kaggle_storage/<handle>/<version>/model.tar.gz
Errors: 404 {"code": 404, "message": ...} for an unknown instance or version; 401/403 above.
TF Hub route (class TfHub):
  GET|HEAD /tfhub/<publisher>/<model path...>/<version>?tf-hub-format=compressed
                                  302 to /_kaggle_storage/tfhub/<path>/<version>/model.tar.gz
Storage (no credentials needed, as a signed URL):
  GET|HEAD /_kaggle_storage/...   the tar.gz (gzip mtime 0, entries sorted, mtime 0: the same
                                  files give the same bytes), with Range and the faults of key
                                  "kaggle/<owner>/<model>/<framework>/<variation>/download" or
                                  "tfhub/<path>/<version>/download"
"""

import base64
import gzip
import io
import json
import re
import tarfile
import urllib.parse


def build_archive(files, top_folder="", extra=()):
    """A deterministic tar.gz of FILES ({path: bytes}) plus raw EXTRA entries."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar:
            entries = [((f"{top_folder}/{path}" if top_folder else path), data)
                       for path, data in sorted(files.items())]
            entries += [(entry["name"], entry.get("content", "").encode()) for entry in extra]
            for name, data in entries:
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), 0, 0o644
                tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def folder_files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class KaggleHub:
    API = re.compile(r"^/api/v1/models/([^/]+/[^/]+/[^/]+/[^/]+)/(get|(\d+)/files|(\d+)/download)$")
    STORAGE = re.compile(r"^/_kaggle_storage/(?!tfhub/)([^/]+/[^/]+/[^/]+/[^/]+)/(\d+)/model\.tar\.gz$")

    def __init__(self, emulator):
        self.emulator = emulator
        self.root = emulator.root / "kaggle"

    def handle(self, request, path):
        if request.command not in ("GET", "HEAD"):
            return False
        match = self.STORAGE.match(path)
        if match:
            self.storage(request, *match.groups())
            return True
        match = self.API.match(path)
        if not match:
            return False
        handle, route = match.group(1), match.group(2)
        instance = self.instance(handle)
        if instance is None:
            request.send_json(404, {"code": 404, "message": f"Model instance {handle} not found"})
        elif self.authorized(request, instance):
            if route == "get":
                self.get(request, handle, instance)
            else:
                version = match.group(3) or match.group(4)
                folder = instance["folder"] / version
                if not folder.is_dir():
                    request.send_json(404, {"code": 404,
                                            "message": f"Version {version} of {handle} not found"})
                elif route.endswith("/files"):
                    self.files(request, instance, folder)
                else:
                    request.send_reply(302, {"Location": f"/_kaggle_storage/{handle}/{version}/"
                                                         "model.tar.gz", "Content-Length": "0"})
        return True

    def instance(self, handle):
        folder = self.root / handle
        if not folder.is_dir():
            return None
        config_file = folder / "instance.json"
        config = json.loads(config_file.read_text()) if config_file.is_file() else {}
        config["folder"] = folder
        return config

    def versions(self, instance):
        return sorted(int(p.name) for p in instance["folder"].iterdir()
                      if p.is_dir() and p.name.isdigit())

    @staticmethod
    def credentials(request):
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, key = base64.b64decode(header[6:]).decode().partition(":")
            return user, key
        if header.startswith("Bearer "):
            return None, header[7:]
        return None

    def authorized(self, request, instance):
        if not instance.get("consent"):
            return True
        credentials = self.credentials(request)
        users = instance.get("users", {})
        if credentials is not None:
            user, key = credentials
            if (user is not None and users.get(user) == key) or \
                    (user is None and key in users.values()):
                return True
        if credentials is None:
            request.send_json(401, {"code": 401, "message": "Unauthenticated"})
        else:
            request.send_json(403, {"code": 403,
                                    "message": "Permission 'models.get' was denied"})
        return False

    def get(self, request, handle, instance):
        versions = self.versions(instance)
        owner, model, framework, variation = handle.split("/")
        request.send_json(200, {"id": 1, "ownerSlug": owner, "modelSlug": model,
                                "framework": framework, "slug": variation,
                                "versionNumber": versions[-1] if versions else 0})

    def files(self, request, instance, folder):
        listed = [{"name": path, "size": len(data)}
                  for path, data in folder_files(folder).items()]
        listed += [{"name": name, "size": 1} for name in instance.get("listing_extra", [])]
        request.send_json(200, {"files": listed, "nextPageToken": ""})

    def storage(self, request, handle, version):
        instance = self.instance(handle)
        folder = instance["folder"] / version if instance else None
        if folder is None or not folder.is_dir():
            request.send_json(404, {"error": "no such object"})
            return
        files = folder_files(folder)
        if instance.get("single_file") and len(files) == 1:
            data = next(iter(files.values()))
        else:
            data = build_archive(files, instance.get("top_folder", ""),
                                 instance.get("archive_extra", []))
        request.send_content(data, {}, f"kaggle/{handle}/download")


class TfHub:
    ROUTE = re.compile(r"^/tfhub/(.+)/(\d+)$")
    STORAGE = re.compile(r"^/_kaggle_storage/tfhub/(.+)/(\d+)/model\.tar\.gz$")

    def __init__(self, emulator):
        self.emulator = emulator
        self.root = emulator.root / "tfhub"

    def handle(self, request, path):
        if request.command not in ("GET", "HEAD"):
            return False
        storage = self.STORAGE.match(path)
        match = storage or self.ROUTE.match(path)
        if not match:
            return False
        model, version = match.groups()
        folder = self.root / model / version
        if ".." in model.split("/") or not folder.is_dir():
            request.send_json(404, {"error": f"model {model}/{version} not found"})
        elif storage:
            request.send_content(build_archive(folder_files(folder)), {},
                                 f"tfhub/{model}/{version}/download")
        else:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
            if query.get("tf-hub-format") != ["compressed"]:
                request.send_json(400, {"error": "only ?tf-hub-format=compressed is emulated"})
            else:
                request.send_reply(302, {"Location": f"/_kaggle_storage/tfhub/{model}/{version}/"
                                                     "model.tar.gz", "Content-Length": "0"})
        return True
