// Registers the elementwise kernel family: every file of the family, listed in registrations.h.
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {

void RegisterElementwiseKernels(KernelRegistry& registry) {
  RegisterBinaryKernels(registry);
  RegisterVariadicKernels(registry);
  RegisterUnaryMathKernels(registry);
  RegisterActivationKernels(registry);
  RegisterCastKernels(registry);
  RegisterWhereKernels(registry);
}

}  // namespace mlos::engine
