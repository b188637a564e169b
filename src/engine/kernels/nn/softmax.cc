// Softmax, LogSoftmax and Hardmax.
//
// From opset 13 the op normalises along the single axis `axis` (default -1). Before opset 13 the
// input is coerced to 2-D at `axis` (default 1): [prod(dims before axis), prod(dims from axis)],
// and the op normalises each row of that matrix.
#include "engine/kernels/common/axes.h"
#include "engine/kernels/nn/softmax.h"

#include <memory>
#include <string>
#include <type_traits>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/array_math.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

template <Normalizer kNormalizer>
class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(int64_t axis, bool coerce_to_2d) : axis_(axis), coerce_to_2d_(coerce_to_2d) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    if (rank == 0)
      return InvalidArgument("input 0 (input): needs at least 1 dimension, got a scalar");
    ASSIGN_OR_RETURN(const int64_t axis, ResolveAxis(axis_, rank, "attribute axis"));
    const int64_t outer = DimensionProduct(shape, 0, axis);
    const int64_t extent =
        coerce_to_2d_ ? DimensionProduct(shape, axis, shape.size()) : shape[axis];
    const int64_t inner = coerce_to_2d_ ? 1 : DimensionProduct(shape, axis + 1, shape.size());
    Tensor& output = context.outputs[0];
    output = Tensor::Uninitialized(input.dtype(), shape);
    return DispatchByType<TypeList<float, double>>(input.dtype(), "Softmax", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = input.data<T>();
      T* out = output.data<T>();
      if constexpr (kNormalizer == Normalizer::kSoftmax && std::is_same_v<T, float>) {
        if (inner == 1) {
          ParallelFor(context.pool, outer, 8.0 * static_cast<double>(extent),
                      [&](int64_t begin, int64_t end) {
                        for (int64_t row = begin; row < end; ++row) {
                          SoftmaxArray(in + row * extent, out + row * extent, extent);
                        }
                      });
          return Status::Ok();
        }
      }
      ParallelFor(context.pool, outer * inner, 8.0 * static_cast<double>(extent),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t i = begin; i < end; ++i) {
                      const int64_t offset = (i / inner) * extent * inner + i % inner;
                      NormalizeLine<kNormalizer>(in + offset, out + offset, extent, inner);
                    }
                  });
      return Status::Ok();
    });
  }

 private:
  const int64_t axis_;
  const bool coerce_to_2d_;
};

template <Normalizer kNormalizer>
StatusOr<std::unique_ptr<Kernel>> CreateSoftmax(const KernelInit& init) {
  const bool coerce_to_2d = init.opset < 13;
  return std::unique_ptr<Kernel>(std::make_unique<SoftmaxKernel<kNormalizer>>(
      init.attributes.GetInt("axis", coerce_to_2d ? 1 : -1), coerce_to_2d));
}

}  // namespace

void RegisterSoftmaxKernels(KernelRegistry& registry) {
  const std::vector<DataType> types = DataTypesOf(TypeList<float, double>{});
  registry.Register({"", "Softmax", 1, 1 << 30, types, &CreateSoftmax<Normalizer::kSoftmax>});
  registry.Register({"", "LogSoftmax", 1, 1 << 30, types, &CreateSoftmax<Normalizer::kLogSoftmax>});
  registry.Register({"", "Hardmax", 1, 1 << 30, types, &CreateSoftmax<Normalizer::kHardmax>});
}

}  // namespace mlos::engine
