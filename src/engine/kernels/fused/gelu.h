// The GELU activation over float arrays, shared by com.mlos Gelu (gelu.cc) and the epilogue of
// com.mlos FusedMatMul (fused_matmul.cc). Accuracy: see kernels/common/vector_math.h.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "engine/kernels/fused/fused_domain.h"

namespace mlos::engine {

enum class GeluApproximation { kErf, kTanh };

// "none" -> kErf, "tanh" -> kTanh (the values of ONNX Gelu's `approximation` attribute); other
// names: InvalidArgument naming the attribute.
StatusOr<GeluApproximation> ParseGeluApproximation(const std::string& name);

// out[i] = gelu(in[i]) for i < count; `out` may equal `in`.
void ApplyGelu(GeluApproximation approximation, const float* in, float* out, int64_t count);

}  // namespace mlos::engine
