#include "core/model_manager.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <utility>

#include "core/model_id.h"
#include "core/model_scheduler.h"
#include "core/plugin_config.h"
#include "core/model_source.h"
#include "core/time_format.h"

namespace mlos::core {

const char* ModelStateName(ModelState state) {
  switch (state) {
    case ModelState::kUnloaded:
      return "unloaded";
    case ModelState::kLoading:
      return "loading";
    case ModelState::kReady:
      return "ready";
    case ModelState::kUnloading:
      return "unloading";
    case ModelState::kFailed:
      return "failed";
  }
  return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr auto kHousekeepingInterval = std::chrono::milliseconds(100);
// How long a load waits for models in use to become idle, so they can make room for it.
constexpr auto kRoomWait = std::chrono::seconds(10);
constexpr auto kRoomPollInterval = std::chrono::milliseconds(5);

// Bytes of a model file, or of every regular file under a model folder: the first guess of its
// size in memory.
uint64_t FilesBytes(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) {
    return std::filesystem::file_size(path, error);
  }
  uint64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) total += it->file_size(size_error);
  }
  return total;
}

std::string Bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  if (bytes < (1u << 20)) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{:.1f} MiB", bytes / 1048576.0);
}

// " (role encoder)", or nothing for a registration without a role.
std::string RoleSuffix(const std::string& role) {
  return role.empty() ? "" : fmt::format(" (role {})", role);
}

}  // namespace

struct ModelManager::Entry {
  Entry(ModelRecord r, ModelSettings s)
      : record(std::move(r)),
        settings(std::move(s)),
        signature(std::make_shared<const ModelSignature>(record.signature)) {}

  const ModelRecord record;
  const ModelSettings settings;
  const std::shared_ptr<const ModelSignature> signature;
  ModelStats stats;

  std::mutex mutex;
  std::condition_variable changed;  // state or in_flight changed
  ModelState state = ModelState::kUnloaded;
  std::string failure;
  std::shared_ptr<const LoadedModel> loaded;
  std::shared_ptr<ModelScheduler> scheduler;
  int64_t in_flight = 0;                       // jobs handed to the scheduler, not yet done
  std::vector<InferenceJob> waiting_for_load;  // jobs that came while not ready
  bool deleted = false;
  bool load_posted = false;  // a load waits for a loader thread
  Clock::time_point last_used_steady = Clock::now();
  std::optional<std::chrono::system_clock::time_point> last_used;
  uint64_t expected_bytes = 0;  // budget estimate for the next load
  uint64_t reserved_bytes = 0;  // counted against the budget while loading or loaded
};

class ModelManager::Impl {
 public:
  Impl(PluginHost& plugins, RegistryStore& store, ManagerOptions options)
      : plugins_(plugins), store_(store), options_(std::move(options)), loaders_(4) {
    housekeeper_ = std::thread([this] { Housekeep(); });
  }

  ~Impl() { Shutdown(); }

  Status Restore();
  StatusOr<RegistrationResult> Register(const RegistrationRequest& request);
  std::vector<ModelInfo> List() const;
  StatusOr<ModelInfo> Describe(const std::string& id) const;
  ResourceUsage Usage() const;
  StatusOr<std::shared_ptr<const ModelSignature>> Signature(const std::string& id) const {
    const auto entry = Find(id);
    if (!entry) return NotFound(fmt::format("model '{}' is not registered", id));
    return entry->signature;
  }
  Status Load(const std::string& id);
  Status Unload(const std::string& id);
  Status Delete(const std::string& id);
  void Infer(const std::string& id, InferenceJob job);
  void Shutdown();

 private:
  std::shared_ptr<Entry> Find(const std::string& id) const;
  std::vector<std::shared_ptr<Entry>> AllEntries() const;
  StatusOr<std::shared_ptr<const Plugin>> ChoosePlugin(const RegistrationRequest& request,
                                                       const std::string& format) const;
  StatusOr<ModelSettings> SettingsFor(const std::string& id, const Json& registered) const;
  static ModelInfo Snapshot(Entry& entry);

