// ModelManager: the registered models, their lifecycle, the resources they may use and the
// scheduling of their requests. The one place the front ends (MLOS API, KServe v2, gRPC, IPC)
// go through to reach a model.
//
// Lifecycle. A model is unloaded -> loading -> ready -> unloading -> unloaded; a failed load
// leaves it `failed` with the reason, and the next use tries again. Register() validates the
// model by loading it once through its plugin and persists it (it stays loaded with "load":
// true). A model loads on first use (Infer), on Load(), or at start-up when its settings say
// "load". Loads of different models run in parallel; concurrent loads of one model are one load.
// Unload() and Delete() wait for the requests in flight on the model (nothing is unloaded under a
// running request); Delete() makes the id unknown at once, then removes it from the registry.
// Restore() brings back the models of an earlier run, registered and unloaded.
//
// Resources. Loaded models must fit the memory budget and max_loaded_models. Before a load, idle
// ready models (no request in flight, not pinned) are unloaded least recently used first until
// the new model fits (its size estimated from its files, or from its last load); models in use
// are waited for (up to 10 s) until their requests are answered. If the model still cannot be
// made to fit, the load fails with OutOfMemory naming the budget and the models holding it.
// keep_alive_s (per model, default 300) unloads a model idle that long; -1 pins it; 0 unloads it
// as soon as its last request is answered.
//
// Scheduling. Each loaded model has a scheduler: up to `instances` executions at once, up to
// `max_queue` requests waiting (then ResourceExhausted: the HTTP layer answers 503 with
// Retry-After), requests still queued after `timeout_ms` fail with Unavailable, and with
// max_batch_size > 1 queued requests of the same input shapes (but dimension 0) are stacked into
// one execution and their outputs split back. A request arriving at an idle model runs at once.
//
// Settings: the defaults, laid over by the config file's settings for the id, laid over by the
// settings given at registration (stored in the registry). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "core/inference_job.h"
#include "core/loaded_model.h"
#include "core/model_settings.h"
#include "core/model_stats.h"
#include "core/plugin_host.h"
#include "core/registry_store.h"

namespace mlos::core {

// The body of POST /models/register (docs/http_api.md).
struct RegistrationRequest {
  std::string model_id;
  std::string path;  // "path" or "model_path"
  std::string manifest_path;
  std::string role;  // the manifest's execution file to load, by role; empty: the default
  std::string plugin_id;
  std::string execution_format;
  std::string framework;
  std::string name;
  std::string description;
  nlohmann::json settings = nlohmann::json::object();  // "settings" (ModelSettings keys)
  bool load = false;  // keep the model loaded after validation ("load")
};

struct RegistrationResult {
  std::string plugin_id;
  bool already_registered = false;
};

enum class ModelState { kUnloaded, kLoading, kReady, kUnloading, kFailed };
// "unloaded", "loading", "ready", "unloading", "failed"
const char* ModelStateName(ModelState state);

struct ModelInfo {
  ModelRecord record;
  ModelSettings settings;  // effective settings
  ModelState state = ModelState::kUnloaded;
  std::string failure;  // why the last load failed (state kFailed)
  uint64_t memory_bytes = 0;  // while loaded
  std::optional<std::chrono::system_clock::time_point> last_used;
  ModelStatsSnapshot stats;
};

struct ManagerOptions {
  std::string models_directory;  // relative registration paths start here
  uint64_t memory_budget_bytes = 0;  // 0: no limit
  unsigned max_loaded_models = 0;    // 0: no limit
  ModelSettings defaults;
  std::map<std::string, nlohmann::json> model_settings;  // from the config file, by model id
};

struct ResourceUsage {
  uint64_t memory_budget_bytes = 0;  // 0: no limit
  uint64_t memory_used_bytes = 0;    // loaded models, and loads under way (estimated)
  unsigned loaded_models = 0;
  unsigned max_loaded_models = 0;  // 0: no limit
};

class ModelManager {
 public:
  ModelManager(PluginHost& plugins, RegistryStore& store, ManagerOptions options);
  ~ModelManager();  // Shutdown()
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

  // Loads the stored records; a record whose plugin is missing is still listed, and fails to
  // load with a message naming the plugin. Then loads, in the background, the models whose
  // settings say "load".
  Status Restore();

  // Errors: InvalidArgument (bad id, files, settings, a role the manifest lacks or a role
  // without a manifest, unknown plugin or format, model the plugin refuses), AlreadyExists
  // (same id registered from another path, or from the same path with another role).
  StatusOr<RegistrationResult> Register(const RegistrationRequest& request);

  std::vector<ModelInfo> List() const;
  // NotFound naming the id.
  StatusOr<ModelInfo> Describe(const std::string& id) const;
  // The declared inputs and outputs, cheaply (the request path needs only these). NotFound.
  StatusOr<std::shared_ptr<const ModelSignature>> Signature(const std::string& id) const;
  ResourceUsage Usage() const;

  // Loads the model if it is not ready and waits for it. NotFound; a failed load is Internal (or
  // the plugin's OutOfMemory, or OutOfMemory when the budget cannot be met) with the reason.
  Status Load(const std::string& id);
  // Waits for the requests in flight, then unloads. Unloading an unloaded model is OK.
  Status Unload(const std::string& id);
  // Unregisters: the id is unknown at once; waits for the requests in flight, unloads, and
  // removes the record from the registry. NotFound naming the id.
  Status Delete(const std::string& id);

  // Runs one request without blocking the caller: queues the job on the model's scheduler (if
  // the model must be loaded first, the job waits for the load, which runs on a loader thread)
  // and returns. The outcome comes through job.done, exactly once: from this thread when the
  // request fails at once (NotFound, ResourceExhausted when the queue is full, Unavailable when
  // shutting down), otherwise from a loader or execution thread.
  void Infer(const std::string& id, InferenceJob job);

  // Stops the keep-alive timer, fails queued requests with Unavailable, waits for running
  // executions and unloads every model. Idempotent.
  void Shutdown();

 private:
  struct Entry;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlos::core
