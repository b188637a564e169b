// Registers the tensor kernel family. Each kernel registers itself in this one list.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterTensorKernels(KernelRegistry& registry) { (void)registry; }

}  // namespace mlos::engine
