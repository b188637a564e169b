#include "axon/hubs/file_selection.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>
#include <utility>

namespace mlos::axon {
namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string_view Folder(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool EndsWithLower(std::string_view path, std::string_view suffix) {
  return Lower(path).ends_with(suffix);
}

// The role a file name announces, or empty.
std::string RoleOf(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kRoles = {{
      {"encoder_model.onnx", "encoder"},
      {"decoder_model.onnx", "decoder"},
      {"decoder_with_past_model.onnx", "decoder_with_past"},
      {"text_model.onnx", "text_encoder"},
      {"vision_model.onnx", "vision_encoder"},
  }};
  const std::string name = Lower(BaseName(path));
  for (const auto& [file_name, role] : kRoles) {
    if (name == file_name) return std::string(role);
  }
  return "";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// The ONNX files to install, with roles; empty when the repository has none.
StatusOr<std::vector<ManifestExecutionFile>> ChooseOnnx(const std::vector<std::string>& paths,
                                                        const std::string& repo) {
  std::vector<std::string> candidates;
  for (const std::string& path : paths) {
    const std::string_view folder = Folder(path);
    if (EndsWithLower(path, ".onnx") && (folder.empty() || folder == "onnx")) {
      candidates.push_back(path);
    }
  }
  if (candidates.size() <= 1) {
    if (candidates.empty()) return std::vector<ManifestExecutionFile>{};
    return std::vector<ManifestExecutionFile>{{candidates.front(), "single"}};
  }
  for (const std::string_view preferred : {"model.onnx", "onnx/model.onnx"}) {
    if (std::find(candidates.begin(), candidates.end(), preferred) != candidates.end()) {
      return std::vector<ManifestExecutionFile>{{std::string(preferred), "single"}};
    }
  }
  for (const std::string_view folder : {"", "onnx"}) {
    std::vector<ManifestExecutionFile> roles;
    for (const std::string& path : candidates) {
      if (Folder(path) != folder) continue;
      if (std::string role = RoleOf(path); !role.empty()) roles.push_back({path, role});
    }
    std::sort(roles.begin(), roles.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    if (!roles.empty()) return roles;
  }
  return InvalidArgument(repo + " holds several ONNX files (" + JoinNames(candidates) +
                         ") and none is model.onnx or named by role (encoder_model.onnx, ...); "
                         "cannot tell which one is the model");
}

// True iff `path` is external data of the ONNX file `model`.
bool IsExternalDataOf(std::string_view path, std::string_view model) {
  if (Folder(path) != Folder(model) || path == model) return false;
  const std::string name = Lower(BaseName(path));
  const std::string model_name = Lower(BaseName(model));
  const std::string stem =
      model_name.substr(0, model_name.size() - std::string_view(".onnx").size());
  return name.starts_with(model_name + "_data") || name == model_name + ".data" ||
         name == stem + ".data";
}

bool IsSupportingFile(std::string_view path) {
  static const std::set<std::string, std::less<>> kNames = {"config.json",
                                                            "generation_config.json",
                                                            "preprocessor_config.json",
                                                            "special_tokens_map.json",
                                                            "vocab.txt",
                                                            "merges.txt"};
  if (!Folder(path).empty()) return false;
  return kNames.contains(path) || (path.starts_with("tokenizer") && path.ends_with(".json"));
}

}  // namespace

StatusOr<FileSelection> SelectModelFiles(const std::vector<std::string>& paths,
                                         const std::string& repo, FormatWanted format) {
  FileSelection selection;
  if (format != FormatWanted::kTorchScript) {
    ASSIGN_OR_RETURN(selection.execution_files, ChooseOnnx(paths, repo));
  }
  if (selection.execution_files.empty() && format == FormatWanted::kOnnx) {
    return InvalidArgument(repo + ": no ONNX file (--format onnx)");
  }
  if (!selection.execution_files.empty()) {
    selection.format = "onnx";
    for (const std::string& path : paths) {
      for (const ManifestExecutionFile& model : selection.execution_files) {
        if (IsExternalDataOf(path, model.path)) selection.files.push_back(path);
      }
    }
  } else {
    std::vector<std::string> scripts;
    for (const std::string& path : paths) {
      if (Folder(path).empty() && EndsWithLower(path, ".pt")) scripts.push_back(path);
    }
    if (scripts.size() > 1) {
      if (std::find(scripts.begin(), scripts.end(), "model.pt") == scripts.end()) {
        return InvalidArgument(repo + " holds several TorchScript files (" + JoinNames(scripts) +
                               ") and none is model.pt; cannot tell which one is the model");
      }
      scripts = {"model.pt"};
    }
    if (scripts.empty()) {
      return InvalidArgument(repo + (format == FormatWanted::kTorchScript
                                         ? ": no TorchScript file (--format torchscript)"
                                         : ": no ONNX or TorchScript file; conversion from PyTorch "
                                           "weights is not supported yet"));
    }
    selection.format = "torchscript";
    selection.execution_files = {{scripts.front(), "single"}};
  }
  for (const ManifestExecutionFile& model : selection.execution_files) {
    selection.files.push_back(model.path);
  }
  for (const std::string& path : paths) {
    if (IsSupportingFile(path)) selection.files.push_back(path);
  }
  std::sort(selection.files.begin(), selection.files.end());
  selection.files.erase(std::unique(selection.files.begin(), selection.files.end()),
                        selection.files.end());
  return selection;
}

}  // namespace mlos::axon
