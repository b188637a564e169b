// MaxPool (opset 1, 8, 10, 11, 12) and AveragePool (opset 1, 7, 10, 11): sliding-window max or
// mean over X [N, C, spatial...] (1-D to 3-D) with kernel_shape, strides, pads or auto_pad,
// dilations and ceil_mode.
//
// MaxPool's optional second output Indices holds, for each maximum, its flat index into X, the
// spatial part row-major (storage_order 0) or column-major (storage_order 1). AveragePool divides
// by the number of taps inside the image, or with count_include_pad by the number inside the
// padded image.
#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/nn/window.h"

namespace mlos::engine {
namespace {

enum class PoolKind { kMax, kAverage };

struct PoolOptions {
  bool count_include_pad = false;
  bool column_major_indices = false;
};

// Reduces one output position's window over `image` (one [D, H, W] plane).
template <PoolKind kKind, typename T>
void PoolWindow(const T* image, const WindowGeometry& g, const WindowDims& start,
                const PoolOptions& options, T* out, int64_t* index) {
  T best = std::numeric_limits<T>::lowest();
  int64_t best_at = -1;
  double sum = 0;
  int64_t inside = 0, inside_padded = 0;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    const int64_t d = start[0] + kd * g.dilation[0];
    if (d < -g.pad_begin[0] || d >= g.input[0] + g.pad_end[0]) continue;
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      const int64_t h = start[1] + kh * g.dilation[1];
      if (h < -g.pad_begin[1] || h >= g.input[1] + g.pad_end[1]) continue;
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const int64_t w = start[2] + kw * g.dilation[2];
        if (w < -g.pad_begin[2] || w >= g.input[2] + g.pad_end[2]) continue;
        ++inside_padded;
        if (d < 0 || d >= g.input[0] || h < 0 || h >= g.input[1] || w < 0 || w >= g.input[2]) {
          continue;
        }
        ++inside;
        const int64_t at = (d * g.input[1] + h) * g.input[2] + w;
        if constexpr (kKind == PoolKind::kMax) {
          if (image[at] > best || best_at < 0) {
            best = image[at];
            best_at = options.column_major_indices ? d + g.input[0] * (h + g.input[1] * w) : at;
          }
        } else {
          sum += static_cast<double>(image[at]);
        }
      }
    }
  }
  if constexpr (kKind == PoolKind::kMax) {
    *out = best;
    if (index != nullptr) *index = best_at;
  } else {
    const int64_t divisor = options.count_include_pad ? inside_padded : inside;
    *out = divisor == 0 ? T(0) : static_cast<T>(sum / static_cast<double>(divisor));
  }
}

// MaxPool without Indices over one plane: each output row starts at the lowest value and takes the
// running max of its taps' input lines, each over the range inside the image found once
// (RangeInside), so the inner loops carry no bounds checks and vectorise.
template <typename T>
void MaxPoolPlaneByRows(const T* image, const WindowGeometry& g, T* out) {
  const int64_t row_size = g.output[2];
  for (int64_t od = 0; od < g.output[0]; ++od) {
    for (int64_t oh = 0; oh < g.output[1]; ++oh, out += row_size) {
      std::fill_n(out, row_size, std::numeric_limits<T>::lowest());
      for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
        const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
        if (id < 0 || id >= g.input[0]) continue;
        for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
          const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
          if (ih < 0 || ih >= g.input[1]) continue;
          const T* line = image + (id * g.input[1] + ih) * g.input[2];
          for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
            const int64_t first = kw * g.dilation[2] - g.pad_begin[2];
            const int64_t stride = g.stride[2];
            const auto [begin, end] = RangeInside(first, stride, g.input[2], row_size);
            for (int64_t ow = begin; ow < end; ++ow) {
              out[ow] = std::max(out[ow], line[ow * stride + first]);
            }
          }
        }
      }
    }
  }
}

