// GlobalAveragePool and GlobalMaxPool (opset 1): the mean or max of each [N, C] plane of
// X [N, C, spatial...], giving [N, C, 1, ...] with the spatial rank kept.
#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"

namespace mlos::engine {
namespace {

enum class GlobalPoolKind { kAverage, kMax };

template <GlobalPoolKind kKind>
class GlobalPoolKernel final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& x_shape = x.shape();
    if (x_shape.size() < 3) {
      return InvalidArgument("input 0 (X): expected [N, C, spatial...], got shape " +
                             ShapeToString(x_shape));
    }
    Shape y_shape(x_shape.size(), 1);
    y_shape[0] = x_shape[0];
    y_shape[1] = x_shape[1];
    const int64_t planes = x_shape[0] * x_shape[1];
    const int64_t plane_size = x.element_count() / std::max<int64_t>(planes, 1);
    Tensor& y = context.outputs[0];
    y = Tensor::Uninitialized(x.dtype(), y_shape);
    return DispatchByType<TypeList<float, double>>(x.dtype(), "GlobalPool", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      ParallelFor(context.pool, planes, static_cast<double>(plane_size),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t plane = begin; plane < end; ++plane) {
                      const T* values = in + plane * plane_size;
                      if constexpr (kKind == GlobalPoolKind::kMax) {
                        out[plane] =
                            plane_size == 0 ? T(0) : *std::max_element(values, values + plane_size);
                      } else {
                        T sum = T(0);
                        for (int64_t i = 0; i < plane_size; ++i) sum += values[i];
                        out[plane] = plane_size == 0 ? T(0) : sum / static_cast<T>(plane_size);
                      }
                    }
                  });
      return Status::Ok();
    });
  }
};

template <GlobalPoolKind kKind>
StatusOr<std::unique_ptr<Kernel>> CreateGlobalPool(const KernelInit&) {
  return std::unique_ptr<Kernel>(std::make_unique<GlobalPoolKernel<kKind>>());
}

}  // namespace

void RegisterGlobalPoolKernels(KernelRegistry& registry) {
  const std::vector<DataType> types = DataTypesOf(TypeList<float, double>{});
  registry.Register(
      {"", "GlobalAveragePool", 1, 1 << 30, types, &CreateGlobalPool<GlobalPoolKind::kAverage>});
  registry.Register(
      {"", "GlobalMaxPool", 1, 1 << 30, types, &CreateGlobalPool<GlobalPoolKind::kMax>});
}

}  // namespace mlos::engine
