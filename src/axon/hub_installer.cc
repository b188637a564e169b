#include "axon/hub_installer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "axon/download.h"
#include "axon/download_progress.h"
#include "axon/hubs/hub_registry.h"
#include "axon/manifest_builder.h"
#include "axon/preprocessing_hints.h"
#include "axon/store_lock.h"
#include "axon/version.h"
#include "engine/session.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// "<ns>/<name>/<commit, else the version asked>": the staging folder of one model's revision.
std::string StagingKey(const ModelRef& ref, const RemoteModel& remote) {
  const std::string pin = remote.source.commit.empty() ? ref.version : remote.source.commit;
  return ref.namespace_ + "/" + ref.name + "/" + pin;
}

StatusOr<std::vector<DownloadedFile>> Download(const RemoteModel& remote,
                                               const std::string& staging, const AxonConfig& config,
                                               Progress& progress) {
  std::vector<DownloadFile> downloads;
  for (const RemoteFile& file : remote.files) {
    const fs::path destination = fs::path(staging) / file.path;
    std::error_code error;
    fs::create_directories(destination.parent_path(), error);
    if (error) {
      return Internal("cannot create directory " + destination.parent_path().string() + ": " +
                      error.message());
    }
    downloads.push_back({.url = file.url, .destination = destination.string(), .size = file.size,
                         .sha256 = file.sha256, .git_blob_sha1 = file.git_blob_sha1,
                         .label = file.path});
  }
  DownloadOptions options;
  options.headers = remote.headers;
  options.parallel_files = config.parallel_files();
  options.part_bytes = static_cast<uint64_t>(config.part_mib()) << 20;
  DownloadProgress shown(progress, remote.files);
  StatusOr<std::vector<DownloadedFile>> downloaded =
      DownloadFiles(downloads, options, shown.Callback());
  progress.Clear();
  return downloaded;
}

// A TorchScript package: the plugin derives the signature from the module, so no spec.io.
Manifest BuildTorchScriptManifest(const ModelRef& ref, const RemoteModel& remote,
                                  const PreparedPackage& package, std::vector<ManifestFile> files,
                                  const std::string& created) {
  Manifest m;
  m.name = ref.name;
  m.namespace_ = ref.namespace_;
  m.version = ref.version;
  m.description = "TorchScript model from " + remote.source.hub + "/" + remote.source.repo;
  m.source = remote.source;
  m.created = created;
  m.framework = package.framework.empty() ? "pytorch" : package.framework;
  m.format_type = "torchscript";
  m.execution_format = "torchscript";
  m.files = std::move(files);
  m.execution_files = package.execution_files;
  for (const ManifestFile& file : m.files) {
    m.disk_bytes += file.size;
    if (file.path == package.execution_files.front().path) m.memory_bytes = file.size;
  }
  return m;
}

StatusOr<Manifest> BuildManifest(const ModelRef& ref, const RemoteModel& remote,
                                 const PreparedPackage& package, std::vector<ManifestFile> files,
                                 const std::string& created) {
  if (package.execution_files.empty()) {
    return Internal("the package of " + remote.source.repo + " names no execution file");
  }
  if (package.format == "torchscript") {
    Manifest manifest = BuildTorchScriptManifest(ref, remote, package, std::move(files), created);
    manifest.preprocessing = ReadPreprocessingHints(package.dir, manifest.files);
    return manifest;
  }
  OnnxPackage onnx;
  onnx.ref = ref;
  onnx.source = remote.source;
  onnx.created = created;
  onnx.files = std::move(files);
  onnx.model_path = package.execution_files.front().path;
  ASSIGN_OR_RETURN(onnx.signature, engine::ReadModelSignature(package.dir + "/" + onnx.model_path));
  ASSIGN_OR_RETURN(Manifest manifest, BuildOnnxManifest(onnx));
  manifest.execution_files = package.execution_files;  // roles of multi-file models
  if (!package.framework.empty()) manifest.framework = package.framework;
  manifest.preprocessing = ReadPreprocessingHints(package.dir, manifest.files);
  return manifest;
}

// The files to store: the downloads as they are (digests known), or what `prepare` made (hashed
// here).
StatusOr<std::vector<StoreFile>> PackageFiles(const RemoteModel& remote,
                                              const PreparedPackage& package,
                                              const std::vector<DownloadedFile>& downloaded,
                                              Progress& progress) {
  std::vector<StoreFile> files;
  for (const std::string& path : package.files) {
    const std::string source = (fs::path(package.dir) / path).string();
    const auto known =
        std::find_if(downloaded.begin(), downloaded.end(),
                     [&](const DownloadedFile& d) { return d.destination == source; });
    if (known != downloaded.end()) {
      files.push_back({source, path, known->sha256});
      continue;
    }
    if (!remote.prepare) return Internal("download of " + path + " reported no result");
    std::error_code error;
    const uint64_t size = fs::file_size(source, error);
    ASSIGN_OR_RETURN(std::string sha256,
                     Sha256File(source, progress.Track("hashing " + path, error ? 0 : size)));
    progress.Clear();
    files.push_back({source, path, std::move(sha256)});
  }
  return files;
}

