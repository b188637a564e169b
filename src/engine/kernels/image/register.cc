// Registers the image kernel family (Resize, Upsample, GridSample, RoiAlign, NonMaxSuppression).
#include "engine/kernels/image/registrations.h"

namespace mlos::engine {

void RegisterImageKernels(KernelRegistry& registry) {
  RegisterResizeKernels(registry);
  RegisterGridSampleKernel(registry);
  RegisterRoiAlignKernel(registry);
  RegisterNonMaxSuppressionKernel(registry);
}

}  // namespace mlos::engine