  // Loading: the caller has set entry.state = kLoading and owns the load.
  Status LoadNow(const std::shared_ptr<Entry>& entry);
  void PostLoad(const std::shared_ptr<Entry>& entry);  // entry.mutex held
  // Makes the model ready with `loaded`, or failed with `status`; hands waiting jobs on.
  Status Install(const std::shared_ptr<Entry>& entry, StatusOr<std::shared_ptr<LoadedModel>> loaded);
  // Room in the budget for `entry` (evicting idle models), counted as reserved.
  Status Reserve(const std::shared_ptr<Entry>& entry, uint64_t bytes);
  void Release(Entry& entry);
  // The least recently used idle model that may be unloaded; *busy_candidates tells whether
  // models in use could be, once idle.
  std::shared_ptr<Entry> EvictionVictim(const Entry& loading, bool* busy_candidates) const;

  // Waits for requests in flight and unloads; `why` is logged.
  void UnloadEntry(const std::shared_ptr<Entry>& entry, const char* why);
  // Hands a job to the ready model's scheduler (entry.mutex held by `lock`, released here).
  void Dispatch(const std::shared_ptr<Entry>& entry, std::unique_lock<std::mutex>& lock,
                InferenceJob job);
  void Housekeep();
  void WakeHousekeeper();
  bool Stopping();

  PluginHost& plugins_;
  RegistryStore& store_;
  const ManagerOptions options_;

  std::mutex registration_mutex_;  // one registration at a time (validation loads the model)
  mutable std::mutex entries_mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;

  std::mutex reserve_mutex_;  // one budget decision (and its evictions) at a time
  mutable std::mutex usage_mutex_;
  uint64_t used_bytes_ = 0;
  unsigned loaded_models_ = 0;

  boost::asio::thread_pool loaders_;
  std::mutex housekeeping_mutex_;
  std::condition_variable housekeeping_wake_;
  bool housekeeping_due_ = false;
  bool stopping_ = false;
  std::thread housekeeper_;
  std::once_flag shutdown_once_;
};

// ---- registry -----------------------------------------------------------------------------

StatusOr<ModelSettings> ModelManager::Impl::SettingsFor(const std::string& id,
                                                        const Json& registered) const {
  ModelSettings settings = options_.defaults;
  if (const auto configured = options_.model_settings.find(id);
      configured != options_.model_settings.end()) {
    ASSIGN_OR_RETURN(settings, ParseModelSettings(configured->second, settings,
                                                  fmt::format("config: models.{}", id)));
  }
  return ParseModelSettings(registered, settings, fmt::format("model '{}' settings", id));
}

Status ModelManager::Impl::Restore() {
  ASSIGN_OR_RETURN(auto records, store_.LoadAll());
  std::vector<std::shared_ptr<Entry>> to_load;
  {
    std::lock_guard lock(entries_mutex_);
    for (auto& record : records) {
      const std::string id = record.id;
      Json registered = Json::parse(record.settings_json, nullptr, false);
      if (!registered.is_object()) registered = Json::object();
      auto settings = SettingsFor(id, registered);
      if (!settings.ok()) {
        spdlog::error("{}; using the defaults", settings.status().message());
        settings = options_.defaults;
      }
      auto entry = std::make_shared<Entry>(std::move(record), std::move(*settings));
      entry->expected_bytes = FilesBytes(entry->record.load_path);
      if (entry->settings.load) to_load.push_back(entry);
      entries_[id] = std::move(entry);
    }
  }
  spdlog::info("registry: {} model(s) restored, unloaded", records.size());
  for (const auto& entry : to_load) {
    std::lock_guard lock(entry->mutex);
    entry->state = ModelState::kLoading;
    PostLoad(entry);
  }
  return Status::Ok();
}