// The model installed under `ref` from the same commit, if any: a repeated install (or one that
// waited for a concurrent install of the same model) has nothing to download.
bool InstalledFromCommit(const Store& store, const ModelRef& ref, const RemoteModel& remote) {
  if (remote.source.commit.empty()) return false;
  const StatusOr<InstalledModel> installed = store.Find(ref);
  return installed.ok() && installed->manifest.source.hub == remote.source.hub &&
         installed->manifest.source.repo == remote.source.repo &&
         installed->manifest.source.commit == remote.source.commit;
}

std::string MetadataJson(std::string_view spec, const RemoteModel& remote,
                         const std::string& installed_at) {
  const nlohmann::json metadata = {
      {"installed_at", installed_at},
      {"source",
       {{"spec", spec},
        {"hub", remote.source.hub},
        {"repo", remote.source.repo},
        {"revision", remote.source.revision},
        {"commit", remote.source.commit}}},
      {"axon_version", kAxonVersion},
  };
  return metadata.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void RemoveTree(const std::string& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

}  // namespace

bool IsHubSpec(std::string_view spec, const AxonConfig& config) {
  const StatusOr<ModelRef> ref = ParseModelRef(spec);
  return ref.ok() && IsRemoteNamespace(ref->namespace_, config);
}

StatusOr<InstallResult> InstallFromHub(Store& store, std::string_view spec,
                                       const InstallOptions& options, Progress& progress) {
  ASSIGN_OR_RETURN(const ModelRef source_ref, ParseModelRef(spec));
  ASSIGN_OR_RETURN(const AxonConfig config, AxonConfig::Load(store.home()));
  ASSIGN_OR_RETURN(const RemoteModel remote,
                   ResolveRemoteModel(source_ref, config, options.format));
  const ModelRef ref = options.as ? *options.as : source_ref;

  // Staged downloads are in flight: keep `axon cache clean|prune` away (store_lock.h).
  ASSIGN_OR_RETURN(const StoreLock store_lock, StoreLock::Shared(store.home()));
  // One install of this model and revision at a time: they would share the staging folder.
  // (Lock files stay, outside the staging tree: removing one while held would let a third
  // install lock a new file beside it; `axon cache clean` removes them when no install runs.)
  const std::string staging = store.TempRoot() + "/downloads/" + StagingKey(source_ref, remote);
  ASSIGN_OR_RETURN(
      const StoreLock model_lock,
      StoreLock::Exclusive(store.TempRoot() + "/locks/" + StagingKey(source_ref, remote) + ".lock",
                           [&] {
                             std::fprintf(stderr, "axon: waiting for another install of %s\n",
                                          std::string(spec).c_str());
                           }));
  if (!options.force && InstalledFromCommit(store, ref, remote)) {
    ASSIGN_OR_RETURN(InstalledModel installed, store.Find(ref));
    return InstallResult{std::move(installed), InstallOutcome::kUnchanged};
  }
  StatusOr<std::vector<DownloadedFile>> downloaded = Download(remote, staging, config, progress);
  if (!downloaded.ok()) {
    // A transient failure keeps the partial files for the next run to resume; anything else
    // (a file that failed its check, access refused) would fail the same way again.
    if (downloaded.status().code() != StatusCode::kUnavailable) RemoveTree(staging);
    return downloaded.status().WithContext("downloading " + std::string(spec));
  }

  const std::string work_dir = staging + ".work";
  RemoveTree(work_dir);
  StatusOr<InstallResult> result = [&]() -> StatusOr<InstallResult> {
    PreparedPackage package{staging, {}, remote.format, {}, remote.execution_files};
    for (const RemoteFile& file : remote.files) package.files.push_back(file.path);
    if (remote.prepare) {
      std::error_code error;
      fs::create_directories(work_dir, error);
      if (error) return Internal("cannot create directory " + work_dir + ": " + error.message());
      ASSIGN_OR_RETURN(package, remote.prepare(staging, work_dir, progress));
    }
    ASSIGN_OR_RETURN(std::vector<StoreFile> store_files,
                     PackageFiles(remote, package, *downloaded, progress));
    std::vector<ManifestFile> files;
    for (const StoreFile& file : store_files) {
      std::error_code error;
      const uint64_t size = fs::file_size(file.source_path, error);
      if (error) return Internal("cannot read " + file.source_path + ": " + error.message());
      files.push_back({file.package_path, size, file.sha256});
    }
    const std::string created = Rfc3339Utc(std::chrono::system_clock::now());
    ASSIGN_OR_RETURN(const Manifest built,
                     BuildManifest(ref, remote, package, std::move(files), created));
    // Validate exactly what Core will read: the serialized text, through the same parser.
    StatusOr<Manifest> manifest = ParseManifest(SerializeManifest(built));
    if (!manifest.ok()) {
      return Internal("axon built an invalid manifest: " + manifest.status().message());
    }
    ASSIGN_OR_RETURN(
        const InstallOutcome outcome,
        store.Install(*manifest, store_files, MetadataJson(spec, remote, created), options.force));
    ASSIGN_OR_RETURN(InstalledModel installed, store.Find(ref));
    return InstallResult{std::move(installed), outcome};
  }();
  RemoveTree(work_dir);
  RemoveTree(staging);
  return result;
}

}  // namespace mlos::axon
