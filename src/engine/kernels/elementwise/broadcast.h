// Multidirectional (numpy-style) broadcasting, shared by every kernel that combines tensors of
// different shapes (Add, Where, Expand, Min, PRelu, ...).
//
// Shapes are aligned at their last dimension; a dimension of 1 (or a missing leading one)
// stretches to match the other inputs, any other mismatch is an error. PlanBroadcast() computes
// the output shape once and an iteration plan over it: dimensions of size 1 dropped and adjacent
// dimensions merged wherever every input is contiguous (or broadcast) across them, so the common
// cases (same shapes, a scalar, a bias row) walk a single long row.
//
// ForEachSpan() walks any range of output elements as spans that are contiguous in the output,
// handing the kernel each input's start offset; inside a span, input k advances by
// plan.inner_stride(k) (1, or 0 when broadcast) per element. Kernels parallelise by splitting the
// output range with ParallelFor and calling ForEachSpan on each chunk.
// A plan is an immutable value: safe to share across threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

struct BroadcastPlan {
  Shape output_shape;
  // The iteration space, outermost first (never empty; a scalar output walks dims {1}).
  std::vector<int64_t> dims;
  // strides[k][d]: elements input k advances per step along dims[d] (0 when broadcast).
  std::vector<std::vector<int64_t>> strides;

  int64_t output_count() const { return ElementCount(output_shape); }
  int64_t inner_stride(size_t input) const { return strides[input].back(); }
};

// The broadcast of `shapes`. On mismatch: InvalidArgument naming the first offending input by
// its index in `shapes`, e.g. "input 1 has shape [4], which does not broadcast with [2, 3]".
StatusOr<Shape> BroadcastShapes(std::span<const Shape> shapes);

// The plan for walking the broadcast of `shapes`; same errors as BroadcastShapes().
StatusOr<BroadcastPlan> PlanBroadcast(std::span<const Shape> shapes);

// Calls fn(output_offset, input_offsets, count) for consecutive spans covering the output
// elements [begin, end). REQUIRES: plan.strides.size() == N, 0 <= begin <= end <= output_count().
template <size_t N, typename Fn>
void ForEachSpan(const BroadcastPlan& plan, int64_t begin, int64_t end, Fn&& fn) {
  const int64_t row_length = plan.dims.back();
  const size_t outer_rank = plan.dims.size() - 1;
  int64_t position = begin;
  while (position < end) {
    const int64_t column = position % row_length;
    const int64_t count = std::min(row_length - column, end - position);
    std::array<int64_t, N> offsets;
    for (size_t k = 0; k < N; ++k) offsets[k] = column * plan.strides[k][outer_rank];
    int64_t row = position / row_length;
    for (size_t d = outer_rank; d-- > 0 && row > 0;) {
      const int64_t index = row % plan.dims[d];
      row /= plan.dims[d];
      for (size_t k = 0; k < N; ++k) offsets[k] += index * plan.strides[k][d];
    }
    fn(position, offsets, count);
    position += count;
  }
}

}  // namespace mlos::engine
