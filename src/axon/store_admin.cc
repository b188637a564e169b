#include "axon/store_admin.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "axon/config.h"
#include "axon/store_lock.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// The size of everything under `path` (a file or a tree), not following links.
uint64_t TreeBytes(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(path, error))) {
    const uint64_t size =
        fs::is_regular_file(fs::symlink_status(path, error)) ? fs::file_size(path, error) : 0;
    return error ? 0 : size;
  }
  uint64_t bytes = 0;
  fs::recursive_directory_iterator it(path, error), end;
  for (; !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error) && !it->is_symlink(error)) bytes += it->file_size(error);
  }
  return bytes;
}

// Removes empty directories from `dir` up to (not including) `root`.
void RemoveEmptyParents(fs::path dir, const fs::path& root) {
  std::error_code error;
  while (dir != root && dir.string().starts_with(root.string() + "/")) {
    if (!fs::is_empty(dir, error) || error || !fs::remove(dir, error)) return;
    dir = dir.parent_path();
  }
}

// Renames `dir` into a fresh directory under the store's tmp/ (so it leaves models/ at once),
// then deletes it.
Status RemoveTreeAtomically(const Store& store, const std::string& dir) {
  std::error_code error;
  fs::create_directories(store.TempRoot(), error);
  if (error)
    return Internal("cannot create directory " + store.TempRoot() + ": " + error.message());
  std::string holder = store.TempRoot() + "/uninstall-XXXXXX";
  if (::mkdtemp(holder.data()) == nullptr) {
    return Internal("cannot create a temporary directory in " + store.TempRoot() + ": " +
                    std::strerror(errno));
  }
  const std::string aside = holder + "/tree";
  if (::rename(dir.c_str(), aside.c_str()) != 0) {
    const int saved = errno;
    fs::remove(holder, error);
    return Internal("cannot move " + dir + " out of the store: " + std::strerror(saved));
  }
  fs::remove_all(holder, error);
  if (error)
    return Internal("removed " + dir + " but cannot delete " + holder + ": " + error.message() +
                    " (axon cache clean will retry)");
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<std::string>> InitHome(const std::string& home) {
  const Store store(home);
  std::vector<std::string> created;
  for (const std::string& dir : {store.BlobsRoot(), store.ModelsRoot(), store.TempRoot()}) {
    std::error_code error;
    if (fs::is_directory(dir, error)) continue;
    fs::create_directories(dir, error);
    if (error) return Internal("cannot create directory " + dir + ": " + error.message());
    created.push_back(dir);
  }
  const std::string config = ConfigPath(store.home());
  std::error_code error;
  if (!fs::exists(config, error)) {
    RETURN_IF_ERROR(AxonConfig().Save(store.home()));
    created.push_back(config);
  } else {
    // An existing file is kept as it is, but it has to be one Axon can read.
    ASSIGN_OR_RETURN(const AxonConfig ignored, AxonConfig::Load(store.home()));
    static_cast<void>(ignored);
  }
  return created;
}

StatusOr<std::vector<std::string>> Uninstall(const Store& store, const ModelRef& ref,
                                             bool all_versions) {
  std::vector<InstalledModel> targets;
  if (!all_versions) {
    ASSIGN_OR_RETURN(InstalledModel model, store.Find(ref));
    targets.push_back(std::move(model));
  } else {
    const fs::path name_dir = fs::path(store.ModelDir(ref)).parent_path();
    std::error_code error;
    for (fs::directory_iterator it(name_dir, error), end; !error && it != end;
         it.increment(error)) {
      if (!it->is_directory(error)) continue;
      ModelRef version = ref;
      version.version = it->path().filename().string();
      StatusOr<InstalledModel> model = store.Find(version);
      if (model.ok()) targets.push_back(std::move(*model));
    }
    if (targets.empty()) {
      return NotFound("no version of " + ref.namespace_ + "/" + ref.name + " is installed (" +
                      name_dir.string() + ")");
    }
  }
  std::sort(targets.begin(), targets.end(), [](const InstalledModel& a, const InstalledModel& b) {
    return a.manifest.model_id() < b.manifest.model_id();
  });
  std::vector<std::string> removed;
  for (const InstalledModel& model : targets) {
    RETURN_IF_ERROR(RemoveTreeAtomically(store, model.dir));
    removed.push_back(model.manifest.model_id());
    RemoveEmptyParents(fs::path(model.dir).parent_path(), store.ModelsRoot());
  }
  return removed;
}

CacheReport InspectCache(const Store& store) {
  CacheReport report;
  const StoreListing listing = store.List();
  report.problems = listing.problems;
  report.models = listing.models.size();
  std::map<std::string, std::vector<std::string>> users;  // digest -> model ids
  for (const InstalledModel& model : listing.models) {
    for (const ManifestFile& file : model.manifest.files) {
      report.model_bytes += file.size;
      std::vector<std::string>& ids = users[file.sha256];
      if (ids.empty() || ids.back() != model.manifest.model_id()) {
        ids.push_back(model.manifest.model_id());
      }
    }
  }
  std::error_code error;
  uint64_t referenced_bytes = 0;
  if (fs::is_directory(store.BlobsRoot(), error)) {
    for (fs::directory_iterator it(store.BlobsRoot(), error), end; !error && it != end;
         it.increment(error)) {
      if (!it->is_regular_file(error)) continue;
      BlobInfo blob;
      blob.sha256 = it->path().filename().string();
      blob.size = it->file_size(error);
      if (const auto found = users.find(blob.sha256); found != users.end()) {
        blob.models = found->second;
        std::sort(blob.models.begin(), blob.models.end());
        referenced_bytes += blob.size;
        users.erase(found);
      } else {
        report.unreferenced_bytes += blob.size;
        ++report.unreferenced_blobs;
      }
      report.blob_bytes += blob.size;
      report.blobs.push_back(std::move(blob));
    }
  }
  if (error) report.problems.push_back(store.BlobsRoot() + ": " + error.message());
  for (const auto& [digest, ids] : users) {
    report.problems.push_back("blob " + digest + " (listed by " + ids.front() +
                              ") is not in the blob store; axon verify " + ids.front() +
                              " checks that model's files");
  }
  std::sort(report.blobs.begin(), report.blobs.end(),
            [](const BlobInfo& a, const BlobInfo& b) { return a.sha256 < b.sha256; });
  report.deduplicated_bytes =
      report.model_bytes > referenced_bytes ? report.model_bytes - referenced_bytes : 0;
  return report;
}

StatusOr<CleanResult> CleanTemp(const Store& store) {
  ASSIGN_OR_RETURN(const StoreLock lock, StoreLock::TryExclusive(store.home()));
  CleanResult result;
  std::error_code error;
  if (!fs::is_directory(store.TempRoot(), error)) return result;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(store.TempRoot(), error), end; !error && it != end;
       it.increment(error)) {
    entries.push_back(it->path());
  }
  if (error) return Internal("cannot list " + store.TempRoot() + ": " + error.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& entry : entries) {
    const uint64_t bytes = TreeBytes(entry);
    fs::remove_all(entry, error);
    if (error) return Internal("cannot delete " + entry.string() + ": " + error.message());
    result.removed.push_back(entry.string());
    result.bytes += bytes;
  }
  return result;
}

StatusOr<CleanResult> PruneBlobs(const Store& store) {
  ASSIGN_OR_RETURN(const StoreLock lock, StoreLock::TryExclusive(store.home()));
  const CacheReport report = InspectCache(store);
  const StoreListing listing = store.List();
  if (!listing.problems.empty()) {
    // A tree Axon cannot read may still use blobs: deleting them could destroy its only copy.
    return FailedPrecondition("not pruning while a model tree cannot be read (" +
                              listing.problems.front() + "); uninstall or reinstall it first");
  }
  CleanResult result;
  for (const BlobInfo& blob : report.blobs) {
    if (!blob.models.empty()) continue;
    std::error_code error;
    fs::remove(store.BlobPath(blob.sha256), error);
    if (error) {
      return Internal("cannot delete " + store.BlobPath(blob.sha256) + ": " + error.message());
    }
    result.removed.push_back(blob.sha256);
    result.bytes += blob.size;
  }
  return result;
}

}  // namespace mlos::axon
