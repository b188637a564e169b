// Torch converter: runs torch_converter.py (embedded in axon at build time) as a subprocess with
// Debian's Python (/usr/bin/python3, or AXON_PYTORCH_PYTHON) to read a PyTorch Hub repository's
// hubconf.py and export the model one entry point builds. The script's header documents the
// request and reply; this side writes the request, runs `python3 -I -B script request.json` in a
// private working folder (TORCH_HOME there too, network blocked inside the script) and parses
// the reply. Nothing here downloads: the caller hands in verified weight files.
//
// CheckOnnxReproduces loads an exported ONNX model in MLOS's own engine and compares its outputs
// on the converter's probe input with PyTorch's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::axon {

// A weight file an entry point downloads through torch.hub, and the sha256 prefix torch.hub would
// check it against (nullopt: the entry asked for no check).
struct TorchHubWeights {
  std::string url{};
  std::optional<std::string> hash_prefix{};
};

struct ConverterRequest {
  std::string mode{};      // "discover" (entry points, first weights) or "convert"
  std::string repo_dir{};  // the folder with hubconf.py
  std::string entry{};
  std::string entry_kwargs_json{};              // a JSON object; empty: pretrained defaults
  std::map<std::string, std::string> weights{};  // url -> verified local file
  std::vector<std::string> formats{};            // "onnx", "torchscript", in order
  std::vector<int64_t> input_shape{};            // empty: derived from the first layer
  std::string out_dir{};
};

struct ProbeTensor {
  std::string name{};
  DataType dtype = DataType::kInvalid;  // kFloat32 or kInt64
  Shape shape{};
  std::string file{};  // raw little-endian values
};

struct ConverterReply {
  bool ok = false;
  std::vector<std::string> entries{};
  std::vector<TorchHubWeights> weights{};  // discover: the first download of the entry
  std::optional<TorchHubWeights> needs{};  // convert: a download Axon must make first
  std::string error{};
  bool unknown_entry = false;
  std::vector<std::string> reasons{};  // why the formats tried before `format` failed
  std::string format{};                // convert: the format made
  std::string directory{};             // convert: the folder holding `files`
  std::vector<std::string> files{};
  std::vector<ProbeTensor> probe_inputs{};
  std::vector<ProbeTensor> probe_outputs{};
};

// Parses the reply file's text; InvalidArgument naming `where` when it is not the expected JSON.
StatusOr<ConverterReply> ParseConverterReply(const std::string& text, const std::string& where);

// Runs the converter for `request` in `work_dir` (an existing private folder). Errors:
// FailedPrecondition when Python or torch is missing, Internal when the script dies (with the
// tail of its output); a reply with ok=false is returned, not an error.
StatusOr<ConverterReply> RunTorchConverter(const ConverterRequest& request,
                                           const std::string& work_dir);

// OK iff the ONNX model at `model_path` loads in the engine and, on the reply's probe inputs,
// gives its probe outputs within the tolerance (relative 1e-3, absolute 1e-4 times the largest
// expected magnitude, at least 1); else InvalidArgument saying what differs.
Status CheckOnnxReproduces(const std::string& model_path, const ConverterReply& reply);

}  // namespace mlos::axon
