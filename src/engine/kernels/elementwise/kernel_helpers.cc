#include "engine/kernels/elementwise/kernel_helpers.h"

namespace mlos::engine {

Status CheckInputCount(const KernelInit& init, int required, int allowed) {
  const int count = init.node.input_size();
  if (count < required || count > allowed) {
    const std::string expected = required == allowed
                                     ? std::to_string(required)
                                     : std::to_string(required) + " to " + std::to_string(allowed);
    return InvalidArgument("expects " + expected + " inputs, got " + std::to_string(count));
  }
  for (int i = 0; i < required; ++i) {
    if (init.node.input(i).empty()) {
      return InvalidArgument("input " + std::to_string(i) + " is required but missing");
    }
  }
  return Status::Ok();
}

std::string InputName(int index, const char* name) {
  return "input " + std::to_string(index) + " (" + name + ")";
}

}  // namespace mlos::engine
