// MaxUnpool (opsets 9, 11): the partial inverse of MaxPool. Output starts as zeros and
// Y[I[j]] = X[j], where the indices I (as MaxPool's second output) are flat row-major positions in
// the inferred output [N, C, (in_i - 1) * stride_i - pad_begin_i - pad_end_i + kernel_i ...].
// When output_shape is given (it must not be smaller than that), the inferred result sits at the
// origin of a zero tensor of that shape and the pads are ignored, as in the ONNX reference.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"

namespace mlos::engine {
namespace {

class MaxUnpoolKernel final : public Kernel {
 public:
  MaxUnpoolKernel(std::vector<int64_t> kernel_shape, std::vector<int64_t> strides,
                  std::vector<int64_t> pads)
      : kernel_shape_(std::move(kernel_shape)),
        strides_(std::move(strides)),
        pads_(std::move(pads)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& indices = context.input(1);
    const size_t spatial = kernel_shape_.size();
    if (x.shape().size() != spatial + 2) {
      return InvalidArgument("input 0 (X): expected rank " + std::to_string(spatial + 2) +
                             " to match kernel_shape, got shape " + ShapeToString(x.shape()));
    }
    if (indices.shape() != x.shape()) {
      return InvalidArgument("input 1 (I): expected the shape of X " + ShapeToString(x.shape()) +
                             ", got " + ShapeToString(indices.shape()));
    }
    ASSIGN_OR_RETURN(const std::vector<int64_t> positions, ReadIntegers(indices, "input 1 (I)"));
    const bool has_output_shape = context.has_input(2);
    Shape inferred = x.shape();
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t pad = has_output_shape ? 0 : pads_[i] + pads_[spatial + i];
      inferred[i + 2] = (x.shape()[i + 2] - 1) * strides_[i] - pad + kernel_shape_[i];
    }
    RETURN_IF_ERROR(CheckDimensions(inferred, "inferred output shape"));
    Shape output_shape = inferred;
    if (has_output_shape) {
      ASSIGN_OR_RETURN(output_shape, ReadIntegers(context.input(2), "input 2 (output_shape)"));
      bool fits = output_shape.size() == inferred.size();
      for (size_t i = 0; fits && i < inferred.size(); ++i) fits = output_shape[i] >= inferred[i];
      if (!fits) {
        return InvalidArgument("input 2 (output_shape): " + ShapeToString(output_shape) +
                               " is smaller than the inferred output shape " +
                               ShapeToString(inferred));
      }
    }
    const int64_t inferred_count = ElementCount(inferred);
    for (int64_t position : positions) {
      if (position < 0 || position >= inferred_count) {
        return InvalidArgument("input 1 (I): index " + std::to_string(position) +
                               " is out of range [0, " + std::to_string(inferred_count) + ")");
      }
    }
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), output_shape);
    return DispatchStorage(x.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(x);
      T* out = Elements<T>(y);
      if (output_shape == inferred) {
        for (size_t j = 0; j < positions.size(); ++j) out[positions[j]] = in[j];
        return Status::Ok();
      }
      // Re-address each inferred position in the larger output.
      const std::vector<int64_t> inferred_strides = DenseStrides(inferred);
      const std::vector<int64_t> output_strides = DenseStrides(output_shape);
      for (size_t j = 0; j < positions.size(); ++j) {
        int64_t rest = positions[j], offset = 0;
        for (size_t a = 0; a < inferred.size(); ++a) {
          offset += rest / inferred_strides[a] * output_strides[a];
          rest %= inferred_strides[a];
        }
        out[offset] = in[j];
      }
      return Status::Ok();
    });
  }

 private:
  const std::vector<int64_t> kernel_shape_, strides_, pads_;
};

StatusOr<std::unique_ptr<Kernel>> CreateMaxUnpool(const KernelInit& init) {
  std::vector<int64_t> kernel_shape = init.attributes.GetInts("kernel_shape");
  if (kernel_shape.empty()) return InvalidArgument("attribute kernel_shape is required");
  const size_t spatial = kernel_shape.size();
  std::vector<int64_t> strides = init.attributes.GetInts("strides");
  if (strides.empty()) strides.assign(spatial, 1);
  std::vector<int64_t> pads = init.attributes.GetInts("pads");
  if (pads.empty()) pads.assign(2 * spatial, 0);
  if (strides.size() != spatial || pads.size() != 2 * spatial) {
    return InvalidArgument("attributes strides and pads: expected " + std::to_string(spatial) +
                           " and " + std::to_string(2 * spatial) + " values, got " +
                           std::to_string(strides.size()) + " and " + std::to_string(pads.size()));
  }
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel_shape[i] < 1 || strides[i] < 1 || pads[i] < 0 || pads[spatial + i] < 0) {
      return InvalidArgument(
          "attributes kernel_shape and strides must be positive and pads non-negative");
    }
  }
  return std::unique_ptr<Kernel>(std::make_unique<MaxUnpoolKernel>(
      std::move(kernel_shape), std::move(strides), std::move(pads)));
}

}  // namespace

void RegisterMaxUnpoolKernel(KernelRegistry& registry) {
  registry.Register({"", "MaxUnpool", 9, 1 << 30, DataTypesOf(FloatTypes{}), &CreateMaxUnpool});
}

}  // namespace mlos::engine
