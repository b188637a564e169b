// Registers the training kernel family (domain ai.onnx.preview.training): one line per kernel
// file, each of which registers its own operators.
//
// Gradient (same domain) is not a kernel: it differentiates the graph around it, which a kernel
// never sees (KernelInit holds only the node), so it would be a graph rewrite in the planner.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterOptimizerKernels(KernelRegistry& registry);  // optimizers.cc: Adagrad, Adam, Momentum

void RegisterTrainingKernels(KernelRegistry& registry) { RegisterOptimizerKernels(registry); }

}  // namespace mlos::engine
