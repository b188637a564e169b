// The signature of a TorchScript model: what its inputs and outputs are called and look like.
//
// Inputs are the arguments of `forward` (self excluded), in order; outputs are its results,
// flattened (a tensor, or the tensors of a tuple or list, nested ones in order). Declared tensors
// (ModelOptions::inputs/outputs, from the manifest) give names, datatypes and shapes; where none
// are declared they are derived from forward's schema: input names are its argument names, output
// names "output" for a single tensor or "output0".."output<n-1>" for a tuple of n tensors, and
// the datatype is FP32 with rank unknown (a TorchScript schema says only "Tensor").
#pragma once

#include <torch/csrc/jit/api/module.h>

#include <optional>
#include <vector>

#include "common/status.h"
#include "plugins/torchscript/plugin_config.h"
#include "plugins/torchscript/tensor_spec.h"

namespace mlos::plugins::torchscript {

struct Signature {
  std::vector<TensorSpec> inputs;  // one per forward argument given a name, in argument order
  // What forward receives for an input the request leaves out: its default value, if it has one.
  std::vector<std::optional<c10::IValue>> input_defaults;
  std::vector<TensorSpec> outputs;
};

// InvalidArgument when the declared tensors do not fit forward (more inputs than arguments, an
// argument without a default left undeclared, a tuple of another size than the declared outputs);
// Unimplemented when forward takes a non-tensor argument or returns something whose number of
// tensors its type does not tell and no outputs are declared.
StatusOr<Signature> FindSignature(const torch::jit::Module& module, const ModelOptions& options);

}  // namespace mlos::plugins::torchscript
