// CumSum (opset 11, 14): running sums of x along the axis given by input 1 (a 0-D or 1-element
// int32/int64 tensor). exclusive = 1 leaves the current element out; reverse = 1 sums from the end.
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

class CumSumKernel final : public Kernel {
 public:
  CumSumKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    ASSIGN_OR_RETURN(const int64_t raw_axis, ReadScalarInteger(context.input(1), "input 1 (axis)"));
    ASSIGN_OR_RETURN(const int64_t axis,
                     ResolveAxis(raw_axis, static_cast<int64_t>(shape.size()), "input 1 (axis)"));
    const int64_t extent = shape[axis];
    const int64_t inner = DimensionProduct(shape, axis + 1, shape.size());
    const int64_t lines = extent == 0 ? 0 : x.element_count() / extent;
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), shape);
    return DispatchByType<TypeList<float, double, int32_t, int64_t>>(
        x.dtype(), "CumSum", [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = x.data<T>();
          T* out = y.data<T>();
          ParallelFor(context.pool, lines, static_cast<double>(extent),
                      [&](int64_t begin, int64_t end) {
                        for (int64_t line = begin; line < end; ++line) {
                          const int64_t base = (line / inner) * extent * inner + line % inner;
                          T sum = T(0);
                          for (int64_t step = 0; step < extent; ++step) {
                            const int64_t at = base + (reverse_ ? extent - 1 - step : step) * inner;
                            if (exclusive_) {
                              out[at] = sum;
                              sum += in[at];
                            } else {
                              sum += in[at];
                              out[at] = sum;
                            }
                          }
                        }
                      });
          return Status::Ok();
        });
  }

 private:
  const bool exclusive_, reverse_;
};

StatusOr<std::unique_ptr<Kernel>> CreateCumSum(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<CumSumKernel>(
      init.attributes.GetInt("exclusive", 0) != 0, init.attributes.GetInt("reverse", 0) != 0));
}

}  // namespace

void RegisterCumSumKernel(KernelRegistry& registry) {
  registry.Register({"", "CumSum", 11, 1 << 30,
                     DataTypesOf(TypeList<float, double, int32_t, int64_t>{}), &CreateCumSum});
}

}  // namespace mlos::engine
