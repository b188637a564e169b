#include "core/plugin_host.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

namespace mlos::core {
namespace {

Status CheckDescriptor(const smi_plugin_api* api, const std::string& origin) {
  if (api == nullptr) {
    return InvalidArgument(
        fmt::format("plugin {}: smi_plugin_init returned no descriptor for host "
                    "SMI {}.{}",
                    origin, SMI_VERSION_MAJOR, SMI_VERSION_MINOR));
  }
  if (api->abi_major != SMI_VERSION_MAJOR || api->abi_minor > SMI_VERSION_MINOR) {
    return InvalidArgument(fmt::format(
        "plugin {}: built for SMI {}.{}, host supports {}.0 to {}.{}", origin, api->abi_major,
        api->abi_minor, SMI_VERSION_MAJOR, SMI_VERSION_MAJOR, SMI_VERSION_MINOR));
  }
  if (api->struct_size < sizeof(smi_plugin_api)) {
    return InvalidArgument(fmt::format("plugin {}: descriptor is {} bytes, SMI {}.{} needs {}",
                                       origin, api->struct_size, SMI_VERSION_MAJOR,
                                       SMI_VERSION_MINOR, sizeof(smi_plugin_api)));
  }
  if (api->id == nullptr || api->id[0] == '\0') {
    return InvalidArgument(fmt::format("plugin {}: descriptor has no id", origin));
  }
  if (api->execution_formats == nullptr || api->plugin_create == nullptr ||
      api->plugin_destroy == nullptr || api->model_load == nullptr ||
      api->model_unload == nullptr || api->model_signature == nullptr ||
      api->model_execute == nullptr) {
    return InvalidArgument(
        fmt::format("plugin {} ({}): descriptor lacks execution_formats or a required function",
                    origin, api->id));
  }
  return Status::Ok();
}

const char* OrEmpty(const char* text) { return text != nullptr ? text : ""; }

}  // namespace

Status PluginHost::Add(smi_plugin_init_fn init, const std::string& origin) {
  const smi_plugin_api* api = init(SMI_VERSION_MAJOR, SMI_VERSION_MINOR);
  RETURN_IF_ERROR(CheckDescriptor(api, origin));
  auto plugin = std::make_shared<Plugin>();
  plugin->id = api->id;
  plugin->name = OrEmpty(api->name);
  plugin->version = OrEmpty(api->version);
  plugin->origin = origin;
  for (const char* const* format = api->execution_formats; *format != nullptr; ++format) {
    plugin->execution_formats.emplace_back(*format);
  }
  // The id is checked before and after plugin_create: a duplicate is not even created, and two
  // libraries added at once cannot both take one id.
  RETURN_IF_ERROR(CheckIdFree(plugin->id, origin));
  smi::Error error;
  const auto config = configs_.find(plugin->id);
  const std::string config_json = config != configs_.end() ? config->second.dump() : "{}";
  if (smi::Plugin::Create(api, config_json.c_str(), &plugin->instance, &error) != SMI_OK) {
    return Internal(
        fmt::format("plugin {} ({}): plugin_create failed: {}", origin, plugin->id, error.text()));
  }
  std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(CheckIdFreeLocked(plugin->id, origin));
  plugins_.push_back(std::move(plugin));
  return Status::Ok();
}

Status PluginHost::CheckIdFree(const std::string& id, const std::string& origin) const {
  std::lock_guard lock(mutex_);
  return CheckIdFreeLocked(id, origin);
}

Status PluginHost::CheckIdFreeLocked(const std::string& id, const std::string& origin) const {
  for (const auto& existing : plugins_) {
    if (existing->id == id) {
      return AlreadyExists(
          fmt::format("plugin {}: id '{}' is already taken by {}", origin, id, existing->origin));
    }
  }
  return Status::Ok();
}

Status PluginHost::LoadLibrary(const std::string& path) {
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    return InvalidArgument(fmt::format("plugin {}: cannot load library: {}", path, dlerror()));
  }
  auto init = reinterpret_cast<smi_plugin_init_fn>(dlsym(library, SMI_PLUGIN_INIT_SYMBOL));
  Status status = init != nullptr ? Add(init, path)
                                  : InvalidArgument(fmt::format("plugin {}: does not export {}",
                                                                path, SMI_PLUGIN_INIT_SYMBOL));
  if (!status.ok()) dlclose(library);
  return status;
}

void PluginHost::LoadDirectory(const std::string& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    spdlog::info("plugin directory {} does not exist; no external plugins", directory);
    return;
  }
  std::vector<std::string> libraries;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("lib") && name.ends_with(".so")) {
      libraries.push_back(entry.path().string());
    }
  }
  std::sort(libraries.begin(), libraries.end());  // deterministic: first one wins an id
  for (const auto& library : libraries) {
    if (Status status = LoadLibrary(library); status.code() == StatusCode::kAlreadyExists) {
      spdlog::info("skipping plugin: {}", status.message());
    } else if (!status.ok()) {
      spdlog::warn("skipping plugin: {}", status.message());
    } else {
      spdlog::info("loaded plugin from {}", library);
    }
  }
}

std::shared_ptr<const Plugin> PluginHost::Find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto& plugin : plugins_) {
    if (plugin->id == id) return plugin;
  }
  return nullptr;
}

std::shared_ptr<const Plugin> PluginHost::FindForFormat(const std::string& format) const {
  std::lock_guard lock(mutex_);
  for (const auto& plugin : plugins_) {
    const auto& formats = plugin->execution_formats;
    if (std::find(formats.begin(), formats.end(), format) != formats.end()) return plugin;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const Plugin>> PluginHost::List() const {
  std::lock_guard lock(mutex_);
  return plugins_;
}

std::string PluginHost::Summary() const {
  std::string summary;
  for (const auto& plugin : List()) {
    if (!summary.empty()) summary += ", ";
    summary += fmt::format("{} ({})", plugin->id, fmt::join(plugin->execution_formats, ", "));
  }
  return summary.empty() ? "none" : summary;
}

}  // namespace mlos::core
