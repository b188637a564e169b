// Registers the tensor kernel family: every file of the family, listed in registrations.h.
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {

void RegisterTensorKernels(KernelRegistry& registry) {
  RegisterIdentityKernels(registry);
  RegisterReshapeKernels(registry);
  RegisterShapeKernels(registry);
  RegisterConcatSplitKernels(registry);
  RegisterGatherKernels(registry);
  RegisterReindexKernels(registry);
  RegisterGeneratorKernels(registry);
  RegisterIndexKernels(registry);
  RegisterUniqueKernel(registry);
}

}  // namespace mlos::engine
