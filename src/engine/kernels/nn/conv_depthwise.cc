#include "engine/kernels/nn/conv_depthwise.h"

#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mlos::engine {
namespace {

// Four floats in one SSE register (the baseline x86-64 target), via GCC/Clang vector extensions.
typedef float Float4 __attribute__((vector_size(4 * sizeof(float))));

inline Float4 Load4(const float* values) {
  Float4 v;
  std::memcpy(&v, values, sizeof(v));
  return v;
}

// values[0], values[stride], values[2 * stride], values[3 * stride]. For stride 2 this reads
// values[7] as well: the caller keeps that inside the row.
inline Float4 LoadStrided4(const float* values, int64_t stride) {
  if (stride == 1) return Load4(values);
  if (stride == 2) return __builtin_shufflevector(Load4(values), Load4(values + 4), 0, 2, 4, 6);
  return Float4{values[0], values[stride], values[2 * stride], values[3 * stride]};
}

// One input line of an output row: where it starts and its kernel row's weights.
template <typename T>
struct TapLine {
  const T* line = nullptr;
  const T* weights = nullptr;
};

// out[ow] = sum over lines and kw of weights[kw] * line[ow * stride + kw * dilation - pad], taps
// outside [0, width) skipped, for ow in [first, last).
template <typename T>
void SumTapsChecked(const std::vector<TapLine<T>>& lines, const WindowGeometry& g, int64_t first,
                    int64_t last, T* out) {
  for (int64_t ow = first; ow < last; ++ow) {
    T sum = T(0);
    for (const TapLine<T>& tap : lines) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const int64_t iw = ow * g.stride[2] + kw * g.dilation[2] - g.pad_begin[2];
        if (iw >= 0 && iw < g.input[2]) sum += tap.weights[kw] * tap.line[iw];
      }
    }
    out[ow] = sum;
  }
}

// The positions [begin, end) whose whole window lies inside the row (for stride 2 also the one
// element after it, which the de-interleaving load reads), rounded down to whole groups of four.
InsideRange VectorRange(const WindowGeometry& g) {
  const int64_t span = (g.kernel[2] - 1) * g.dilation[2] + 1 + (g.stride[2] == 2 ? 1 : 0);
  InsideRange range = RangeInside(-g.pad_begin[2], g.stride[2], g.input[2] - span + 1, g.output[2]);
  range.end = range.begin + (range.end - range.begin) / 4 * 4;
  return range;
}

#if defined(__x86_64__)
// Positions [begin, end), eight at a time (end - begin a multiple of 8), on AVX2 + FMA; stride 1
// or 2 (reading one element past the last tap, as LoadStrided4). The caller checks the CPU.
__attribute__((target("avx2,fma"))) void SumTapsAvx2(const std::vector<TapLine<float>>& lines,
                                                     const WindowGeometry& g, int64_t begin,
                                                     int64_t end, float* out) {
  const int64_t stride = g.stride[2];
  for (int64_t ow = begin; ow < end; ow += 8) {
    __m256 sum = _mm256_setzero_ps();
    const int64_t at = ow * stride - g.pad_begin[2];
    for (const TapLine<float>& tap : lines) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const float* values = tap.line + at + kw * g.dilation[2];
        __m256 taps = _mm256_loadu_ps(values);
        if (stride == 2) {
          // [a0 a2 b0 b2 | a4 a6 b4 b6], then 64-bit lanes reordered to [a0 a2 a4 a6 b0 b2 b4 b6].
          const __m256 pairs =
              _mm256_shuffle_ps(taps, _mm256_loadu_ps(values + 8), _MM_SHUFFLE(2, 0, 2, 0));
          taps = _mm256_castpd_ps(
              _mm256_permute4x64_pd(_mm256_castps_pd(pairs), _MM_SHUFFLE(3, 1, 2, 0)));
        }
        sum = _mm256_fmadd_ps(_mm256_set1_ps(tap.weights[kw]), taps, sum);
      }
    }
    _mm256_storeu_ps(out + ow, sum);
  }
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#endif

template <typename T>
void ComputeRow(const std::vector<TapLine<T>>& lines, const WindowGeometry& g,
                const InsideRange& inside, T* out) {
  if constexpr (std::is_same_v<T, float>) {
    SumTapsChecked(lines, g, 0, inside.begin, out);
    const int64_t stride = g.stride[2];
    int64_t ow = inside.begin;
#if defined(__x86_64__)
    if (stride <= 2 && HasAvx2()) {
      const int64_t eights = (inside.end - ow) / 8 * 8;
      SumTapsAvx2(lines, g, ow, ow + eights, out);
      ow += eights;
    }
#endif
    for (; ow < inside.end; ow += 4) {
      Float4 sum{};
      const int64_t at = ow * stride - g.pad_begin[2];
      for (const TapLine<T>& tap : lines) {
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          sum += tap.weights[kw] * LoadStrided4(tap.line + at + kw * g.dilation[2], stride);
        }
      }
      std::memcpy(out + ow, &sum, sizeof(sum));
    }
    SumTapsChecked(lines, g, inside.end, g.output[2], out);
  } else {
    SumTapsChecked(lines, g, 0, g.output[2], out);
  }
}

}  // namespace

template <typename T>
void RunDepthwiseConv(const T* x, const T* w, const T* bias, const T* residual,
                      const ConvEpilogue& epilogue, int64_t batch, int64_t channels,
                      const WindowGeometry& g, T* y, ThreadPool* pool) {
  const int64_t taps = g.kernel_size();
  const int64_t row_size = g.output[2];
  const InsideRange inside = VectorRange(g);
  ParallelFor(pool, batch * channels, static_cast<double>(taps * g.output_size()),
              [&](int64_t begin, int64_t end) {
                std::vector<TapLine<T>> lines;
                for (int64_t plane = begin; plane < end; ++plane) {
                  const T* image = x + plane * g.input_size();
                  const T* filter = w + (plane % channels) * taps;
                  const T plane_bias = bias != nullptr ? bias[plane % channels] : T(0);
                  for (int64_t od = 0; od < g.output[0]; ++od) {
                    for (int64_t oh = 0; oh < g.output[1]; ++oh) {
                      lines.clear();
                      for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                        const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
                        if (id < 0 || id >= g.input[0]) continue;
                        for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                          const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
                          if (ih < 0 || ih >= g.input[1]) continue;
                          lines.push_back({image + (id * g.input[1] + ih) * g.input[2],
                                           filter + (kd * g.kernel[1] + kh) * g.kernel[2]});
                        }
                      }
                      const int64_t offset =
                          plane * g.output_size() + (od * g.output[1] + oh) * row_size;
                      ComputeRow(lines, g, inside, y + offset);
                      FinishConvRow(y + offset, row_size, plane_bias,
                                    residual != nullptr ? residual + offset : nullptr, epilogue);
                    }
                  }
                }
              });
}

template void RunDepthwiseConv<float>(const float*, const float*, const float*, const float*,
                                      const ConvEpilogue&, int64_t, int64_t, const WindowGeometry&,
                                      float*, ThreadPool*);
template void RunDepthwiseConv<double>(const double*, const double*, const double*, const double*,
                                       const ConvEpilogue&, int64_t, int64_t, const WindowGeometry&,
                                       double*, ThreadPool*);

}  // namespace mlos::engine
