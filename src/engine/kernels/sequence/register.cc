// Registers the sequence kernel family (sequence and optional ops).
#include "engine/kernels/sequence/registrations.h"

namespace mlos::engine {

StatusOr<const Value*> SequenceInput(const KernelContext& context, size_t index, const char* what) {
  const Value* value = context.value(index);
  if (value == nullptr || !value->is_sequence()) {
    return InvalidArgument(std::string(what) + ": expected a sequence, got " +
                           (value == nullptr ? std::string("nothing") : value->Describe()));
  }
  return value;
}

StatusOr<const Tensor*> TensorInput(const KernelContext& context, size_t index, const char* what) {
  if (context.has_input(index)) return &context.input(index);
  const Value* value = context.value(index);
  return InvalidArgument(std::string(what) + ": expected a tensor, got " +
                         (value == nullptr ? std::string("nothing") : value->Describe()));
}

void RegisterSequenceKernels(KernelRegistry& registry) {
  RegisterSequenceOpKernels(registry);
  RegisterSequenceTensorKernels(registry);
  RegisterOptionalKernels(registry);
}

}  // namespace mlos::engine
