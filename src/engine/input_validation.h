// Checks the inputs of one Session::Run against the model's declared inputs.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "engine/session.h"

namespace mlos::engine {

// Returns, for each declared input in order, the provided tensor for it. InvalidArgument, naming
// the input, its expected dtype and shape ("float32 [-1, 16]") and what came, when a provided name
// is unknown or repeated, a declared input is missing, or a dtype, rank or fixed dimension differs.
StatusOr<std::vector<const Tensor*>> MatchInputs(std::span<const TensorInfo> declared,
                                                 std::span<const NamedTensor> provided);

}  // namespace mlos::engine
