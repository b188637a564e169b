// The files of the image family, each registering its kernels; register.cc calls them all.
#pragma once

#include "engine/kernel_registry.h"

namespace mlos::engine {

// resize.cc: Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9).
void RegisterResizeKernels(KernelRegistry& registry);
// grid_sample.cc: GridSample (16).
void RegisterGridSampleKernel(KernelRegistry& registry);
// roi_align.cc: RoiAlign (10, 16).
void RegisterRoiAlignKernel(KernelRegistry& registry);
// non_max_suppression.cc: NonMaxSuppression (10, 11).
void RegisterNonMaxSuppressionKernel(KernelRegistry& registry);

}  // namespace mlos::engine
