// Registers the signal kernel family: one line per kernel file.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterDftKernels(KernelRegistry& registry);             // dft.cc: DFT, STFT
void RegisterMelWeightMatrixKernel(KernelRegistry& registry);  // mel_weight_matrix.cc

void RegisterSignalKernels(KernelRegistry& registry) {
  RegisterDftKernels(registry);
  RegisterMelWeightMatrixKernel(registry);
}

}  // namespace mlos::engine
