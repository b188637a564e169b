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
#include "engine/kernels/nn/conv_depthwise.h"
#include "engine/kernels/nn/conv_epilogue.h"
#include "engine/kernels/nn/im2col.h"

namespace mlos::engine {
namespace {

// The batched GEMM path. A GEMM whose output has few columns (a late layer's 7x7 = 49 positions)
// runs far below the BLAS's peak, so when the batch holds several images their columns go side
// by side: columns [reduction, k * output_size] (Im2Col, or for a copy-free 1x1 window a plain
// gather of the images' channel rows), one GEMM W_g * columns into `product`, then each image's
// [group_filters, output_size] block is copied to y and finished there by the epilogue.
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
  StackedGemms(const ConvPlan& plan, int64_t stack, const ConvEpilogue& epilogue)
      : plan_(plan),
        epilogue_(epilogue),
        g_(plan.geometry),
        group_channels_(plan.channels / plan.group),
        group_filters_(plan.filters / plan.group),
        reduction_(group_channels_ * g_.kernel_size()),
        pointwise_(g_.kernel_size() == 1 && g_.output == g_.input),
        columns_(static_cast<size_t>(reduction_ * stack * g_.output_size())),
        product_(static_cast<size_t>(group_filters_ * stack * g_.output_size())) {}

  // Images [first, first + count), count <= stack.
  void Run(int64_t first, int64_t count, const T* x, const T* w, const T* bias, const T* residual,
           T* y, ThreadPool* pool) {
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
      Gemm<T>(pool, false, false, group_filters_, width, reduction_, T(1),
              w + group * group_filters_ * reduction_, reduction_, columns_.data(), width, T(0),
              product_.data(), width);
      ParallelFor(pool, group_filters_ * count, static_cast<double>(output_size),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t row = begin; row < end; ++row) {
                      const int64_t filter = row / count, i = row % count;
                      const int64_t channel = group * group_filters_ + filter;
                      const int64_t offset = ((first + i) * plan_.filters + channel) * output_size;
                      std::copy_n(product_.data() + filter * width + i * output_size, output_size,
                                  y + offset);
                      FinishConvRow(y + offset, output_size, bias ? bias[channel] : T(0),
                                    residual ? residual + offset : nullptr, epilogue_);
                    }
                  });
    }
  }

 private:
  const ConvPlan& plan_;
  const ConvEpilogue& epilogue_;
  const WindowGeometry& g_;
  const int64_t group_channels_, group_filters_, reduction_;
  const bool pointwise_;
  std::vector<T> columns_, product_;
};

// Conv, and com.mlos FusedConv when the epilogue or a residual input (input 3) is set.
class ConvKernel final : public Kernel {
 public:
  ConvKernel(WindowAttributes window, int64_t group, ConvEpilogue epilogue)
      : window_(std::move(window)), group_(group), epilogue_(epilogue) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& w = context.input(1);
    const Tensor* bias = context.has_input(2) ? &context.input(2) : nullptr;
    const Tensor* residual = context.has_input(3) ? &context.input(3) : nullptr;
    if (w.dtype() != x.dtype() || (bias != nullptr && bias->dtype() != x.dtype()) ||
        (residual != nullptr && residual->dtype() != x.dtype())) {
      const char* input = w.dtype() != x.dtype()                          ? "input 1 (W)"
                          : bias != nullptr && bias->dtype() != x.dtype() ? "input 2 (B)"
                                                                          : "input 3 (Z)";
      return InvalidArgument(std::string(input) + ": element type does not match " +
                             Name(x.dtype()) + " of input 0 (X)");
    }
    ASSIGN_OR_RETURN(
        const ConvPlan plan,
        PlanConv(x.shape(), w.shape(), bias ? &bias->shape() : nullptr, window_, group_));
    if (residual != nullptr && residual->shape() != plan.output_shape) {
      return InvalidArgument("input 3 (Z): expected the output shape " +
                             ShapeToString(plan.output_shape) + ", got " +
                             ShapeToString(residual->shape()));
    }
    Tensor& y = context.outputs[0];
    y = Tensor::Uninitialized(x.dtype(), plan.output_shape);  // RunConv writes every element
    if (y.element_count() == 0) return Status::Ok();
    return DispatchByType<TypeList<float, double>>(x.dtype(), "Conv", [&](auto tag) {
      using T = typename decltype(tag)::type;
      RunConv<T>(plan, x.data<T>(), w.data<T>(), bias ? bias->data<T>() : nullptr, y.data<T>(),
                 context.pool, residual ? residual->data<T>() : nullptr, epilogue_);
      return Status::Ok();
    });
  }

 private:
  const WindowAttributes window_;
  const int64_t group_;
  const ConvEpilogue epilogue_;
};

