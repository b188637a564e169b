// Registers the training kernel family (Adagrad, Adam, Momentum).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterTrainingKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
