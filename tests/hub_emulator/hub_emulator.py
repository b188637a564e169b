#!/usr/bin/python3
"""A model-hub emulator for Axon's tests: a real HTTP server on 127.0.0.1 that serves fixture
repositories with the hubs' API shapes, headers, redirects and Range support, and injects faults.

Usage: hub_emulator.py --root DIR [--port 0]
Prints `listening on http://127.0.0.1:PORT` as its first line on stdout, then serves until killed.
Python 3 standard library only.

Layout of DIR (everything is read on each request, so tests may change it while it runs):

  DIR/hf/<org>/<name>/repo.json          optional: {"default_branch": "main", "gated": false,
                                           "private": false, "tokens": ["hf_..."],
                                           "pipeline_tag": "...", "card_data": {...},
                                           "extra_siblings": [{"rfilename": "../../etc/passwd",
                                                               "content": "text"}]}
  DIR/hf/<org>/<name>/<revision>/<files>  one folder per branch or tag; its files, nested folders
                                           allowed ("onnx/model.onnx")
  DIR/faults.json                        optional, faults as for POST /_faults (below)

A revision folder's commit is a stable 40-hex sha1 of the repo id, the revision name and its files'
paths and digests; requests may name a revision by folder name or by that commit. A gated or
private repository answers 401 without an `Authorization: Bearer <token>` header and 403 with a
token not in its "tokens". "extra_siblings" are listed by the API and served by resolve but exist
nowhere on disk: they carry names that cannot be files (path traversal fixtures).

Hugging Face routes (class HuggingFaceHub):
  GET  /api/models/<org>/<name>                  info of the default branch
  GET  /api/models/<org>/<name>/revision/<rev>   info of a revision: id, sha, siblings
                                                 [{rfilename, size, blobId, lfs: {sha256, size,
                                                 pointerSize}}], gated, private, pipeline_tag,
                                                 cardData
  GET|HEAD /<org>/<name>/resolve/<rev>/<path>    a regular file: 200 with X-Repo-Commit and ETag
                                                 (the git blob sha1); an LFS file (.onnx, .onnx_data,
                                                 .data, .pt, .bin, .safetensors, or 1 MiB and more):
                                                 302 to /_cdn/<sha256>/<file name> with
                                                 X-Repo-Commit, X-Linked-Etag, X-Linked-Size
  GET|HEAD /_cdn/<sha256>/<file name>            the LFS content, ETag "<sha256>", no auth needed
  GET  /api/models?search=Q&limit=N              repositories whose id contains Q, most downloaded
                                                 first: id, downloads, likes, pipeline_tag,
                                                 library_name, lastModified (downloads, likes and
                                                 library_name from repo.json)
File content answers honour `Range: bytes=A-B` (206, Content-Range, Accept-Ranges: bytes).

Administration (for tests):
  POST /_faults   body {"<hub>/<org>/<name>/<path in repo>": FAULT, ...} replaces all faults
                  (the key matches any revision; "hf/org/mlp/model.onnx"). FAULT is one of
                  {"cut_at": N}                      send N bytes of the body, then close
                  {"status": 429|503, "retry_after": S}   answer that status with Retry-After: S
                  {"corrupt": true}                  same size, different bytes
                  {"bytes_per_second": N}            throttle the body
                  with "times": K (default 1; -1 forever; corrupt defaults to forever). Faults hit
                  the requests that carry the file's content (the CDN for LFS files).
  GET  /_log      every request so far: [{"method", "path", "range", "status", "time"}]
  POST /_log/clear

PyTorch Hub's routes are in pytorch_hub.py, ModelScope's in modelscope.py, Kaggle's and TF Hub's
in kaggle.py. Later hubs add a handler class like HuggingFaceHub and an entry in HUBS.
"""

import argparse
import hashlib
import http.server
import json
import os
import pathlib
import posixpath
import re
import sys
import threading
import time
import urllib.parse

from kaggle import KaggleHub, TfHub
from modelscope import ModelScopeHub
from pytorch_hub import PyTorchHub
from registry import LocalRegistry

LFS_SUFFIXES = (".onnx", ".onnx_data", ".data", ".pt", ".pth", ".bin", ".safetensors")
LFS_MIN_SIZE = 1 << 20
CHUNK = 64 * 1024


