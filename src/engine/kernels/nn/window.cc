#include "engine/kernels/nn/window.h"

#include <algorithm>

namespace mlos::engine {

StatusOr<std::vector<int64_t>> SizedOrDefault(const std::vector<int64_t>& values, size_t size,
                                              int64_t fallback, int64_t minimum,
                                              const std::string& name) {
  if (values.empty()) return std::vector<int64_t>(size, fallback);
  if (values.size() != size) {
    return InvalidArgument("attribute " + name + ": expected " + std::to_string(size) +
                           " values, got " + std::to_string(values.size()));
  }
  for (int64_t value : values) {
    if (value < minimum) {
      return InvalidArgument("attribute " + name + ": value " + std::to_string(value) +
                             " is out of range");
    }
  }
  return values;
}

WindowAttributes ReadWindowAttributes(const NodeAttributes& attributes) {
  WindowAttributes window;
  window.kernel_shape = attributes.GetInts("kernel_shape");
  window.strides = attributes.GetInts("strides");
  window.pads = attributes.GetInts("pads");
  window.dilations = attributes.GetInts("dilations");
  window.auto_pad = attributes.GetString("auto_pad", "NOTSET");
  window.ceil_mode = attributes.GetInt("ceil_mode", 0) != 0;
  return window;
}

Shape WindowGeometry::OutputShape() const {
  return Shape(output.end() - spatial_rank, output.end());
}

StatusOr<WindowGeometry> ResolveWindow(const WindowAttributes& attributes,
                                       const Shape& input_spatial,
                                       const std::vector<int64_t>& kernel_shape) {
  const size_t rank = input_spatial.size();
  if (rank < 1 || rank > kWindowRank) {
    return Unimplemented("only 1-D, 2-D and 3-D windows are supported, got " +
                         std::to_string(rank) + " spatial dimensions");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> kernel,
                   SizedOrDefault(kernel_shape, rank, 1, 1, "kernel_shape"));
  ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                   SizedOrDefault(attributes.strides, rank, 1, 1, "strides"));
  ASSIGN_OR_RETURN(std::vector<int64_t> dilations,
                   SizedOrDefault(attributes.dilations, rank, 1, 1, "dilations"));
  ASSIGN_OR_RETURN(std::vector<int64_t> pads,
                   SizedOrDefault(attributes.pads, 2 * rank, 0, 0, "pads"));
  const std::string& auto_pad = attributes.auto_pad;
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
      auto_pad != "SAME_LOWER") {
    return InvalidArgument("attribute auto_pad: unknown value '" + auto_pad + "'");
  }

  WindowGeometry geometry;
  geometry.spatial_rank = static_cast<int>(rank);
  const size_t lead = kWindowRank - rank;  // leading unit dimensions
  for (size_t i = 0; i < rank; ++i) {
    const size_t d = lead + i;
    const int64_t in = input_spatial[i];
    const int64_t extent = (kernel[i] - 1) * dilations[i] + 1;  // dilated kernel size
    int64_t begin = pads[i], end = pads[i + rank], out = 0;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = (in + strides[i] - 1) / strides[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + extent - in);
      begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    } else {
      if (auto_pad == "VALID") begin = end = 0;
      const int64_t span = in + begin + end - extent;
      if (span < 0) {
        return InvalidArgument("input 0 (X): spatial dimension " + std::to_string(i) + " (" +
                               std::to_string(in) + " with padding " + std::to_string(begin + end) +
                               ") is smaller than the window " + std::to_string(extent));
      }
      out = (attributes.ceil_mode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
      // A window may not start in the end padding only.
      if (attributes.ceil_mode && (out - 1) * strides[i] >= in + begin) --out;
    }
    geometry.input[d] = in;
    geometry.output[d] = out;
    geometry.kernel[d] = kernel[i];
    geometry.stride[d] = strides[i];
    geometry.dilation[d] = dilations[i];
    geometry.pad_begin[d] = begin;
    geometry.pad_end[d] = end;
  }
  return geometry;
}

}  // namespace mlos::engine
