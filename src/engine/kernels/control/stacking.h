// Slicing a tensor into its steps along one axis, and stacking steps back: what Loop and Scan do
// with their scan inputs and outputs.
#pragma once

#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernel.h"

namespace mlos::engine {

// The slices of `input` along `axis`, each without that axis. REQUIRES: 0 <= axis < rank.
std::vector<Tensor> Unstack(const Tensor& input, size_t axis);

// Stacks `steps` (equal shapes and types) along a new axis `axis` (0 <= axis <= step rank).
// With no steps, returns an empty tensor of `type` shaped [0]. InvalidArgument, naming `what`,
// when the steps differ.
StatusOr<Tensor> Stack(const std::vector<Tensor>& steps, size_t axis, DataType type,
                       const std::string& what);

// Reads a graph attribute through `init` into `subgraph`, checking it exists.
StatusOr<std::unique_ptr<Subgraph>> CompileBody(const KernelInit& init, const std::string& name);

}  // namespace mlos::engine
