// PyTorch conversion: the RemoteModel::prepare of a PyTorch Hub entry point. Given the unpacked
// repository and the weights the installer downloaded into the staging folder, it
// 1. checks each weight file against the sha256 prefix torch.hub would check (a mismatch fails);
// 2. runs the torch converter (torch_converter.h) to build the model with those weights, in eval
//    mode, and export it in the first format of `formats` that works (ONNX: opset 17, dynamic
//    batch; TorchScript: scripted, else traced, reloaded and compared with PyTorch there); when
//    the entry asks for further weights, downloads them (DownloadFiles, hash prefix checked)
//    into the work folder and runs it again;
// 3. loads an ONNX export in MLOS's engine and compares its outputs on the converter's probe
//    input with PyTorch's; when they differ and TorchScript is allowed, converts again to it.
// The package is model.onnx (plus any external data) or model.pt, framework "pytorch". When no
// format works the install fails with every strategy's reason.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "axon/download.h"
#include "axon/hubs/remote_model.h"

namespace mlos::axon {

// A folder removed when the last owner lets go (the unpacked repository outlives Resolve).
class TemporaryFolder {
 public:
  // mkdtemp under $TMPDIR (else /tmp) with `prefix`.
  static StatusOr<std::shared_ptr<TemporaryFolder>> Create(const std::string& prefix);
  ~TemporaryFolder();
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TemporaryFolder(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct PyTorchConversion {
  std::string model{};  // the model id as messages show it
  std::shared_ptr<TemporaryFolder> workspace{};  // holds the repository
  std::string repo_dir{};                        // folder with hubconf.py
  std::string entry{};
  std::string entry_kwargs_json{};
  std::vector<int64_t> input_shape{};
  std::vector<std::string> formats{};  // ConversionFormats
  // Weights already among the RemoteModel's files: url, package path, hash prefix.
  struct Weights {
    std::string url{};
    std::string path{};
    std::optional<std::string> hash_prefix{};
  };
  std::vector<Weights> weights{};
  // For further weights: where to fetch a weight URL from (the mirror rule), download settings.
  std::function<StatusOr<std::string>(const std::string& url)> download_url{};
  DownloadOptions download_options{};
};

PrepareFn PyTorchConversionPrepare(PyTorchConversion conversion);

}  // namespace mlos::axon
