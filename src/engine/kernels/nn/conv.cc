// Conv (opset 1, 11): N-D convolution with strides, dilations, pads or auto_pad, groups and an
// optional bias; the shape rules and the compute paths are described in conv.h.
#include "engine/kernels/nn/conv.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/nn/im2col.h"

namespace mlos::engine {
namespace {

// One filter per channel: accumulates each tap's weighted image onto the output plane.
template <typename T>
void RunDepthwise(const T* x, const T* w, int64_t batch, int64_t channels, const WindowGeometry& g,
                  T* y, ThreadPool* pool) {
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

class ConvKernel final : public Kernel {
 public:
  ConvKernel(WindowAttributes window, int64_t group) : window_(std::move(window)), group_(group) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& w = context.input(1);
    const Tensor* bias = context.has_input(2) ? &context.input(2) : nullptr;
    if (w.dtype() != x.dtype() || (bias != nullptr && bias->dtype() != x.dtype())) {
      return InvalidArgument(std::string(w.dtype() != x.dtype() ? "input 1 (W)" : "input 2 (B)") +
                             ": element type does not match " + Name(x.dtype()) +
                             " of input 0 (X)");
    }
    ASSIGN_OR_RETURN(
        const ConvPlan plan,
        PlanConv(x.shape(), w.shape(), bias ? &bias->shape() : nullptr, window_, group_));
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), plan.output_shape);
    if (y.element_count() == 0) return Status::Ok();
    return DispatchByType<TypeList<float, double>>(x.dtype(), "Conv", [&](auto tag) {
      using T = typename decltype(tag)::type;
      RunConv<T>(plan, x.data<T>(), w.data<T>(), bias ? bias->data<T>() : nullptr, y.data<T>(),
                 context.pool);
      return Status::Ok();
    });
  }

 private:
  const WindowAttributes window_;
  const int64_t group_;
};

StatusOr<std::unique_ptr<Kernel>> CreateConv(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<ConvKernel>(ReadWindowAttributes(init.attributes),
                                                              init.attributes.GetInt("group", 1)));
}

}  // namespace

StatusOr<ConvPlan> PlanConv(const Shape& x_shape, const Shape& w_shape, const Shape* bias_shape,
                            const WindowAttributes& window, int64_t group) {
  if (x_shape.size() < 3) {
    return InvalidArgument("input 0 (X): expected [N, C, spatial...], got shape " +
                           ShapeToString(x_shape));
  }
  if (w_shape.size() != x_shape.size()) {
    return InvalidArgument("input 1 (W): rank " + std::to_string(w_shape.size()) +
                           " does not match rank " + std::to_string(x_shape.size()) +
                           " of input 0 (X)");
  }
  ConvPlan plan;
  plan.batch = x_shape[0];
  plan.channels = x_shape[1];
  plan.filters = w_shape[0];
  plan.group = group;
  if (group < 1 || plan.filters % group != 0) {
    return InvalidArgument("attribute group: " + std::to_string(group) + " does not divide the " +
                           std::to_string(plan.filters) + " filters of input 1 (W)");
  }
  if (w_shape[1] * group != plan.channels) {
    return InvalidArgument("input 1 (W): " + std::to_string(w_shape[1]) + " channels x group " +
                           std::to_string(group) + " do not match the " +
                           std::to_string(plan.channels) + " channels of input 0 (X)");
  }
  if (bias_shape != nullptr && *bias_shape != Shape{plan.filters}) {
    return InvalidArgument("input 2 (B): expected shape [" + std::to_string(plan.filters) +
                           "], got " + ShapeToString(*bias_shape));
  }
  const std::vector<int64_t> weight_kernel(w_shape.begin() + 2, w_shape.end());
  if (!window.kernel_shape.empty() && window.kernel_shape != weight_kernel) {
    return InvalidArgument("attribute kernel_shape: " + ShapeToString(window.kernel_shape) +
                           " does not match the kernel " + ShapeToString(weight_kernel) +
                           " of input 1 (W)");
  }
  ASSIGN_OR_RETURN(plan.geometry,
                   ResolveWindow(window, Shape(x_shape.begin() + 2, x_shape.end()), weight_kernel));
  plan.output_shape = {plan.batch, plan.filters};
  for (int64_t dim : plan.geometry.OutputShape()) plan.output_shape.push_back(dim);
  return plan;
}

template <typename T>
void RunConv(const ConvPlan& plan, const T* x, const T* w, const T* bias, T* y, ThreadPool* pool) {
  const WindowGeometry& g = plan.geometry;
  const int64_t output_size = g.output_size();
  if (bias != nullptr) {
    for (int64_t i = 0; i < plan.batch * plan.filters; ++i) {
      std::fill_n(y + i * output_size, output_size, bias[i % plan.filters]);
    }
  }
  const int64_t group_channels = plan.channels / plan.group;
  const int64_t group_filters = plan.filters / plan.group;
  if (group_channels == 1 && group_filters == 1) {
    RunDepthwise(x, w, plan.batch, plan.channels, g, y, pool);
    return;
  }
  const bool pointwise = g.kernel_size() == 1 && g.output == g.input;
  const int64_t reduction = group_channels * g.kernel_size();  // GEMM inner dimension
  std::vector<T> columns(pointwise ? 0 : static_cast<size_t>(reduction * output_size));
  for (int64_t n = 0; n < plan.batch; ++n) {
    for (int64_t group = 0; group < plan.group; ++group) {
      const T* image = x + (n * plan.channels + group * group_channels) * g.input_size();
      if (!pointwise) Im2Col(image, group_channels, g, columns.data(), pool);
      Gemm<T>(false, false, group_filters, output_size, reduction, T(1),
              w + group * group_filters * reduction, reduction, pointwise ? image : columns.data(),
              output_size, bias ? T(1) : T(0),
              y + (n * plan.filters + group * group_filters) * output_size, output_size);
    }
  }
}

template void RunConv<float>(const ConvPlan&, const float*, const float*, const float*, float*,
                             ThreadPool*);
template void RunConv<double>(const ConvPlan&, const double*, const double*, const double*, double*,
                              ThreadPool*);

void RegisterConvKernel(KernelRegistry& registry) {
  registry.Register({"", "Conv", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}), &CreateConv});
}

}  // namespace mlos::engine
