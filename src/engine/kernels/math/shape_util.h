// Shape arithmetic shared by the math and nn kernels: sorted axis lists, reduction layouts and
// unidirectional broadcasting of a small operand (a bias, a scale) to a target shape. Every error
// names the operand (`what`, e.g. "input 2 (C)") and the offending value.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

// ResolveAxes (common/axes.h), sorted ascending.
StatusOr<std::vector<int64_t>> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank,
                                             std::string_view what);

// How to visit a reduction over `axes` of a row-major tensor: for each position of the kept axes
// (row-major) the offset of its first element, and the offsets, relative to that, of the elements
// it reduces over (row-major over the reduced axes).
struct ReductionLayout {
  std::vector<int64_t> starts;
  std::vector<int64_t> window;
};
// REQUIRES: axes sorted, distinct, each in [0, shape.size()).
ReductionLayout PlanReduction(const Shape& shape, const std::vector<int64_t>& axes);

// Writes `source` (of element type T) broadcast to `target` into `out` (ElementCount(target)
// elements). `source`'s shape must be unidirectionally broadcastable to `target` (numpy rules,
// right-aligned, each dimension equal or 1).
template <typename T>
Status ExpandInto(const Tensor& source, const Shape& target, std::string_view what, T* out);

}  // namespace mlos::engine
