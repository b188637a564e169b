// ConvTranspose (opset 1, 11): the gradient of Conv with respect to its input, 1-D to 3-D.
// X [N, C, in...], W [C, M / group, kernel...], optional B [M]; output [N, M, out...] with
//   out = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - pad_begin - pad_end,
// unless output_shape (or auto_pad SAME_*, which asks for out = in * stride) fixes `out`, in
// which case the total padding follows from it and is split as the operator spec says
// (SAME_UPPER puts the smaller half first, every other mode the larger half; a negative total
// adds zero rows at the end).
//
// Per image and group: columns = W_g^T X_g (one GEMM), then Col2Im scatters the columns onto the
// output, which starts at zero; the bias is added last.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/nn/im2col.h"
#include "engine/kernels/nn/window.h"

namespace mlos::engine {
namespace {

struct ConvTransposeAttributes {
  WindowAttributes window;
  std::vector<int64_t> output_padding, output_shape;
  int64_t group = 1;
};

// The Col2Im geometry: its "input" is the ConvTranspose output and its "output" the X grid.
StatusOr<WindowGeometry> ResolveTransposedWindow(const ConvTransposeAttributes& attributes,
                                                 const Shape& in,
                                                 const std::vector<int64_t>& kernel) {
  const size_t rank = in.size();
  if (rank < 1 || rank > kWindowRank) {
    return Unimplemented("only 1-D, 2-D and 3-D ConvTranspose is supported, got " +
                         std::to_string(rank) + " spatial dimensions");
  }
  const WindowAttributes& window = attributes.window;
  ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                   SizedOrDefault(window.strides, rank, 1, 1, "strides"));
  ASSIGN_OR_RETURN(std::vector<int64_t> dilations,
                   SizedOrDefault(window.dilations, rank, 1, 1, "dilations"));
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, SizedOrDefault(window.pads, 2 * rank, 0, 0, "pads"));
  ASSIGN_OR_RETURN(std::vector<int64_t> output_padding,
                   SizedOrDefault(attributes.output_padding, rank, 0, 0, "output_padding"));
  std::vector<int64_t> output_shape = attributes.output_shape;
  if (output_shape.size() == rank + 2)
    output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (!output_shape.empty() && output_shape.size() != rank) {
    return InvalidArgument("attribute output_shape: expected " + std::to_string(rank) +
                           " values, got " + std::to_string(output_shape.size()));
  }
  const bool same = window.auto_pad == "SAME_UPPER" || window.auto_pad == "SAME_LOWER";
  WindowGeometry geometry;
  geometry.spatial_rank = static_cast<int>(rank);
  const size_t lead = kWindowRank - rank;
  for (size_t i = 0; i < rank; ++i) {
    const size_t d = lead + i;
    const int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    const int64_t full = strides[i] * (in[i] - 1) + output_padding[i] + extent;
    int64_t begin = window.auto_pad == "VALID" ? 0 : pads[i];
    int64_t end = window.auto_pad == "VALID" ? 0 : pads[i + rank];
    int64_t out = full - begin - end;
    if (!output_shape.empty() || same) {
      out = output_shape.empty() ? in[i] * strides[i] : output_shape[i];
      // Floor division, as in the operator reference, also for a negative total.
      const int64_t total = full - out;
      const int64_t smaller = total >= 0 ? total / 2 : -((-total + 1) / 2);
      begin = window.auto_pad == "SAME_UPPER" ? smaller : total - smaller;
      end = total - begin;
    }
    if (out < 1) {
      return InvalidArgument("ConvTranspose output dimension " + std::to_string(i) + " would be " +
                             std::to_string(out) + "; check pads and output_shape");
    }
    geometry.input[d] = out;
    geometry.output[d] = in[i];
    geometry.kernel[d] = kernel[i];
    geometry.stride[d] = strides[i];
    geometry.dilation[d] = dilations[i];
    geometry.pad_begin[d] = begin;
    geometry.pad_end[d] = end;
  }
  return geometry;
}