std::vector<std::shared_ptr<ModelManager::Entry>> ModelManager::Impl::AllEntries() const {
  std::lock_guard lock(entries_mutex_);
  std::vector<std::shared_ptr<Entry>> entries;
  for (const auto& [id, entry] : entries_) entries.push_back(entry);
  return entries;
}

std::shared_ptr<ModelManager::Entry> ModelManager::Impl::Find(const std::string& id) const {
  std::lock_guard lock(entries_mutex_);
  const auto found = entries_.find(id);
  return found != entries_.end() ? found->second : nullptr;
}

StatusOr<std::shared_ptr<const Plugin>> ModelManager::Impl::ChoosePlugin(
    const RegistrationRequest& request, const std::string& format) const {
  if (!request.plugin_id.empty()) {
    if (auto plugin = plugins_.Find(request.plugin_id)) return plugin;
    return InvalidArgument(fmt::format("unknown plugin_id '{}'; loaded plugins: {}",
                                       request.plugin_id, plugins_.Summary()));
  }
  if (format.empty()) {
    return InvalidArgument(
        "cannot tell the model's execution format; give \"execution_format\" "
        "or \"plugin_id\"");
  }
  if (auto plugin = plugins_.FindForFormat(format)) return plugin;
  return InvalidArgument(fmt::format("no plugin runs execution format '{}'; loaded plugins: {}",
                                     format, plugins_.Summary()));
}

StatusOr<RegistrationResult> ModelManager::Impl::Register(const RegistrationRequest& request) {
  RETURN_IF_ERROR(ParseModelId(request.model_id).status());
  ASSIGN_OR_RETURN(ModelSettings settings, SettingsFor(request.model_id, request.settings));
  std::unique_lock registration(registration_mutex_);
  ASSIGN_OR_RETURN(const ModelSource source,
                   ResolveModelSource(request.path, request.manifest_path, request.role,
                                      options_.models_directory));
  if (const auto existing = Find(request.model_id)) {
    if (existing->record.source_path == source.source_path &&
        existing->record.role == request.role) {
      registration.unlock();
      if (request.load || settings.load) RETURN_IF_ERROR(Load(request.model_id));
      return RegistrationResult{existing->record.plugin_id, true};
    }
    return AlreadyExists(fmt::format(
        "model '{}' is already registered from {}{}; register {}{} under another id or version",
        request.model_id, existing->record.source_path, RoleSuffix(existing->record.role),
        source.source_path, RoleSuffix(request.role)));
  }
  // The body's execution_format wins, then the manifest's or the file's, then the framework.
  std::string format = request.execution_format;
  if (format.empty()) format = source.execution_format;
  if (format.empty()) format = request.framework;
  ASSIGN_OR_RETURN(const auto plugin, ChoosePlugin(request, format));
  auto loaded = LoadModel(plugin, source.load_path,
                          PluginConfig(settings, source.manifest_yaml, request.role));
  if (!loaded.ok()) {
    return InvalidArgument(fmt::format("{} does not load with plugin '{}': {}", source.load_path,
                                       plugin->id, loaded.status().message()));
  }
  ModelRecord record;
  record.id = request.model_id;
  record.source_path = source.source_path;
  record.load_path = source.load_path;
  record.plugin_id = plugin->id;
  record.role = request.role;
  record.manifest_yaml = source.manifest_yaml;
  record.settings_json = request.settings.dump();
  record.metadata_json = Json{{"name", request.name},
                              {"description", request.description},
                              {"framework", request.framework},
                              {"execution_format", format}}
                             .dump();
  record.signature = (*loaded)->signature;
  record.created = FormatUtc(std::chrono::system_clock::now());
  RETURN_IF_ERROR(store_.Insert(record));

  auto entry = std::make_shared<Entry>(std::move(record), std::move(settings));
  entry->expected_bytes = (*loaded)->model.MemoryBytes();
  const bool keep = request.load || entry->settings.load;
  if (keep) entry->state = ModelState::kLoading;
  {
    std::lock_guard lock(entries_mutex_);
    entries_[request.model_id] = entry;
  }
  spdlog::info("registered model {} from {} with plugin {}", request.model_id, source.source_path,
               plugin->id);
  registration.unlock();
  if (keep) {
    // Keep the model loaded by validation, once the budget has room for it.
    const uint64_t bytes = entry->expected_bytes;
    // A model that cannot be kept stays registered; its state says why it is not loaded.
    Status room = Reserve(entry, bytes);
    if (room.ok()) {
      (void)Install(entry, std::move(loaded));
    } else {
      (void)Install(entry, room);
    }
  }
  return RegistrationResult{plugin->id, false};
}

