// LibTorch's thread pools, which are process-wide: set once from plugin_create.
#pragma once

#include "common/status.h"

namespace mlos::plugins::torchscript {

// Sets LibTorch's intra-op threads to `intra_op_threads` (0: std::thread::hardware_concurrency)
// and its inter-op threads to 1. LibTorch accepts the inter-op count only once per process and
// only before its inter-op pool has started, so that part is done at most once and skipped
// quietly when the pool already exists. Internal when LibTorch refuses the intra-op count.
Status ConfigureTorchThreads(int intra_op_threads);

}  // namespace mlos::plugins::torchscript
