// The JSON configuration the torchscript plugin accepts over SMI.
//
// plugin_create:  {"threads": N}  LibTorch's intra-op threads; 0 or absent = one per core.
// model_load:     {"optimize": "none" | "freeze" | "inference",
//                  "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 16]}, ...],
//                  "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 4]}, ...]}
//   "optimize" picks what is done to the module after loading (default "freeze"; see
//   docs/plugins/torchscript.md). "inputs"/"outputs" are the model's declared tensors (Core passes
//   a manifest's io section this way): datatypes by KServe v2 or engine name, shape -1 = dynamic.
// Other keys belong to the host and are ignored (a per-model "threads" among them: LibTorch's
// intra-op pool is one per process).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "plugins/torchscript/tensor_spec.h"

namespace mlos::plugins::torchscript {

struct PluginOptions {
  int threads = 0;  // 0: one per core
};

enum class Optimization {
  kNone,                  // the module as saved, in eval mode
  kFreeze,                // torch::jit::freeze: attributes inlined as constants
  kOptimizeForInference,  // torch::jit::optimize_for_inference: freeze plus CPU rewrites
};

struct ModelOptions {
  Optimization optimization = Optimization::kFreeze;
  std::optional<std::vector<TensorSpec>> inputs;   // declared inputs, in forward's argument order
  std::optional<std::vector<TensorSpec>> outputs;  // declared outputs, in forward's result order
};

// InvalidArgument saying which key is wrong and how.
StatusOr<PluginOptions> ParsePluginOptions(const std::string& config_json);
StatusOr<ModelOptions> ParseModelOptions(const std::string& config_json);

}  // namespace mlos::plugins::torchscript
