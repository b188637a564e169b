#include "plugins/onnx/model_location.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace mlos::plugins::onnx {

namespace fs = std::filesystem;

StatusOr<std::string> ResolveModelFile(const std::string& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return path;
  if (!fs::is_directory(path, error)) return NotFound("model path '" + path + "' does not exist");
  if (fs::is_regular_file(fs::path(path) / "model.onnx", error)) {
    return (fs::path(path) / "model.onnx").string();
  }
  std::vector<std::string> candidates;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (entry.is_regular_file(error) && entry.path().extension() == ".onnx") {
      candidates.push_back(entry.path().string());
    }
  }
  if (error) return NotFound("cannot list model directory '" + path + "': " + error.message());
  if (candidates.empty()) return NotFound("model directory '" + path + "' holds no .onnx file");
  if (candidates.size() > 1) {
    std::sort(candidates.begin(), candidates.end());
    std::string names;
    for (const std::string& candidate : candidates) {
      names += (names.empty() ? "" : ", ") + fs::path(candidate).filename().string();
    }
    return InvalidArgument("model directory '" + path + "' holds several .onnx files (" + names +
                           ") and no model.onnx");
  }
  return candidates[0];
}

StatusOr<engine::SessionOptions> ParseSessionOptions(const std::string& config_json,
                                                     const engine::SessionOptions& defaults) {
  const nlohmann::json config =
      nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    return InvalidArgument("configuration is not a JSON object: '" + config_json + "'");
  }
  engine::SessionOptions options = defaults;
  if (auto threads = config.find("threads"); threads != config.end()) {
    if (!threads->is_number_integer() || threads->get<int64_t>() < 0 ||
        threads->get<int64_t>() > 4096) {
      return InvalidArgument("configuration: \"threads\" must be an integer from 0 to 4096, got " +
                             threads->dump());
    }
    options.threads = threads->get<int>();
    options.thread_pool = nullptr;  // a model given its own thread count gets its own pool
  }
  return options;
}

}  // namespace mlos::plugins::onnx
