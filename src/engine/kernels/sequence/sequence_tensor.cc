// SplitToSequence and ConcatFromSequence: the sequence forms of Split and Concat, sharing their
// work (tensor/concat_split.h).
#include "engine/kernels/common/axes.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"
#include "engine/kernels/sequence/registrations.h"
#include "engine/kernels/tensor/concat_split.h"

namespace mlos::engine {
namespace {

// Piece sizes: input `split` as a scalar (equal chunks, the last one smaller) or a list; without
// it, pieces of one.
StatusOr<std::vector<int64_t>> PieceSizes(const KernelContext& context, int64_t dim) {
  std::vector<int64_t> sizes;
  if (!context.has_input(1)) return std::vector<int64_t>(static_cast<size_t>(dim), 1);
  const Tensor& split = context.input(1);
  if (split.shape().empty()) {
    ASSIGN_OR_RETURN(int64_t chunk, ReadScalarInteger(split, "input split"));
    if (chunk <= 0) return InvalidArgument("input split: chunk size " + std::to_string(chunk) + " must be positive");
    for (int64_t begin = 0; begin < dim; begin += chunk) sizes.push_back(std::min(chunk, dim - begin));
    return sizes;
  }
  ASSIGN_OR_RETURN(sizes, ReadIntegers(split, "input split"));
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0) return InvalidArgument("input split: negative size " + std::to_string(size));
    total += size;
  }
  if (total != dim) {
    return InvalidArgument("input split: sizes sum to " + std::to_string(total) +
                           ", the split axis has " + std::to_string(dim));
  }
  return sizes;
}

class SplitToSequenceKernel : public Kernel {
 public:
  explicit SplitToSequenceKernel(const KernelInit& init)
      : axis_(init.attributes.GetInt("axis", 0)), keepdims_(init.attributes.GetInt("keepdims", 1) != 0) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const Tensor* input, TensorInput(context, 0, "input input"));
    const int64_t rank = static_cast<int64_t>(input->shape().size());
    ASSIGN_OR_RETURN(const int64_t axis, ResolveAxis(axis_, rank, "attribute axis"));
    ASSIGN_OR_RETURN(std::vector<int64_t> sizes, PieceSizes(context, input->shape()[axis]));
    std::vector<Tensor> pieces = SplitAlongAxis(*input, static_cast<size_t>(axis), sizes);
    if (!context.has_input(1) && !keepdims_) {
      for (Tensor& piece : pieces) {
        Shape shape = piece.shape();
        shape.erase(shape.begin() + axis);
        piece = piece.Reshaped(std::move(shape));
      }
    }
    context.value_outputs[0] = Value::Sequence(input->dtype(), std::move(pieces));
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool keepdims_;
};

class ConcatFromSequenceKernel : public Kernel {
 public:
  explicit ConcatFromSequenceKernel(const KernelInit& init)
      : axis_(init.attributes.GetInt("axis", 0)), new_axis_(init.attributes.GetInt("new_axis", 0) != 0) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const Value* sequence, SequenceInput(context, 0, "input input_sequence"));
    const std::vector<Tensor>& items = sequence->items();
    if (items.empty()) return InvalidArgument("input input_sequence: the sequence is empty");
    const int64_t rank = static_cast<int64_t>(items[0].shape().size()) + (new_axis_ ? 1 : 0);
    ASSIGN_OR_RETURN(const int64_t axis, ResolveAxis(axis_, rank, "attribute axis"));
    std::vector<Tensor> pieces;
    std::vector<const Tensor*> pointers;
    pieces.reserve(items.size());
    for (const Tensor& item : items) {
      if (new_axis_) {
        Shape shape = item.shape();
        shape.insert(shape.begin() + std::min<int64_t>(axis, static_cast<int64_t>(shape.size())), 1);
        pieces.push_back(item.Reshaped(std::move(shape)));
      } else {
        pieces.push_back(item);
      }
      pointers.push_back(&pieces.back());
    }
    ASSIGN_OR_RETURN(context.outputs[0],
                     ConcatAlongAxis(pointers, static_cast<size_t>(axis), "sequence item"));
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool new_axis_;
};

}  // namespace

void RegisterSequenceTensorKernels(KernelRegistry& registry) {
  registry.Register({"", "SplitToSequence", 11, kLatestOpset, {},
                     &CreateKernel<SplitToSequenceKernel, 1, 2>, /*value_inputs=*/true});
  registry.Register({"", "ConcatFromSequence", 11, kLatestOpset, {},
                     &CreateKernel<ConcatFromSequenceKernel, 1>, /*value_inputs=*/true});
}

}  // namespace mlos::engine
