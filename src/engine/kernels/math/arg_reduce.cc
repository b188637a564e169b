// ArgMax and ArgMin (opset 1, 11, 12, 13): the int64 index of the largest (smallest) element
// along `axis` (default 0). keepdims (default 1) keeps the axis as size 1; select_last_index
// (opset 12+) picks the last of equal extremes instead of the first.
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

enum class Extreme { kMax, kMin };

template <Extreme kExtreme>
class ArgReduceKernel final : public Kernel {
 public:
  ArgReduceKernel(int64_t axis, bool keep_dims, bool select_last_index)
      : axis_(axis), keep_dims_(keep_dims), select_last_index_(select_last_index) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Shape& shape = data.shape();
    ASSIGN_OR_RETURN(const int64_t axis,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const int64_t extent = shape[axis];
    if (extent == 0) {
      return InvalidArgument("input 0 (data): axis " + std::to_string(axis) + " of shape " +
                             ShapeToString(shape) + " is empty, there is no extreme to find");
    }
    const int64_t outer = DimensionProduct(shape, 0, axis);
    const int64_t inner = DimensionProduct(shape, axis + 1, shape.size());
    Shape output_shape = shape;
    if (keep_dims_) {
      output_shape[axis] = 1;
    } else {
      output_shape.erase(output_shape.begin() + axis);
    }
    Tensor& indices = context.outputs[0];
    indices = Tensor(DataType::kInt64, output_shape);
    return DispatchByType<TypeList<float, double, int32_t, int64_t, int8_t, uint8_t>>(
        data.dtype(), "ArgMax/ArgMin", [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = data.data<T>();
          int64_t* out = indices.data<int64_t>();
          ParallelFor(context.pool, outer * inner, static_cast<double>(extent),
                      [&](int64_t begin, int64_t end) {
                        for (int64_t i = begin; i < end; ++i) {
                          const T* line = in + (i / inner) * extent * inner + i % inner;
                          out[i] = FindExtreme(line, extent, inner);
                        }
                      });
          return Status::Ok();
        });
  }

 private:
  template <typename T>
  int64_t FindExtreme(const T* line, int64_t extent, int64_t stride) const {
    int64_t best = 0;
    for (int64_t j = 1; j < extent; ++j) {
      const T value = line[j * stride], current = line[best * stride];
      const bool better = kExtreme == Extreme::kMax ? value > current : value < current;
      if (better || (select_last_index_ && value == current)) best = j;
    }
    return best;
  }

  const int64_t axis_;
  const bool keep_dims_;
  const bool select_last_index_;
};

template <Extreme kExtreme>
StatusOr<std::unique_ptr<Kernel>> CreateArgReduce(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<ArgReduceKernel<kExtreme>>(
      init.attributes.GetInt("axis", 0), init.attributes.GetInt("keepdims", 1) != 0,
      init.attributes.GetInt("select_last_index", 0) != 0));
}

}  // namespace

void RegisterArgReduceKernels(KernelRegistry& registry) {
  const std::vector<DataType> types =
      DataTypesOf(TypeList<float, double, int32_t, int64_t, int8_t, uint8_t>{});
  registry.Register({"", "ArgMax", 1, 1 << 30, types, &CreateArgReduce<Extreme::kMax>});
  registry.Register({"", "ArgMin", 1, 1 << 30, types, &CreateArgReduce<Extreme::kMin>});
}

}  // namespace mlos::engine
