// IEEE 754 half precision (FP16) and bfloat16 (BF16) conversions from and to float.
//
// Float to half rounds to nearest, ties to even; values beyond the half range become infinity,
// NaN stays NaN. Pure functions, thread-safe.
#pragma once

#include <cstdint>

namespace mlos::core {

uint16_t FloatToHalf(float value);
float HalfToFloat(uint16_t half);
uint16_t FloatToBFloat16(float value);
float BFloat16ToFloat(uint16_t value);

}  // namespace mlos::core
