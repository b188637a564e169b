// Registers the nn kernel family. Each kernel registers itself in this one list.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterNnKernels(KernelRegistry& registry) { (void)registry; }

}  // namespace mlos::engine
