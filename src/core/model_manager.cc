#include "core/model_manager.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/model_id.h"
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
    case ModelState::kFailed:
      return "failed";
  }
  return "unknown";
}

ModelManager::ModelManager(PluginHost& plugins, RegistryStore& store, std::string models_directory)
    : plugins_(plugins), store_(store), models_directory_(std::move(models_directory)) {}

Status ModelManager::Restore() {
  ASSIGN_OR_RETURN(auto records, store_.LoadAll());
  std::lock_guard lock(entries_mutex_);
  for (auto& record : records) {
    const std::string id = record.id;
    entries_[id] = std::make_shared<Entry>(std::move(record));
  }
  spdlog::info("registry: {} model(s) restored, unloaded", records.size());
  return Status::Ok();
}

std::shared_ptr<ModelManager::Entry> ModelManager::Find(const std::string& id) const {
  std::lock_guard lock(entries_mutex_);
  const auto found = entries_.find(id);
  return found != entries_.end() ? found->second : nullptr;
}

StatusOr<std::shared_ptr<const Plugin>> ModelManager::ChoosePlugin(
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

StatusOr<RegistrationResult> ModelManager::Register(const RegistrationRequest& request) {
  RETURN_IF_ERROR(ParseModelId(request.model_id).status());
  std::lock_guard registration(registration_mutex_);
  ASSIGN_OR_RETURN(const ModelSource source,
                   ResolveModelSource(request.path, request.manifest_path, models_directory_));
  if (const auto existing = Find(request.model_id)) {
    if (existing->record.source_path == source.source_path) {
      return RegistrationResult{existing->record.plugin_id, true};
    }
    return AlreadyExists(
        fmt::format("model '{}' is already registered from {}; register {} under "
                    "another id or version",
                    request.model_id, existing->record.source_path, source.source_path));
  }
  // The body's execution_format wins, then the manifest's or the file's, then the framework.
  std::string format = request.execution_format;
  if (format.empty()) format = source.execution_format;
  if (format.empty()) format = request.framework;
  ASSIGN_OR_RETURN(const auto plugin, ChoosePlugin(request, format));
  auto loaded = LoadModel(plugin, source.load_path, "{}");
  if (!loaded.ok()) {
    return InvalidArgument(fmt::format("{} does not load with plugin '{}': {}", source.load_path,
                                       plugin->id, loaded.status().message()));
  }
  ModelRecord record;
  record.id = request.model_id;
  record.source_path = source.source_path;
  record.load_path = source.load_path;
  record.plugin_id = plugin->id;
  record.manifest_yaml = source.manifest_yaml;
  record.metadata_json = nlohmann::json{
      {"name", request.name},
      {"description", request.description},
      {"framework", request.framework},
      {"execution_format",
       format}}.dump();
  record.signature = (*loaded)->signature;
  record.created = FormatUtc(std::chrono::system_clock::now());
  RETURN_IF_ERROR(store_.Insert(record));

  auto entry = std::make_shared<Entry>(std::move(record));
  if (request.load) {
    entry->state = ModelState::kReady;
    entry->loaded = std::move(loaded).value();
  }
  std::lock_guard lock(entries_mutex_);
  entries_[request.model_id] = std::move(entry);
  spdlog::info("registered model {} from {} with plugin {}", request.model_id, source.source_path,
               plugin->id);
  return RegistrationResult{plugin->id, false};
}

ModelInfo ModelManager::Snapshot(const Entry& entry) {
  std::lock_guard lock(entry.mutex);
  ModelInfo info{entry.record, entry.state, entry.failure, 0, entry.last_used};
  if (entry.loaded) info.memory_bytes = entry.loaded->model.MemoryBytes();
  return info;
}

std::vector<ModelInfo> ModelManager::List() const {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(entries_mutex_);
    for (const auto& [id, entry] : entries_) entries.push_back(entry);
  }
  std::vector<ModelInfo> infos;
  for (const auto& entry : entries) infos.push_back(Snapshot(*entry));
  return infos;
}

StatusOr<ModelInfo> ModelManager::Describe(const std::string& id) const {
  const auto entry = Find(id);
  if (!entry) return NotFound(fmt::format("model '{}' is not registered", id));
  return Snapshot(*entry);
}

StatusOr<std::shared_ptr<const LoadedModel>> ModelManager::Acquire(const std::string& id) {
  const auto entry = Find(id);
  if (!entry) return NotFound(fmt::format("model '{}' is not registered", id));
  std::unique_lock lock(entry->mutex);
  entry->load_finished.wait(lock, [&] { return entry->state != ModelState::kLoading; });
  entry->last_used = std::chrono::system_clock::now();
  if (entry->state == ModelState::kReady) return entry->loaded;

  entry->state = ModelState::kLoading;
  lock.unlock();
  const ModelRecord& record = entry->record;
  StatusOr<std::shared_ptr<LoadedModel>> loaded =
      Internal(fmt::format("plugin '{}' is not loaded", record.plugin_id));
  if (auto plugin = plugins_.Find(record.plugin_id)) {
    loaded = LoadModel(std::move(plugin), record.load_path, record.settings_json);
  }
  lock.lock();
  if (loaded.ok()) {
    entry->state = ModelState::kReady;
    entry->failure.clear();
    entry->loaded = std::move(loaded).value();
    spdlog::info("loaded model {} ({} bytes)", id, entry->loaded->model.MemoryBytes());
  } else {
    entry->state = ModelState::kFailed;
    entry->failure = loaded.status().message();
    spdlog::error("model {} failed to load: {}", id, entry->failure);
  }
  entry->load_finished.notify_all();
  if (!loaded.ok()) {
    const StatusCode code = loaded.status().code() == StatusCode::kOutOfMemory
                                ? StatusCode::kOutOfMemory
                                : StatusCode::kInternal;
    return Status(code, fmt::format("model '{}' failed to load from {} with plugin '{}': {}", id,
                                    record.load_path, record.plugin_id, entry->failure));
  }
  return entry->loaded;
}

}  // namespace mlos::core
