// The files of the sequence family, each registering its kernels; register.cc calls them all.
// Every kernel here reads sequences or optionals, so each registers with `value_inputs`.
#pragma once

#include "engine/kernel_registry.h"

namespace mlos::engine {

// sequence_ops.cc: SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt, SequenceErase,
// SequenceLength.
void RegisterSequenceOpKernels(KernelRegistry& registry);
// sequence_tensor.cc: SplitToSequence, ConcatFromSequence.
void RegisterSequenceTensorKernels(KernelRegistry& registry);
// optional.cc: Optional, OptionalHasElement, OptionalGetElement.
void RegisterOptionalKernels(KernelRegistry& registry);

// The sequence held by input `index`, or InvalidArgument naming it.
StatusOr<const Value*> SequenceInput(const KernelContext& context, size_t index, const char* what);
// The tensor held by input `index`, or InvalidArgument naming it.
StatusOr<const Tensor*> TensorInput(const KernelContext& context, size_t index, const char* what);

}  // namespace mlos::engine
