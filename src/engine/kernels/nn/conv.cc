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

// The batched GEMM path. A GEMM whose output has few columns (a late layer's 7x7 = 49 positions)
// runs far below the BLAS's peak, so when the batch holds several images their columns go side
// by side: columns [reduction, k * output_size] (Im2Col, or for a copy-free 1x1 window a plain
// gather of the images' channel rows), one GEMM W_g * columns into `product`, then each image's
// [group_filters, output_size] block is added onto y (which holds the bias or zeros).
constexpr int64_t kNarrowColumns = 128;   // below this, per-image GEMMs run well below peak
constexpr int64_t kStackedColumns = 512;  // a GEMM this wide runs near peak
constexpr int64_t kStackedWorkspaceBytes = 32 << 20;  // columns + product, per call

// Images per GEMM: 1 (the per-image path) when one image has kNarrowColumns output positions or
// more, or when two images' workspace would pass kStackedWorkspaceBytes; otherwise enough images
// to reach kStackedColumns within that bound, spread evenly over the batch. (On ResNet-50 with
// OpenBLAS, stacking its 7x7 layers made their GEMMs 25-30% faster; its 14x14 ones gained
// nothing, so they keep the per-image path.)
int64_t ImagesPerGemm(int64_t batch, int64_t reduction, int64_t filters, int64_t output_size,
                      size_t element_bytes) {
  if (batch < 2 || output_size >= kNarrowColumns) return 1;
  const int64_t image_bytes =
      (reduction + filters) * output_size * static_cast<int64_t>(element_bytes);
  const int64_t fit = kStackedWorkspaceBytes / image_bytes;
  const int64_t wanted = std::min({batch, (kStackedColumns + output_size - 1) / output_size, fit});
  if (wanted < 2) return 1;
  const int64_t gemms = (batch + wanted - 1) / wanted;
  return (batch + gemms - 1) / gemms;
}

template <typename T>
class StackedGemms {
 public:
  StackedGemms(const ConvPlan& plan, int64_t stack)
      : plan_(plan),
        g_(plan.geometry),
        group_channels_(plan.channels / plan.group),
        group_filters_(plan.filters / plan.group),
        reduction_(group_channels_ * g_.kernel_size()),
        pointwise_(g_.kernel_size() == 1 && g_.output == g_.input),
        columns_(static_cast<size_t>(reduction_ * stack * g_.output_size())),
        product_(static_cast<size_t>(group_filters_ * stack * g_.output_size())) {}

  // Images [first, first + count), count <= stack.
  void Run(int64_t first, int64_t count, const T* x, const T* w, T* y, ThreadPool* pool) {
    const int64_t output_size = g_.output_size();
    const int64_t width = count * output_size;  // GEMM columns
    for (int64_t group = 0; group < plan_.group; ++group) {
      const auto image = [&](int64_t i) {
        return x + ((first + i) * plan_.channels + group * group_channels_) * g_.input_size();
      };
      if (pointwise_) {
        ParallelFor(pool, group_channels_ * count, static_cast<double>(output_size),
                    [&](int64_t begin, int64_t end) {
                      for (int64_t row = begin; row < end; ++row) {
                        const int64_t channel = row / count, i = row % count;
                        std::copy_n(image(i) + channel * output_size, output_size,
                                    columns_.data() + channel * width + i * output_size);
                      }
                    });
      } else {
        for (int64_t i = 0; i < count; ++i) {
          Im2Col(image(i), group_channels_, g_, columns_.data() + i * output_size, width, pool);
        }
      }
      Gemm<T>(false, false, group_filters_, width, reduction_, T(1),
              w + group * group_filters_ * reduction_, reduction_, columns_.data(), width, T(0),
              product_.data(), width);
      ParallelFor(pool, group_filters_ * count, static_cast<double>(output_size),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t row = begin; row < end; ++row) {
                      const int64_t filter = row / count, i = row % count;
                      const T* from = product_.data() + filter * width + i * output_size;
                      T* to = y + ((first + i) * plan_.filters + group * group_filters_ + filter) *
                                      output_size;
                      for (int64_t j = 0; j < output_size; ++j) to[j] += from[j];
                    }
                  });
    }
  }

 private:
  const ConvPlan& plan_;
  const WindowGeometry& g_;
  const int64_t group_channels_, group_filters_, reduction_;
  const bool pointwise_;
  std::vector<T> columns_, product_;
};

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
  const int64_t stack = ImagesPerGemm(plan.batch, reduction, group_filters, output_size, sizeof(T));
  if (stack > 1) {
    StackedGemms<T> gemms(plan, stack);
    for (int64_t first = 0; first < plan.batch; first += stack) {
      gemms.Run(first, std::min(stack, plan.batch - first), x, w, y, pool);
    }
    return;
  }
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
