// Registers the math kernel family: one line per kernel file, each of which registers its own
// operators with their opset ranges and element types.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterMatMulKernel(KernelRegistry& registry);           // matmul.cc
void RegisterGemmKernel(KernelRegistry& registry);             // gemm.cc
void RegisterReduceKernels(KernelRegistry& registry);          // reduce.cc
void RegisterArgReduceKernels(KernelRegistry& registry);       // arg_reduce.cc
void RegisterCumSumKernel(KernelRegistry& registry);           // cumsum.cc
void RegisterTopKKernel(KernelRegistry& registry);             // topk.cc
void RegisterEinsumKernel(KernelRegistry& registry);           // einsum.cc
void RegisterQuantizeLinearKernels(KernelRegistry& registry);  // quantize_linear.cc
void RegisterMatMulIntegerKernels(KernelRegistry& registry);   // matmul_integer.cc
void RegisterDetKernel(KernelRegistry& registry);              // det.cc

void RegisterMathKernels(KernelRegistry& registry) {
  RegisterMatMulKernel(registry);
  RegisterGemmKernel(registry);
  RegisterReduceKernels(registry);
  RegisterArgReduceKernels(registry);
  RegisterCumSumKernel(registry);
  RegisterTopKKernel(registry);
  RegisterEinsumKernel(registry);
  RegisterQuantizeLinearKernels(registry);
  RegisterMatMulIntegerKernels(registry);
  RegisterDetKernel(registry);
}

}  // namespace mlos::engine
