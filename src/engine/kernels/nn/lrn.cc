// LRN (opset 1, 13): local response normalisation across channels of X [N, C, ...]:
// y = x / (bias + alpha / size * sum of x^2 over channels [c - floor((size - 1) / 2),
// c + ceil((size - 1) / 2)])^beta.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

class LrnKernel final : public Kernel {
 public:
  LrnKernel(int64_t size, float alpha, float beta, float bias)
      : size_(size), alpha_(alpha), beta_(beta), bias_(bias) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    if (shape.size() < 3) {
      return InvalidArgument("input 0 (X): expected [N, C, spatial...], got shape " +
                             ShapeToString(shape));
    }
    const int64_t channels = shape[1];
    const int64_t plane = DimensionProduct(shape, 2, shape.size());
    const int64_t below = (size_ - 1) / 2, above = size_ - 1 - below;
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), shape);
    return DispatchByType<TypeList<float, double>>(x.dtype(), "LRN", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      ParallelFor(
          context.pool, shape[0] * channels, static_cast<double>(plane * size_),
          [&](int64_t begin, int64_t end) {
            for (int64_t index = begin; index < end; ++index) {
              const int64_t n = index / channels, c = index % channels;
              const int64_t first = std::max<int64_t>(0, c - below),
                            last = std::min(channels - 1, c + above);
              for (int64_t i = 0; i < plane; ++i) {
                double square_sum = 0;
                for (int64_t other = first; other <= last; ++other) {
                  const double value = static_cast<double>(in[(n * channels + other) * plane + i]);
                  square_sum += value * value;
                }
                const double denominator =
                    std::pow(bias_ + alpha_ / static_cast<double>(size_) * square_sum, beta_);
                out[index * plane + i] =
                    static_cast<T>(static_cast<double>(in[index * plane + i]) / denominator);
              }
            }
          });
      return Status::Ok();
    });
  }

 private:
  const int64_t size_;
  const double alpha_, beta_, bias_;
};

StatusOr<std::unique_ptr<Kernel>> CreateLrn(const KernelInit& init) {
  const int64_t size = init.attributes.GetInt("size", 0);
  if (size < 1)
    return InvalidArgument("attribute size: must be a positive odd count, got " +
                           std::to_string(size));
  return std::unique_ptr<Kernel>(std::make_unique<LrnKernel>(
      size, init.attributes.GetFloat("alpha", 1e-4f), init.attributes.GetFloat("beta", 0.75f),
      init.attributes.GetFloat("bias", 1.0f)));
}

}  // namespace

void RegisterLrnKernel(KernelRegistry& registry) {
  registry.Register({"", "LRN", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}), &CreateLrn});
}

}  // namespace mlos::engine
