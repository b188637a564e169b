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

}  // namespace

template <typename T>
void Im2Col(const T* image, int64_t channels, const WindowGeometry& geometry, T* columns,
            ThreadPool* pool) {
  const int64_t columns_per_row = geometry.output_size();
  ParallelFor(pool, channels * geometry.kernel_size(), static_cast<double>(columns_per_row),
              [&](int64_t begin, int64_t end) {
                ForEachRow(
                    geometry, begin, end,
                    [&](int64_t row, int64_t channel_offset, int64_t kd, int64_t kh, int64_t kw) {
                      T* out = columns + row * columns_per_row;
                      const T* plane = image + channel_offset;
                      ForEachTapPosition(geometry, kd, kh, kw, [&](int64_t column, int64_t at) {
                        out[column] = at < 0 ? T(0) : plane[at];
                      });
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

template void Im2Col<float>(const float*, int64_t, const WindowGeometry&, float*, ThreadPool*);
template void Im2Col<double>(const double*, int64_t, const WindowGeometry&, double*, ThreadPool*);
template void Col2Im<float>(const float*, int64_t, const WindowGeometry&, float*, ThreadPool*);
template void Col2Im<double>(const double*, int64_t, const WindowGeometry&, double*, ThreadPool*);

}  // namespace mlos::engine
