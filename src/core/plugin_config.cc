#include "core/plugin_config.h"

#include <vector>

#include "common/manifest.h"

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

}  // namespace

std::string PluginConfig(const ModelSettings& settings, const std::string& manifest_yaml) {
  nlohmann::json config = settings.plugin;
  if (manifest_yaml.empty()) return config.dump();
  const StatusOr<Manifest> manifest = ParseManifest(manifest_yaml);
  if (!manifest.ok()) return config.dump();
  if (!manifest->inputs.empty() && !config.contains("inputs")) {
    config["inputs"] = DescribeTensors(manifest->inputs);
  }
  if (!manifest->outputs.empty() && !config.contains("outputs")) {
    config["outputs"] = DescribeTensors(manifest->outputs);
  }
  return config.dump();
}

}  // namespace mlos::core
