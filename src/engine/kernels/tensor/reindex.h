// Reindex: the one loop behind the data-movement kernels Transpose, Slice, Tile, Expand and Pad.
//
// Each output axis d carries a table: offsets[d][i] is what output index i along axis d adds to
// the input element offset (e.g. Transpose: i * input stride of axis perm[d]; Slice: (start +
// i * step) * stride; Tile: (i % input dim) * stride), or kFillElement, meaning "this output
// element is not taken from the input" (Pad's constant border). So
//   output[o_0, ..., o_{r-1}] = input[offsets[0][o_0] + ... + offsets[r-1][o_{r-1}]]
// or `fill` where any table says kFillElement. Works for every element type, strings included.
// Runs in parallel over output rows on `pool` (null: inline).
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

inline constexpr int64_t kFillElement = -1;

using AxisOffsets = std::vector<std::vector<int64_t>>;

// REQUIRES: offsets.size() == output_shape.size(), offsets[d].size() == output_shape[d], and every
// non-fill sum addresses an element of `input`. `fill` is null (zero / empty string) or a
// one-element tensor of the input's type.
StatusOr<Tensor> Reindex(const Tensor& input, const Shape& output_shape, const AxisOffsets& offsets,
                         const Tensor* fill, ThreadPool* pool);

}  // namespace mlos::engine
