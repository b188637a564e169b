// Store administration: the commands that change or inspect the store as a whole rather than
// install into it — `axon init`, `uninstall`, `cache list|stats|clean|prune`.
//
// Uninstalling removes model trees only; their blobs stay (for reuse) until Prune deletes every
// blob no installed model lists. Clean and Prune take the exclusive StoreLock, so they never touch
// what an install in progress is staging; they fail with Unavailable while one runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axon/model_ref.h"
#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

// Creates <home>/cache/{blobs/sha256,models,tmp} and a default config.yaml where missing. Returns
// the paths it created (empty when everything was there: idempotent).
StatusOr<std::vector<std::string>> InitHome(const std::string& home);

// Removes the model `ref` (or, with `all_versions`, every installed version of ref's name) from
// the store: each tree is renamed into cache/tmp/ first, so it disappears at once, then deleted.
// Returns the ids removed. NotFound if nothing matched.
StatusOr<std::vector<std::string>> Uninstall(const Store& store, const ModelRef& ref,
                                             bool all_versions);

struct BlobInfo {
  std::string sha256;
  uint64_t size = 0;
  std::vector<std::string> models;  // ids of the installed models listing it, sorted
};

struct CacheReport {
  std::vector<BlobInfo> blobs;        // sorted by digest
  std::vector<std::string> problems;  // unreadable model trees, blobs listed but absent
  size_t models = 0;
  uint64_t blob_bytes = 0;          // all blobs on disk
  uint64_t unreferenced_bytes = 0;  // blobs no model lists
  size_t unreferenced_blobs = 0;
  uint64_t model_bytes = 0;         // the installed models' files, counted per model
  uint64_t deduplicated_bytes = 0;  // model_bytes minus the referenced blobs' bytes
};

// What the blob store holds and which models use it.
CacheReport InspectCache(const Store& store);

struct CleanResult {
  std::vector<std::string> removed;  // paths under cache/tmp/
  uint64_t bytes = 0;
};

// Deletes everything in cache/tmp/ (leftovers of interrupted installs and downloads).
StatusOr<CleanResult> CleanTemp(const Store& store);
// Deletes every blob no installed model lists. The result lists digests.
StatusOr<CleanResult> PruneBlobs(const Store& store);

}  // namespace mlos::axon
