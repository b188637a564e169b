// The AVX2 + FMA variants of array_math.h. CMake compiles this one file with -mavx2 -mfma on
// x86-64; array_math.cc calls into it only after checking the CPU. So that no AVX2 code leaks
// into functions other files share (inline functions are merged at link time), this file
// instantiates vector_math.h only with FloatVec8 and includes nothing else that has code.
#include "engine/kernels/common/array_math.h"

#if defined(__AVX2__) && defined(__FMA__)
#include "engine/kernels/common/vector_math.h"
#endif

namespace mlos::engine {

#if defined(__AVX2__) && defined(__FMA__)
namespace {

using vector_math::FloatVec8;

void GeluErfAvx2(const float* in, float* out, int64_t count) {
  vector_math::MapFloats<FloatVec8>(in, out, count,
                                    [](FloatVec8 v) { return vector_math::GeluErf(v); });
}

void GeluTanhAvx2(const float* in, float* out, int64_t count) {
  vector_math::MapFloats<FloatVec8>(in, out, count,
                                    [](FloatVec8 v) { return vector_math::GeluTanh(v); });
}

void SoftmaxAvx2(const float* in, float* out, int64_t count) {
  vector_math::SoftmaxRow<FloatVec8>(in, out, count);
}

constexpr ArrayMathFunctions kAvx2Functions{&GeluErfAvx2, &GeluTanhAvx2, &SoftmaxAvx2};

}  // namespace

const ArrayMathFunctions* Avx2ArrayMath() { return &kAvx2Functions; }
#else
const ArrayMathFunctions* Avx2ArrayMath() { return nullptr; }
#endif

}  // namespace mlos::engine
