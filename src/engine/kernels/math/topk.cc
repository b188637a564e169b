// TopK (opset 1, 10, 11): the k largest (or, with largest = 0, smallest) elements along `axis`
// (default -1) and their int64 indices. k is an attribute at opset 1 and a 1-element int64 input
// from opset 10. Results are always sorted (which also satisfies sorted = 0); equal values keep
// the lower index first.
#include <algorithm>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

class TopKKernel final : public Kernel {
 public:
  TopKKernel(int64_t axis, bool largest, std::optional<int64_t> attribute_k)
      : axis_(axis), largest_(largest), attribute_k_(attribute_k) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    ASSIGN_OR_RETURN(const int64_t axis,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    int64_t k = 0;
    if (attribute_k_) {
      k = *attribute_k_;
    } else {
      const Tensor& k_tensor = context.input(1);
      if (k_tensor.dtype() != DataType::kInt64 || k_tensor.element_count() != 1) {
        return InvalidArgument("input 1 (K): expected one int64 value, got " +
                               std::string(Name(k_tensor.dtype())) + " of shape " +
                               ShapeToString(k_tensor.shape()));
      }
      k = k_tensor.data<int64_t>()[0];
    }
    const int64_t extent = shape[axis];
    if (k < 0 || k > extent) {
      return InvalidArgument("input 1 (K): k = " + std::to_string(k) + " is outside [0, " +
                             std::to_string(extent) + "] for axis " + std::to_string(axis) +
                             " of input 0 (X) " + ShapeToString(shape));
    }
    const int64_t inner = DimensionProduct(shape, axis + 1, shape.size());
    const int64_t lines = DimensionProduct(shape, 0, axis) * inner;
    Shape output_shape = shape;
    output_shape[axis] = k;
    Tensor& values = context.outputs[0];
    values = Tensor(x.dtype(), output_shape);
    Tensor& indices = context.outputs[1];
    indices = Tensor(DataType::kInt64, output_shape);
    return DispatchByType<TypeList<float, double, int32_t, int64_t>>(
        x.dtype(), "TopK", [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = x.data<T>();
          T* out_values = values.data<T>();
          int64_t* out_indices = indices.data<int64_t>();
          ParallelFor(context.pool, lines, 2.0 * static_cast<double>(extent),
                      [&](int64_t begin, int64_t end) {
                        std::vector<int64_t> order(static_cast<size_t>(extent));
                        for (int64_t line = begin; line < end; ++line) {
                          const int64_t outer = line / inner, offset = line % inner;
                          const T* source = in + outer * extent * inner + offset;
                          std::iota(order.begin(), order.end(), 0);
                          auto before = [&](int64_t a, int64_t b) {
                            const T va = source[a * inner], vb = source[b * inner];
                            if (va != vb) return largest_ ? va > vb : va < vb;
                            return a < b;
                          };
                          std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
                          for (int64_t j = 0; j < k; ++j) {
                            const int64_t at = (outer * k + j) * inner + offset;
                            out_values[at] = source[order[j] * inner];
                            out_indices[at] = order[j];
                          }
                        }
                      });
          return Status::Ok();
        });
  }

 private:
  const int64_t axis_;
  const bool largest_;
  const std::optional<int64_t> attribute_k_;
};

StatusOr<std::unique_ptr<Kernel>> CreateTopK(const KernelInit& init) {
  std::optional<int64_t> attribute_k;
  if (init.opset < 10) {
    if (!init.attributes.Has("k"))
      return InvalidArgument("attribute k is required before opset 10");
    attribute_k = init.attributes.GetInt("k", 0);
  }
  return std::unique_ptr<Kernel>(std::make_unique<TopKKernel>(
      init.attributes.GetInt("axis", -1), init.attributes.GetInt("largest", 1) != 0, attribute_k));
}

}  // namespace

void RegisterTopKKernel(KernelRegistry& registry) {
  registry.Register({"", "TopK", 1, 1 << 30,
                     DataTypesOf(TypeList<float, double, int32_t, int64_t>{}), &CreateTopK});
}

}  // namespace mlos::engine
