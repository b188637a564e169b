#include "axon/hub_installer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "axon/download.h"
#include "axon/hubs/hub_registry.h"
#include "axon/manifest_builder.h"
#include "axon/store_lock.h"
#include "axon/version.h"
#include "engine/session.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// Shows downloads on the one-line Progress: the file that moved last and the total of all files.
// DownloadFiles calls from its transfer threads; Progress is single-threaded, hence the lock.
class DownloadProgress {
 public:
  DownloadProgress(Progress& progress, const std::vector<RemoteFile>& files) : progress_(progress) {
    for (const RemoteFile& file : files) total_ += file.size;
  }

  DownloadProgressFn Callback() {
    return [this](const std::string& label, uint64_t done, uint64_t) {
      std::lock_guard lock(mutex_);
      done_by_file_[label] = done;
      uint64_t done_all = 0;
      for (const auto& [name, bytes] : done_by_file_) done_all += bytes;
      const ByteProgress draw = progress_.Track(
          "downloading " + std::to_string(done_by_file_.size()) + " file(s), " + label, total_);
      if (draw) draw(done_all);
    };
  }

 private:
  Progress& progress_;
  std::mutex mutex_;
  std::map<std::string, uint64_t> done_by_file_;
  uint64_t total_ = 0;
};

std::string StagingDir(const Store& store, const ModelRef& ref, const RemoteModel& remote) {
  const std::string pin = remote.source.commit.empty() ? ref.version : remote.source.commit;
  return store.TempRoot() + "/downloads/" + ref.namespace_ + "/" + ref.name + "/" + pin;
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
    downloads.push_back({file.url, destination.string(), file.size, file.sha256, file.path});
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
                                  std::vector<ManifestFile> files, const std::string& created) {
  Manifest m;
  m.name = ref.name;
  m.namespace_ = ref.namespace_;
  m.version = ref.version;
  m.description = "TorchScript model from " + remote.source.hub + "/" + remote.source.repo;
  m.source = remote.source;
  m.created = created;
  m.framework = "pytorch";
  m.format_type = "torchscript";
  m.execution_format = "torchscript";
  m.files = std::move(files);
  m.execution_files = remote.execution_files;
  for (const ManifestFile& file : m.files) {
    m.disk_bytes += file.size;
    if (file.path == remote.execution_files.front().path) m.memory_bytes = file.size;
  }
  return m;
}

StatusOr<Manifest> BuildManifest(const ModelRef& ref, const RemoteModel& remote,
                                 const std::string& staging, std::vector<ManifestFile> files,
                                 const std::string& created) {
  if (remote.format == "torchscript") {
    return BuildTorchScriptManifest(ref, remote, std::move(files), created);
  }
  OnnxPackage package;
  package.ref = ref;
  package.source = remote.source;
  package.created = created;
  package.files = std::move(files);
  package.model_path = remote.execution_files.front().path;
  ASSIGN_OR_RETURN(package.signature,
                   engine::ReadModelSignature(staging + "/" + package.model_path));
  ASSIGN_OR_RETURN(Manifest manifest, BuildOnnxManifest(package));
  manifest.execution_files = remote.execution_files;  // roles of multi-file models
  return manifest;
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

bool IsHubSpec(std::string_view spec) {
  const StatusOr<ModelRef> ref = ParseModelRef(spec);
  return ref.ok() && IsHubNamespace(ref->namespace_);
}

StatusOr<InstallResult> InstallFromHub(Store& store, std::string_view spec,
                                       const InstallOptions& options, Progress& progress) {
  ASSIGN_OR_RETURN(const ModelRef source_ref, ParseModelRef(spec));
  ASSIGN_OR_RETURN(const AxonConfig config, AxonConfig::Load(store.home()));
  ASSIGN_OR_RETURN(const RemoteModel remote, ResolveRemoteModel(source_ref, config));
  const ModelRef ref = options.as ? *options.as : source_ref;

  // Staged downloads are in flight: keep `axon cache clean|prune` away (store_lock.h).
  ASSIGN_OR_RETURN(const StoreLock lock, StoreLock::Shared(store.home()));
  const std::string staging = StagingDir(store, source_ref, remote);
  StatusOr<std::vector<DownloadedFile>> downloaded = Download(remote, staging, config, progress);
  if (!downloaded.ok()) {
    // A transient failure keeps the partial files for the next run to resume; anything else
    // (a file that failed its check, access refused) would fail the same way again.
    if (downloaded.status().code() != StatusCode::kUnavailable) RemoveTree(staging);
    return downloaded.status().WithContext("downloading " + std::string(spec));
  }

  std::vector<ManifestFile> files;
  std::vector<StoreFile> store_files;
  for (const RemoteFile& remote_file : remote.files) {
    const std::string destination = (fs::path(staging) / remote_file.path).string();
    const auto file =
        std::find_if(downloaded->begin(), downloaded->end(),
                     [&](const DownloadedFile& d) { return d.destination == destination; });
    if (file == downloaded->end())
      return Internal("download of " + remote_file.path + " reported no result");
    files.push_back({remote_file.path, file->size, file->sha256});
    store_files.push_back({file->destination, remote_file.path, file->sha256});
  }
  const std::string created = Rfc3339Utc(std::chrono::system_clock::now());
  StatusOr<Manifest> built = BuildManifest(ref, remote, staging, std::move(files), created);
  if (!built.ok()) {
    RemoveTree(staging);
    return built.status();
  }
  // Validate exactly what Core will read: the serialized text, through the same parser.
  StatusOr<Manifest> manifest = ParseManifest(SerializeManifest(*built));
  if (!manifest.ok()) {
    RemoveTree(staging);
    return Internal("axon built an invalid manifest: " + manifest.status().message());
  }
  StatusOr<InstallOutcome> outcome =
      store.Install(*manifest, store_files, MetadataJson(spec, remote, created), options.force);
  RemoveTree(staging);
  if (!outcome.ok()) return outcome.status();
  ASSIGN_OR_RETURN(InstalledModel installed, store.Find(ref));
  return InstallResult{std::move(installed), *outcome};
}

}  // namespace mlos::axon
