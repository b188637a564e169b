// Row-major shape arithmetic shared by all kernel families: element strides of a dense tensor and
// products of dimension ranges. Pure functions of the shape; no errors, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/tensor.h"

namespace mlos::engine {

// Row-major element strides of `shape` (the last dimension has stride 1).
std::vector<int64_t> DenseStrides(const Shape& shape);

// Product of shape[begin, end), clipped to the shape's rank; 1 for an empty range.
int64_t DimensionProduct(const Shape& shape, size_t begin, size_t end);

}  // namespace mlos::engine
