#include "core/model_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/manifest.h"

namespace mlos::core {
namespace {

namespace fs = std::filesystem;

fs::path Absolute(const std::string& path, const std::string& base_directory) {
  fs::path result(path);
  if (result.is_relative() && !base_directory.empty()) result = fs::path(base_directory) / result;
  std::error_code error;
  const fs::path absolute = fs::absolute(result, error);
  fs::path normal = (error ? result : absolute).lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();  // "/a/b/" -> "/a/b"
}

StatusOr<std::string> ReadText(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgument(fmt::format("cannot read {}", path.string()));
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The format a model file's extension implies: ".onnx" -> "onnx", ".pt" -> "torchscript".
std::string FormatOfExtension(const fs::path& file) {
  std::string extension = file.extension().string();
  if (!extension.empty()) extension.erase(0, 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == "pt" ? "torchscript" : extension;
}

StatusOr<ModelSource> FromManifest(const fs::path& manifest_path, const fs::path& root,
                                   const std::string& role, ModelSource source) {
  ASSIGN_OR_RETURN(source.manifest_yaml, ReadText(manifest_path));
  const auto in_manifest = [&](const Status& status) {
    return InvalidArgument(
        fmt::format("manifest {}: {}", manifest_path.string(), status.message()));
  };
  auto manifest = ParseManifest(source.manifest_yaml);
  if (!manifest.ok()) return in_manifest(manifest.status());
  auto execution_file = ExecutionFileFor(*manifest, role);
  if (!execution_file.ok()) return in_manifest(execution_file.status());
  const fs::path file = (root / execution_file->path).lexically_normal();
  std::error_code error;
  if (!fs::exists(file, error)) {
    return InvalidArgument(fmt::format("manifest {}: execution file {} does not exist",
                                       manifest_path.string(), file.string()));
  }
  source.load_path = file.string();
  source.execution_format =
      manifest->execution_format.empty() ? manifest->format_type : manifest->execution_format;
  return source;
}

StatusOr<fs::path> SingleOnnxFile(const fs::path& directory) {
  std::vector<fs::path> candidates;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && FormatOfExtension(entry.path()) == "onnx") {
      candidates.push_back(entry.path());
    }
  }
  if (error) {
    return InvalidArgument(fmt::format("cannot list {}: {}", directory.string(), error.message()));
  }
  if (candidates.size() == 1) return candidates[0];
  if (candidates.empty()) {
    return InvalidArgument(
        fmt::format("{} has no manifest.yaml and no .onnx file", directory.string()));
  }
  std::vector<std::string> names;
  for (const auto& candidate : candidates) names.push_back(candidate.filename().string());
  std::sort(names.begin(), names.end());
  return InvalidArgument(
      fmt::format("{} has several .onnx files ({}) and no manifest.yaml to "
                  "choose one",
                  directory.string(), fmt::join(names, ", ")));
}

}  // namespace

StatusOr<ManifestExecutionFile> ExecutionFileFor(const Manifest& manifest,
                                                 const std::string& role) {
  std::vector<ManifestExecutionFile> files = manifest.execution_files;
  if (files.empty() && manifest.files.size() == 1) files.push_back({manifest.files[0].path});
  if (files.empty()) {
    return InvalidArgument(
        "spec.format.execution_files is empty and the package has several files");
  }
  const auto with_role = [&](const std::string& wanted) {
    return std::find_if(files.begin(), files.end(),
                        [&](const auto& file) { return file.role == wanted; });
  };
  if (role.empty()) {
    const auto single = with_role("single");
    return single != files.end() ? *single : files.front();
  }
  if (const auto chosen = with_role(role); chosen != files.end()) return *chosen;
  std::vector<std::string> roles;
  for (const auto& file : files) roles.push_back(file.role);
  return InvalidArgument(fmt::format("no execution file has role \"{}\"; the package's roles: {}",
                                     role, fmt::join(roles, ", ")));
}

StatusOr<ModelSource> ResolveModelSource(const std::string& path, const std::string& manifest_path,
                                         const std::string& role,
                                         const std::string& base_directory) {
  if (path.empty() && manifest_path.empty()) {
    return InvalidArgument(
        "\"path\" (or \"model_path\") is required: a package folder, a folder "
        "with one .onnx file, or a model file");
  }
  const fs::path manifest =
      manifest_path.empty() ? fs::path() : Absolute(manifest_path, base_directory);
  const fs::path target = path.empty() ? manifest.parent_path() : Absolute(path, base_directory);
  std::error_code error;
  if (!fs::exists(target, error)) {
    return InvalidArgument(fmt::format("path {} does not exist", target.string()));
  }
  ModelSource source;
  source.source_path = target.string();
  const bool is_directory = fs::is_directory(target, error);
  if (!is_directory && FormatOfExtension(target) == "axon") {
    return InvalidArgument(
        fmt::format("{} is an .axon archive; register the installed package "
                    "folder instead (axon install, then axon register)",
                    target.string()));
  }
  if (!manifest.empty()) {
    return FromManifest(manifest, is_directory ? target : manifest.parent_path(), role, source);
  }
  if (is_directory && fs::exists(target / "manifest.yaml", error)) {
    return FromManifest(target / "manifest.yaml", target, role, source);
  }
  if (!role.empty()) {
    return InvalidArgument(
        fmt::format("role \"{}\" needs a package with a manifest that names its execution files "
                    "by role; {} has no manifest.yaml",
                    role, target.string()));
  }
  if (is_directory) {
    ASSIGN_OR_RETURN(const fs::path file, SingleOnnxFile(target));
    source.load_path = file.string();
    source.execution_format = "onnx";
    return source;
  }
  source.load_path = target.string();
  source.execution_format = FormatOfExtension(target);
  return source;
}

}  // namespace mlos::core
