#include "core/api/kserve/kserve_models.h"

#include <fmt/format.h>

namespace mlos::core {
namespace {

const char* RepositoryState(ModelState state) {
  switch (state) {
    case ModelState::kReady:
      return "READY";
    case ModelState::kLoading:
      return "LOADING";
    case ModelState::kUnloading:
      return "UNLOADING";
    case ModelState::kUnloaded:
    case ModelState::kFailed:
      break;
  }
  return "UNAVAILABLE";
}

}  // namespace

std::pair<std::string, std::string> SplitModelId(const std::string& id) {
  const size_t at = id.rfind('@');
  if (at == std::string::npos) return {id, ""};
  return {id.substr(0, at), id.substr(at + 1)};
}

StatusOr<std::string> ResolveKServeModelId(std::string_view name,
                                           std::optional<std::string_view> version,
                                           std::string_view version_origin) {
  if (name.empty()) return InvalidArgument("the model name is empty");
  const std::string id(name);
  const bool has_version = id.find('@') != std::string::npos;
  if (!version) return has_version ? id : id + "@latest";
  if (version->empty()) return InvalidArgument("the model version is empty");
  if (!has_version) return fmt::format("{}@{}", id, *version);
  if (SplitModelId(id).second != *version) {
    return InvalidArgument(fmt::format("model '{}' names version '{}' but {}", id,
                                       SplitModelId(id).second, version_origin));
  }
  return id;
}

std::vector<std::string> KServeModelVersions(const ModelManager& models, const std::string& id) {
  const std::string name = SplitModelId(id).first;
  std::vector<std::string> versions;
  for (const ModelInfo& other : models.List()) {
    auto [other_name, other_version] = SplitModelId(other.record.id);
    if (other_name == name) versions.push_back(std::move(other_version));
  }
  return versions;
}

Shape KServeMetadataShape(const TensorSpec& spec) { return spec.shape ? *spec.shape : Shape{-1}; }

std::vector<KServeIndexEntry> KServeRepositoryIndex(const ModelManager& models, bool ready_only) {
  std::vector<KServeIndexEntry> index;
  for (const ModelInfo& info : models.List()) {
    if (ready_only && info.state != ModelState::kReady) continue;
    auto [name, version] = SplitModelId(info.record.id);
    KServeIndexEntry entry{std::move(name), std::move(version), RepositoryState(info.state), ""};
    if (info.state == ModelState::kFailed) {
      entry.reason = info.failure;
    } else if (info.state == ModelState::kUnloaded) {
      entry.reason = "unloaded";
    }
    index.push_back(std::move(entry));
  }
  return index;
}

Status CheckKServeLoadParameter(std::string_view key) {
  if (key == "config" || key.starts_with("file:")) {
    return Unimplemented(fmt::format(
        "load parameter \"{}\": configuration and file overrides are not supported; "
        "register the model through the MLOS API instead",
        key));
  }
  return Status::Ok();
}

std::string KServeNotReadyMessage(const ModelInfo& info) {
  std::string message =
      fmt::format("model '{}' is not ready: it is {}", info.record.id, ModelStateName(info.state));
  if (info.state == ModelState::kFailed) message += ": " + info.failure;
  return message;
}

}  // namespace mlos::core
