// TensorSpec: one input or output of a TorchScript model as the plugin describes it over SMI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/dtype.h"

namespace mlos::plugins::torchscript {

struct TensorSpec {
  std::string name;
  DataType dtype = DataType::kFloat32;
  bool rank_known = false;     // false: rank unknown (SMI rank -1), `shape` is empty
  std::vector<int64_t> shape;  // -1 marks a dynamic dimension
};

}  // namespace mlos::plugins::torchscript
