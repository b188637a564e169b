// Store: Axon's local model store under one home directory (default ~/.axon).
//
//   <home>/cache/blobs/sha256/<hex>              file contents, content-addressed, read-only,
//                                                shared by every model and version
//   <home>/cache/models/<ns>/<name>/<version>/   one installed model: manifest.yaml,
//                                                .axon_metadata.json and the package files
//                                                (hard links to the blobs; copies as fallback)
//   <home>/cache/tmp/                            installs in progress; same file system, so a
//                                                finished tree is renamed into place
//
// docs/store_layout.md describes the layout in prose. An install is atomic: a model directory
// either holds a complete, validated package or does not exist. Concurrent installs of the same
// id are safe: one wins, the other fails with AlreadyExists (or replaces it, with `force`).
// A Store object holds no state besides its home path; methods are safe to call from several
// threads and processes.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "axon/model_ref.h"
#include "common/manifest.h"
#include "common/status.h"

namespace mlos::axon {

// A file to place in a model's package.
struct StoreFile {
  std::string source_path;   // where to read it now
  std::string package_path;  // where it goes in the package (relative, '/'-separated)
  std::string sha256;        // its digest, checked again while it is copied into the blob store
};

struct InstalledModel {
  std::string dir;            // absolute path of the version directory
  std::string manifest_path;  // dir + "/manifest.yaml"
  Manifest manifest;
};

enum class InstallOutcome {
  kInstalled,  // new model
  kReplaced,   // an existing install was replaced (force)
  kUnchanged,  // the same files were already installed under this id; nothing was written
};

struct StoreListing {
  std::vector<InstalledModel> models;  // sorted by model id
  std::vector<std::string> problems;   // model directories that could not be read, and why
};

inline constexpr char kManifestFileName[] = "manifest.yaml";
inline constexpr char kMetadataFileName[] = ".axon_metadata.json";

class Store {
 public:
  explicit Store(std::string home);

  const std::string& home() const { return home_; }
  std::string ModelDir(const ModelRef& ref) const;
  std::string BlobPath(const std::string& sha256) const;
  std::string ModelsRoot() const;  // <home>/cache/models
  std::string BlobsRoot() const;   // <home>/cache/blobs/sha256
  std::string TempRoot() const;    // <home>/cache/tmp

  // Installs `files` as the package of manifest.model_id(), with `manifest` (which must list
  // exactly these files) and `metadata_json` written beside them. If the id is already installed:
  // the same files (paths and digests) give kUnchanged unless `force`; other content is refused
  // with AlreadyExists unless `force`, which replaces the old tree atomically. On any error
  // nothing of the new install remains (blobs already added stay, unreferenced, for reuse).
  // Holds the shared StoreLock (store_lock.h) throughout.
  StatusOr<InstallOutcome> Install(const Manifest& manifest, std::span<const StoreFile> files,
                                   const std::string& metadata_json, bool force);

  // The installed model `ref`; NotFound if it is not installed.
  StatusOr<InstalledModel> Find(const ModelRef& ref) const;

  // Every installed model.
  StoreListing List() const;

 private:
  // Makes sure the blob for `file` exists, copying it in (and checking its digest) if needed.
  Status AddBlob(const StoreFile& file) const;
  // Places the tree at `staged` at `final_dir`, atomically exchanging it with an existing tree
  // when `replace`.
  Status Publish(const std::string& staged, const std::string& final_dir, bool replace) const;

  std::string home_;
};

}  // namespace mlos::axon
