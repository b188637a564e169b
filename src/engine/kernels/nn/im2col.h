// Im2Col and Col2Im: the layout changes that turn a convolution into one matrix product.
//
// The "image" is [channels, input D, H, W] of `geometry` and the "columns" matrix is
// [channels * kernel_size, output_size]: row ((c * KD + kd) * KH + kh) * KW + kw holds, for every
// output position, the image value under that kernel tap (0 in the padding). Col2Im is the
// adjoint: it adds every column entry back onto its image position (the image must be zeroed
// first), which is what ConvTranspose needs. Both split their work over `pool` and call no BLAS.
// Im2Col can also write into a wider matrix (rows `row_stride` apart, row_stride >=
// output_size): that is how Conv lays several images' columns side by side for one GEMM.
#pragma once

#include <cstdint>

#include "engine/kernels/nn/window.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

// For kernel tap (kd, kh, kw), calls visit(column, image_offset) for every output position in
// row-major order; image_offset is -1 where the tap falls in the padding.
template <typename Visit>
void ForEachTapPosition(const WindowGeometry& g, int64_t kd, int64_t kh, int64_t kw,
                        Visit&& visit) {
  int64_t column = 0;
  for (int64_t od = 0; od < g.output[0]; ++od) {
    const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
    for (int64_t oh = 0; oh < g.output[1]; ++oh) {
      const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
      const bool row_inside = id >= 0 && id < g.input[0] && ih >= 0 && ih < g.input[1];
      const int64_t row_offset = (id * g.input[1] + ih) * g.input[2];
      for (int64_t ow = 0; ow < g.output[2]; ++ow, ++column) {
        const int64_t iw = ow * g.stride[2] - g.pad_begin[2] + kw * g.dilation[2];
        visit(column, row_inside && iw >= 0 && iw < g.input[2] ? row_offset + iw : -1);
      }
    }
  }
}

template <typename T>
void Im2Col(const T* image, int64_t channels, const WindowGeometry& geometry, T* columns,
            int64_t row_stride, ThreadPool* pool);

template <typename T>
void Im2Col(const T* image, int64_t channels, const WindowGeometry& geometry, T* columns,
            ThreadPool* pool) {
  Im2Col(image, channels, geometry, columns, geometry.output_size(), pool);
}

template <typename T>
void Col2Im(const T* columns, int64_t channels, const WindowGeometry& geometry, T* image,
            ThreadPool* pool);

}  // namespace mlos::engine
