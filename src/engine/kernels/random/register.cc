// Registers the random kernel family: one line per kernel file, each of which registers its own
// operators with their opset ranges and element types.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterUniformNormalKernels(KernelRegistry& registry);  // uniform_normal.cc
void RegisterBernoulliKernel(KernelRegistry& registry);       // bernoulli.cc
void RegisterMultinomialKernel(KernelRegistry& registry);     // multinomial.cc

void RegisterRandomKernels(KernelRegistry& registry) {
  RegisterUniformNormalKernels(registry);
  RegisterBernoulliKernel(registry);
  RegisterMultinomialKernel(registry);
}

}  // namespace mlos::engine
