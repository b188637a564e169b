// Registers the nn kernel family: one line per kernel file, each of which registers its own
// operators with their opset ranges and element types.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterSoftmaxKernels(KernelRegistry& registry);         // softmax.cc
void RegisterConvKernel(KernelRegistry& registry);             // conv.cc
void RegisterConvIntegerKernels(KernelRegistry& registry);     // conv_integer.cc
void RegisterPoolKernels(KernelRegistry& registry);            // pool.cc
void RegisterGlobalPoolKernels(KernelRegistry& registry);      // global_pool.cc
void RegisterBatchNormKernel(KernelRegistry& registry);        // batch_norm.cc
void RegisterNormalizationKernels(KernelRegistry& registry);   // normalization.cc
void RegisterLpNormalizationKernel(KernelRegistry& registry);  // lp_normalization.cc
void RegisterLrnKernel(KernelRegistry& registry);              // lrn.cc
void RegisterConvTransposeKernel(KernelRegistry& registry);    // conv_transpose.cc
void RegisterLossKernels(KernelRegistry& registry);            // loss.cc
void RegisterMaxUnpoolKernel(KernelRegistry& registry);        // max_unpool.cc

void RegisterNnKernels(KernelRegistry& registry) {
  RegisterSoftmaxKernels(registry);
  RegisterConvKernel(registry);
  RegisterConvIntegerKernels(registry);
  RegisterPoolKernels(registry);
  RegisterGlobalPoolKernels(registry);
  RegisterBatchNormKernel(registry);
  RegisterNormalizationKernels(registry);
  RegisterLpNormalizationKernel(registry);
  RegisterLrnKernel(registry);
  RegisterConvTransposeKernel(registry);
  RegisterLossKernels(registry);
  RegisterMaxUnpoolKernel(registry);
}

}  // namespace mlos::engine
