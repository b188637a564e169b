// RandomUniform, RandomNormal (opset 1): a tensor of the `shape` attribute; RandomUniformLike,
// RandomNormalLike (opset 1): a tensor of input 0's shape. Elements are float16/float/double
// (attribute `dtype`; the Like ops default to input 0's type), drawn uniformly from [low, high)
// or from N(mean, scale^2). See generator.h for seeding.
#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/random/generator.h"

namespace mlos::engine {
namespace {

enum class Distribution { kUniform, kNormal };

class RandomFillKernel final : public Kernel {
 public:
  // `shape` nullopt: input 0's shape. `dtype` kInvalid: input 0's type.
  RandomFillKernel(Distribution distribution, double first, double second,
                   std::optional<Shape> shape, DataType dtype, std::optional<float> seed)
      : distribution_(distribution),
        first_(first),
        second_(second),
        shape_(std::move(shape)),
        dtype_(dtype),
        seed_(seed) {}

  Status Compute(KernelContext& context) const override {
    DataType dtype = dtype_;
    if (dtype == DataType::kInvalid) {
      dtype = context.input(0).dtype();
      const std::vector<DataType> output_types = DataTypesOf(RandomFloatTypes{});
      if (std::find(output_types.begin(), output_types.end(), dtype) == output_types.end())
        return UnsupportedType("input 0 (without a 'dtype' attribute)", dtype);
    }
    Tensor& out = context.outputs[0];
    out = Tensor(dtype, shape_.has_value() ? *shape_ : context.input(0).shape());
    RandomEngine engine = MakeRandomEngine(seed_);
    if (distribution_ == Distribution::kUniform) {
      std::uniform_real_distribution<double> uniform(first_, second_);
      return FillRandom(out, uniform, engine);
    }
    std::normal_distribution<double> normal(first_, second_);
    return FillRandom(out, normal, engine);
  }

 private:
  const Distribution distribution_;
  const double first_, second_;  // low, high or mean, scale
  const std::optional<Shape> shape_;
  const DataType dtype_;
  const std::optional<float> seed_;
};

template <Distribution kDistribution, bool kLike>
StatusOr<std::unique_ptr<Kernel>> CreateRandomFill(const KernelInit& init) {
  const NodeAttributes& attributes = init.attributes;
  double first, second;
  if constexpr (kDistribution == Distribution::kUniform) {
    first = attributes.GetFloat("low", 0.0f);
    second = attributes.GetFloat("high", 1.0f);
    if (!(first <= second)) {
      return InvalidArgument("attribute 'low' (" + std::to_string(first) +
                             ") must not exceed 'high' (" + std::to_string(second) + ")");
    }
  } else {
    first = attributes.GetFloat("mean", 0.0f);
    second = attributes.GetFloat("scale", 1.0f);
    if (!(second >= 0.0)) {
      return InvalidArgument("attribute 'scale' must be >= 0, got " + std::to_string(second));
    }
  }
  std::optional<Shape> shape;
  DataType dtype = DataType::kInvalid;
  if constexpr (kLike) {
    if (attributes.Has("dtype")) {
      ASSIGN_OR_RETURN(
          dtype, ReadOutputType(attributes, DataType::kInvalid, DataTypesOf(RandomFloatTypes{})));
    }
  } else {
    if (!attributes.Has("shape")) return InvalidArgument("attribute 'shape' is required");
    shape = attributes.GetInts("shape");
    RETURN_IF_ERROR(CheckDimensions(*shape, "attribute 'shape'"));
    ASSIGN_OR_RETURN(
        dtype, ReadOutputType(attributes, DataType::kFloat32, DataTypesOf(RandomFloatTypes{})));
  }
  return std::unique_ptr<Kernel>(std::make_unique<RandomFillKernel>(
      kDistribution, first, second, std::move(shape), dtype, ReadSeed(attributes)));
}

}  // namespace

void RegisterUniformNormalKernels(KernelRegistry& registry) {
  registry.Register(
      {"", "RandomUniform", 1, 1 << 30, {}, &CreateRandomFill<Distribution::kUniform, false>});
  registry.Register(
      {"", "RandomNormal", 1, 1 << 30, {}, &CreateRandomFill<Distribution::kNormal, false>});
  registry.Register(
      {"", "RandomUniformLike", 1, 1 << 30, {}, &CreateRandomFill<Distribution::kUniform, true>});
  registry.Register(
      {"", "RandomNormalLike", 1, 1 << 30, {}, &CreateRandomFill<Distribution::kNormal, true>});
}

}  // namespace mlos::engine