template <PoolKind kKind>
class PoolKernel final : public Kernel {
 public:
  PoolKernel(WindowAttributes window, PoolOptions options)
      : window_(std::move(window)), options_(options) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& x_shape = x.shape();
    if (x_shape.size() < 3) {
      return InvalidArgument("input 0 (X): expected [N, C, spatial...], got shape " +
                             ShapeToString(x_shape));
    }
    if (window_.kernel_shape.size() != x_shape.size() - 2) {
      return InvalidArgument("attribute kernel_shape: expected " +
                             std::to_string(x_shape.size() - 2) + " values, got " +
                             std::to_string(window_.kernel_shape.size()));
    }
    ASSIGN_OR_RETURN(
        WindowGeometry g,
        ResolveWindow(window_, Shape(x_shape.begin() + 2, x_shape.end()), window_.kernel_shape));
    Shape y_shape{x_shape[0], x_shape[1]};
    for (int64_t dim : g.OutputShape()) y_shape.push_back(dim);
    Tensor& y = context.outputs[0];
    y = Tensor::Uninitialized(x.dtype(), y_shape);
    Tensor* indices = nullptr;
    if (kKind == PoolKind::kMax && context.outputs.size() > 1) {
      indices = &context.outputs[1];
      *indices = Tensor::Uninitialized(DataType::kInt64, y_shape);
    }
    const int64_t planes = x_shape[0] * x_shape[1];
    auto run = [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      int64_t* index_out = indices ? indices->data<int64_t>() : nullptr;
      ParallelFor(context.pool, planes, static_cast<double>(g.output_size() * g.kernel_size()),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t plane = begin; plane < end; ++plane) {
                      if (kKind == PoolKind::kMax && index_out == nullptr) {
                        MaxPoolPlaneByRows<T>(in + plane * g.input_size(), g,
                                              out + plane * g.output_size());
                        continue;
                      }
                      RunPlane<T>(in + plane * g.input_size(), g, plane * g.input_size(),
                                  out + plane * g.output_size(),
                                  index_out ? index_out + plane * g.output_size() : nullptr);
                    }
                  });
      return Status::Ok();
    };
    if constexpr (kKind == PoolKind::kMax) {
      return DispatchByType<TypeList<float, double, int8_t, uint8_t>>(x.dtype(), "MaxPool", run);
    } else {
      return DispatchByType<TypeList<float, double>>(x.dtype(), "AveragePool", run);
    }
  }

 private:
  template <typename T>
  void RunPlane(const T* image, const WindowGeometry& g, int64_t plane_offset, T* out,
                int64_t* indices) const {
    int64_t position = 0;
    for (int64_t od = 0; od < g.output[0]; ++od) {
      for (int64_t oh = 0; oh < g.output[1]; ++oh) {
        for (int64_t ow = 0; ow < g.output[2]; ++ow, ++position) {
          const WindowDims start{od * g.stride[0] - g.pad_begin[0],
                                 oh * g.stride[1] - g.pad_begin[1],
                                 ow * g.stride[2] - g.pad_begin[2]};
          PoolWindow<kKind>(image, g, start, options_, out + position,
                            indices ? indices + position : nullptr);
          if (indices != nullptr) indices[position] += plane_offset;
        }
      }
    }
  }

  const WindowAttributes window_;
  const PoolOptions options_;
};

template <PoolKind kKind>
StatusOr<std::unique_ptr<Kernel>> CreatePool(const KernelInit& init) {
  WindowAttributes window = ReadWindowAttributes(init.attributes);
  if (window.kernel_shape.empty()) return InvalidArgument("attribute kernel_shape is required");
  PoolOptions options;
  options.count_include_pad = init.attributes.GetInt("count_include_pad", 0) != 0;
  options.column_major_indices = init.attributes.GetInt("storage_order", 0) != 0;
  return std::unique_ptr<Kernel>(std::make_unique<PoolKernel<kKind>>(std::move(window), options));
}

}  // namespace

void RegisterPoolKernels(KernelRegistry& registry) {
  registry.Register({"", "MaxPool", 1, 1 << 30,
                     DataTypesOf(TypeList<float, double, int8_t, uint8_t>{}),
                     &CreatePool<PoolKind::kMax>});
  registry.Register({"", "AveragePool", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}),
                     &CreatePool<PoolKind::kAverage>});
}

}  // namespace mlos::engine
