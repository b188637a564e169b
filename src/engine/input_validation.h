// Checks the inputs of one Session::Run against the model's declared inputs.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "engine/session.h"

namespace mlos::engine {

// Returns, for each declared input in order, the provided value for it. InvalidArgument, naming
// the input, its expected dtype and shape ("float32 [-1, 16]") and what came, when a provided name
// is unknown or repeated, a declared input is missing, a tensor's dtype, rank or fixed dimension
// differs, or a value is of the wrong kind (a sequence for a tensor input, ...).
StatusOr<std::vector<const Value*>> MatchInputs(std::span<const TensorInfo> declared,
                                                std::span<const NamedValue> provided);

}  // namespace mlos::engine
