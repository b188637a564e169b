// Registers the random kernel family (Bernoulli, RandomUniform(Like), RandomNormal(Like)).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterRandomKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