ModelInfo ModelManager::Impl::Snapshot(Entry& entry) {
  std::lock_guard lock(entry.mutex);
  ModelInfo info{entry.record, entry.settings, entry.state, entry.failure, 0, entry.last_used,
                 entry.stats.Snapshot()};
  if (entry.loaded) info.memory_bytes = entry.loaded->model.MemoryBytes();
  return info;
}

std::vector<ModelInfo> ModelManager::Impl::List() const {
  std::vector<ModelInfo> infos;
  for (const auto& entry : AllEntries()) infos.push_back(Snapshot(*entry));
  return infos;
}

StatusOr<ModelInfo> ModelManager::Impl::Describe(const std::string& id) const {
  const auto entry = Find(id);
  if (!entry) return NotFound(fmt::format("model '{}' is not registered", id));
  return Snapshot(*entry);
}

ResourceUsage ModelManager::Impl::Usage() const {
  std::lock_guard lock(usage_mutex_);
  return {options_.memory_budget_bytes, used_bytes_, loaded_models_, options_.max_loaded_models};
}

// ---- resources ----------------------------------------------------------------------------

std::shared_ptr<ModelManager::Entry> ModelManager::Impl::EvictionVictim(
    const Entry& loading, bool* busy_candidates) const {
  std::shared_ptr<Entry> victim;
  Clock::time_point oldest = Clock::time_point::max();
  std::lock_guard lock(entries_mutex_);
  for (const auto& [id, entry] : entries_) {
    if (entry.get() == &loading) continue;
    std::lock_guard entry_lock(entry->mutex);
    const bool evictable =
        entry->state == ModelState::kReady && entry->settings.keep_alive_s != -1;
    const bool idle = evictable && entry->in_flight == 0 && entry->waiting_for_load.empty();
    if (evictable && !idle) *busy_candidates = true;
    if (idle && entry->last_used_steady < oldest) {
      oldest = entry->last_used_steady;
      victim = entry;
    }
  }
  return victim;
}

