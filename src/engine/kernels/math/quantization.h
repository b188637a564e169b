// Helpers of the 8-bit quantized kernels.
//
// CenteredOperand: a quantized operand minus its zero point, widened to double, for the integer
// matmul and convolution kernels (MatMulInteger, QLinearMatMul, ConvInteger). Double arithmetic
// on OpenBLAS keeps their products exact: every partial sum of 8-bit products stays far below
// 2^53. SaturateRound: the one rounding rule (half to even, add the zero point, clamp to Q's
// range).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

// `operand` is uint8 or int8; `zero_point` (may be null: 0) must hold one value of the same type,
// else Unimplemented (per-row/per-channel) or InvalidArgument naming `zero_point_name`.
StatusOr<std::vector<double>> CenteredOperand(const Tensor& operand, const Tensor* zero_point,
                                              const std::string& operand_name,
                                              const std::string& zero_point_name);

// round_half_to_even(value) + zero_point, clamped to [min(Q), max(Q)]. The zero point is added
// after rounding: with an odd zero point, rounding the sum would pick the other neighbour on ties.
template <typename Q>
Q SaturateRound(double value, double zero_point) {
  return static_cast<Q>(std::clamp(std::nearbyint(value) + zero_point,
                                   static_cast<double>(std::numeric_limits<Q>::min()),
                                   static_cast<double>(std::numeric_limits<Q>::max())));
}

}  // namespace mlos::engine
