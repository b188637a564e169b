#include "engine/kernels/elementwise/broadcast.h"

#include <algorithm>

namespace mlos::engine {

StatusOr<Shape> BroadcastShapes(std::span<const Shape> shapes) {
  size_t rank = 0;
  for (const Shape& shape : shapes) rank = std::max(rank, shape.size());
  Shape output(rank, 1);
  for (size_t k = 0; k < shapes.size(); ++k) {
    const Shape& shape = shapes[k];
    const size_t offset = rank - shape.size();
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t& merged = output[offset + d];
      if (shape[d] == merged || shape[d] == 1) continue;
      if (merged != 1) {
        Shape so_far(output.begin() + static_cast<std::ptrdiff_t>(offset), output.end());
        return InvalidArgument("input " + std::to_string(k) + " has shape " +
                               ShapeToString(shape) + ", which does not broadcast with " +
                               ShapeToString(so_far) + " (dimension " + std::to_string(d) + ": " +
                               std::to_string(shape[d]) + " vs " + std::to_string(merged) + ")");
      }
      merged = shape[d];
    }
  }
  return output;
}

StatusOr<BroadcastPlan> PlanBroadcast(std::span<const Shape> shapes) {
  ASSIGN_OR_RETURN(Shape output_shape, BroadcastShapes(shapes));
  const size_t rank = output_shape.size();
  // Dense strides of every input, expressed over the output's dimensions.
  std::vector<std::vector<int64_t>> full_strides(shapes.size(), std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < shapes.size(); ++k) {
    const Shape& shape = shapes[k];
    const size_t offset = rank - shape.size();
    int64_t stride = 1;
    for (size_t d = shape.size(); d-- > 0;) {
      full_strides[k][offset + d] = shape[d] == 1 ? 0 : stride;
      stride *= shape[d];
    }
  }
  BroadcastPlan plan;
  plan.output_shape = output_shape;
  plan.strides.resize(shapes.size());
  // Walk from the innermost dimension outwards, merging a dimension into the one inside it when
  // every input steps across the boundary contiguously. Built innermost first, reversed below.
  for (size_t d = rank; d-- > 0;) {
    if (output_shape[d] == 1) continue;
    bool mergeable = !plan.dims.empty();
    for (size_t k = 0; k < shapes.size() && mergeable; ++k) {
      mergeable = full_strides[k][d] == plan.strides[k].back() * plan.dims.back();
    }
    if (mergeable) {
      plan.dims.back() *= output_shape[d];
      continue;
    }
    plan.dims.push_back(output_shape[d]);
    for (size_t k = 0; k < shapes.size(); ++k) plan.strides[k].push_back(full_strides[k][d]);
  }
  if (plan.dims.empty()) {
    plan.dims.push_back(1);
    for (auto& strides : plan.strides) strides.push_back(0);
  }
  std::reverse(plan.dims.begin(), plan.dims.end());
  for (auto& strides : plan.strides) std::reverse(strides.begin(), strides.end());
  return plan;
}

}  // namespace mlos::engine