Status ModelManager::Impl::Reserve(const std::shared_ptr<Entry>& entry, uint64_t bytes) {
  if (options_.memory_budget_bytes > 0 && bytes > options_.memory_budget_bytes) {
    return OutOfMemory(fmt::format("model '{}' ({}) does not fit: it is larger than the whole "
                                   "memory budget of {}",
                                   entry->record.id, Bytes(bytes),
                                   Bytes(options_.memory_budget_bytes)));
  }
  std::lock_guard reserve(reserve_mutex_);
  const auto give_up = Clock::now() + kRoomWait;
  for (;;) {
    {
      std::lock_guard lock(usage_mutex_);
      const bool memory_fits = options_.memory_budget_bytes == 0 ||
                               used_bytes_ + bytes <= options_.memory_budget_bytes;
      const bool count_fits =
          options_.max_loaded_models == 0 || loaded_models_ < options_.max_loaded_models;
      if (memory_fits && count_fits) {
        used_bytes_ += bytes;
        ++loaded_models_;
        entry->reserved_bytes = bytes;  // guarded by the load this thread owns
        return Status::Ok();
      }
    }
    bool busy_candidates = false;
    const auto victim = EvictionVictim(*entry, &busy_candidates);
    if (victim) {
      UnloadEntry(victim, "evicted to make room");
      continue;
    }
    // Models in use become evictable once their requests are answered: wait for that a while.
    if (!busy_candidates || Clock::now() >= give_up) break;
    std::this_thread::sleep_for(kRoomPollInterval);
  }
  std::vector<std::string> holders;
  {
    std::lock_guard lock(entries_mutex_);
    for (const auto& [id, other] : entries_) {
      std::lock_guard entry_lock(other->mutex);
      if (other->reserved_bytes > 0 && other.get() != entry.get()) {
        holders.push_back(fmt::format("{} ({}, {})", id, Bytes(other->reserved_bytes),
                                      other->settings.keep_alive_s == -1 ? "pinned" : "in use"));
      }
    }
  }
  const ResourceUsage usage = Usage();
  return OutOfMemory(fmt::format(
      "model '{}' ({}) does not fit: memory budget {} with {} in use, {} of max_loaded_models {} "
      "loaded, and no idle model can be unloaded; held by: {}",
      entry->record.id, Bytes(bytes),
      usage.memory_budget_bytes ? Bytes(usage.memory_budget_bytes) : "unlimited",
      Bytes(usage.memory_used_bytes), usage.loaded_models,
      usage.max_loaded_models ? std::to_string(usage.max_loaded_models) : "unlimited",
      holders.empty() ? "nothing" : fmt::format("{}", fmt::join(holders, ", "))));
}

void ModelManager::Impl::Release(Entry& entry) {
  uint64_t bytes;
  {
    std::lock_guard lock(entry.mutex);
    bytes = std::exchange(entry.reserved_bytes, 0);
  }
  std::lock_guard lock(usage_mutex_);
  used_bytes_ -= std::min(used_bytes_, bytes);
  if (loaded_models_ > 0) --loaded_models_;
}

// ---- lifecycle ----------------------------------------------------------------------------

void ModelManager::Impl::PostLoad(const std::shared_ptr<Entry>& entry) {
  entry->load_posted = true;
  boost::asio::post(loaders_, [this, entry] {
    {
      std::lock_guard lock(entry->mutex);
      entry->load_posted = false;
    }
    (void)LoadNow(entry);
  });
}

Status ModelManager::Impl::LoadNow(const std::shared_ptr<Entry>& entry) {
  uint64_t expected;
  {
    std::lock_guard lock(entry->mutex);
    expected = entry->expected_bytes;
  }
  if (Status room = Reserve(entry, expected); !room.ok()) return Install(entry, room);
  const ModelRecord& record = entry->record;
  StatusOr<std::shared_ptr<LoadedModel>> loaded =
      Internal(fmt::format("plugin '{}' is not loaded", record.plugin_id));
  if (auto plugin = plugins_.Find(record.plugin_id)) {
    loaded = LoadModel(std::move(plugin), record.load_path,
                       PluginConfig(entry->settings, record.manifest_yaml, record.role));
  }
  if (!loaded.ok()) {
    Release(*entry);
    const StatusCode code = loaded.status().code() == StatusCode::kOutOfMemory
                                ? StatusCode::kOutOfMemory
                                : StatusCode::kInternal;
    return Install(entry, Status(code, fmt::format("model '{}' failed to load from {} with "
                                                   "plugin '{}': {}",
                                                   record.id, record.load_path, record.plugin_id,
                                                   loaded.status().message())));
  }
  // The budget counts what the model really holds from now on.
  const uint64_t actual = (*loaded)->model.MemoryBytes();
  {
    std::lock_guard lock(usage_mutex_);
    used_bytes_ = used_bytes_ - std::min(used_bytes_, entry->reserved_bytes) + actual;
  }
  {
    std::lock_guard lock(entry->mutex);
    entry->reserved_bytes = actual;
    if (actual > 0) entry->expected_bytes = actual;
  }
  return Install(entry, std::move(loaded));
}

