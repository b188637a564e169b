// com.mlos FusedMatMul: Y = activation(alpha * (A x B) + bias), the optimizer's fusion of MatMul
// with a following scalar Mul/Div, a bias Add and a Relu or Gelu (optimizer/matmul_fusion.cc).
//
// Inputs: A, B (numpy matmul shapes, as MatMul; float), optional bias: 1-D, one value per column
// of Y (its length must be Y's last dimension). Attributes: alpha (float, default 1),
// activation ("" none, "Relu", "Gelu"), approximation (for Gelu: "none" or "tanh").
// The product runs on Gemm; alpha, bias and activation are one epilogue pass per output row,
// parallel over rows, while the row is in cache.
#include <algorithm>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/vector_math.h"
#include "engine/kernels/fused/gelu.h"
#include "engine/kernels/math/matmul_plan.h"

namespace mlos::engine {
namespace {

enum class Activation { kNone, kRelu, kGelu };

struct Epilogue {
  float alpha = 1.0f;
  Activation activation = Activation::kNone;
  GeluApproximation gelu = GeluApproximation::kErf;
};

// row[j] = activation(alpha * row[j] + bias[j]) for j < n; bias may be null (0).
void ApplyEpilogue(const Epilogue& epilogue, const float* bias, float* row, int64_t n) {
  using vector_math::FloatVec;
  const FloatVec alpha = vector_math::Splat(epilogue.alpha);
  const FloatVec zero = vector_math::Splat(0.0f);
  const bool relu = epilogue.activation == Activation::kRelu;
  int64_t j = 0;
  for (; j + vector_math::kLanes <= n; j += vector_math::kLanes) {
    FloatVec v = vector_math::Load(row + j) * alpha;
    if (bias != nullptr) v += vector_math::Load(bias + j);
    if (relu) v = vector_math::Max(v, zero);
    vector_math::Store(row + j, v);
  }
  for (; j < n; ++j) {
    float v = row[j] * epilogue.alpha + (bias != nullptr ? bias[j] : 0.0f);
    row[j] = relu ? std::max(v, 0.0f) : v;
  }
  if (epilogue.activation == Activation::kGelu) ApplyGelu(epilogue.gelu, row, row, n);
}

class FusedMatMulKernel final : public Kernel {
 public:
  explicit FusedMatMulKernel(Epilogue epilogue) : epilogue_(epilogue) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& a = context.input(0);
    const Tensor& b = context.input(1);
    const Tensor* bias = context.has_input(2) ? &context.input(2) : nullptr;
    if (a.dtype() != DataType::kFloat32 || b.dtype() != DataType::kFloat32 ||
        (bias != nullptr && bias->dtype() != DataType::kFloat32)) {
      return InvalidArgument(std::string("inputs must be float, got A ") + Name(a.dtype()) +
                             ", B " + Name(b.dtype()) +
                             (bias != nullptr ? std::string(", bias ") + Name(bias->dtype()) : ""));
    }
    ASSIGN_OR_RETURN(MatMulPlan plan, PlanMatMul(a.shape(), b.shape()));
    const Shape& shape = plan.output_shape;
    const int64_t columns = shape.empty() ? 1 : shape.back();
    if (bias != nullptr && (bias->shape().size() != 1 || bias->shape()[0] != columns)) {
      return InvalidArgument("input 2 (bias) has shape " + ShapeToString(bias->shape()) +
                             ", expected [" + std::to_string(columns) +
                             "] (the last dimension of A x B " + ShapeToString(shape) + ")");
    }
    Tensor& y = context.outputs[0];
    y = Tensor::Uninitialized(DataType::kFloat32, shape);
    float* out = y.data<float>();
    ExecuteMatMulPlan<float>(context.pool, plan, a.data<float>(), b.data<float>(), out);
    const bool identity = epilogue_.alpha == 1.0f && bias == nullptr &&
                          epilogue_.activation == Activation::kNone;
    if (identity || columns == 0) return Status::Ok();
    const float* bias_values = bias != nullptr ? bias->data<float>() : nullptr;
    const double cost = epilogue_.activation == Activation::kGelu ? 40.0 : 2.0;
    ParallelFor(context.pool, y.element_count() / columns, cost * static_cast<double>(columns),
                [&](int64_t begin, int64_t end) {
                  for (int64_t row = begin; row < end; ++row) {
                    ApplyEpilogue(epilogue_, bias_values, out + row * columns, columns);
                  }
                });
    return Status::Ok();
  }

 private:
  const Epilogue epilogue_;
};

StatusOr<std::unique_ptr<Kernel>> CreateFusedMatMul(const KernelInit& init) {
  const int inputs = init.node.input_size();
  if (inputs < 2 || inputs > 3 || init.node.input(0).empty() || init.node.input(1).empty()) {
    return InvalidArgument("expects inputs A, B and an optional bias, got " +
                           std::to_string(inputs) + " inputs");
  }
  Epilogue epilogue;
  epilogue.alpha = init.attributes.GetFloat("alpha", 1.0f);
  const std::string activation = init.attributes.GetString("activation", "");
  if (activation == "Relu") {
    epilogue.activation = Activation::kRelu;
  } else if (activation == "Gelu") {
    epilogue.activation = Activation::kGelu;
    ASSIGN_OR_RETURN(epilogue.gelu,
                     ParseGeluApproximation(init.attributes.GetString("approximation", "none")));
  } else if (!activation.empty()) {
    return InvalidArgument("attribute activation: '" + activation +
                           "' is not \"\", \"Relu\" or \"Gelu\"");
  }
  return std::unique_ptr<Kernel>(std::make_unique<FusedMatMulKernel>(epilogue));
}

}  // namespace

void RegisterFusedMatMulKernel(KernelRegistry& registry) {
  registry.Register(
      {kFusedDomain, "FusedMatMul", 1, 1 << 30, {DataType::kFloat32}, &CreateFusedMatMul});
}

}  // namespace mlos::engine
