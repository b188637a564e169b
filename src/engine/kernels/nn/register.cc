// Registers the nn kernel family: one line per kernel file, each of which registers its own
// operators with their opset ranges and element types.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterSoftmaxKernels(KernelRegistry& registry);  // softmax.cc
void RegisterConvKernel(KernelRegistry& registry);      // conv.cc

void RegisterNnKernels(KernelRegistry& registry) {
  RegisterSoftmaxKernels(registry);
  RegisterConvKernel(registry);
}

}  // namespace mlos::engine
