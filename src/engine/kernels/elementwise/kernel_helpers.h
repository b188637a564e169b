// Small helpers every kernel family uses to build kernels from nodes.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "common/status.h"
#include "engine/kernel.h"

namespace mlos::engine {

// Returns OK iff the node has at least `required` inputs, all of them present (non-empty names),
// and at most `allowed` inputs; the error says how many were expected and which one is missing.
Status CheckInputCount(const KernelInit& init, int required, int allowed);

// The KernelFactory for a kernel class constructible from the node's attributes (or from
// nothing): checks the input count, then constructs it.
template <typename K, int kRequiredInputs, int kAllowedInputs = kRequiredInputs>
StatusOr<std::unique_ptr<Kernel>> CreateKernel(const KernelInit& init) {
  RETURN_IF_ERROR(CheckInputCount(init, kRequiredInputs, kAllowedInputs));
  if constexpr (std::is_constructible_v<K, const KernelInit&>) {
    return std::unique_ptr<Kernel>(std::make_unique<K>(init));
  } else {
    return std::unique_ptr<Kernel>(std::make_unique<K>());
  }
}

// "input <index> (<name>)", the way errors name an input.
std::string InputName(int index, const char* name);

}  // namespace mlos::engine
