#include "axon/store.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "axon/sha256.h"
#include "axon/store_lock.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText() { return std::strerror(errno); }

// Removes a temporary path when the scope ends, whatever happened.
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::string path) : path_(std::move(path)) {}
  ~RemoveOnExit() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

 private:
  std::string path_;
};

Status CreateDirectories(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return Internal("cannot create directory " + path + ": " + error.message());
  return Status::Ok();
}

// Files equal as (path, digest) sets.
bool SameFiles(std::vector<ManifestFile> a, std::vector<ManifestFile> b) {
  const auto key = [](const ManifestFile& f) { return std::tie(f.path, f.sha256); };
  const auto less = [&](const ManifestFile& x, const ManifestFile& y) { return key(x) < key(y); };
  std::sort(a.begin(), a.end(), less);
  std::sort(b.begin(), b.end(), less);
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](const ManifestFile& x, const ManifestFile& y) { return key(x) == key(y); });
}

// Copies `from` to the open descriptor `to`, returning the digest of what it copied.
StatusOr<std::string> CopyAndHash(const std::string& from, int to, const std::string& to_name) {
  ASSIGN_OR_RETURN(
      std::string digest, Sha256File(from, {}, [&](std::span<const std::byte> chunk) -> Status {
        for (size_t written = 0; written < chunk.size();) {
          const ssize_t n = ::write(to, chunk.data() + written, chunk.size() - written);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) return Internal("cannot write " + to_name + ": " + ErrnoText());
          written += static_cast<size_t>(n);
        }
        return Status::Ok();
      }));
  if (::fsync(to) != 0) return Internal("cannot flush " + to_name + ": " + ErrnoText());
  return digest;
}

Status LinkOrCopy(const std::string& blob, const std::string& destination) {
  std::error_code error;
  fs::create_hard_link(blob, destination, error);
  if (!error) return Status::Ok();
  // Hard links fail across file systems or past the link limit: a copy is as good, just bigger.
  error.clear();
  fs::copy_file(blob, destination, error);
  if (error)
    return Internal("cannot place " + blob + " at " + destination + ": " + error.message());
  return Status::Ok();
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) return Internal("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Store::Store(std::string home) : home_(std::move(home)) {
  std::error_code error;
  const fs::path absolute = fs::absolute(home_, error);
  if (!error) home_ = absolute.lexically_normal().string();
  while (home_.size() > 1 && home_.back() == '/') home_.pop_back();
}

std::string Store::ModelsRoot() const { return home_ + "/cache/models"; }
std::string Store::TempRoot() const { return home_ + "/cache/tmp"; }
std::string Store::BlobsRoot() const { return home_ + "/cache/blobs/sha256"; }

std::string Store::ModelDir(const ModelRef& ref) const {
  return ModelsRoot() + "/" + ref.relative_dir();
}

std::string Store::BlobPath(const std::string& sha256) const { return BlobsRoot() + "/" + sha256; }

Status Store::AddBlob(const StoreFile& file) const {
  const std::string blob = BlobPath(file.sha256);
  std::error_code error;
  if (fs::is_regular_file(blob, error)) return Status::Ok();
  RETURN_IF_ERROR(CreateDirectories(fs::path(blob).parent_path().string()));

  std::string temporary = TempRoot() + "/blob-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0)
    return Internal("cannot create a temporary file in " + TempRoot() + ": " + ErrnoText());
  RemoveOnExit cleanup(temporary);
  StatusOr<std::string> digest = CopyAndHash(file.source_path, fd, temporary);
  ::close(fd);
  if (!digest.ok()) return digest.status();
  if (*digest != file.sha256) {
    return InvalidArgument(file.source_path + " changed while it was being installed (sha256 " +
                           *digest + ", expected " + file.sha256 + ")");
  }
  // Blobs are immutable: read-only for everyone, so an edit through a model tree fails loudly.
  ::chmod(temporary.c_str(), 0444);
  if (::rename(temporary.c_str(), blob.c_str()) != 0) {
    return Internal("cannot move " + temporary + " to " + blob + ": " + ErrnoText());
  }
  return Status::Ok();
}

Status Store::Publish(const std::string& staged, const std::string& final_dir, bool replace) const {
  RETURN_IF_ERROR(CreateDirectories(fs::path(final_dir).parent_path().string()));
  std::string aside;  // the old tree, when it had to be moved out of the way first
  if (replace) {
    // The exchange leaves the old tree at `staged`, where the caller's cleanup removes it.
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_EXCHANGE) == 0) {
      return Status::Ok();
    }
    if (errno == EINVAL || errno == ENOSYS) {
      // No atomic exchange on this file system: move the old tree aside, then rename.
      aside = staged + ".old";
      if (::rename(final_dir.c_str(), aside.c_str()) != 0) {
        return Internal("cannot move " + final_dir + " aside: " + ErrnoText());
      }
    } else if (errno != ENOENT) {
      return Internal("cannot replace " + final_dir + ": " + ErrnoText());
    }
  }
  RemoveOnExit remove_old(aside);
  if (::rename(staged.c_str(), final_dir.c_str()) != 0) {
    const int rename_errno = errno;
    if (!aside.empty()) ::rename(aside.c_str(), final_dir.c_str());  // put the old tree back
    if (rename_errno == ENOTEMPTY || rename_errno == EEXIST) {
      return AlreadyExists(final_dir + " was installed by another process meanwhile");
    }
    return Internal("cannot move " + staged + " to " + final_dir + ": " +
                    std::strerror(rename_errno));
  }
  return Status::Ok();
}

