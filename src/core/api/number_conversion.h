// Conversion of one JSON scalar (number or boolean) to a tensor element of a given DataType: the
// one rule set every JSON decoder (MLOS API, KServe v2) applies per element.
//
// Integers must be integral and in range of the target type (1.5 or 300 for UINT8 is an error,
// never silently rounded or wrapped); floats must be finite within the target's range; booleans
// accept true/false and the numbers 0 and 1, and numeric targets accept booleans as 0/1. Error
// messages name the value (written as JSON) and the target type; the caller adds which input and
// element. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "common/dtype.h"
#include "common/status.h"

namespace mlos::core {

// A JSON number or boolean as a parser reports it: an integer that fits int64 (or, above
// INT64_MAX, uint64), any other number as a double, or a boolean.
using JsonScalar = std::variant<int64_t, uint64_t, double, bool>;

// `value` written as JSON, the way error messages show it (1, 1.0, 9.3e+18, true).
std::string JsonScalarText(const JsonScalar& value);

// Writes the converted value to `destination` (ElementSize(dtype) bytes).
// REQUIRES: `dtype` is a numeric type or kBool (not kString or kInvalid).
Status StoreJsonScalar(const JsonScalar& value, DataType dtype, void* destination);

}  // namespace mlos::core
