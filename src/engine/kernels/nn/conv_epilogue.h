// ConvEpilogue: what a convolution applies to each output row right after computing it, while the
// row is still in cache: y = activation(conv + bias + residual).
//
// Plain Conv uses it for its bias alone; the fused operator com.mlos FusedConv (kernels/fused/)
// adds a residual tensor (the other operand of an Add that followed the Conv, same shape as Y) and
// an activation that followed it. The activation parameters follow ONNX: Clip keeps values in
// [min, max], LeakyRelu multiplies negatives by alpha.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace mlos::engine {

enum class ConvActivation { kNone, kRelu, kClip, kLeakyRelu, kSigmoid };

struct ConvEpilogue {
  ConvActivation activation = ConvActivation::kNone;
  float min = -std::numeric_limits<float>::infinity();  // Clip
  float max = std::numeric_limits<float>::infinity();   // Clip
  float alpha = 0.01f;                                  // LeakyRelu
};

// row[j] = activation(row[j] + bias + residual[j]) for j in [0, count); residual may be null.
template <typename T>
void FinishConvRow(T* row, int64_t count, T bias, const T* residual, const ConvEpilogue& epilogue) {
  // One loop per activation keeps each loop free of branches, so it vectorises.
  const auto finish = [&](auto activate) {
    if (residual != nullptr) {
      for (int64_t j = 0; j < count; ++j) row[j] = activate(row[j] + bias + residual[j]);
    } else {
      for (int64_t j = 0; j < count; ++j) row[j] = activate(row[j] + bias);
    }
  };
  switch (epilogue.activation) {
    case ConvActivation::kNone:
      finish([](T v) { return v; });
      return;
    case ConvActivation::kRelu:
      finish([](T v) { return std::max(v, T(0)); });
      return;
    case ConvActivation::kClip: {
      const T low = static_cast<T>(epilogue.min), high = static_cast<T>(epilogue.max);
      finish([=](T v) { return std::min(std::max(v, low), high); });
      return;
    }
    case ConvActivation::kLeakyRelu: {
      const T alpha = static_cast<T>(epilogue.alpha);
      finish([=](T v) { return v < T(0) ? v * alpha : v; });
      return;
    }
    case ConvActivation::kSigmoid:
      finish([](T v) { return T(1) / (T(1) + std::exp(-v)); });
      return;
  }
}

}  // namespace mlos::engine
