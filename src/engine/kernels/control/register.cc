// Registers the control kernel family (If, Loop, Scan, SequenceMap).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterControlFlowKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
