// MatMulInteger (opset 10) and QLinearMatMul (opset 10): numpy matmul (matmul_plan.h) of 8-bit
// operands with per-tensor zero points subtracted first.
//   MatMulInteger: int32 y = (A - a_zero_point) x (B - b_zero_point)
//   QLinearMatMul: y = saturate(round(acc * a_scale * b_scale / y_scale) + y_zero_point), with
//                  acc the MatMulInteger product and y of y_zero_point's type
// The product runs in double (see quantization.h). Per-row or per-column zero points and
// scales are Unimplemented.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/matmul_plan.h"
#include "engine/kernels/math/quantization.h"

namespace mlos::engine {
namespace {

StatusOr<float> ScalarScale(const Tensor& scale, const std::string& name) {
  if (scale.dtype() != DataType::kFloat32 || scale.element_count() != 1) {
    return Unimplemented(name + ": only a per-tensor float32 scale is supported, got " +
                         Name(scale.dtype()) + " of shape " + ShapeToString(scale.shape()));
  }
  return scale.data<float>()[0];
}

// Product of the centered operands, as planned; inputs a and b are at `a_index` and `b_index`.
StatusOr<std::pair<MatMulPlan, std::vector<double>>> IntegerProduct(KernelContext& context,
                                                                    size_t a_index,
                                                                    size_t a_zero_index,
                                                                    size_t b_index,
                                                                    size_t b_zero_index) {
  const Tensor& a = context.input(a_index);
  const Tensor& b = context.input(b_index);
  const std::string a_name = "input " + std::to_string(a_index) + " (a)";
  const std::string b_name = "input " + std::to_string(b_index) + " (b)";
  ASSIGN_OR_RETURN(MatMulPlan plan, PlanMatMul(a.shape(), b.shape()));
  ASSIGN_OR_RETURN(
      std::vector<double> a_values,
      CenteredOperand(a, context.has_input(a_zero_index) ? &context.input(a_zero_index) : nullptr,
                      a_name, "input " + std::to_string(a_zero_index) + " (a_zero_point)"));
  ASSIGN_OR_RETURN(
      std::vector<double> b_values,
      CenteredOperand(b, context.has_input(b_zero_index) ? &context.input(b_zero_index) : nullptr,
                      b_name, "input " + std::to_string(b_zero_index) + " (b_zero_point)"));
  std::vector<double> product(static_cast<size_t>(ElementCount(plan.output_shape)), 0.0);
  ExecuteMatMulPlan<double>(context.pool, plan, a_values.data(), b_values.data(), product.data());
  return std::make_pair(std::move(plan), std::move(product));
}

class MatMulIntegerKernel final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(auto planned, IntegerProduct(context, 0, 2, 1, 3));
    Tensor& y = context.outputs[0];
    y = Tensor(DataType::kInt32, planned.first.output_shape);
    std::transform(planned.second.begin(), planned.second.end(), y.data<int32_t>(),
                   [](double value) { return static_cast<int32_t>(value); });
    return Status::Ok();
  }
};

class QLinearMatMulKernel final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const float a_scale, ScalarScale(context.input(1), "input 1 (a_scale)"));
    ASSIGN_OR_RETURN(const float b_scale, ScalarScale(context.input(4), "input 4 (b_scale)"));
    ASSIGN_OR_RETURN(const float y_scale, ScalarScale(context.input(6), "input 6 (y_scale)"));
    const Tensor& y_zero_point = context.input(7);
    if (y_zero_point.element_count() != 1) {
      return Unimplemented(
          "input 7 (y_zero_point): only a per-tensor zero point is supported, got shape " +
          ShapeToString(y_zero_point.shape()));
    }
    ASSIGN_OR_RETURN(auto planned, IntegerProduct(context, 0, 2, 3, 5));
    const double multiplier = static_cast<double>(a_scale) * b_scale / y_scale;
    Tensor& y = context.outputs[0];
    y = Tensor(y_zero_point.dtype(), planned.first.output_shape);
    return DispatchByType<TypeList<uint8_t, int8_t>>(
        y_zero_point.dtype(), "input 7 (y_zero_point)", [&](auto tag) {
          using Q = typename decltype(tag)::type;
          const double offset = static_cast<double>(y_zero_point.data<Q>()[0]);
          Q* out = y.data<Q>();
          for (size_t i = 0; i < planned.second.size(); ++i) {
            out[i] = SaturateRound<Q>(planned.second[i] * multiplier, offset);
          }
          return Status::Ok();
        });
  }
};

template <typename KernelType>
StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit&) {
  return std::unique_ptr<Kernel>(std::make_unique<KernelType>());
}

}  // namespace

void RegisterMatMulIntegerKernels(KernelRegistry& registry) {
  const std::vector<DataType> types = DataTypesOf(TypeList<uint8_t, int8_t>{});
  registry.Register({"", "MatMulInteger", 10, 1 << 30, types, &Create<MatMulIntegerKernel>});
  registry.Register({"", "QLinearMatMul", 10, 1 << 30, types, &Create<QLinearMatMulKernel>});
}

}  // namespace mlos::engine
