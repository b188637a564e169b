// com.mlos RmsNorm: Y = X / sqrt(mean(X^2 over the last axis) + epsilon) [* scale], the T5-style
// RMS normalisation the optimizer fuses from its decomposed form (optimizer/rms_norm_fusion.cc).
// Inputs: X (float, rank >= 1), optional scale: 1-D, one value per element of X's last axis.
// Attribute epsilon (float, default 1e-6). Rows are parallel; the mean of squares accumulates in
// double.
#include <cmath>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/fused/fused_domain.h"

namespace mlos::engine {
namespace {

class RmsNormKernel final : public Kernel {
 public:
  explicit RmsNormKernel(float epsilon) : epsilon_(epsilon) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor* scale = context.has_input(1) ? &context.input(1) : nullptr;
    if (x.dtype() != DataType::kFloat32 || (scale != nullptr && scale->dtype() != x.dtype())) {
      return InvalidArgument(std::string("inputs must be float, got X ") + Name(x.dtype()) +
                             (scale != nullptr ? std::string(", scale ") + Name(scale->dtype()) : ""));
    }
    if (x.shape().empty()) return InvalidArgument("input 0 (X): needs at least 1 dimension");
    const int64_t columns = x.shape().back();
    if (scale != nullptr && scale->shape() != Shape{columns}) {
      return InvalidArgument("input 1 (scale) has shape " + ShapeToString(scale->shape()) +
                             ", expected [" + std::to_string(columns) + "]");
    }
    Tensor& y = context.outputs[0];
    y = Tensor::Uninitialized(DataType::kFloat32, x.shape());
    if (columns == 0) return Status::Ok();
    const float* in = x.data<float>();
    const float* weights = scale != nullptr ? scale->data<float>() : nullptr;
    float* out = y.data<float>();
    ParallelFor(context.pool, x.element_count() / columns, 4.0 * static_cast<double>(columns),
                [&](int64_t begin, int64_t end) {
                  for (int64_t row = begin; row < end; ++row) {
                    const float* values = in + row * columns;
                    double sum_of_squares = 0;
                    for (int64_t j = 0; j < columns; ++j) {
                      sum_of_squares += static_cast<double>(values[j]) * values[j];
                    }
                    const float inverse = static_cast<float>(
                        1.0 / std::sqrt(sum_of_squares / static_cast<double>(columns) + epsilon_));
                    float* result = out + row * columns;
                    for (int64_t j = 0; j < columns; ++j) {
                      result[j] = values[j] * inverse * (weights != nullptr ? weights[j] : 1.0f);
                    }
                  }
                });
    return Status::Ok();
  }

 private:
  const double epsilon_;
};

StatusOr<std::unique_ptr<Kernel>> CreateRmsNorm(const KernelInit& init) {
  const int inputs = init.node.input_size();
  if (inputs < 1 || inputs > 2 || init.node.input(0).empty()) {
    return InvalidArgument("expects input X and an optional scale, got " + std::to_string(inputs) +
                           " inputs");
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<RmsNormKernel>(init.attributes.GetFloat("epsilon", 1e-6f)));
}

}  // namespace

void RegisterRmsNormKernel(KernelRegistry& registry) {
  registry.Register({kFusedDomain, "RmsNorm", 1, 1 << 30, {DataType::kFloat32}, &CreateRmsNorm});
}

}  // namespace mlos::engine
