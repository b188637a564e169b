// The files of the tensor family, each registering its kernels; register.cc calls them all.
#pragma once

#include "engine/kernel_registry.h"
#include "engine/kernels/elementwise/registrations.h"  // kLatestOpset

namespace mlos::engine {

// identity.cc: Identity, Dropout.
void RegisterIdentityKernels(KernelRegistry& registry);
// reshape.cc: Reshape, Flatten, Squeeze, Unsqueeze.
void RegisterReshapeKernels(KernelRegistry& registry);
// shape.cc: Shape, Size.
void RegisterShapeKernels(KernelRegistry& registry);
// concat_split.cc: Concat, Split.
void RegisterConcatSplitKernels(KernelRegistry& registry);
// gather.cc: Gather, GatherElements, ScatterElements, Scatter, GatherND, ScatterND, Compress,
// ReverseSequence.
void RegisterGatherKernels(KernelRegistry& registry);
// reindex_kernels.cc: Transpose, DepthToSpace, SpaceToDepth, Slice, Tile, Expand, Pad.
void RegisterReindexKernels(KernelRegistry& registry);
// generators.cc: Constant, ConstantOfShape, Range, OneHot, EyeLike, Hann/Hamming/BlackmanWindow.
void RegisterGeneratorKernels(KernelRegistry& registry);
// index_kernels.cc: NonZero, Trilu.
void RegisterIndexKernels(KernelRegistry& registry);
// unique.cc: Unique.
void RegisterUniqueKernel(KernelRegistry& registry);

}  // namespace mlos::engine
