"""PyTorch Hub routes of the hub emulator: what torch.hub (and Axon's PyTorch Hub adapter) fetch
from github.com, api.github.com, codeload.github.com and the weight hosts (download.pytorch.org),
all on the emulator's one port, told apart by a first path segment named after the host. Axon is
pointed at them with AXON_PYTORCH_GITHUB_ENDPOINT=<emulator>/github.com,
AXON_PYTORCH_GITHUB_API_ENDPOINT=<emulator>/api.github.com and
AXON_PYTORCH_WEIGHTS_MIRROR=<emulator>/_weights.

Layout of DIR/pytorch (read on each request):

  DIR/pytorch/<owner>/<repo>/repo.json        optional: {"default_branch": "main",
                                               "extra_entries": [{"name": "../evil.py",
                                               "content": "text"} | {"name": "link",
                                               "symlink_to": "/etc/passwd"}]}
  DIR/pytorch/<owner>/<repo>/<ref>/<files>    one folder per branch or tag: the repository's files
                                              (hubconf.py at the root)
  DIR/pytorch/_weights/<host>/<path>          weight files, served for https://<host>/<path>

A ref folder's commit is a stable 40-hex sha1 of the repository, the ref and its files' paths and
digests; API and archive requests may name a ref by folder name or by that commit.
"extra_entries" are added to the zip archive only (hostile-archive fixtures).

Routes (class PyTorchHub):
  GET /api.github.com/repos/<owner>/<repo>                 {"full_name", "default_branch", ...}
  GET /api.github.com/repos/<owner>/<repo>/commits/<ref>   {"sha": commit, ...}; 422 for an
                                                           unknown ref, 404 for an unknown repo
  GET /github.com/<owner>/<repo>/zipball/<ref>             302 to the codeload URL below
  GET /codeload.github.com/<owner>/<repo>/legacy.zip/<ref> the zip: every file under
                                                           "<owner>-<repo>-<commit[:7]>/",
                                                           fault key "pytorch/<owner>/<repo>/zipball"
  GET|HEAD /_weights/<host>/<path>                         a weight file, ETag "<sha256>",
                                                           fault key "pytorch/_weights/<host>/<path>"
Content answers honour Range and the faults of hub_emulator.py (Handler.send_content).
"""

import hashlib
import io
import json
import re
import stat
import urllib.parse
import zipfile


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class PyTorchHub:
    """GitHub's API, zipball/codeload and weight-host routes over DIR/pytorch."""

    API_REPO = re.compile(r"^/api\.github\.com/repos/([^/]+)/([^/]+)$")
    API_COMMIT = re.compile(r"^/api\.github\.com/repos/([^/]+)/([^/]+)/commits/(.+)$")
    ZIPBALL = re.compile(r"^/github\.com/([^/]+)/([^/]+)/zipball/(.+)$")
    CODELOAD = re.compile(r"^/codeload\.github\.com/([^/]+)/([^/]+)/legacy\.zip/(.+)$")
    WEIGHTS = re.compile(r"^/_weights/(.+)$")

    def __init__(self, emulator):
        self.emulator = emulator
        self.root = emulator.root / "pytorch"

    def handle(self, request, path):
        """Answers REQUEST if PATH is one of this hub's routes; returns False otherwise."""
        routes = ((self.API_REPO, self.repo_info, ("GET",)),
                  (self.API_COMMIT, self.commit_info, ("GET",)),
                  (self.ZIPBALL, self.zipball, ("GET", "HEAD")),
                  (self.CODELOAD, self.codeload, ("GET", "HEAD")),
                  (self.WEIGHTS, self.weights, ("GET", "HEAD")))
        for pattern, answer, methods in routes:
            match = pattern.match(path)
            if match and request.command in methods:
                answer(request, *(urllib.parse.unquote(group) for group in match.groups()))
                return True
        return False

    # -- repositories ------------------------------------------------------------------------

    def repo(self, owner, name):
        folder = self.root / owner / name
        if owner.startswith("_") or not folder.is_dir():
            return None
        config_file = folder / "repo.json"
        config = json.loads(config_file.read_text()) if config_file.is_file() else {}
        config.update(folder=folder, owner=owner, name=name)
        return config

    @staticmethod
    def files(ref_folder):
        return {path.relative_to(ref_folder).as_posix(): path.read_bytes()
                for path in sorted(ref_folder.rglob("*")) if path.is_file()}

    def commit(self, repo, ref, files):
        digest = hashlib.sha1(f"{repo['owner']}/{repo['name']}\0{ref}\0".encode())
        for path, data in files.items():
            digest.update(f"{path}\0{sha256_hex(data)}\0".encode())
        return digest.hexdigest()

    def resolve(self, repo, ref):
        """(commit, files) of REF (a folder name or a commit), or None."""
        for candidate in sorted(repo["folder"].iterdir()):
            if candidate.is_dir():
                files = self.files(candidate)
                commit = self.commit(repo, candidate.name, files)
                if ref in (candidate.name, commit):
                    return commit, files
        return None

    def not_found(self, request, status=404, message="Not Found"):
        request.send_json(status, {"message": message,
                                   "documentation_url": "https://docs.github.com/rest"})

    # -- routes ------------------------------------------------------------------------------

    def repo_info(self, request, owner, name):
        repo = self.repo(owner, name)
        if repo is None:
            self.not_found(request)
            return
        request.send_json(200, {"full_name": f"{owner}/{name}", "name": name, "fork": False,
                                "default_branch": repo.get("default_branch", "main")})

    def commit_info(self, request, owner, name, ref):
        repo = self.repo(owner, name)
        if repo is None:
            self.not_found(request)
            return
        resolved = self.resolve(repo, ref)
        if resolved is None:
            self.not_found(request, 422, f"No commit found for SHA: {ref}")
            return
        request.send_json(200, {"sha": resolved[0], "commit": {"message": f"fixture {ref}"}})

    def zipball(self, request, owner, name, ref):
        location = f"/codeload.github.com/{owner}/{name}/legacy.zip/{urllib.parse.quote(ref)}"
        request.send_reply(302, {"Location": location, "Content-Length": "0"})

    def codeload(self, request, owner, name, ref):
        repo = self.repo(owner, name)
        resolved = self.resolve(repo, ref) if repo is not None else None
        if resolved is None:
            self.not_found(request)
            return
        commit, files = resolved
        top = f"{owner}-{name}-{commit[:7]}/"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo(top, (1980, 1, 1, 0, 0, 0)), b"")
            for path, data in files.items():
                archive.writestr(zipfile.ZipInfo(top + path, (1980, 1, 1, 0, 0, 0)), data)
            for extra in repo.get("extra_entries", []):
                info = zipfile.ZipInfo(extra["name"] if extra["name"].startswith(("/", ".."))
                                       else top + extra["name"], (1980, 1, 1, 0, 0, 0))
                if "symlink_to" in extra:
                    info.create_system = 3  # unix: the mode below is read
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    archive.writestr(info, extra["symlink_to"])
                else:
                    archive.writestr(info, extra.get("content", ""))
        data = buffer.getvalue()
        request.send_content(data, {"ETag": f'"{commit}"',
                                    "Content-Disposition": f"attachment; filename={top[:-1]}.zip"},
                             f"pytorch/{owner}/{name}/zipball")

    def weights(self, request, path):
        file = self.root / "_weights" / path
        if ".." in path.split("/") or not file.is_file():
            request.send_json(404, {"error": "NoSuchKey"})
            return
        data = file.read_bytes()
        request.send_content(data, {"ETag": f'"{sha256_hex(data)}"'}, f"pytorch/_weights/{path}")
