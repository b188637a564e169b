// Registers the sequence kernel family (sequence and optional ops).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterSequenceKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
