#include "plugins/torchscript/model_file.h"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace mlos::plugins::torchscript {

namespace fs = std::filesystem;

StatusOr<std::string> ResolveTorchScriptFile(const std::string& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return path;
  if (!fs::is_directory(path, error)) {
    return InvalidArgument("model path '" + path + "' does not exist");
  }
  std::vector<std::string> candidates;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (entry.is_regular_file(error) && entry.path().extension() == ".pt") {
      candidates.push_back(entry.path().filename().string());
    }
  }
  if (error)
    return InvalidArgument("cannot list model directory '" + path + "': " + error.message());
  if (candidates.empty())
    return InvalidArgument("model directory '" + path + "' holds no .pt file");
  if (candidates.size() > 1) {
    std::sort(candidates.begin(), candidates.end());
    std::string names;
    for (const std::string& name : candidates) names += (names.empty() ? "" : ", ") + name;
    return InvalidArgument("model directory '" + path + "' holds several .pt files (" + names +
                           "); it must hold exactly one");
  }
  return (fs::path(path) / candidates[0]).string();
}

}  // namespace mlos::plugins::torchscript
