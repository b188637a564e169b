// Test helpers: fresh temporary folders and small files (echo model descriptions, manifests).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

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

}  // namespace mlos::core::testing