class ConvTransposeKernel final : public Kernel {
 public:
  explicit ConvTransposeKernel(ConvTransposeAttributes attributes)
      : attributes_(std::move(attributes)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& w = context.input(1);
    const Tensor* bias = context.has_input(2) ? &context.input(2) : nullptr;
    const Shape& x_shape = x.shape();
    const Shape& w_shape = w.shape();
    const int64_t group = attributes_.group;
    if (x_shape.size() < 3 || w_shape.size() != x_shape.size()) {
      return InvalidArgument("input 1 (W): shape " + ShapeToString(w_shape) +
                             " does not fit input 0 (X) " + ShapeToString(x_shape) +
                             "; expected X [N, C, spatial...] and W of the same rank");
    }
    if (w.dtype() != x.dtype() || (bias != nullptr && bias->dtype() != x.dtype())) {
      return InvalidArgument(std::string(w.dtype() != x.dtype() ? "input 1 (W)" : "input 2 (B)") +
                             ": element type does not match " + Name(x.dtype()) +
                             " of input 0 (X)");
    }
    const int64_t batch = x_shape[0], channels = x_shape[1];
    if (group < 1 || channels % group != 0 || w_shape[0] != channels) {
      return InvalidArgument("input 1 (W): " + std::to_string(w_shape[0]) +
                             " input channels with group " + std::to_string(group) +
                             " do not match the " + std::to_string(channels) +
                             " channels of input 0 (X)");
    }
    const int64_t filters = w_shape[1] * group;
    if (bias != nullptr && bias->shape() != Shape{filters}) {
      return InvalidArgument("input 2 (B): expected shape [" + std::to_string(filters) + "], got " +
                             ShapeToString(bias->shape()));
    }
    const std::vector<int64_t> kernel(w_shape.begin() + 2, w_shape.end());
    ASSIGN_OR_RETURN(
        WindowGeometry g,
        ResolveTransposedWindow(attributes_, Shape(x_shape.begin() + 2, x_shape.end()), kernel));
    Shape y_shape{batch, filters};
    for (size_t d = kWindowRank - g.spatial_rank; d < kWindowRank; ++d)
      y_shape.push_back(g.input[d]);
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), y_shape);
    if (y.element_count() == 0 || x.element_count() == 0) return Status::Ok();
    return DispatchByType<TypeList<float, double>>(x.dtype(), "ConvTranspose", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const int64_t group_channels = channels / group, group_filters = filters / group;
      const int64_t rows = group_filters * g.kernel_size();  // columns matrix height
      const int64_t positions = g.output_size();             // X positions per channel
      std::vector<T> columns(static_cast<size_t>(rows * positions));
      const T* x_data = x.data<T>();
      const T* w_data = w.data<T>();
      T* y_data = y.data<T>();
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t gi = 0; gi < group; ++gi) {
          Gemm<T>(context.pool, true, false, rows, positions, group_channels, T(1),
                  w_data + gi * group_channels * rows, rows,
                  x_data + (n * channels + gi * group_channels) * positions, positions, T(0),
                  columns.data(), positions);
          Col2Im(columns.data(), group_filters, g,
                 y_data + (n * filters + gi * group_filters) * g.input_size(), context.pool);
        }
      }
      if (bias != nullptr) {
        const T* b = bias->data<T>();
        for (int64_t plane = 0; plane < batch * filters; ++plane) {
          T* out = y_data + plane * g.input_size();
          for (int64_t i = 0; i < g.input_size(); ++i) out[i] += b[plane % filters];
        }
      }
      return Status::Ok();
    });
  }

 private:
  const ConvTransposeAttributes attributes_;
};

StatusOr<std::unique_ptr<Kernel>> CreateConvTranspose(const KernelInit& init) {
  ConvTransposeAttributes attributes;
  attributes.window = ReadWindowAttributes(init.attributes);
  attributes.output_padding = init.attributes.GetInts("output_padding");
  attributes.output_shape = init.attributes.GetInts("output_shape");
  attributes.group = init.attributes.GetInt("group", 1);
  return std::unique_ptr<Kernel>(std::make_unique<ConvTransposeKernel>(std::move(attributes)));
}

}  // namespace

void RegisterConvTransposeKernel(KernelRegistry& registry) {
  registry.Register({"", "ConvTranspose", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}),
                     &CreateConvTranspose});
}

}  // namespace mlos::engine
