#include "core/plugin_config.h"

#include <vector>

#include "common/manifest.h"
#include "core/model_source.h"

namespace mlos::core {
namespace {

nlohmann::json DescribeTensors(const std::vector<ManifestTensor>& tensors) {
  nlohmann::json described = nlohmann::json::array();
  for (const ManifestTensor& tensor : tensors) {
    described.push_back(
        {{"name", tensor.name}, {"datatype", KServeName(tensor.dtype)}, {"shape", tensor.shape}});
  }
  return described;
}

// True iff the manifest's spec.io describes the execution file registered with `role`.
bool DescribesRole(const Manifest& manifest, const std::string& role) {
  if (role.empty()) return true;
  const auto described = ExecutionFileFor(manifest, "");
  const auto loaded = ExecutionFileFor(manifest, role);
  return described.ok() && loaded.ok() && described->path == loaded->path;
}

}  // namespace

std::string PluginConfig(const ModelSettings& settings, const std::string& manifest_yaml,
                         const std::string& role) {
  nlohmann::json config = settings.plugin;
  if (manifest_yaml.empty()) return config.dump();
  const StatusOr<Manifest> manifest = ParseManifest(manifest_yaml);
  if (!manifest.ok() || !DescribesRole(*manifest, role)) return config.dump();
  if (!manifest->inputs.empty() && !config.contains("inputs")) {
    config["inputs"] = DescribeTensors(manifest->inputs);
  }
  if (!manifest->outputs.empty() && !config.contains("outputs")) {
    config["outputs"] = DescribeTensors(manifest->outputs);
  }
  return config.dump();
}

}  // namespace mlos::core
