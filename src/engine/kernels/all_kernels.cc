// The one list of built-in kernel families. Add a family here and nowhere else.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterAllKernels(KernelRegistry& registry) {
  (void)registry;
}

}  // namespace mlos::engine
