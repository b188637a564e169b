// The files of the control-flow family, each registering its kernels; register.cc calls them all.
// These kernels compile their graph attributes at load time (KernelInit::compile_subgraph) and
// run them with the node's outer-scope values (KernelContext::captured()).
#pragma once

#include "engine/kernel_registry.h"

namespace mlos::engine {

// if.cc: If.
void RegisterIfKernels(KernelRegistry& registry);
// loop.cc: Loop.
void RegisterLoopKernels(KernelRegistry& registry);
// scan.cc: Scan.
void RegisterScanKernels(KernelRegistry& registry);
// sequence_map.cc: SequenceMap.
void RegisterSequenceMapKernels(KernelRegistry& registry);

}  // namespace mlos::engine
