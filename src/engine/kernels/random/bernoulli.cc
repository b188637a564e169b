// Bernoulli (opset 15): y[i] = 1 with probability x[i], else 0. x is float16/float/double, each
// value in [0, 1]; y has x's shape and the type of attribute `dtype` (default: x's type), any
// numeric type or bool. See generator.h for seeding.
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/random/generator.h"

namespace mlos::engine {
namespace {

using ProbabilityTypes = TypeList<float, double, Float16, BFloat16>;

class BernoulliKernel final : public Kernel {
 public:
  BernoulliKernel(DataType dtype, std::optional<float> seed) : dtype_(dtype), seed_(seed) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const DataType dtype = dtype_ == DataType::kInvalid ? x.dtype() : dtype_;
    Tensor& y = context.outputs[0];
    y = Tensor(dtype, x.shape());
    RandomEngine engine = MakeRandomEngine(seed_);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    return DispatchByType<ProbabilityTypes>(x.dtype(), "input 0 (X)", [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      return DispatchByType<NumericAndBoolTypes>(dtype, "output 0 (Y)", [&](auto out_tag) {
        using Out = typename decltype(out_tag)::type;
        const In* probabilities = x.data<In>();
        Out* values = y.data<Out>();
        for (int64_t i = 0; i < x.element_count(); ++i) {
          const double probability = static_cast<double>(static_cast<float>(probabilities[i]));
          if (!(probability >= 0.0 && probability <= 1.0)) {
            return InvalidArgument("input 0 (X): probability " + std::to_string(probability) +
                                   " at index " + std::to_string(i) + " is outside [0, 1]");
          }
          values[i] = ConvertElement<Out>(uniform(engine) < probability ? 1.0f : 0.0f);
        }
        return Status::Ok();
      });
    });
  }

 private:
  const DataType dtype_;  // kInvalid: x's type
  const std::optional<float> seed_;
};

StatusOr<std::unique_ptr<Kernel>> CreateBernoulli(const KernelInit& init) {
  DataType dtype = DataType::kInvalid;
  if (init.attributes.Has("dtype")) {
    ASSIGN_OR_RETURN(dtype, ReadOutputType(init.attributes, DataType::kInvalid,
                                           DataTypesOf(NumericAndBoolTypes{})));
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<BernoulliKernel>(dtype, ReadSeed(init.attributes)));
}

}  // namespace

void RegisterBernoulliKernel(KernelRegistry& registry) {
  registry.Register(
      {"", "Bernoulli", 15, 1 << 30, DataTypesOf(ProbabilityTypes{}), &CreateBernoulli});
}

}  // namespace mlos::engine
