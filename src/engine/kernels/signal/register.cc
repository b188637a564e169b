// Registers the signal kernel family (DFT, STFT, MelWeightMatrix).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterSignalKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
