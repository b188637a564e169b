// CenteredOperand: an 8-bit quantized operand minus its zero point, widened to double, for the
// integer matmul and convolution kernels (MatMulInteger, QLinearMatMul, ConvInteger). Double
// arithmetic on OpenBLAS keeps their products exact: every partial sum of 8-bit products stays
// far below 2^53.
#pragma once

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

}  // namespace mlos::engine
