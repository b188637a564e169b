// RegistryStore: the persistent model registry, one SQLite database (<home>/registry.db).
//
// The database runs in WAL mode with synchronous=NORMAL, so a crash loses at most the last
// transactions and never corrupts the file. The schema is versioned with PRAGMA user_version and
// upgraded in order at Open; a database newer than this build is refused rather than guessed at.
// Each call is one transaction. Thread-safe (calls are serialised on one connection).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/model_signature.h"

struct sqlite3;

namespace mlos::core {

struct ModelRecord {
  std::string id;           // namespace/name@version
  std::string source_path;  // what was registered: package dir or model file (absolute)
  std::string load_path;    // what the plugin loads (absolute)
  std::string plugin_id;
  std::string role;  // the manifest's execution file role asked for at registration, or empty
  std::string manifest_yaml;         // empty when the model came without a manifest
  std::string settings_json = "{}";  // settings given at registration (model_settings.h)
  std::string metadata_json = "{}";  // name, description, framework as registered
  ModelSignature signature;
  std::string created;  // RFC 3339 UTC
};

class RegistryStore {
 public:
  // Creates the file (and its folder) when missing.
  static StatusOr<std::unique_ptr<RegistryStore>> Open(const std::string& path);
  ~RegistryStore();
  RegistryStore(const RegistryStore&) = delete;
  RegistryStore& operator=(const RegistryStore&) = delete;

  // AlreadyExists if a record with this id is stored.
  Status Insert(const ModelRecord& record);
  // NotFound if no record has this id.
  Status Delete(const std::string& id);
  // Every record, in order of id.
  StatusOr<std::vector<ModelRecord>> LoadAll();

 private:
  RegistryStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Execute(const std::string& sql);
  Status Migrate();
  std::string Error(const std::string& what) const;

  std::mutex mutex_;
  sqlite3* db_;
  std::string path_;
};

}  // namespace mlos::core