class Blob:
    """File content, from disk or given inline. Digests of files on disk are cached by (path,
    size, mtime), and ranges are read without loading the whole file, so a large model is served
    at the speed of the socket, not of re-hashing it on every request."""

    _digests = {}  # (path, size, mtime_ns) -> (sha256, git blob sha1)
    _digests_lock = threading.Lock()

    def __init__(self, path=None, content=None):
        self.path = path
        self.content = content

    def read(self):
        return self.content if self.content is not None else self.path.read_bytes()

    def size(self):
        return len(self.content) if self.content is not None else self.path.stat().st_size

    def read_range(self, start, end):
        if self.content is not None:
            return self.content[start:end]
        with open(self.path, "rb") as file:
            file.seek(start)
            return file.read(end - start)

    def digests(self):
        """(sha256, git blob sha1) of the content."""
        if self.content is not None:
            return sha256_hex(self.content), git_blob_sha1(self.content)
        status = self.path.stat()
        key = (str(self.path), status.st_size, status.st_mtime_ns)
        with self._digests_lock:
            cached = self._digests.get(key)
        if cached is None:
            sha256, sha1 = hashlib.sha256(), hashlib.sha1(b"blob %d\0" % status.st_size)
            with open(self.path, "rb") as file:
                while chunk := file.read(1 << 20):
                    sha256.update(chunk)
                    sha1.update(chunk)
            cached = (sha256.hexdigest(), sha1.hexdigest())
            with self._digests_lock:
                self._digests[key] = cached
        return cached

    def sha256(self):
        return self.digests()[0]


class Faults:
    """Faults by key ("hf/org/name/path"), from POST /_faults or DIR/faults.json, each spent
    as it fires."""

    def __init__(self, root):
        self.lock = threading.Lock()
        self.faults = {}
        faults_file = root / "faults.json"
        if faults_file.is_file():
            self.replace(json.loads(faults_file.read_text()))

    def replace(self, faults):
        with self.lock:
            self.faults = {}
            for key, fault in faults.items():
                fault = dict(fault)
                fault.setdefault("times", -1 if fault.get("corrupt") else 1)
                self.faults[key] = fault

    def take(self, key):
        """The fault to apply to this request for KEY, or None; counts it as used."""
        with self.lock:
            fault = self.faults.get(key)
            if fault is None or fault["times"] == 0:
                return None
            if fault["times"] > 0:
                fault["times"] -= 1
            return dict(fault)


