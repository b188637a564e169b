// Test helpers: fresh temporary folders and small files (echo model descriptions, manifests).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
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

// The manifest of an encoder-decoder model as Axon installs one from a hub: execution files
// onnx/decoder_model.<format> (role "decoder") and onnx/encoder_model.<format> (role "encoder"),
// in that order, and no "single" file; `format` is also its format and execution format.
inline Manifest TwoRoleManifest(const std::string& format, uint64_t decoder_size,
                                uint64_t encoder_size) {
  const std::string decoder = "onnx/decoder_model." + format;
  const std::string encoder = "onnx/encoder_model." + format;
  Manifest manifest;
  manifest.name = "t5";
  manifest.namespace_ = "hf";
  manifest.version = "main";
  manifest.created = "2026-11-26T08:00:00Z";
  manifest.framework = "onnx";
  manifest.format_type = format;
  manifest.execution_format = format;
  manifest.files = {{decoder, decoder_size, std::string(64, 'a')},
                    {encoder, encoder_size, std::string(64, 'b')}};
  manifest.execution_files = {{decoder, "decoder"}, {encoder, "encoder"}};
  return manifest;
}

// Writes into `directory` an echo package with TwoRoleManifest("echo", ...): the decoder has one
// FP32 input "hidden" [-1, 2], the encoder one INT64 input "ids" [-1, 4].
inline void WriteTwoRoleEchoPackage(const std::filesystem::path& directory) {
  const std::string decoder = R"({"inputs":[{"name":"hidden","datatype":"FP32","shape":[-1,2]}]})";
  const std::string encoder = R"({"inputs":[{"name":"ids","datatype":"INT64","shape":[-1,4]}]})";
  WriteFile(directory / "onnx" / "decoder_model.echo", decoder);
  WriteFile(directory / "onnx" / "encoder_model.echo", encoder);
  WriteFile(directory / "manifest.yaml",
            SerializeManifest(TwoRoleManifest("echo", decoder.size(), encoder.size())));
}

}  // namespace mlos::core::testing