StatusOr<std::unique_ptr<Kernel>> CreateConv(const KernelInit& init) {
  return CreateConvKernel(init, ConvEpilogue{});
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
void RunConv(const ConvPlan& plan, const T* x, const T* w, const T* bias, T* y, ThreadPool* pool,
             const T* residual, const ConvEpilogue& epilogue) {
  const WindowGeometry& g = plan.geometry;
  const int64_t output_size = g.output_size();
  const int64_t group_channels = plan.channels / plan.group;
  const int64_t group_filters = plan.filters / plan.group;
  if (group_channels == 1 && group_filters == 1) {
    RunDepthwiseConv(x, w, bias, residual, epilogue, plan.batch, plan.channels, g, y, pool);
    return;
  }
  const bool pointwise = g.kernel_size() == 1 && g.output == g.input;
  const int64_t reduction = group_channels * g.kernel_size();  // GEMM inner dimension
  const int64_t stack = ImagesPerGemm(plan.batch, reduction, group_filters, output_size, sizeof(T));
  if (stack > 1) {
    StackedGemms<T> gemms(plan, stack, epilogue);
    for (int64_t first = 0; first < plan.batch; first += stack) {
      gemms.Run(first, std::min(stack, plan.batch - first), x, w, bias, residual, y, pool);
    }
    return;
  }
  std::vector<T> columns(pointwise ? 0 : static_cast<size_t>(reduction * output_size));
  // The GEMM writes the plain product; anything else is the epilogue's.
  const bool finish = bias || residual || epilogue.activation != ConvActivation::kNone;
  for (int64_t n = 0; n < plan.batch; ++n) {
    for (int64_t group = 0; group < plan.group; ++group) {
      const T* image = x + (n * plan.channels + group * group_channels) * g.input_size();
      if (!pointwise) Im2Col(image, group_channels, g, columns.data(), pool);
      const int64_t first_channel = n * plan.filters + group * group_filters;
      T* block = y + first_channel * output_size;
      Gemm<T>(pool, false, false, group_filters, output_size, reduction, T(1),
              w + group * group_filters * reduction, reduction, pointwise ? image : columns.data(),
              output_size, T(0), block, output_size);
      if (!finish) continue;
      ParallelFor(pool, group_filters, static_cast<double>(output_size),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t filter = begin; filter < end; ++filter) {
                      const int64_t offset = (first_channel + filter) * output_size;
                      FinishConvRow(y + offset, output_size,
                                    bias ? bias[group * group_filters + filter] : T(0),
                                    residual ? residual + offset : nullptr, epilogue);
                    }
                  });
    }
  }
}

template void RunConv<float>(const ConvPlan&, const float*, const float*, const float*, float*,
                             ThreadPool*, const float*, const ConvEpilogue&);
template void RunConv<double>(const ConvPlan&, const double*, const double*, const double*, double*,
                              ThreadPool*, const double*, const ConvEpilogue&);

StatusOr<std::unique_ptr<Kernel>> CreateConvKernel(const KernelInit& init,
                                                   const ConvEpilogue& epilogue) {
  return std::unique_ptr<Kernel>(std::make_unique<ConvKernel>(
      ReadWindowAttributes(init.attributes), init.attributes.GetInt("group", 1), epilogue));
}

void RegisterConvKernel(KernelRegistry& registry) {
  registry.Register({"", "Conv", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}), &CreateConv});
}

}  // namespace mlos::engine
