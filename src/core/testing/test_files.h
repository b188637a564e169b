// Test helpers: fresh temporary folders and small files (echo model descriptions, manifests).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/manifest.h"

namespace mlos::core::testing {

// An empty folder under the test temp dir, removed first if it exists.
inline std::filesystem::path FreshDirectory(const std::string& name) {
  const auto directory = std::filesystem::path(::testing::TempDir()) / ("mlos_core_" + name);
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

inline std::string WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// An echo-plugin model (src/core/testing/echo_plugin.cc) with one FP32 input x of shape [-1, 3].
inline constexpr const char* kEchoVectorModel =
    R"({"inputs":[{"name":"x","datatype":"FP32","shape":[-1,3]}]})";

// Writes into `directory` an echo package laid out as Axon installs an encoder-decoder model from
// a hub: manifest.yaml whose execution files are onnx/decoder_model.echo (role "decoder", one
// FP32 input "hidden" [-1, 2]) and onnx/encoder_model.echo (role "encoder", one INT64 input "ids"
// [-1, 4]), in that order, and no "single" file.
inline void WriteTwoRoleEchoPackage(const std::filesystem::path& directory) {
  const std::string decoder = R"({"inputs":[{"name":"hidden","datatype":"FP32","shape":[-1,2]}]})";
  const std::string encoder = R"({"inputs":[{"name":"ids","datatype":"INT64","shape":[-1,4]}]})";
  WriteFile(directory / "onnx" / "decoder_model.echo", decoder);
  WriteFile(directory / "onnx" / "encoder_model.echo", encoder);
  Manifest manifest;
  manifest.name = "t5";
  manifest.namespace_ = "hf";
  manifest.version = "main";
  manifest.created = "2026-11-26T08:00:00Z";
  manifest.framework = "onnx";
  manifest.format_type = "echo";
  manifest.execution_format = "echo";
  manifest.files = {{"onnx/decoder_model.echo", decoder.size(), std::string(64, 'a')},
                    {"onnx/encoder_model.echo", encoder.size(), std::string(64, 'b')}};
  manifest.execution_files = {{"onnx/decoder_model.echo", "decoder"},
                              {"onnx/encoder_model.echo", "encoder"}};
  WriteFile(directory / "manifest.yaml", SerializeManifest(manifest));
}

}  // namespace mlos::core::testing
