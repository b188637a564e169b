// Comparing what the engine produced with a case's expected outputs.
//
// Tensors match when dtype and shape are equal and every element matches: floating point within
// |got - expected| <= absolute + relative * |expected| (NaN matches NaN, an infinity only itself),
// integers, bools and strings exactly. Sequences match item by item; an empty optional matches
// only an empty optional.
#pragma once

#include <optional>
#include <string>

#include "engine/value.h"
#include "tools/mlos-conformance/model_facts.h"

namespace mlos::conformance {

// The ONNX backend suite's usual tolerance.
struct Tolerance {
  double relative = 1e-3;
  double absolute = 1e-7;
};

// Returns nullopt iff `got` matches `expected`, else the first mismatch, e.g.
// "index [0, 2]: got 1.5, expected 1.25" or "shape: got [2, 3], expected [3, 2]".
std::optional<std::string> CompareValues(const engine::Value& got, const engine::Value& expected,
                                         const Tolerance& tolerance);

// For outputs of models with random operators: the same kind, dtype and shape as `expected`, and
// every value within `check`'s range. Returns nullopt iff so, else the first mismatch.
std::optional<std::string> CheckRandomValue(const engine::Value& got, const engine::Value& expected,
                                            const RandomOutputCheck& check);

}  // namespace mlos::conformance
