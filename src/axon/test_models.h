// Test helpers: temporary directories, files and a tiny real ONNX model built with the ONNX
// protobuf API. Test-only code.
#pragma once

#include <string>

namespace mlos::axon::testing {

// A fresh directory under the system temp dir, removed (with its contents) on destruction.
class TempDir {
 public:
  // `suffix` is appended to the directory name, to test unusual characters in paths.
  explicit TempDir(const std::string& suffix = "");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string root_;  // what mkdtemp made; path_ is root_ + "/" + suffix
  std::string path_;
};

// Writes `content` to `path`, creating parent directories.
void WriteFile(const std::string& path, const std::string& content);

// Writes a valid ONNX model to `path`: y = Relu(x), x and y float32 [batch, 4], opset 13.
void WriteTinyOnnxModel(const std::string& path);

}  // namespace mlos::axon::testing
