// Conversion of one JSON scalar (number or boolean) to a tensor element of a given DataType.
//
// Integers must be integral and in range of the target type (1.5 or 300 for UINT8 is an error,
// never silently rounded or wrapped); floats must be finite within the target's range; booleans
// accept true/false and the numbers 0 and 1, and numeric targets accept booleans as 0/1. Strings,
// null, arrays and objects are errors. Error messages name the value and the target type; the
// caller adds which input and element. Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "common/dtype.h"
#include "common/status.h"

namespace mlos::core {

// Writes the converted value to `destination` (ElementSize(dtype) bytes).
// REQUIRES: `dtype` is a numeric type or kBool (not kString or kInvalid).
Status StoreJsonScalar(const nlohmann::json& value, DataType dtype, void* destination);

}  // namespace mlos::core
