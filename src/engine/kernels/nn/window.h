// Sliding-window geometry shared by Conv, ConvTranspose and the pooling kernels.
//
// WindowAttributes holds what the node says (kernel_shape, strides, pads, dilations, auto_pad,
// ceil_mode); ResolveWindow applies it to one input's spatial shape and returns the output
// spatial shape and the resolved padding. The result is always 3-D: 1-D and 2-D windows get
// leading unit dimensions (size 1, stride 1, no padding), so kernels need one loop nest only.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/node_attributes.h"

namespace mlos::engine {

struct WindowAttributes {
  std::vector<int64_t> kernel_shape;  // empty: taken from the weights (Conv)
  std::vector<int64_t> strides, pads, dilations;
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;
};

WindowAttributes ReadWindowAttributes(const NodeAttributes& attributes);

// Returns `values` or, when empty, `size` copies of `fallback`; InvalidArgument naming attribute
// `name` when the count is wrong or a value is below `minimum`.
StatusOr<std::vector<int64_t>> SizedOrDefault(const std::vector<int64_t>& values, size_t size,
                                              int64_t fallback, int64_t minimum,
                                              const std::string& name);

constexpr int kWindowRank = 3;
using WindowDims = std::array<int64_t, kWindowRank>;

struct WindowGeometry {
  int spatial_rank = 0;  // 1, 2 or 3: the node's own spatial rank
  // Defaults describe a unit dimension: what the leading dimensions keep.
  WindowDims input{1, 1, 1}, output{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1};
  WindowDims pad_begin{0, 0, 0}, pad_end{0, 0, 0};

  int64_t input_size() const { return input[0] * input[1] * input[2]; }
  int64_t output_size() const { return output[0] * output[1] * output[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  // The node's output spatial dims (spatial_rank of them).
  Shape OutputShape() const;
};

// The positions [begin, end) of an output row of `count` whose input index `position * stride +
// first` falls inside [0, width); the others read padding. Kernels find this once per row, so
// their inner loops need no bounds checks.
struct InsideRange {
  int64_t begin = 0, end = 0;
};
inline InsideRange RangeInside(int64_t first, int64_t stride, int64_t width, int64_t count) {
  const int64_t begin = first >= 0 ? 0 : std::min(count, (stride - 1 - first) / stride);
  const int64_t end =
      width <= first ? begin : std::clamp((width - first + stride - 1) / stride, begin, count);
  return {begin, end};
}

// REQUIRES: input_spatial and kernel_shape have the same size, 1 to 3.
// InvalidArgument names the attribute whose size or value is wrong, or the input that is too small.
StatusOr<WindowGeometry> ResolveWindow(const WindowAttributes& attributes,
                                       const Shape& input_spatial,
                                       const std::vector<int64_t>& kernel_shape);

}  // namespace mlos::engine
