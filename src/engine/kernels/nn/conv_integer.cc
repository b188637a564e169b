// ConvInteger and QLinearConv (opset 10): Conv (conv.h) of 8-bit x and w with per-tensor zero
// points subtracted first. The convolution runs in double, which is exact here (see
// quantization.h).
//   ConvInteger: int32 y = conv(x - x_zero_point, w - w_zero_point); zero points optional.
//   QLinearConv: y = saturate(round((acc[m] + B[m]) * x_scale * w_scale[m] / y_scale) +
//                y_zero_point), with acc the ConvInteger result, optional int32 bias B [M],
//                w_scale per tensor or per output channel, and y of y_zero_point's type.
// Per-channel zero points are Unimplemented.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/quantization.h"
#include "engine/kernels/nn/conv.h"

namespace mlos::engine {
namespace {

struct OperandInputs {
  size_t x, x_zero_point, w, w_zero_point;
};

const Tensor* Optional(const KernelContext& context, size_t index) {
  return context.has_input(index) ? &context.input(index) : nullptr;
}

// The plan and the exact integer convolution (as doubles) of the centered operands.
StatusOr<std::pair<ConvPlan, std::vector<double>>> IntegerConv(const KernelContext& context,
                                                               const OperandInputs& at,
                                                               const WindowAttributes& window,
                                                               int64_t group) {
  const Tensor& x = context.input(at.x);
  const Tensor& w = context.input(at.w);
  ASSIGN_OR_RETURN(ConvPlan plan, PlanConv(x.shape(), w.shape(), nullptr, window, group));
  ASSIGN_OR_RETURN(const std::vector<double> x_values,
                   CenteredOperand(x, Optional(context, at.x_zero_point),
                                   "input " + std::to_string(at.x) + " (x)",
                                   "input " + std::to_string(at.x_zero_point) + " (x_zero_point)"));
  ASSIGN_OR_RETURN(const std::vector<double> w_values,
                   CenteredOperand(w, Optional(context, at.w_zero_point),
                                   "input " + std::to_string(at.w) + " (w)",
                                   "input " + std::to_string(at.w_zero_point) + " (w_zero_point)"));
  std::vector<double> product(static_cast<size_t>(ElementCount(plan.output_shape)), 0.0);
  if (!product.empty()) {
    RunConv<double>(plan, x_values.data(), w_values.data(), nullptr, product.data(), context.pool);
  }
  return std::make_pair(std::move(plan), std::move(product));
}

class ConvIntegerKernel final : public Kernel {
 public:
  ConvIntegerKernel(WindowAttributes window, int64_t group)
      : window_(std::move(window)), group_(group) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(auto convolved, IntegerConv(context, {0, 2, 1, 3}, window_, group_));
    Tensor& y = context.outputs[0];
    y = Tensor(DataType::kInt32, convolved.first.output_shape);
    std::transform(convolved.second.begin(), convolved.second.end(), y.data<int32_t>(),
                   [](double value) { return static_cast<int32_t>(value); });
    return Status::Ok();
  }

 private:
  const WindowAttributes window_;
  const int64_t group_;
};

class QLinearConvKernel final : public Kernel {
 public:
  QLinearConvKernel(WindowAttributes window, int64_t group)
      : window_(std::move(window)), group_(group) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x_scale = context.input(1);
    const Tensor& w_scale = context.input(4);
    const Tensor& y_scale = context.input(6);
    const Tensor& y_zero_point = context.input(7);
    for (const auto& [scale, name] :
         {std::pair{&x_scale, "input 1 (x_scale)"}, std::pair{&w_scale, "input 4 (w_scale)"},
          std::pair{&y_scale, "input 6 (y_scale)"}}) {
      if (scale->dtype() != DataType::kFloat32) {
        return InvalidArgument(std::string(name) + ": expected float32, got " +
                               Name(scale->dtype()));
      }
    }
    if (x_scale.element_count() != 1 || y_scale.element_count() != 1 ||
        y_zero_point.element_count() != 1) {
      return Unimplemented(
          "QLinearConv supports per-tensor x_scale, y_scale and y_zero_point only");
    }
    ASSIGN_OR_RETURN(auto convolved, IntegerConv(context, {0, 2, 3, 5}, window_, group_));
    const ConvPlan& plan = convolved.first;
    if (w_scale.element_count() != 1 && w_scale.element_count() != plan.filters) {
      return InvalidArgument("input 4 (w_scale): expected 1 or " + std::to_string(plan.filters) +
                             " values, got shape " + ShapeToString(w_scale.shape()));
    }
    const Tensor* bias = Optional(context, 8);
    if (bias != nullptr &&
        (bias->dtype() != DataType::kInt32 || bias->shape() != Shape{plan.filters})) {
      return InvalidArgument("input 8 (B): expected int32 of shape [" +
                             std::to_string(plan.filters) + "], got " + Name(bias->dtype()) + " " +
                             ShapeToString(bias->shape()));
    }
    const int64_t plane = plan.geometry.output_size();
    Tensor& y = context.outputs[0];
    y = Tensor(y_zero_point.dtype(), plan.output_shape);
    return DispatchByType<TypeList<uint8_t, int8_t>>(
        y_zero_point.dtype(), "input 7 (y_zero_point)", [&](auto tag) {
          using Q = typename decltype(tag)::type;
          const double offset = static_cast<double>(y_zero_point.data<Q>()[0]);
          const double input_scale = static_cast<double>(x_scale.data<float>()[0]) /
                                     static_cast<double>(y_scale.data<float>()[0]);
          Q* out = y.data<Q>();
          for (size_t i = 0; i < convolved.second.size(); ++i) {
            const int64_t filter = (static_cast<int64_t>(i) / plane) % plan.filters;
            const double filter_scale =
                w_scale.data<float>()[w_scale.element_count() == 1 ? 0 : filter];
            const double biased = convolved.second[i] + (bias ? bias->data<int32_t>()[filter] : 0);
            out[i] = SaturateRound<Q>(biased * input_scale * filter_scale, offset);
          }
          return Status::Ok();
        });
  }

 private:
  const WindowAttributes window_;
  const int64_t group_;
};

template <typename KernelType>
StatusOr<std::unique_ptr<Kernel>> CreateIntegerConv(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<KernelType>(ReadWindowAttributes(init.attributes),
                                                              init.attributes.GetInt("group", 1)));
}

}  // namespace

void RegisterConvIntegerKernels(KernelRegistry& registry) {
  const std::vector<DataType> types = DataTypesOf(TypeList<uint8_t, int8_t>{});
  registry.Register({"", "ConvInteger", 10, 1 << 30, types, &CreateIntegerConv<ConvIntegerKernel>});
  registry.Register({"", "QLinearConv", 10, 1 << 30, types, &CreateIntegerConv<QLinearConvKernel>});
}

}  // namespace mlos::engine
