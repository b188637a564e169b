// Multinomial (opset 7): x [batch_size, class_size] holds unnormalised log-probabilities; each
// row draws `sample_size` class indices from softmax(row), giving y [batch_size, sample_size] of
// type `dtype` (int32, the default, or int64). See generator.h for seeding.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/random/generator.h"

namespace mlos::engine {
namespace {

using LogitTypes = TypeList<float, double, Float16>;

class MultinomialKernel final : public Kernel {
 public:
  MultinomialKernel(DataType dtype, int64_t sample_size, std::optional<float> seed)
      : dtype_(dtype), sample_size_(sample_size), seed_(seed) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    if (x.shape().size() != 2) {
      return InvalidArgument("input 0 (input): expected shape [batch_size, class_size], got " +
                             ShapeToString(x.shape()));
    }
    const int64_t batch = x.shape()[0], classes = x.shape()[1];
    if (classes == 0 && batch > 0 && sample_size_ > 0)
      return InvalidArgument("input 0 (input): class_size is 0, nothing to draw from");
    Tensor& y = context.outputs[0];
    y = Tensor(dtype_, {batch, sample_size_});
    RandomEngine engine = MakeRandomEngine(seed_);
    std::vector<double> cumulative(static_cast<size_t>(classes));
    return DispatchByType<LogitTypes>(x.dtype(), "input 0 (input)", [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      return DispatchByType<TypeList<int32_t, int64_t>>(dtype_, "output 0", [&](auto out_tag) {
        using Out = typename decltype(out_tag)::type;
        const In* logits = x.data<In>();
        Out* samples = y.data<Out>();
        for (int64_t row = 0; row < batch; ++row) {
          const In* line = logits + row * classes;
          double largest = -std::numeric_limits<double>::infinity();
          for (int64_t c = 0; c < classes; ++c)
            largest = std::max(largest, static_cast<double>(static_cast<float>(line[c])));
          double total = 0.0;
          for (int64_t c = 0; c < classes; ++c) {
            total += std::exp(static_cast<double>(static_cast<float>(line[c])) - largest);
            cumulative[c] = total;
          }
          if (!(total > 0.0 && std::isfinite(total))) {
            return InvalidArgument("input 0 (input): row " + std::to_string(row) +
                                   " has no finite log-probability");
          }
          std::uniform_real_distribution<double> uniform(0.0, total);
          for (int64_t s = 0; s < sample_size_; ++s) {
            const double draw = uniform(engine);
            const int64_t chosen =
                std::upper_bound(cumulative.begin(), cumulative.end(), draw) - cumulative.begin();
            samples[row * sample_size_ + s] = static_cast<Out>(std::min(chosen, classes - 1));
          }
        }
        return Status::Ok();
      });
    });
  }

 private:
  const DataType dtype_;
  const int64_t sample_size_;
  const std::optional<float> seed_;
};

StatusOr<std::unique_ptr<Kernel>> CreateMultinomial(const KernelInit& init) {
  ASSIGN_OR_RETURN(const DataType dtype, ReadOutputType(init.attributes, DataType::kInt32,
                                                        DataTypesOf(TypeList<int32_t, int64_t>{})));
  const int64_t sample_size = init.attributes.GetInt("sample_size", 1);
  if (sample_size < 0) {
    return InvalidArgument("attribute 'sample_size' must be >= 0, got " +
                           std::to_string(sample_size));
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<MultinomialKernel>(dtype, sample_size, ReadSeed(init.attributes)));
}

}  // namespace

void RegisterMultinomialKernel(KernelRegistry& registry) {
  registry.Register({"", "Multinomial", 7, 1 << 30, DataTypesOf(LogitTypes{}), &CreateMultinomial});
}

}  // namespace mlos::engine