Status ModelManager::Impl::Install(const std::shared_ptr<Entry>& entry,
                                   StatusOr<std::shared_ptr<LoadedModel>> loaded) {
  std::unique_lock lock(entry->mutex);
  std::vector<InferenceJob> waiting = std::move(entry->waiting_for_load);
  entry->waiting_for_load.clear();
  Status status = loaded.status();
  entry->stats.RecordLoad(loaded.ok());
  if (loaded.ok()) {
    entry->loaded = std::move(*loaded);
    entry->scheduler = std::make_shared<ModelScheduler>(entry->record.id, entry->loaded,
                                                        entry->settings, entry->stats);
    entry->state = ModelState::kReady;
    entry->failure.clear();
    entry->last_used_steady = Clock::now();
    spdlog::info("loaded model {} ({})", entry->record.id,
                 Bytes(entry->loaded->model.MemoryBytes()));
  } else {
    entry->state = ModelState::kFailed;
    entry->failure = status.message();
    spdlog::error("{}", status.message());
  }
  entry->changed.notify_all();
  if (entry->deleted) {
    lock.unlock();
    for (auto& job : waiting) {
      job.done({NotFound(fmt::format("model '{}' was deleted", entry->record.id))});
    }
    if (status.ok()) UnloadEntry(entry, "deleted while loading");
    return status;
  }
  for (auto& job : waiting) {
    if (!status.ok()) {
      lock.unlock();
      entry->stats.RecordFailure(0);
      job.done({status});
      lock.lock();
      continue;
    }
    Dispatch(entry, lock, std::move(job));
    lock.lock();
  }
  return status;
}

void ModelManager::Impl::Dispatch(const std::shared_ptr<Entry>& entry,
                                  std::unique_lock<std::mutex>& lock, InferenceJob job) {
  ++entry->in_flight;
  entry->last_used_steady = Clock::now();
  entry->last_used = std::chrono::system_clock::now();
  std::shared_ptr<ModelScheduler> scheduler = entry->scheduler;
  lock.unlock();
  job.done = [this, entry, done = std::move(job.done)](InferenceOutcome outcome) {
    // The model is done with: the request stops counting as in flight before its reply goes out,
    // so a client that has its answer sees the model idle (evictable, unloadable). Unload still
    // returns after the reply, since stopping the scheduler joins the thread running `done`.
    bool idle_now;
    {
      std::lock_guard lock(entry->mutex);
      entry->last_used_steady = Clock::now();
      --entry->in_flight;
      idle_now = entry->in_flight == 0;
      entry->changed.notify_all();
    }
    done(std::move(outcome));
    if (idle_now && entry->settings.keep_alive_s == 0) WakeHousekeeper();
  };
  scheduler->Submit(std::move(job));
}

void ModelManager::Impl::Infer(const std::string& id, InferenceJob job) {
  const auto entry = Find(id);
  if (!entry) return job.done({NotFound(fmt::format("model '{}' is not registered", id))});
  std::unique_lock lock(entry->mutex);
  if (entry->deleted) {
    lock.unlock();
    return job.done({NotFound(fmt::format("model '{}' is not registered", id))});
  }
  if (entry->state == ModelState::kReady) return Dispatch(entry, lock, std::move(job));
  if (entry->waiting_for_load.size() >= static_cast<size_t>(entry->settings.max_queue) + 1) {
    lock.unlock();
    entry->stats.RecordFailure(0);
    return job.done({ResourceExhausted(fmt::format(
        "model '{}' is {}: {} requests already wait for it (max_queue {}); retry later", id,
        ModelStateName(entry->state), entry->waiting_for_load.size(),
        entry->settings.max_queue))});
  }
  if (Stopping()) {
    lock.unlock();
    return job.done({Unavailable("mlos-core is shutting down")});
  }
  entry->waiting_for_load.push_back(std::move(job));
  if (entry->state == ModelState::kUnloaded || entry->state == ModelState::kFailed) {
    entry->state = ModelState::kLoading;
    PostLoad(entry);
  }
  // kLoading: Install hands the job on; kUnloading: UnloadEntry starts a new load after.
}

