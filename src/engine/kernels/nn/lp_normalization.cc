// LpNormalization (opset 1): divides each line of the input along `axis` (default -1) by its L1
// (p = 1) or L2 (p = 2, the default) norm. A zero line stays zero.
#include <cmath>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

class LpNormalizationKernel final : public Kernel {
 public:
  LpNormalizationKernel(int64_t axis, int64_t p) : axis_(axis), p_(p) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    ASSIGN_OR_RETURN(const int64_t axis,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const int64_t extent = shape[axis];
    const int64_t inner = DimensionProduct(shape, axis + 1, shape.size());
    const int64_t lines = extent == 0 ? 0 : x.element_count() / extent;
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), shape);
    return DispatchByType<TypeList<float, double>>(x.dtype(), "LpNormalization", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      ParallelFor(context.pool, lines, 3.0 * static_cast<double>(extent),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t line = begin; line < end; ++line) {
                      const int64_t base = (line / inner) * extent * inner + line % inner;
                      double norm = 0;
                      for (int64_t j = 0; j < extent; ++j) {
                        const double value = static_cast<double>(in[base + j * inner]);
                        norm += p_ == 1 ? std::fabs(value) : value * value;
                      }
                      if (p_ == 2) norm = std::sqrt(norm);
                      const T scale = norm == 0 ? T(0) : static_cast<T>(1.0 / norm);
                      for (int64_t j = 0; j < extent; ++j)
                        out[base + j * inner] = in[base + j * inner] * scale;
                    }
                  });
      return Status::Ok();
    });
  }

 private:
  const int64_t axis_, p_;
};

StatusOr<std::unique_ptr<Kernel>> CreateLpNormalization(const KernelInit& init) {
  const int64_t p = init.attributes.GetInt("p", 2);
  if (p != 1 && p != 2)
    return InvalidArgument("attribute p: must be 1 or 2, got " + std::to_string(p));
  return std::unique_ptr<Kernel>(
      std::make_unique<LpNormalizationKernel>(init.attributes.GetInt("axis", -1), p));
}

}  // namespace

void RegisterLpNormalizationKernel(KernelRegistry& registry) {
  registry.Register({"", "LpNormalization", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}),
                     &CreateLpNormalization});
}

}  // namespace mlos::engine
