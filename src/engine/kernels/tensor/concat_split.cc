// Concat and Split along one axis. Both view a tensor as [outer, axis dim * inner] and move
// blocks of whole rows between the pieces.
#include <algorithm>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/tensor/concat_split.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

int64_t Product(const Shape& shape, size_t begin, size_t end) {
  int64_t product = 1;
  for (size_t d = begin; d < end; ++d) product *= shape[d];
  return product;
}

class ConcatKernel : public Kernel {
 public:
  explicit ConcatKernel(const KernelInit& init) : axis_(init.attributes.GetInt("axis", 0)) {}

  Status Compute(KernelContext& context) const override {
    const int64_t rank = static_cast<int64_t>(context.input(0).shape().size());
    ASSIGN_OR_RETURN(const int64_t axis, ResolveAxis(axis_, rank, "attribute axis"));
    ASSIGN_OR_RETURN(context.outputs[0],
                     ConcatAlongAxis(context.inputs, static_cast<size_t>(axis), "input"));
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// Split: piece sizes from the `split` attribute (before opset 13) or input 1 (from 13); else
// equal pieces, one per output (the last one smaller when the dimension does not divide, as
// opset 18's num_outputs specifies).
class SplitKernel : public Kernel {
 public:
  explicit SplitKernel(const KernelInit& init)
      : axis_(init.attributes.GetInt("axis", 0)),
        split_from_input_(init.opset >= 13),
        split_attribute_(init.attributes.GetInts("split")) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    ASSIGN_OR_RETURN(const int64_t axis_value,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const size_t axis = static_cast<size_t>(axis_value);
    const int64_t dim = shape[axis];
    const int64_t pieces = static_cast<int64_t>(context.outputs.size());
    std::vector<int64_t> sizes = split_attribute_;
    const char* what = "attribute split";
    if (split_from_input_ && context.has_input(1)) {
      what = "input 1 (split)";
      ASSIGN_OR_RETURN(sizes, ReadIntegers(context.input(1), what));
    }
    if (sizes.empty()) {
      const int64_t piece = (dim + pieces - 1) / pieces;
      for (int64_t p = 0; p < pieces; ++p) sizes.push_back(std::clamp(dim - p * piece, int64_t{0}, piece));
    }
    int64_t total = 0;
    for (int64_t size : sizes) {
      if (size < 0) return InvalidArgument(std::string(what) + ": negative size " + std::to_string(size));
      total += size;
    }
    if (static_cast<int64_t>(sizes.size()) != pieces || total != dim) {
      return InvalidArgument(std::string(what) + ": " + std::to_string(sizes.size()) +
                             " sizes summing to " + std::to_string(total) + " for " +
                             std::to_string(pieces) + " outputs and dimension " +
                             std::to_string(dim) + " of axis " + std::to_string(axis));
    }
    std::vector<Tensor> pieces_out = SplitAlongAxis(input, axis, sizes);
    for (size_t p = 0; p < pieces_out.size(); ++p) context.outputs[p] = std::move(pieces_out[p]);
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool split_from_input_;
  std::vector<int64_t> split_attribute_;
};

}  // namespace

StatusOr<Tensor> ConcatAlongAxis(std::span<const Tensor* const> pieces, size_t axis,
                                 const std::string& what) {
  const Tensor& first = *pieces[0];
  Shape output_shape = first.shape();
  output_shape[axis] = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Tensor& input = *pieces[i];
    const std::string name = what + " " + std::to_string(i);
    if (input.dtype() != first.dtype()) {
      return InvalidArgument(name + ": element type " + Name(input.dtype()) + " does not match " +
                             what + " 0 type " + Name(first.dtype()));
    }
    const Shape& shape = input.shape();
    bool compatible = shape.size() == first.shape().size();
    for (size_t d = 0; d < shape.size() && compatible; ++d) {
      compatible = d == axis || shape[d] == first.shape()[d];
    }
    if (!compatible) {
      return InvalidArgument(name + ": shape " + ShapeToString(shape) + " does not match " + what +
                             " 0 shape " + ShapeToString(first.shape()) + " outside axis " +
                             std::to_string(axis));
    }
    output_shape[axis] += shape[axis];
  }
  Tensor output = Tensor::Uninitialized(first.dtype(), output_shape);
  const int64_t outer = Product(output_shape, 0, axis);
  const int64_t inner = Product(output_shape, axis + 1, output_shape.size());
  const int64_t output_row = output_shape[axis] * inner;
  RETURN_IF_ERROR(DispatchStorage(first.dtype(), what + " 0", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = Elements<T>(output);
    int64_t column = 0;  // where the current piece starts within an output row
    for (const Tensor* piece : pieces) {
      const T* in = Elements<T>(*piece);
      const int64_t row = piece->shape()[axis] * inner;
      for (int64_t o = 0; o < outer; ++o) {
        std::copy(in + o * row, in + (o + 1) * row, out + o * output_row + column);
      }
      column += row;
    }
    return Status::Ok();
  }));
  return output;
}

std::vector<Tensor> SplitAlongAxis(const Tensor& input, size_t axis,
                                   std::span<const int64_t> sizes) {
  const Shape& shape = input.shape();
  const int64_t outer = Product(shape, 0, axis);
  const int64_t inner = Product(shape, axis + 1, shape.size());
  const int64_t input_row = shape[axis] * inner;
  std::vector<Tensor> pieces;
  Status status = DispatchStorage(input.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = Elements<T>(input);
    int64_t column = 0;
    for (int64_t size : sizes) {
      Shape piece_shape = shape;
      piece_shape[axis] = size;
      Tensor piece(input.dtype(), piece_shape);
      T* out = Elements<T>(piece);
      const int64_t row = size * inner;
      for (int64_t o = 0; o < outer; ++o) {
        std::copy(in + o * input_row + column, in + o * input_row + column + row, out + o * row);
      }
      column += row;
      pieces.push_back(std::move(piece));
    }
    return Status::Ok();
  });
  (void)status;  // DispatchStorage covers every storage type a tensor can hold
  return pieces;
}

void RegisterConcatSplitKernels(KernelRegistry& registry) {
  registry.Register({"", "Concat", 4, kLatestOpset, {}, &CreateKernel<ConcatKernel, 1, 1 << 16>});
  registry.Register({"", "Split", 2, 12, {}, &CreateKernel<SplitKernel, 1>});
  registry.Register({"", "Split", 13, kLatestOpset, {}, &CreateKernel<SplitKernel, 1, 2>});
}

}  // namespace mlos::engine
