// Conv (opset 1, 11): N-D convolution (1-D to 3-D) of X [N, C, spatial...] with
// W [M, C / group, kernel...] plus optional bias B [M], with strides, dilations, pads or auto_pad,
// and groups.
//
// Three paths: depthwise (one input and one output channel per group) runs directly tap by tap;
// a 1x1 window with unit stride and no padding multiplies the image itself; everything else
// goes through Im2Col and one GEMM per image and group. The output starts as the bias, which the
// GEMM accumulates onto.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/math/dispatch.h"
#include "engine/kernels/nn/im2col.h"
#include "engine/kernels/nn/window.h"

namespace mlos::engine {
namespace {

class ConvKernel final : public Kernel {
 public:
  ConvKernel(WindowAttributes window, int64_t group) : window_(std::move(window)), group_(group) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& w = context.input(1);
    const Tensor* bias = context.has_input(2) ? &context.input(2) : nullptr;
    const Shape& x_shape = x.shape();
    const Shape& w_shape = w.shape();
    if (x_shape.size() < 3) {
      return InvalidArgument("input 0 (X): expected [N, C, spatial...], got shape " +
                             ShapeToString(x_shape));
    }
    if (w_shape.size() != x_shape.size()) {
      return InvalidArgument("input 1 (W): rank " + std::to_string(w_shape.size()) +
                             " does not match rank " + std::to_string(x_shape.size()) +
                             " of input 0 (X)");
    }
    if (w.dtype() != x.dtype() || (bias != nullptr && bias->dtype() != x.dtype())) {
      return InvalidArgument(std::string(w.dtype() != x.dtype() ? "input 1 (W)" : "input 2 (B)") +
                             ": element type does not match " + Name(x.dtype()) + " of input 0 (X)");
    }
    const int64_t batch = x_shape[0], channels = x_shape[1], filters = w_shape[0];
    if (group_ < 1 || filters % group_ != 0) {
      return InvalidArgument("attribute group: " + std::to_string(group_) +
                             " does not divide the " + std::to_string(filters) +
                             " filters of input 1 (W)");
    }
    if (w_shape[1] * group_ != channels) {
      return InvalidArgument("input 1 (W): " + std::to_string(w_shape[1]) + " channels x group " +
                             std::to_string(group_) + " do not match the " +
                             std::to_string(channels) + " channels of input 0 (X)");
    }
    if (bias != nullptr && bias->shape() != Shape{filters}) {
      return InvalidArgument("input 2 (B): expected shape [" + std::to_string(filters) + "], got " +
                             ShapeToString(bias->shape()));
    }
    const std::vector<int64_t> weight_kernel(w_shape.begin() + 2, w_shape.end());
    if (!window_.kernel_shape.empty() && window_.kernel_shape != weight_kernel) {
      return InvalidArgument("attribute kernel_shape: " + ShapeToString(window_.kernel_shape) +
                             " does not match the kernel " + ShapeToString(weight_kernel) +
                             " of input 1 (W)");
    }
    ASSIGN_OR_RETURN(WindowGeometry geometry,
                     ResolveWindow(window_, Shape(x_shape.begin() + 2, x_shape.end()), weight_kernel));
    Shape y_shape{batch, filters};
    for (int64_t dim : geometry.OutputShape()) y_shape.push_back(dim);
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), y_shape);
    if (y.element_count() == 0) return Status::Ok();
    return Dispatch<float, double>(x.dtype(), "Conv", [&](auto zero) {
      using T = decltype(zero);
      Run<T>(x.data<T>(), w.data<T>(), bias ? bias->data<T>() : nullptr, batch, channels, filters,
             geometry, y.data<T>(), context.pool);
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  void Run(const T* x, const T* w, const T* bias, int64_t batch, int64_t channels, int64_t filters,
           const WindowGeometry& g, T* y, ThreadPool* pool) const {
    const int64_t output_size = g.output_size();
    if (bias != nullptr) {
      for (int64_t i = 0; i < batch * filters; ++i) {
        std::fill_n(y + i * output_size, output_size, bias[i % filters]);
      }
    }
    const int64_t group_channels = channels / group_;
    const int64_t group_filters = filters / group_;
    if (group_channels == 1 && group_filters == 1) {
      RunDepthwise(x, w, batch, channels, g, y, pool);
      return;
    }
    // A 1x1 window that keeps the spatial size reads the image itself as the GEMM operand.
    const bool pointwise = g.kernel_size() == 1 && g.output == g.input;
    const int64_t reduction = group_channels * g.kernel_size();  // GEMM inner dimension
    std::vector<T> columns(pointwise ? 0 : static_cast<size_t>(reduction * output_size));
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t group = 0; group < group_; ++group) {
        const T* image = x + (n * channels + group * group_channels) * g.input_size();
        if (!pointwise) Im2Col(image, group_channels, g, columns.data(), pool);
        Gemm<T>(false, false, group_filters, output_size, reduction, T(1),
                w + group * group_filters * reduction, reduction,
                pointwise ? image : columns.data(), output_size, bias ? T(1) : T(0),
                y + (n * filters + group * group_filters) * output_size, output_size);
      }
    }
  }

  // One filter per channel: accumulates each tap's weighted image onto the output plane.
  template <typename T>
  static void RunDepthwise(const T* x, const T* w, int64_t batch, int64_t channels,
                           const WindowGeometry& g, T* y, ThreadPool* pool) {
    const int64_t taps = g.kernel_size();
    ParallelFor(pool, batch * channels, static_cast<double>(taps * g.output_size()),
                [&](int64_t begin, int64_t end) {
                  for (int64_t plane = begin; plane < end; ++plane) {
                    const T* image = x + plane * g.input_size();
                    const T* filter = w + (plane % channels) * taps;
                    T* out = y + plane * g.output_size();
                    for (int64_t tap = 0; tap < taps; ++tap) {
                      const T weight = filter[tap];
                      const int64_t kw = tap % g.kernel[2];
                      const int64_t kh = (tap / g.kernel[2]) % g.kernel[1];
                      const int64_t kd = tap / (g.kernel[2] * g.kernel[1]);
                      ForEachTapPosition(g, kd, kh, kw, [&](int64_t column, int64_t at) {
                        if (at >= 0) out[column] += weight * image[at];
                      });
                    }
                  }
                });
  }

  const WindowAttributes window_;
  const int64_t group_;
};

StatusOr<std::unique_ptr<Kernel>> CreateConv(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<ConvKernel>(
      ReadWindowAttributes(init.attributes), init.attributes.GetInt("group", 1)));
}

}  // namespace

void RegisterConvKernel(KernelRegistry& registry) {
  registry.Register({"", "Conv", 1, 1 << 30, DataTypesOf<float, double>(), &CreateConv});
}

}  // namespace mlos::engine
