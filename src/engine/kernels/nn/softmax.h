// The softmax-family normalisation of one line of values, shared by Softmax, LogSoftmax,
// Hardmax and SoftmaxCrossEntropyLoss. Softmax and LogSoftmax subtract the line's maximum first,
// so large inputs do not overflow; Hardmax marks the first maximum.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace mlos::engine {

enum class Normalizer { kSoftmax, kLogSoftmax, kHardmax };

// Normalises the `extent` values line[j * stride] into out[j * stride]; `out` may be `line`.
template <Normalizer kNormalizer, typename T>
void NormalizeLine(const T* line, T* out, int64_t extent, int64_t stride) {
  T max = std::numeric_limits<T>::lowest();
  int64_t argmax = 0;
  for (int64_t j = 0; j < extent; ++j) {
    if (line[j * stride] > max) {
      max = line[j * stride];
      argmax = j;
    }
  }
  if constexpr (kNormalizer == Normalizer::kHardmax) {
    for (int64_t j = 0; j < extent; ++j) out[j * stride] = j == argmax ? T(1) : T(0);
  } else {
    T sum = T(0);
    for (int64_t j = 0; j < extent; ++j) {
      const T shifted = line[j * stride] - max;
      const T exponential = std::exp(shifted);
      sum += exponential;
      out[j * stride] = kNormalizer == Normalizer::kSoftmax ? exponential : shifted;
    }
    if constexpr (kNormalizer == Normalizer::kSoftmax) {
      const T scale = T(1) / sum;
      for (int64_t j = 0; j < extent; ++j) out[j * stride] *= scale;
    } else {
      const T log_sum = std::log(sum);
      for (int64_t j = 0; j < extent; ++j) out[j * stride] -= log_sum;
    }
  }
}

}  // namespace mlos::engine
