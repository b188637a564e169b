// Registers the control-flow kernel family (If, Loop, Scan, SequenceMap).
#include "engine/kernels/control/registrations.h"

namespace mlos::engine {

void RegisterControlFlowKernels(KernelRegistry& registry) {
  RegisterIfKernels(registry);
  RegisterLoopKernels(registry);
  RegisterScanKernels(registry);
  RegisterSequenceMapKernels(registry);
}

}  // namespace mlos::engine
