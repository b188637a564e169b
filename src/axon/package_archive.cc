#include "axon/package_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "axon/local_source.h"
#include "axon/package_check.h"
#include "axon/sha256.h"
#include "axon/store_lock.h"
#include "axon/version.h"
#include "engine/session.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// Deletes a path when the scope ends unless released.
class DeleteOnExit {
 public:
  explicit DeleteOnExit(std::string path) : path_(std::move(path)) {}
  ~DeleteOnExit() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  DeleteOnExit(const DeleteOnExit&) = delete;
  DeleteOnExit& operator=(const DeleteOnExit&) = delete;
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

std::string ArchiveError(archive* a) {
  const char* text = archive_error_string(a);
  return text != nullptr ? text : "unknown libarchive error";
}

std::string ProblemList(const std::vector<FileProblem>& problems) {
  std::string text;
  for (const FileProblem& problem : problems) text += "\n  " + DescribeProblem(problem);
  return text;
}

// "a/./b/" -> "a/b"; InvalidArgument for absolute paths, ".." and empty names.
StatusOr<std::string> SafeEntryPath(const std::string& archive_path, const char* raw) {
  const std::string name = raw != nullptr ? raw : "";
  const auto refuse = [&](const std::string& why) {
    return InvalidArgument(archive_path + ": entry \"" + name + "\" " + why +
                           "; refusing the archive");
  };
  if (name.empty()) return refuse("has no name");
  if (name.front() == '/') return refuse("is an absolute path");
  std::string clean;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return refuse("leaves the package (\"..\")");
    clean += (clean.empty() ? "" : "/") + part;
  }
  return clean;  // empty for "./": the root itself
}

Status WriteAll(int fd, const void* data, size_t size, const std::string& name) {
  const char* bytes = static_cast<const char*>(data);
  for (size_t written = 0; written < size;) {
    const ssize_t n = ::write(fd, bytes + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal("cannot write " + name + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Writes the current entry's data to `path`, refusing more than `max_bytes`.
Status ExtractFile(archive* a, const std::string& path, uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot create " + path + ": " + std::strerror(errno));
  Status status = Status::Ok();
  std::vector<char> buffer(1 << 16);
  uint64_t total = 0;
  for (;;) {
    const la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      status =
          InvalidArgument("cannot read the archive's data for " + path + ": " + ArchiveError(a));
      break;
    }
    total += static_cast<uint64_t>(n);
    if (total > max_bytes) {
      status = InvalidArgument(path + " holds more bytes than the package's manifest lists");
      break;
    }
    status = WriteAll(fd, buffer.data(), static_cast<size_t>(n), path);
    if (!status.ok()) break;
  }
  if (::close(fd) != 0 && status.ok()) {
    status = Internal("cannot write " + path + ": " + std::strerror(errno));
  }
  return status;
}

std::string MetadataJson(const std::string& origin, const std::string& installed_at) {
  const nlohmann::json metadata = {
      {"installed_at", installed_at},
      {"source", {{"spec", origin}, {"hub", "axon-package"}, {"path", origin}}},
      {"axon_version", kAxonVersion},
  };
  return metadata.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// An ONNX execution file must load, as for any install: an installed model always runs.
Status CheckExecutionFiles(const std::string& dir, const Manifest& manifest) {
  if (manifest.execution_format != "onnx") return Status::Ok();
  for (const ManifestExecutionFile& file : manifest.execution_files) {
    StatusOr<engine::ModelSignature> signature = engine::ReadModelSignature(dir + "/" + file.path);
    if (!signature.ok()) return signature.status().WithContext(file.path);
  }
  return Status::Ok();
}

Status AddArchiveFile(archive* a, const std::string& source, const std::string& package_path,
                      uint64_t size, const std::string& expected_sha256) {
  std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), package_path.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(entry.get(), 0, 0);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
    return Internal("cannot add " + package_path + " to the archive: " + ArchiveError(a));
  }
  uint64_t written = 0;
  ASSIGN_OR_RETURN(
      const std::string digest,
      Sha256File(source, {}, [&](std::span<const std::byte> chunk) -> Status {
        written += chunk.size();
        if (written > size) return InvalidArgument(source + " grew while it was being packed");
        if (archive_write_data(a, chunk.data(), chunk.size()) < 0) {
          return Internal("cannot write " + package_path + " to the archive: " + ArchiveError(a));
        }
        return Status::Ok();
      }));
  if (written != size || (!expected_sha256.empty() && digest != expected_sha256)) {
    return InvalidArgument(source + " changed while it was being packed");
  }
  return Status::Ok();
}

}  // namespace

bool IsPackageArchivePath(std::string_view spec) {
  for (const std::string_view suffix : {".axon", ".tar", ".tar.gz", ".tgz", ".tar.zst"}) {
    if (spec.size() > suffix.size() && spec.ends_with(suffix)) return true;
  }
  return false;
}

StatusOr<Manifest> PackPackage(const std::string& dir, const std::string& archive_path,
                               Progress& progress) {
  const std::string manifest_path = dir + "/" + kManifestFileName;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return NotFound(dir + " is not a directory");
  if (!fs::exists(manifest_path, error)) {
    return InvalidArgument(dir + " has no " + kManifestFileName + " at its root (axon export " +
                           "writes a package folder)");
  }
  ASSIGN_OR_RETURN(const Manifest manifest, ReadManifestFile(manifest_path));
  const std::vector<FileProblem> problems = CheckPackageFiles(dir, manifest, progress);
  if (!problems.empty()) {
    return InvalidArgument(dir + " does not match its manifest:" + ProblemList(problems));
  }

  const fs::path target = fs::absolute(archive_path, error);
  std::string temporary = (target.parent_path() / (".axon-pack-XXXXXX")).string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    return Internal("cannot create a temporary file in " + target.parent_path().string() + ": " +
                    std::strerror(errno));
  }
  DeleteOnExit cleanup(temporary);
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
    ::close(fd);
    return Internal("cannot start the archive " + temporary + ": " + ArchiveError(a.get()));
  }
  Status status = AddArchiveFile(a.get(), manifest_path, kManifestFileName,
                                 fs::file_size(manifest_path, error), "");
  for (const ManifestFile& file : manifest.files) {
    if (!status.ok()) break;
    status = AddArchiveFile(a.get(), dir + "/" + file.path, file.path, file.size, file.sha256);
  }
  if (status.ok() && archive_write_close(a.get()) != ARCHIVE_OK) {
    status = Internal("cannot finish the archive " + temporary + ": " + ArchiveError(a.get()));
  }
  if (status.ok() && ::fsync(fd) != 0) {
    status = Internal("cannot flush " + temporary + ": " + std::strerror(errno));
  }
  ::close(fd);
  RETURN_IF_ERROR(status);
  ::chmod(temporary.c_str(), 0644);
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    return Internal("cannot move " + temporary + " to " + target.string() + ": " +
                    std::strerror(errno));
  }
  cleanup.Release();
  return manifest;
}

