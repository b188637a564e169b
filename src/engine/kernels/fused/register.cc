// Registers the fused kernel family: the operators of domain "com.mlos" that engine/optimizer
// emits in place of node patterns (kMlosDomain in optimizer/graph_view.h). They are not ONNX
// operators; models never name them themselves. One line per kernel file.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterGeluKernel(KernelRegistry& registry);         // gelu.cc
void RegisterFusedMatMulKernel(KernelRegistry& registry);  // fused_matmul.cc
void RegisterRmsNormKernel(KernelRegistry& registry);      // rms_norm.cc
void RegisterFusedConvKernel(KernelRegistry& registry);    // fused_conv.cc

void RegisterFusedKernels(KernelRegistry& registry) {
  RegisterFusedConvKernel(registry);
  RegisterGeluKernel(registry);
  RegisterFusedMatMulKernel(registry);
  RegisterRmsNormKernel(registry);
}

}  // namespace mlos::engine
