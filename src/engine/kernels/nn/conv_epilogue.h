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
#include <cstring>
#include <limits>
#include <type_traits>

namespace mlos::engine {

enum class ConvActivation { kNone, kRelu, kClip, kLeakyRelu, kSigmoid };

struct ConvEpilogue {
  ConvActivation activation = ConvActivation::kNone;
  float min = -std::numeric_limits<float>::infinity();  // Clip
  float max = std::numeric_limits<float>::infinity();   // Clip
  float alpha = 0.01f;                                  // LeakyRelu
};

// Four floats in one SSE register (GCC/Clang vector extensions), for the epilogue's float loop.
typedef float ConvFloat4 __attribute__((vector_size(4 * sizeof(float))));

// row[j] = activation(row[j] + bias + residual[j]) for j in [0, count); residual may be null.
template <typename T>
void FinishConvRow(T* row, int64_t count, T bias, const T* residual, const ConvEpilogue& epilogue) {
  // One loop per activation, the activations written as selects: a branch on each value's sign
  // mispredicted about half the time (ResNet-50's epilogues took 8x its bias-only ones). Floats
  // run four at a time; `kVector` is false for the activations that have no vector form here.
  const auto finish = [&]<bool kVector>(auto activate) {
    int64_t j = 0;
    if constexpr (kVector && std::is_same_v<T, float>) {
      for (; j + 4 <= count; j += 4) {
        ConvFloat4 value, other;
        std::memcpy(&value, row + j, sizeof(value));
        value += static_cast<float>(bias);
        if (residual != nullptr) {
          std::memcpy(&other, residual + j, sizeof(other));
          value += other;
        }
        value = activate(value);
        std::memcpy(row + j, &value, sizeof(value));
      }
    }
    for (; j < count; ++j) {
      T value = row[j] + bias;
      if (residual != nullptr) value += residual[j];
      row[j] = activate(value);
    }
  };
  const T low = static_cast<T>(epilogue.min), high = static_cast<T>(epilogue.max);
  const T alpha = static_cast<T>(epilogue.alpha);
  switch (epilogue.activation) {
    case ConvActivation::kNone:
      finish.template operator()<true>([](auto v) { return v; });
      return;
    case ConvActivation::kRelu:
      finish.template operator()<true>([](auto v) {
        using V = decltype(v);
        return v < V{} ? V{} : v;
      });
      return;
    case ConvActivation::kClip:
      finish.template operator()<true>([=](auto v) {
        using V = decltype(v);
        const V lowest = V{} + low, highest = V{} + high;
        v = v < lowest ? lowest : v;
        return v > highest ? highest : v;
      });
      return;
    case ConvActivation::kLeakyRelu:
      finish.template operator()<true>([=](auto v) {
        using V = decltype(v);
        return v < V{} ? v * (V{} + alpha) : v;
      });
      return;
    case ConvActivation::kSigmoid:
      finish.template operator()<false>([](T v) { return T(1) / (T(1) + std::exp(-v)); });
      return;
  }
}

}  // namespace mlos::engine