StatusOr<InstalledModel> ExportModel(const Store& store, const ModelRef& ref,
                                     const std::string& dir) {
  ASSIGN_OR_RETURN(InstalledModel model, store.Find(ref));
  std::error_code error;
  if (fs::exists(dir, error) && (!fs::is_directory(dir, error) || !fs::is_empty(dir, error))) {
    return AlreadyExists(dir + " exists and is not an empty directory");
  }
  fs::create_directories(dir, error);
  if (error) return Internal("cannot create directory " + dir + ": " + error.message());
  std::vector<std::pair<std::string, std::string>> copies = {
      {model.manifest_path, dir + "/" + kManifestFileName}};
  for (const ManifestFile& file : model.manifest.files) {
    copies.emplace_back(model.dir + "/" + file.path, dir + "/" + file.path);
  }
  for (const auto& [from, to] : copies) {
    fs::create_directories(fs::path(to).parent_path(), error);
    // A copy, never a link: the blob store's files must not be reachable (and writable) outside.
    if (!error) fs::copy_file(from, to, fs::copy_options::none, error);
    if (!error) fs::permissions(to, fs::perms(0644), error);
    if (error) return Internal("cannot copy " + from + " to " + to + ": " + error.message());
  }
  return model;
}

Status ExtractPackageArchive(const std::string& archive_path, const std::string& destination) {
  std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_none(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_zip(a.get());  // source archives of hub repositories
  if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return InvalidArgument(archive_path +
                           ": not a readable package archive: " + ArchiveError(a.get()));
  }
  std::set<std::string> seen;
  // When manifest.yaml comes first (as `axon pack` writes it), every later file must be one it
  // lists and no larger than it says, so a hostile archive is refused before it fills the disk.
  std::optional<std::map<std::string, uint64_t>> listed;
  archive_entry* entry = nullptr;
  for (;;) {
    const int next = archive_read_next_header(a.get(), &entry);
    if (next == ARCHIVE_EOF) break;
    if (next != ARCHIVE_OK && next != ARCHIVE_WARN) {
      return InvalidArgument(archive_path + ": corrupt archive: " + ArchiveError(a.get()));
    }
    const char* raw_name = archive_entry_pathname(entry);
    ASSIGN_OR_RETURN(const std::string path, SafeEntryPath(archive_path, raw_name));
    const std::string shown = raw_name != nullptr ? raw_name : "";
    if (archive_entry_hardlink(entry) != nullptr) {
      return InvalidArgument(archive_path + ": entry \"" + shown +
                             "\" is a hard link; refusing the archive");
    }
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      if (path.empty()) continue;
      std::error_code error;
      fs::create_directories(destination + "/" + path, error);
      if (error)
        return Internal("cannot create " + destination + "/" + path + ": " + error.message());
      continue;
    }
    if (type != AE_IFREG) {
      return InvalidArgument(archive_path + ": entry \"" + shown + "\" is a " +
                             (type == AE_IFLNK ? "symbolic link" : "device, FIFO or socket") +
                             "; refusing the archive");
    }
    if (path.empty() || !seen.insert(path).second) {
      return InvalidArgument(archive_path + ": entry \"" + shown +
                             "\" appears twice or names the root; refusing the archive");
    }
    const std::string target = destination + "/" + path;
    std::error_code error;
    fs::create_directories(fs::path(target).parent_path(), error);
    if (error)
      return Internal("cannot create " + fs::path(target).parent_path().string() + ": " +
                      error.message());
    uint64_t max_bytes = std::numeric_limits<uint64_t>::max();
    if (listed) {
      const auto found = listed->find(path);
      if (found == listed->end()) {
        return InvalidArgument(archive_path + ": entry \"" + shown +
                               "\" is not listed in the package's manifest; refusing the archive");
      }
      max_bytes = found->second;
    }
    RETURN_IF_ERROR(ExtractFile(a.get(), target, max_bytes).WithContext(archive_path));
    if (seen.size() == 1 && path == kManifestFileName) {
      if (StatusOr<Manifest> manifest = ReadManifestFile(target); manifest.ok()) {
        listed.emplace();
        for (const ManifestFile& file : manifest->files) (*listed)[file.path] = file.size;
      }
    }
  }
  return Status::Ok();
}

