// ConvInteger (opset 10): Conv (conv.h) of 8-bit x and w with per-tensor zero points subtracted
// first (inputs 2 and 3, optional), giving int32. The convolution runs in double, which is exact
// here (see quantization.h). Per-channel zero points are Unimplemented.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/math/dispatch.h"
#include "engine/kernels/math/quantization.h"
#include "engine/kernels/nn/conv.h"

namespace mlos::engine {
namespace {

class ConvIntegerKernel final : public Kernel {
 public:
  ConvIntegerKernel(WindowAttributes window, int64_t group)
      : window_(std::move(window)), group_(group) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& w = context.input(1);
    ASSIGN_OR_RETURN(const ConvPlan plan, PlanConv(x.shape(), w.shape(), nullptr, window_, group_));
    ASSIGN_OR_RETURN(const std::vector<double> x_values,
                     CenteredOperand(x, context.has_input(2) ? &context.input(2) : nullptr,
                                     "input 0 (x)", "input 2 (x_zero_point)"));
    ASSIGN_OR_RETURN(const std::vector<double> w_values,
                     CenteredOperand(w, context.has_input(3) ? &context.input(3) : nullptr,
                                     "input 1 (w)", "input 3 (w_zero_point)"));
    std::vector<double> product(static_cast<size_t>(ElementCount(plan.output_shape)), 0.0);
    if (!product.empty())
      RunConv<double>(plan, x_values.data(), w_values.data(), nullptr, product.data(),
                      context.pool);
    Tensor& y = context.outputs[0];
    y = Tensor(DataType::kInt32, plan.output_shape);
    std::transform(product.begin(), product.end(), y.data<int32_t>(),
                   [](double value) { return static_cast<int32_t>(value); });
    return Status::Ok();
  }

 private:
  const WindowAttributes window_;
  const int64_t group_;
};

StatusOr<std::unique_ptr<Kernel>> CreateConvInteger(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<ConvIntegerKernel>(
      ReadWindowAttributes(init.attributes), init.attributes.GetInt("group", 1)));
}

}  // namespace

void RegisterConvIntegerKernel(KernelRegistry& registry) {
  registry.Register(
      {"", "ConvInteger", 10, 1 << 30, DataTypesOf<uint8_t, int8_t>(), &CreateConvInteger});
}

}  // namespace mlos::engine
