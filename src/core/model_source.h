// Resolution of what a registration points at (a package folder with manifest.yaml, a folder
// holding one .onnx file, or a model file) to the file a plugin loads and its execution format.
//
// With a manifest (`manifest_path`, or manifest.yaml in the folder) the execution file is
// ExecutionFileFor(manifest, role), relative to the package root (the folder, or the manifest's
// folder when `path` is a file), and the format is spec.execution_format. Without one, a folder
// must hold exactly one .onnx file, a file's format is its extension (".onnx" -> "onnx"), and a
// `role` is refused (only a manifest names roles). Every error is InvalidArgument naming the path.
// Reads the file system only; thread-safe.
#pragma once

#include <string>

#include "common/manifest.h"
#include "common/status.h"

namespace mlos::core {

struct ModelSource {
  std::string source_path;       // absolute, normalised: what was registered
  std::string load_path;         // absolute: what the plugin loads
  std::string execution_format;  // "onnx", ...; from the manifest or the file extension
  std::string manifest_yaml;     // the manifest text, empty when there is none
};

// The execution file of a package that a registration loads: the first of
// spec.format.execution_files with `role` when one is asked for, else the one with role
// "single", else the first (the package's only file when the list is empty). InvalidArgument
// when no file has `role` (naming it and the roles the manifest has) or there is no file to
// choose. Pure.
StatusOr<ManifestExecutionFile> ExecutionFileFor(const Manifest& manifest, const std::string& role);

// Relative `path` and `manifest_path` are taken from `base_directory`. `role` empty: the
// default execution file.
StatusOr<ModelSource> ResolveModelSource(const std::string& path, const std::string& manifest_path,
                                         const std::string& role,
                                         const std::string& base_directory);

}  // namespace mlos::core
