#include "engine/kernels/nn/im2col.h"

#include <algorithm>

namespace mlos::engine {
namespace {

// Calls fn(row, image_channel_offset, kd, kh, kw) for rows [row_begin, row_end).
template <typename Fn>
void ForEachRow(const WindowGeometry& g, int64_t row_begin, int64_t row_end, Fn&& fn) {
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t kw = row % g.kernel[2];
    const int64_t kh = (row / g.kernel[2]) % g.kernel[1];
    const int64_t kd = (row / (g.kernel[2] * g.kernel[1])) % g.kernel[0];
    const int64_t channel = row / g.kernel_size();
    fn(row, channel * g.input_size(), kd, kh, kw);
  }
}

// One output row of tap row `out`: out[ow] = line[ow * stride + first] where that falls inside
// [0, width), else 0. The inside range is found once, so the copy itself has no bounds checks.
template <typename T>
void CopyTapLine(const T* line, int64_t width, int64_t first, int64_t stride, int64_t count,
                 T* out) {
  const auto [begin, end] = RangeInside(first, stride, width, count);
  std::fill(out, out + begin, T(0));
  if (stride == 1) {
    std::copy_n(line + first + begin, end - begin, out + begin);
  } else {
    for (int64_t ow = begin; ow < end; ++ow) out[ow] = line[ow * stride + first];
  }
  std::fill(out + end, out + count, T(0));
}

}  // namespace

template <typename T>
void Im2Col(const T* image, int64_t channels, const WindowGeometry& g, T* columns,
            int64_t row_stride, ThreadPool* pool) {
  ParallelFor(pool, channels * g.kernel_size(), static_cast<double>(g.output_size()),
              [&](int64_t begin, int64_t end) {
                ForEachRow(
                    g, begin, end,
                    [&](int64_t row, int64_t channel_offset, int64_t kd, int64_t kh, int64_t kw) {
                      T* out = columns + row * row_stride;
                      const T* plane = image + channel_offset;
                      const int64_t first_w = kw * g.dilation[2] - g.pad_begin[2];
                      for (int64_t od = 0; od < g.output[0]; ++od) {
                        const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
                        for (int64_t oh = 0; oh < g.output[1]; ++oh, out += g.output[2]) {
                          const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
                          if (id < 0 || id >= g.input[0] || ih < 0 || ih >= g.input[1]) {
                            std::fill(out, out + g.output[2], T(0));
                          } else {
                            CopyTapLine(plane + (id * g.input[1] + ih) * g.input[2], g.input[2],
                                        first_w, g.stride[2], g.output[2], out);
                          }
                        }
                      }
                    });
              });
}

template <typename T>
void Col2Im(const T* columns, int64_t channels, const WindowGeometry& geometry, T* image,
            ThreadPool* pool) {
  const int64_t columns_per_row = geometry.output_size();
  const int64_t rows_per_channel = geometry.kernel_size();
  // One channel's rows all write into that channel's plane, so channels run in parallel.
  ParallelFor(pool, channels, static_cast<double>(rows_per_channel * columns_per_row),
              [&](int64_t begin, int64_t end) {
                ForEachRow(
                    geometry, begin * rows_per_channel, end * rows_per_channel,
                    [&](int64_t row, int64_t channel_offset, int64_t kd, int64_t kh, int64_t kw) {
                      const T* in = columns + row * columns_per_row;
                      T* plane = image + channel_offset;
                      ForEachTapPosition(geometry, kd, kh, kw, [&](int64_t column, int64_t at) {
                        if (at >= 0) plane[at] += in[column];
                      });
                    });
              });
}

template void Im2Col<float>(const float*, int64_t, const WindowGeometry&, float*, int64_t,
                            ThreadPool*);
template void Im2Col<double>(const double*, int64_t, const WindowGeometry&, double*, int64_t,
                             ThreadPool*);
template void Col2Im<float>(const float*, int64_t, const WindowGeometry&, float*, ThreadPool*);
template void Col2Im<double>(const double*, int64_t, const WindowGeometry&, double*, ThreadPool*);

}  // namespace mlos::engine
