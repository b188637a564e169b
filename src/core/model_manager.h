// ModelManager: the registered models, their lifecycle and the registry behind them.
//
// Register() resolves the model's files, picks its plugin, validates it by loading it once
// through the plugin, records its signature and persists it; the model stays loaded only when
// asked ("load": true), otherwise it loads on first use. Acquire() hands out the loaded model,
// loading it first if needed (concurrent callers wait for one load); a failed load leaves the
// model in state "failed" with the reason, and the next Acquire tries again. Requests hold the
// shared LoadedModel, so nothing is unloaded under a running request. Restore() brings back the
// models stored by an earlier run, registered and unloaded. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/loaded_model.h"
#include "core/plugin_host.h"
#include "core/registry_store.h"

namespace mlos::core {

// The body of POST /models/register (docs/http_api.md).
struct RegistrationRequest {
  std::string model_id;
  std::string path;  // "path" or "model_path"
  std::string manifest_path;
  std::string plugin_id;
  std::string execution_format;
  std::string framework;
  std::string name;
  std::string description;
  bool load = false;  // keep the model loaded after validation
};

struct RegistrationResult {
  std::string plugin_id;
  bool already_registered = false;
};

enum class ModelState { kUnloaded, kLoading, kReady, kFailed };
const char* ModelStateName(ModelState state);  // "unloaded", "loading", "ready", "failed"

struct ModelInfo {
  ModelRecord record;
  ModelState state = ModelState::kUnloaded;
  std::string failure;  // why the last load failed (state kFailed)
  uint64_t memory_bytes = 0;
  std::optional<std::chrono::system_clock::time_point> last_used;
};

class ModelManager {
 public:
  // Relative registration paths are taken from `models_directory`.
  ModelManager(PluginHost& plugins, RegistryStore& store, std::string models_directory);

  // Loads the stored records; a record whose plugin is missing is still listed, and fails to
  // load with a message naming the plugin.
  Status Restore();

  // Errors: InvalidArgument (bad id, files, unknown plugin or format, model the plugin refuses),
  // AlreadyExists (same id registered from another path).
  StatusOr<RegistrationResult> Register(const RegistrationRequest& request);

  std::vector<ModelInfo> List() const;
  // NotFound naming the id.
  StatusOr<ModelInfo> Describe(const std::string& id) const;
  // The loaded model, loading it if needed. NotFound naming the id; a failed load is Internal
  // (or the plugin's OutOfMemory) with the plugin's message.
  StatusOr<std::shared_ptr<const LoadedModel>> Acquire(const std::string& id);

 private:
  struct Entry {
    explicit Entry(ModelRecord r) : record(std::move(r)) {}
    const ModelRecord record;
    mutable std::mutex mutex;
    std::condition_variable load_finished;
    ModelState state = ModelState::kUnloaded;
    std::string failure;
    std::shared_ptr<const LoadedModel> loaded;
    std::optional<std::chrono::system_clock::time_point> last_used;
  };

  std::shared_ptr<Entry> Find(const std::string& id) const;
  StatusOr<std::shared_ptr<const Plugin>> ChoosePlugin(const RegistrationRequest& request,
                                                       const std::string& format) const;
  static ModelInfo Snapshot(const Entry& entry);

  PluginHost& plugins_;
  RegistryStore& store_;
  const std::string models_directory_;
  std::mutex registration_mutex_;  // one registration at a time (validation loads the model)
  mutable std::mutex entries_mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace mlos::core