Status ModelManager::Impl::Load(const std::string& id) {
  const auto entry = Find(id);
  if (!entry) return NotFound(fmt::format("model '{}' is not registered", id));
  std::unique_lock lock(entry->mutex);
  for (;;) {
    if (entry->deleted) return NotFound(fmt::format("model '{}' is not registered", id));
    switch (entry->state) {
      case ModelState::kReady:
        return Status::Ok();
      case ModelState::kLoading:
      case ModelState::kUnloading: {
        const ModelState was = entry->state;
        entry->changed.wait(lock, [&] { return entry->state != was; });
        if (was == ModelState::kLoading && entry->state == ModelState::kFailed) {
          return Internal(entry->failure);
        }
        continue;
      }
      case ModelState::kUnloaded:
      case ModelState::kFailed:
        entry->state = ModelState::kLoading;
        lock.unlock();
        return LoadNow(entry);
    }
  }
}

void ModelManager::Impl::UnloadEntry(const std::shared_ptr<Entry>& entry, const char* why) {
  std::unique_lock lock(entry->mutex);
  entry->changed.wait(lock, [&] {
    return entry->state != ModelState::kLoading && entry->state != ModelState::kUnloading;
  });
  if (entry->state != ModelState::kReady) return;
  entry->state = ModelState::kUnloading;
  entry->changed.notify_all();
  entry->changed.wait(lock, [&] { return entry->in_flight == 0; });
  std::shared_ptr<ModelScheduler> scheduler = std::move(entry->scheduler);
  std::shared_ptr<const LoadedModel> loaded = std::move(entry->loaded);
  lock.unlock();
  scheduler->Stop();
  scheduler.reset();
  loaded.reset();  // the plugin unloads the model when its last user lets go
  Release(*entry);
  malloc_trim(0);  // give the freed weights back to the system
  spdlog::info("unloaded model {} ({})", entry->record.id, why);
  lock.lock();
  entry->state = ModelState::kUnloaded;
  entry->stats.RecordUnload();
  entry->changed.notify_all();
  if (entry->waiting_for_load.empty() || entry->deleted) return;
  if (!Stopping()) {
    entry->state = ModelState::kLoading;
    return PostLoad(entry);
  }
  std::vector<InferenceJob> waiting = std::move(entry->waiting_for_load);
  entry->waiting_for_load.clear();
  lock.unlock();
  for (auto& job : waiting) job.done({Unavailable("mlos-core is shutting down")});
}

bool ModelManager::Impl::Stopping() {
  std::lock_guard lock(housekeeping_mutex_);
  return stopping_;
}

Status ModelManager::Impl::Unload(const std::string& id) {
  const auto entry = Find(id);
  if (!entry) return NotFound(fmt::format("model '{}' is not registered", id));
  UnloadEntry(entry, "asked to");
  return Status::Ok();
}

Status ModelManager::Impl::Delete(const std::string& id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(entries_mutex_);
    const auto found = entries_.find(id);
    if (found == entries_.end()) return NotFound(fmt::format("model '{}' is not registered", id));
    entry = found->second;
    entries_.erase(found);
  }
  std::vector<InferenceJob> waiting;
  {
    std::lock_guard lock(entry->mutex);
    entry->deleted = true;
    waiting = std::move(entry->waiting_for_load);
    entry->waiting_for_load.clear();
  }
  for (auto& job : waiting) job.done({NotFound(fmt::format("model '{}' was deleted", id))});
  UnloadEntry(entry, "deleted");
  RETURN_IF_ERROR(store_.Delete(id));
  spdlog::info("deleted model {}", id);
  return Status::Ok();
}