StatusOr<InstallResult> InstallPackageArchive(Store& store, const std::string& archive_path,
                                              const InstallOptions& options, Progress& progress,
                                              const std::string& origin) {
  std::error_code error;
  const std::string absolute = fs::absolute(archive_path, error).lexically_normal().string();
  if (!fs::is_regular_file(absolute, error)) return NotFound(archive_path + " is not a file");
  // Held while the package sits unpublished in tmp/, so `cache clean` leaves it alone.
  ASSIGN_OR_RETURN(const StoreLock lock, StoreLock::Shared(store.home()));
  fs::create_directories(store.TempRoot(), error);
  if (error) return Internal("cannot create " + store.TempRoot() + ": " + error.message());
  std::string staging = store.TempRoot() + "/package-XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) {
    return Internal("cannot create a temporary directory in " + store.TempRoot() + ": " +
                    std::strerror(errno));
  }
  DeleteOnExit cleanup(staging);
  RETURN_IF_ERROR(ExtractPackageArchive(absolute, staging));

  const std::string manifest_path = staging + "/" + kManifestFileName;
  if (!fs::exists(manifest_path, error)) {
    return InvalidArgument(archive_path + " has no " + kManifestFileName + " at its root");
  }
  StatusOr<Manifest> manifest = ReadManifestFile(manifest_path);
  if (!manifest.ok()) {
    return InvalidArgument(archive_path + ": " + kManifestFileName + ": " +
                           manifest.status().message());
  }
  const std::vector<FileProblem> problems = CheckPackageFiles(staging, *manifest, progress);
  if (!problems.empty()) {
    return InvalidArgument(archive_path + " does not match its manifest:" + ProblemList(problems));
  }
  RETURN_IF_ERROR(CheckExecutionFiles(staging, *manifest).WithContext(archive_path));
  if (options.as) {
    manifest->namespace_ = options.as->namespace_;
    manifest->name = options.as->name;
    manifest->version = options.as->version;
  }
  ASSIGN_OR_RETURN(const ModelRef ref, ParseModelRef(manifest->model_id()));

  std::vector<StoreFile> files;
  for (const ManifestFile& file : manifest->files) {
    files.push_back({staging + "/" + file.path, file.path, file.sha256});
  }
  ASSIGN_OR_RETURN(const InstallOutcome outcome,
                   store.Install(*manifest, files,
                                 MetadataJson(origin.empty() ? absolute : origin,
                                              Rfc3339Utc(std::chrono::system_clock::now())),
                                 options.force));
  ASSIGN_OR_RETURN(InstalledModel installed, store.Find(ref));
  return InstallResult{std::move(installed), outcome};
}

StatusOr<InstallResult> InstallLocalOrPackage(Store& store, std::string_view spec,
                                              const InstallOptions& options, Progress& progress) {
  if (IsPackageArchivePath(spec)) {
    ASSIGN_OR_RETURN(const std::string path, LocalPathOfSpec(spec));  // file:// URL or path
    return InstallPackageArchive(store, path, options, progress);
  }
  return InstallLocal(store, spec, options, progress);
}

}  // namespace mlos::axon
