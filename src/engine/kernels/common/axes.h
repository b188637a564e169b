// Helpers every kernel family shares for axis attributes and integer-list inputs.
// Errors are InvalidArgument and start with `what`, e.g. "attribute axis: 3 is out of range
// [-3, 2]" or "input 1 (shape): expected int64, got float32".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

// Maps an axis in [-rank, rank) to [0, rank).
StatusOr<int64_t> ResolveAxis(int64_t axis, int64_t rank, std::string_view what);

// ResolveAxis for each; also rejects repeated axes.
StatusOr<std::vector<int64_t>> ResolveAxes(const std::vector<int64_t>& axes, int64_t rank,
                                           std::string_view what);

// The values of an int32 or int64 tensor, widened to int64.
StatusOr<std::vector<int64_t>> ReadIntegers(const Tensor& tensor, std::string_view what);

// The single value of a one-element int32 or int64 tensor.
StatusOr<int64_t> ReadScalarInteger(const Tensor& tensor, std::string_view what);

// Returns OK iff every dimension is >= 0; otherwise names the first bad one.
Status CheckDimensions(const Shape& shape, std::string_view what);

}  // namespace mlos::engine
