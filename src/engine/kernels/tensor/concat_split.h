// Joining and cutting tensors along one axis: the work behind Concat and Split, shared with
// ConcatFromSequence and SplitToSequence.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

// Concatenates `pieces` along `axis` (REQUIRES: 0 <= axis < rank of pieces[0]). InvalidArgument,
// naming "<what> i", when a piece's type or its shape outside the axis differs from piece 0.
StatusOr<Tensor> ConcatAlongAxis(std::span<const Tensor* const> pieces, size_t axis,
                                 const std::string& what);

// Cuts `input` along `axis` into pieces of `sizes` (REQUIRES: 0 <= axis < rank, sizes >= 0 and
// summing to the axis dimension).
std::vector<Tensor> SplitAlongAxis(const Tensor& input, size_t axis,
                                   std::span<const int64_t> sizes);

}  // namespace mlos::engine
