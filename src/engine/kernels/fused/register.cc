// Registers the fused kernel family: the operators of domain "com.mlos" that engine/optimizer
// emits in place of node patterns (kMlosDomain in optimizer/graph_view.h). They are not ONNX
// operators; models never name them themselves. One line per kernel file.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterFusedKernels(KernelRegistry& registry) {
  (void)registry;
}

}  // namespace mlos::engine