// ---- housekeeping -------------------------------------------------------------------------

void ModelManager::Impl::WakeHousekeeper() {
  {
    std::lock_guard lock(housekeeping_mutex_);
    housekeeping_due_ = true;
  }
  housekeeping_wake_.notify_one();
}

void ModelManager::Impl::Housekeep() {
  std::unique_lock lock(housekeeping_mutex_);
  while (!stopping_) {
    housekeeping_wake_.wait_for(lock, kHousekeepingInterval,
                                [&] { return stopping_ || housekeeping_due_; });
    if (stopping_) return;
    housekeeping_due_ = false;
    lock.unlock();
    const auto now = Clock::now();
    for (const auto& entry : AllEntries()) {
      std::shared_ptr<ModelScheduler> scheduler;
      bool expired = false;
      {
        std::lock_guard entry_lock(entry->mutex);
        scheduler = entry->scheduler;
        const int64_t keep_alive = entry->settings.keep_alive_s;
        expired = entry->state == ModelState::kReady && entry->in_flight == 0 &&
                  entry->waiting_for_load.empty() && keep_alive >= 0 &&
                  now - entry->last_used_steady >= std::chrono::seconds(keep_alive);
      }
      if (scheduler) scheduler->ExpireOverdue();
      if (expired) UnloadEntry(entry, "keep_alive expired");
    }
    lock.lock();
  }
}

void ModelManager::Impl::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    {
      std::lock_guard lock(housekeeping_mutex_);
      stopping_ = true;
    }
    housekeeping_wake_.notify_all();
    if (housekeeper_.joinable()) housekeeper_.join();
    loaders_.join();
    // A load posted as the loaders stopped never ran: its requests are answered here.
    for (const auto& entry : AllEntries()) {
      std::unique_lock lock(entry->mutex);
      if (!entry->load_posted) continue;
      entry->load_posted = false;
      entry->state = ModelState::kUnloaded;
      std::vector<InferenceJob> waiting = std::move(entry->waiting_for_load);
      entry->waiting_for_load.clear();
      entry->changed.notify_all();
      lock.unlock();
      for (auto& job : waiting) job.done({Unavailable("mlos-core is shutting down")});
    }
    for (const auto& entry : AllEntries()) UnloadEntry(entry, "shutting down");
  });
}

// ---- the public face ----------------------------------------------------------------------

ModelManager::ModelManager(PluginHost& plugins, RegistryStore& store, ManagerOptions options)
    : impl_(std::make_unique<Impl>(plugins, store, std::move(options))) {}
ModelManager::~ModelManager() = default;
Status ModelManager::Restore() { return impl_->Restore(); }
StatusOr<RegistrationResult> ModelManager::Register(const RegistrationRequest& request) {
  return impl_->Register(request);
}
std::vector<ModelInfo> ModelManager::List() const { return impl_->List(); }
StatusOr<ModelInfo> ModelManager::Describe(const std::string& id) const {
  return impl_->Describe(id);
}
ResourceUsage ModelManager::Usage() const { return impl_->Usage(); }
StatusOr<std::shared_ptr<const ModelSignature>> ModelManager::Signature(
    const std::string& id) const {
  return impl_->Signature(id);
}
Status ModelManager::Load(const std::string& id) { return impl_->Load(id); }
Status ModelManager::Unload(const std::string& id) { return impl_->Unload(id); }
Status ModelManager::Delete(const std::string& id) { return impl_->Delete(id); }
void ModelManager::Infer(const std::string& id, InferenceJob job) {
  impl_->Infer(id, std::move(job));
}
void ModelManager::Shutdown() { impl_->Shutdown(); }

}  // namespace mlos::core
