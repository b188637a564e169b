"""ModelScope routes for the hub emulator (hub_emulator.py), the shapes the `modelscope` client
(HubApi) reads, every JSON reply in the envelope {"Code", "Data", "Message", "Success"}.

Layout:
  DIR/modelscope/<owner>/<name>/repo.json          optional: {"private": false, "tokens": [...],
                                                     "tags": ["v1"], "extra_files":
                                                     [{"Path": "../../etc/passwd",
                                                       "content": "text"}]}
  DIR/modelscope/<owner>/<name>/<revision>/<files> one folder per branch or tag (listed as a tag
                                                     when named in "tags"), nested folders allowed
A revision's CommitId is a stable 40-hex sha1 of the repo id, the revision and its files; requests
may name a revision by folder name or by that commit. A private model answers 401 without the
cookie `m_session_id=<token>` and 403 with a token not in "tokens". "extra_files" are listed and
served but exist nowhere on disk (path traversal fixtures).

Routes (class ModelScopeHub):
  GET /api/v1/models/<owner>/<name>/revisions
        Data.RevisionMap: {"Branches": [{"Revision", "CommitId"}], "Tags": [...] or null}
  GET /api/v1/models/<owner>/<name>/repo/files?Revision=R&Recursive=true
        Data.Files: [{"Name", "Path", "Type": "tree"|"blob", "Size", "Sha256", "Revision"}]
  GET|HEAD /api/v1/models/<owner>/<name>/repo?Revision=R&FilePath=P
        the file, with Range and the faults of key "modelscope/<owner>/<name>/<path>"
Errors: HTTP 404 {"Code": 404, "Message": "...", "Success": false} for an unknown model,
revision or file; 401/403 likewise for private models.
"""

import hashlib
import json
import posixpath
import re
import urllib.parse


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class ModelScopeHub:
    ROUTE = re.compile(r"^/api/v1/models/([^/]+)/([^/]+)/(revisions|repo/files|repo)$")

    def __init__(self, emulator):
        self.emulator = emulator
        self.root = emulator.root / "modelscope"

    def handle(self, request, path):
        match = self.ROUTE.match(path)
        if not match or request.command not in ("GET", "HEAD"):
            return False
        owner, name, route = match.groups()
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.path).query))
        repo = self.repo(owner, name)
        if repo is None:
            self.error(request, 404, f"model {owner}/{name} not exist")
        elif self.authorized(request, repo):
            if route == "revisions":
                self.revisions(request, repo)
            else:
                resolved = self.revision(repo, query.get("Revision", "master"))
                if resolved is None:
                    self.error(request, 404, f"revision {query.get('Revision')} not found")
                elif route == "repo/files":
                    self.files_listing(request, resolved)
                else:
                    self.file(request, repo, resolved, query.get("FilePath", ""))
        return True

    @staticmethod
    def envelope(data):
        return {"Code": 200, "Data": data, "Message": "success", "Success": True,
                "RequestId": "emulator"}

    @staticmethod
    def error(request, status, message):
        request.send_json(status, {"Code": status, "Data": None, "Message": message,
                                   "Success": False})

    def repo(self, owner, name):
        folder = self.root / owner / name
        if not folder.is_dir():
            return None
        config_file = folder / "repo.json"
        config = json.loads(config_file.read_text()) if config_file.is_file() else {}
        config.update({"folder": folder, "id": f"{owner}/{name}"})
        return config

    def authorized(self, request, repo):
        if not repo.get("private"):
            return True
        cookies = request.headers.get("Cookie", "")
        token = next((c.split("=", 1)[1] for c in cookies.split("; ")
                      if c.startswith("m_session_id=")), None)
        if token is not None and token in repo.get("tokens", []):
            return True
        self.error(request, 401 if token is None else 403,
                   f"no permission to read model {repo['id']}")
        return False

    def revision_files(self, repo, folder):
        """{path: bytes} of one revision, extra files included."""
        files = {p.relative_to(folder).as_posix(): p.read_bytes()
                 for p in sorted(folder.rglob("*")) if p.is_file()}
        for extra in repo.get("extra_files", []):
            files[extra["Path"]] = extra.get("content", "").encode()
        return files

    def commit(self, repo, revision, files):
        digest = hashlib.sha1(f"modelscope\0{repo['id']}\0{revision}\0".encode())
        for path, data in files.items():
            digest.update(f"{path}\0{sha256_hex(data)}\0".encode())
        return digest.hexdigest()

    def all_revisions(self, repo):
        """[(name, commit, files)] of every revision folder."""
        result = []
        for folder in sorted(repo["folder"].iterdir()):
            if folder.is_dir():
                files = self.revision_files(repo, folder)
                result.append((folder.name, self.commit(repo, folder.name, files), files))
        return result

    def revision(self, repo, revision):
        for name, commit, files in self.all_revisions(repo):
            if revision in (name, commit):
                return commit, files
        return None

    def revisions(self, request, repo):
        tags = set(repo.get("tags", []))
        branches, tag_list = [], []
        for name, commit, _ in self.all_revisions(repo):
            entry = {"Revision": name, "CommitId": commit, "CreatedBy": "emulator"}
            (tag_list if name in tags else branches).append(entry)
        request.send_json(200, self.envelope(
            {"RevisionMap": {"Branches": branches, "Tags": tag_list or None}}))

    def files_listing(self, request, resolved):
        commit, files = resolved
        listed, folders = [], set()
        for path, data in files.items():
            parent = posixpath.dirname(path)
            while parent and parent not in folders and ".." not in parent:
                folders.add(parent)
                parent = posixpath.dirname(parent)
            listed.append({"Name": posixpath.basename(path), "Path": path, "Type": "blob",
                           "Size": len(data), "Sha256": sha256_hex(data), "Revision": commit,
                           "IsLFS": path.endswith(".onnx")})
        listed += [{"Name": posixpath.basename(f), "Path": f, "Type": "tree", "Size": 0,
                    "Revision": commit} for f in sorted(folders)]
        request.send_json(200, self.envelope({"Files": listed, "LatestCommitter": None}))

    def file(self, request, repo, resolved, path):
        _, files = resolved
        data = files.get(path)
        if data is None:
            self.error(request, 404, f"file {path} not found")
            return
        request.send_content(data, {}, f"modelscope/{repo['id']}/{path}")