class Emulator:
    """State shared by every handler: the root, the faults, the request log, CDN locations."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.faults = Faults(self.root)
        self.log_lock = threading.Lock()
        self.log = []
        self.cdn = {}  # sha256 -> (Blob, fault key)

    def record(self, entry):
        with self.log_lock:
            self.log.append(entry)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class HuggingFaceHub:
    """Hugging Face's model API, resolve and CDN routes over DIR/hf."""

    API = re.compile(r"^/api/models/([^/]+)/([^/]+)(?:/revision/(.+))?$")
    RESOLVE = re.compile(r"^/([^/_][^/]*)/([^/]+)/resolve/([^/]+)/(.+)$")

    def __init__(self, emulator):
        self.emulator = emulator
        self.root = emulator.root / "hf"

    def handle(self, request, path):
        """Answers REQUEST if PATH is one of this hub's routes; returns False otherwise."""
        if path == "/api/models" and request.command == "GET":
            self.search(request)
            return True
        match = self.API.match(path)
        if match and request.command == "GET":
            self.model_info(request, *match.groups())
            return True
        match = self.RESOLVE.match(path)
        if match and request.command in ("GET", "HEAD"):
            self.resolve(request, *match.groups())
            return True
        return False

    # -- repositories ------------------------------------------------------------------------

    def repo(self, org, name):
        folder = self.root / org / name
        if not folder.is_dir():
            return None
        config_file = folder / "repo.json"
        config = json.loads(config_file.read_text()) if config_file.is_file() else {}
        config["folder"] = folder
        config["id"] = f"{org}/{name}"
        return config

    def files(self, repo, revision_folder):
        """{path in repo: Blob} of one revision, extra siblings included."""
        files = {}
        for path in sorted(revision_folder.rglob("*")):
            if path.is_file():
                files[path.relative_to(revision_folder).as_posix()] = Blob(path=path)
        for extra in repo.get("extra_siblings", []):
            files[extra["rfilename"]] = Blob(content=extra.get("content", "").encode())
        return files

    def commit(self, repo, revision, files):
        digest = hashlib.sha1(f"{repo['id']}\0{revision}\0".encode())
        for path, blob in files.items():
            digest.update(f"{path}\0{blob.sha256()}\0".encode())
        return digest.hexdigest()

    def revision(self, repo, revision):
        """(commit, files) of REVISION (a folder name or a commit), or None."""
        folder = repo["folder"]
        for candidate in sorted(folder.iterdir()):
            if not candidate.is_dir():
                continue
            files = self.files(repo, candidate)
            commit = self.commit(repo, candidate.name, files)
            if revision in (candidate.name, commit):
                return commit, files
        return None

    def authorize(self, request, repo):
        """True if REPO may be read; else answers 401/403 the way the Hub does and returns False."""
        if not repo.get("gated") and not repo.get("private"):
            return True
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else None
        if token is not None and token in repo.get("tokens", []):
            return True
        if repo.get("private"):
            code, message = "RepoNotFound", "Repository Not Found"
        else:
            code = "GatedRepo"
            message = f"Access to model {repo['id']} is restricted. You must have access to it " \
                      f"and be authenticated to access it. Please log in."
        request.send_json(401 if token is None else 403, {"error": message},
                          {"X-Error-Code": code, "X-Error-Message": message})
        return False

    # -- routes ------------------------------------------------------------------------------

    def model_info(self, request, org, name, revision):
        repo = self.repo(org, name)
        if repo is None:
            request.send_json(404, {"error": "Repository not found"},
                              {"X-Error-Code": "RepoNotFound"})
            return
        if not self.authorize(request, repo):
            return
        revision = urllib.parse.unquote(revision or repo.get("default_branch", "main"))
        resolved = self.revision(repo, revision)
        if resolved is None:
            request.send_json(404, {"error": f"Invalid rev id: {revision}"},
                              {"X-Error-Code": "RevisionNotFound"})
            return
        commit, files = resolved
        siblings = []
        for path, blob in files.items():
            sha256, sha1 = blob.digests()
            sibling = {"rfilename": path, "size": blob.size(), "blobId": sha1}
            if self.is_lfs(path, blob.size()):
                sibling["lfs"] = {"sha256": sha256, "size": blob.size(), "pointerSize": 134}
            siblings.append(sibling)
        info = {"_id": commit[:24], "id": repo["id"], "modelId": repo["id"], "sha": commit,
                "private": bool(repo.get("private")), "gated": repo.get("gated", False),
                "disabled": False, "downloads": 0, "likes": 0, "tags": [],
                "library_name": "onnx", "siblings": siblings}
        if "pipeline_tag" in repo:
            info["pipeline_tag"] = repo["pipeline_tag"]
        if "card_data" in repo:
            info["cardData"] = repo["card_data"]
        request.send_json(200, info)

    def search(self, request):
        """GET /api/models?search=Q&limit=N: repositories whose id contains Q (any case), most
        downloaded first, with the list fields the Hub returns (downloads and likes from
        repo.json)."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        text = query.get("search", [""])[0].lower()
        limit = int(query.get("limit", ["1000"])[0])
        models = []
        for folder in sorted(self.root.glob("*/*")) if self.root.is_dir() else []:
            repo = self.repo(folder.parent.name, folder.name)
            if repo is None or text not in repo["id"].lower() or repo.get("private"):
                continue
            models.append({"_id": hashlib.sha1(repo["id"].encode()).hexdigest()[:24],
                           "id": repo["id"], "modelId": repo["id"],
                           "likes": repo.get("likes", 0), "downloads": repo.get("downloads", 0),
                           "private": False, "tags": [],
                           "pipeline_tag": repo.get("pipeline_tag"),
                           "library_name": repo.get("library_name", "onnx"),
                           "createdAt": "2026-01-01T00:00:00.000Z",
                           "lastModified": "2026-01-02T00:00:00.000Z"})
        models.sort(key=lambda model: -model["downloads"])
        request.send_json(200, models[:limit])

    @staticmethod
    def is_lfs(path, size):
        return path.endswith(LFS_SUFFIXES) or size >= LFS_MIN_SIZE

    def resolve(self, request, org, name, revision, path):
        repo = self.repo(org, name)
        if repo is None:
            request.send_json(404, {"error": "Repository not found"},
                              {"X-Error-Code": "RepoNotFound"})
            return
        if not self.authorize(request, repo):
            return
        resolved = self.revision(repo, urllib.parse.unquote(revision))
        if resolved is None:
            request.send_json(404, {"error": "Revision not found"},
                              {"X-Error-Code": "RevisionNotFound"})
            return
        commit, files = resolved
        path = urllib.parse.unquote(path)
        blob = files.get(path)
        if blob is None:
            request.send_json(404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"})
            return
        fault_key = f"hf/{repo['id']}/{path}"
        headers = {"X-Repo-Commit": commit}
        digest, sha1 = blob.digests()
        if self.is_lfs(path, blob.size()):
            self.emulator.cdn[digest] = (blob, fault_key)
            file_name = urllib.parse.quote(posixpath.basename(path))
            headers.update({"Location": f"/_cdn/{digest}/{file_name}", "ETag": f'"{digest}"',
                            "X-Linked-Etag": f'"{digest}"', "X-Linked-Size": str(blob.size()),
                            "Content-Length": "0"})
            request.send_reply(302, headers)
            return
        headers["ETag"] = f'"{sha1}"'
        request.send_content(blob, headers, fault_key)

    def cdn(self, request, digest):
        entry = self.emulator.cdn.get(digest)
        if entry is None:
            request.send_json(404, {"error": "no such object"})
            return
        blob, fault_key = entry
        request.send_content(blob, {"ETag": f'"{digest}"'}, fault_key)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator = None  # set by serve()
    hubs = ()

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        self.reply_status = None
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path == "/_faults" and self.command == "POST":
                self.emulator.faults.replace(json.loads(self.read_body() or b"{}"))
                self.send_json(200, {"ok": True})
            elif path == "/_log" and self.command == "GET":
                with self.emulator.log_lock:
                    self.send_json(200, list(self.emulator.log))
            elif path == "/_log/clear" and self.command == "POST":
                with self.emulator.log_lock:
                    self.emulator.log.clear()
                self.send_json(200, {"ok": True})
            elif path.startswith("/_cdn/") and self.command in ("GET", "HEAD"):
                self.hubs[0].cdn(self, path.split("/")[2])
            elif not any(hub.handle(self, path) for hub in self.hubs):
                self.send_json(404, {"error": f"no route for {self.command} {path}"})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            if not path.startswith("/_log"):
                self.emulator.record({"method": self.command, "path": path,
                                      "range": self.headers.get("Range"),
                                      "status": self.reply_status, "time": time.time()})

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_reply(self, status, headers, body=b""):
        self.reply_status = status
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_json(self, status, value, headers=None):
        body = json.dumps(value).encode()
        self.send_reply(status, dict(headers or {}, **{"Content-Type": "application/json"}), body)

    def send_content(self, data, headers, fault_key):
        """DATA (bytes or a Blob) with Range support, after whatever fault is set for
        FAULT_KEY."""
        blob = data if isinstance(data, Blob) else Blob(content=data)
        size = blob.size()
        fault = self.emulator.faults.take(fault_key) if self.command == "GET" else None
        fault = fault or {}
        if "status" in fault:
            retry = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
            self.send_json(fault["status"], {"error": "injected fault"}, retry)
            return
        headers = dict(headers, **{"Accept-Ranges": "bytes",
                                   "Content-Type": "application/octet-stream"})
        status, start, end = 200, 0, size
        match = re.match(r"^bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = min(int(match.group(2)) + 1, size) if match.group(2) else size
            else:
                start = max(0, size - int(match.group(2)))
            if start >= size or start >= end:
                self.send_reply(416, {"Content-Range": f"bytes */{size}"})
                return
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        body = blob.read_range(start, end)
        if fault.get("corrupt") and start < 64:  # the file's first 64 bytes flipped
            flipped = min(end, 64) - start
            body = bytes(byte ^ 0xFF for byte in body[:flipped]) + body[flipped:]
        headers["Content-Length"] = str(len(body))
        self.reply_status = status
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if "cut_at" in fault:
            self.wfile.write(body[:fault["cut_at"]])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        rate = fault.get("bytes_per_second")
        step = min(CHUNK, max(1, rate // 10)) if rate else CHUNK
        for offset in range(0, len(body), step):
            self.wfile.write(body[offset:offset + step])
            if rate:
                self.wfile.flush()
                time.sleep(step / rate)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


HUBS = (HuggingFaceHub, PyTorchHub, LocalRegistry, ModelScopeHub, KaggleHub, TfHub)


def serve(root, port):
    emulator = Emulator(root)
    handler = type("BoundHandler", (Handler,), {"emulator": emulator})
    handler.hubs = tuple(hub(emulator) for hub in HUBS)
    server = Server(("127.0.0.1", port), handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=pathlib.Path, help="fixture repositories")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    arguments = parser.parse_args()
    if not arguments.root.is_dir():
        sys.exit(f"hub_emulator: --root {arguments.root} is not a directory")
    serve(arguments.root, arguments.port)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
