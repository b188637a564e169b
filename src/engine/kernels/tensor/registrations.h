// The files of the tensor family, each registering its kernels; register.cc calls them all.
#pragma once

#include "engine/kernel_registry.h"
#include "engine/kernels/elementwise/registrations.h"  // kLatestOpset

namespace mlos::engine {

void RegisterIdentityKernels(KernelRegistry& registry);   // identity.cc: Identity, Dropout
void RegisterReshapeKernels(KernelRegistry& registry);    // reshape.cc: Reshape, Flatten, Squeeze, Unsqueeze
void RegisterShapeKernels(KernelRegistry& registry);      // shape.cc: Shape, Size
void RegisterConcatSplitKernels(KernelRegistry& registry);  // concat_split.cc
void RegisterGatherKernels(KernelRegistry& registry);     // gather.cc: Gather, GatherElements, ScatterElements
void RegisterReindexKernels(KernelRegistry& registry);    // reindex_kernels.cc: Transpose, Slice, Tile, Expand, Pad
void RegisterGeneratorKernels(KernelRegistry& registry);  // generators.cc: Constant, ConstantOfShape, Range, OneHot
void RegisterIndexKernels(KernelRegistry& registry);      // index_kernels.cc: NonZero, Trilu

}  // namespace mlos::engine
