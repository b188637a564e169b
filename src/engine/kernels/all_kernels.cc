// The one list of built-in kernel families. Add a family here and nowhere else.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterElementwiseKernels(KernelRegistry& registry);  // kernels/elementwise/
void RegisterTensorKernels(KernelRegistry& registry);       // kernels/tensor/
void RegisterMathKernels(KernelRegistry& registry);         // kernels/math/
void RegisterNnKernels(KernelRegistry& registry);           // kernels/nn/

void RegisterAllKernels(KernelRegistry& registry) {
  RegisterElementwiseKernels(registry);
  RegisterTensorKernels(registry);
  RegisterMathKernels(registry);
  RegisterNnKernels(registry);
}

}  // namespace mlos::engine
