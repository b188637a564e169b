// Unique (opset 11): the distinct elements of X (flattened), or with `axis` the distinct slices
// along it, sorted ascending (sorted = 1, the default; slices compare lexicographically in
// row-major order) or in order of first occurrence. Outputs Y, then the optional int64 indices
// (first occurrence of each in X), inverse_indices (for each element or slice of X, its position
// in Y) and counts. NaNs compare equal to each other and above every number.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>

#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

using UniqueTypes = TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t,
                             uint8_t, uint16_t, uint32_t, uint64_t, bool, std::string>;

// A strict weak order on T, with NaN after every number.
template <typename T>
bool Less(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, std::string>) {
    return a < b;
  } else {
    const ComputeType<T> x = static_cast<ComputeType<T>>(a), y = static_cast<ComputeType<T>>(b);
    if constexpr (kIsFloatingPoint<T>) {
      if (std::isnan(x) || std::isnan(y)) return !std::isnan(x);
    }
    return x < y;
  }
}

class UniqueKernel final : public Kernel {
 public:
  explicit UniqueKernel(const KernelInit& init)
      : has_axis_(init.attributes.Has("axis")),
        axis_(init.attributes.GetInt("axis", 0)),
        sorted_(init.attributes.GetInt("sorted", 1) != 0) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    int64_t axis = 0;
    if (has_axis_) {
      ASSIGN_OR_RETURN(axis,
                       ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    }
    // X viewed as [outer, slices, inner]; without an axis every element is a slice.
    const int64_t slices = has_axis_ ? shape[axis] : x.element_count();
    const int64_t outer = has_axis_ ? DimensionProduct(shape, 0, axis) : 1;
    const int64_t inner = has_axis_ ? DimensionProduct(shape, axis + 1, shape.size()) : 1;
    return DispatchByType<UniqueTypes>(x.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(x);
      auto slice_less = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o) {
          const T* left = in + (o * slices + a) * inner;
          const T* right = in + (o * slices + b) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            if (Less(left[i], right[i])) return true;
            if (Less(right[i], left[i])) return false;
          }
        }
        return false;
      };
      std::vector<int64_t> order(static_cast<size_t>(slices));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), slice_less);
      // Groups of equal slices in sorted order; the stable sort puts each first occurrence first.
      std::vector<int64_t> firsts, counts, inverse(order.size());
      for (size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || slice_less(order[k - 1], order[k])) {
          firsts.push_back(order[k]);
          counts.push_back(0);
        }
        ++counts.back();
        inverse[static_cast<size_t>(order[k])] = static_cast<int64_t>(firsts.size()) - 1;
      }
      if (!sorted_) {  // renumber the groups by first occurrence
        std::vector<int64_t> by_first(firsts.size()), position(firsts.size());
        std::iota(by_first.begin(), by_first.end(), 0);
        std::sort(by_first.begin(), by_first.end(),
                  [&](int64_t a, int64_t b) { return firsts[a] < firsts[b]; });
        std::vector<int64_t> new_firsts, new_counts;
        for (size_t k = 0; k < by_first.size(); ++k) {
          position[static_cast<size_t>(by_first[k])] = static_cast<int64_t>(k);
          new_firsts.push_back(firsts[by_first[k]]);
          new_counts.push_back(counts[by_first[k]]);
        }
        for (int64_t& group : inverse) group = position[static_cast<size_t>(group)];
        firsts = std::move(new_firsts);
        counts = std::move(new_counts);
      }
      const int64_t unique = static_cast<int64_t>(firsts.size());
      Shape y_shape = has_axis_ ? shape : Shape{unique};
      if (has_axis_) y_shape[axis] = unique;
      Tensor y(x.dtype(), y_shape);
      T* out = Elements<T>(y);
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t k = 0; k < unique; ++k) {
          std::copy_n(in + (o * slices + firsts[k]) * inner, inner, out + (o * unique + k) * inner);
        }
      }
      const std::vector<int64_t>* integer_outputs[] = {&firsts, &inverse, &counts};
      context.outputs[0] = std::move(y);
      for (size_t i = 1; i < context.outputs.size() && i <= 3; ++i) {
        const std::vector<int64_t>& values = *integer_outputs[i - 1];
        Tensor output(DataType::kInt64, {static_cast<int64_t>(values.size())});
        std::copy(values.begin(), values.end(), output.data<int64_t>());
        context.outputs[i] = std::move(output);
      }
      return Status::Ok();
    });
  }

 private:
  const bool has_axis_;
  const int64_t axis_;
  const bool sorted_;
};

}  // namespace

void RegisterUniqueKernel(KernelRegistry& registry) {
  registry.Register(
      {"", "Unique", 11, kLatestOpset, DataTypesOf(UniqueTypes{}), &CreateKernel<UniqueKernel, 1>});
}

}  // namespace mlos::engine
