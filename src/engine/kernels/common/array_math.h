// Whole-array float math on the widest vectors this CPU runs: AVX2 + FMA when it has them (the
// variants compiled in array_math_avx2.cc), else the baseline FloatVec code. The choice is made
// once, at first use. Accuracy as in vector_math.h (FMA only changes rounding).
#pragma once

#include <cstdint>

namespace mlos::engine {

// out[i] = x Phi(x) (exact erf form) or its tanh approximation, for i < count; out may equal in.
void GeluErfArray(const float* in, float* out, int64_t count);
void GeluTanhArray(const float* in, float* out, int64_t count);

// out = softmax(in) over `count` contiguous floats; out may equal in.
void SoftmaxArray(const float* in, float* out, int64_t count);

// The variants of the functions above for one instruction set: a table of function pointers.
struct ArrayMathFunctions {
  void (*gelu_erf)(const float*, float*, int64_t) = nullptr;
  void (*gelu_tanh)(const float*, float*, int64_t) = nullptr;
  void (*softmax)(const float*, float*, int64_t) = nullptr;
};

// The AVX2 + FMA variants (array_math_avx2.cc), or nullptr where that file was built without
// those instructions (not x86-64).
const ArrayMathFunctions* Avx2ArrayMath();

}  // namespace mlos::engine
