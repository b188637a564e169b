// The one list of built-in kernel families. Add a family here and nowhere else.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterElementwiseKernels(KernelRegistry& registry);  // kernels/elementwise/
void RegisterTensorKernels(KernelRegistry& registry);       // kernels/tensor/
void RegisterMathKernels(KernelRegistry& registry);         // kernels/math/
void RegisterNnKernels(KernelRegistry& registry);           // kernels/nn/
void RegisterRnnKernels(KernelRegistry& registry);          // kernels/rnn/
void RegisterImageKernels(KernelRegistry& registry);        // kernels/image/
void RegisterSignalKernels(KernelRegistry& registry);       // kernels/signal/
void RegisterTextKernels(KernelRegistry& registry);         // kernels/text/
void RegisterTrainingKernels(KernelRegistry& registry);     // kernels/training/
void RegisterRandomKernels(KernelRegistry& registry);       // kernels/random/
void RegisterSequenceKernels(KernelRegistry& registry);     // kernels/sequence/
void RegisterControlFlowKernels(KernelRegistry& registry);  // kernels/control/
void RegisterFusedKernels(KernelRegistry& registry);        // kernels/fused/

void RegisterAllKernels(KernelRegistry& registry) {
  RegisterElementwiseKernels(registry);
  RegisterTensorKernels(registry);
  RegisterMathKernels(registry);
  RegisterNnKernels(registry);
  RegisterRnnKernels(registry);
  RegisterImageKernels(registry);
  RegisterSignalKernels(registry);
  RegisterTextKernels(registry);
  RegisterTrainingKernels(registry);
  RegisterRandomKernels(registry);
  RegisterSequenceKernels(registry);
  RegisterControlFlowKernels(registry);
  RegisterFusedKernels(registry);
}

}  // namespace mlos::engine
