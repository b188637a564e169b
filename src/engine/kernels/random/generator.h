// Random number sources shared by the random kernels.
//
// A kernel's generator is made per call, never shared: with a `seed` attribute every call starts
// from the same state (a seeded node returns the same tensor on every run); without one, each call
// gets a fresh state, so concurrent Compute() calls need no lock.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernels/common/element_types.h"
#include "engine/node_attributes.h"

namespace mlos::engine {

using RandomEngine = std::mt19937_64;

// The element types random tensors are drawn in.
using RandomFloatTypes = TypeList<float, double, Float16>;

// The node's `seed` attribute (a float), or nullopt when it has none.
std::optional<float> ReadSeed(const NodeAttributes& attributes);

// A generator seeded from `seed`'s bit pattern, or, without a seed, from a per-process random
// value and a per-call counter. Thread-safe.
RandomEngine MakeRandomEngine(std::optional<float> seed);

// The element type named by the `dtype` attribute: `fallback` when absent (kInvalid: the attribute
// is required), else the attribute's type, which must be one of `allowed`.
StatusOr<DataType> ReadOutputType(const NodeAttributes& attributes, DataType fallback,
                                  const std::vector<DataType>& allowed);

// Fills `out` (one of RandomFloatTypes) with draws of `distribution` (over double).
template <typename Distribution>
Status FillRandom(Tensor& out, Distribution& distribution, RandomEngine& engine);

}  // namespace mlos::engine