StatusOr<InstallOutcome> Store::Install(const Manifest& manifest, std::span<const StoreFile> files,
                                        const std::string& metadata_json, bool force) {
  ASSIGN_OR_RETURN(const ModelRef ref, ParseModelRef(manifest.model_id()));
  // Keeps `cache clean` and `cache prune` away from the staged tree and the blobs added for it.
  ASSIGN_OR_RETURN(const StoreLock lock, StoreLock::Shared(home_));
  const std::string final_dir = ModelDir(ref);
  std::error_code error;
  const bool exists = fs::exists(final_dir, error);
  if (exists && !force) {
    const StatusOr<Manifest> current = ReadManifestFile(final_dir + "/" + kManifestFileName);
    if (current.ok() && SameFiles(current->files, manifest.files))
      return InstallOutcome::kUnchanged;
    return AlreadyExists(ref.id() + " is already installed at " + final_dir +
                         " with different content; use --force to replace it");
  }

  RETURN_IF_ERROR(CreateDirectories(TempRoot()));
  std::string staged = TempRoot() + "/install-XXXXXX";
  if (::mkdtemp(staged.data()) == nullptr) {
    return Internal("cannot create a temporary directory in " + TempRoot() + ": " + ErrnoText());
  }
  RemoveOnExit cleanup(staged);
  // mkdtemp makes the directory private; the published tree must be readable by Core.
  ::chmod(staged.c_str(), 0755);
  for (const StoreFile& file : files) {
    RETURN_IF_ERROR(AddBlob(file));
    const fs::path destination = fs::path(staged) / file.package_path;
    RETURN_IF_ERROR(CreateDirectories(destination.parent_path().string()));
    RETURN_IF_ERROR(LinkOrCopy(BlobPath(file.sha256), destination.string()));
  }
  RETURN_IF_ERROR(WriteManifestFile(manifest, staged + "/" + kManifestFileName));
  RETURN_IF_ERROR(WriteTextFile(staged + "/" + kMetadataFileName, metadata_json));
  const Status published = Publish(staged, final_dir, exists);
  if (published.code() == StatusCode::kAlreadyExists) {
    // A concurrent install of the same id won the race; the same files are a success.
    const StatusOr<Manifest> winner = ReadManifestFile(final_dir + "/" + kManifestFileName);
    if (winner.ok() && SameFiles(winner->files, manifest.files)) return InstallOutcome::kUnchanged;
  }
  RETURN_IF_ERROR(published);
  return exists ? InstallOutcome::kReplaced : InstallOutcome::kInstalled;
}

StatusOr<InstalledModel> Store::Find(const ModelRef& ref) const {
  InstalledModel model;
  model.dir = ModelDir(ref);
  model.manifest_path = model.dir + "/" + kManifestFileName;
  std::error_code error;
  if (!fs::exists(model.manifest_path, error)) {
    return NotFound(ref.id() + " is not installed (no " + model.manifest_path + ")");
  }
  ASSIGN_OR_RETURN(model.manifest, ReadManifestFile(model.manifest_path));
  if (model.manifest.model_id() != ref.id()) {
    return InvalidArgument(model.manifest_path + ": describes " + model.manifest.model_id() +
                           ", expected " + ref.id());
  }
  return model;
}

StoreListing Store::List() const {
  StoreListing listing;
  std::error_code error;
  if (!fs::is_directory(ModelsRoot(), error)) return listing;
  fs::recursive_directory_iterator it(ModelsRoot(), error), end;
  for (; !error && it != end; it.increment(error)) {
    if (!it->is_directory(error)) continue;
    const std::string dir = it->path().string();
    if (!fs::exists(dir + "/" + kManifestFileName, error)) continue;
    it.disable_recursion_pending();
    const std::string relative = fs::relative(it->path(), ModelsRoot(), error).string();
    const size_t last_slash = relative.rfind('/');
    StatusOr<ModelRef> ref =
        last_slash == std::string::npos
            ? StatusOr<ModelRef>(InvalidArgument("not namespace/name/version"))
            : ParseModelRef(relative.substr(0, last_slash) + "@" + relative.substr(last_slash + 1));
    StatusOr<InstalledModel> model = ref.ok() ? Find(*ref) : StatusOr<InstalledModel>(ref.status());
    if (model.ok()) {
      listing.models.push_back(std::move(*model));
    } else {
      listing.problems.push_back(dir + ": " + model.status().message());
    }
  }
  if (error) listing.problems.push_back(ModelsRoot() + ": " + error.message());
  std::sort(listing.models.begin(), listing.models.end(),
            [](const InstalledModel& a, const InstalledModel& b) {
              return a.manifest.model_id() < b.manifest.model_id();
            });
  return listing;
}

}  // namespace mlos::axon
