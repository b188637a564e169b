// Reading small floating-point inputs (scales, regions of interest, thresholds, grids, band
// edges) as double, whatever their float element type.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

// The values of a float32, float64, float16 or bfloat16 tensor, widened to double. Errors name
// `what`, e.g. "input 2 (scales): expected a floating-point tensor, got int64".
StatusOr<std::vector<double>> ReadFloatValues(const Tensor& tensor, std::string_view what);

// The single value of a one-element floating-point tensor.
StatusOr<double> ReadScalarFloatValue(const Tensor& tensor, std::string_view what);

}  // namespace mlos::engine
