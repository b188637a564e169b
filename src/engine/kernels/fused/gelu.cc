// com.mlos Gelu: y = x * Phi(x), the activation the optimizer fuses from its decomposed forms
// (optimizer/gelu_fusion.cc). Attribute `approximation`: "none" (default; the exact erf form) or
// "tanh" (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))), as in ONNX Gelu-20. float only.
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/array_math.h"
#include "engine/kernels/fused/gelu.h"

namespace mlos::engine {

StatusOr<GeluApproximation> ParseGeluApproximation(const std::string& name) {
  if (name == "none") return GeluApproximation::kErf;
  if (name == "tanh") return GeluApproximation::kTanh;
  return InvalidArgument("attribute approximation: '" + name + "' is not \"none\" or \"tanh\"");
}

void ApplyGelu(GeluApproximation approximation, const float* in, float* out, int64_t count) {
  if (approximation == GeluApproximation::kErf) {
    GeluErfArray(in, out, count);
  } else {
    GeluTanhArray(in, out, count);
  }
}

namespace {

// Rough operations per element, for ParallelFor's split.
constexpr double kGeluCost = 40.0;

class GeluKernel final : public Kernel {
 public:
  explicit GeluKernel(GeluApproximation approximation) : approximation_(approximation) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    if (x.dtype() != DataType::kFloat32) {
      return InvalidArgument(std::string("input 0 (X): element type ") + Name(x.dtype()) +
                             " is not float");
    }
    Tensor& y = context.outputs[0];
    y = Tensor::Uninitialized(x.dtype(), x.shape());
    const float* in = x.data<float>();
    float* out = y.data<float>();
    ParallelFor(context.pool, x.element_count(), kGeluCost, [&](int64_t begin, int64_t end) {
      ApplyGelu(approximation_, in + begin, out + begin, end - begin);
    });
    return Status::Ok();
  }

 private:
  const GeluApproximation approximation_;
};

StatusOr<std::unique_ptr<Kernel>> CreateGelu(const KernelInit& init) {
  if (init.node.input_size() != 1 || init.node.input(0).empty()) {
    return InvalidArgument("expects exactly 1 input (X), got " +
                           std::to_string(init.node.input_size()));
  }
  ASSIGN_OR_RETURN(GeluApproximation approximation,
                   ParseGeluApproximation(init.attributes.GetString("approximation", "none")));
  return std::unique_ptr<Kernel>(std::make_unique<GeluKernel>(approximation));
}

}  // namespace

void RegisterGeluKernel(KernelRegistry& registry) {
  registry.Register({kFusedDomain, "Gelu", 1, 1 << 30, {DataType::kFloat32}, &CreateGelu});
}

}  // namespace mlos::engine
