#include "engine/kernels/common/array_math.h"

#include "engine/kernels/common/vector_math.h"

namespace mlos::engine {
namespace {

using vector_math::FloatVec;

void GeluErfBaseline(const float* in, float* out, int64_t count) {
  vector_math::MapFloats<FloatVec>(in, out, count,
                                   [](FloatVec v) { return vector_math::GeluErf(v); });
}

void GeluTanhBaseline(const float* in, float* out, int64_t count) {
  vector_math::MapFloats<FloatVec>(in, out, count,
                                   [](FloatVec v) { return vector_math::GeluTanh(v); });
}

void SoftmaxBaseline(const float* in, float* out, int64_t count) {
  vector_math::SoftmaxRow<FloatVec>(in, out, count);
}

bool CpuHasAvx2AndFma() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

const ArrayMathFunctions& Selected() {
  static const ArrayMathFunctions selected = [] {
    const ArrayMathFunctions* avx2 = Avx2ArrayMath();
    if (avx2 != nullptr && CpuHasAvx2AndFma()) return *avx2;
    return ArrayMathFunctions{&GeluErfBaseline, &GeluTanhBaseline, &SoftmaxBaseline};
  }();
  return selected;
}

}  // namespace

void GeluErfArray(const float* in, float* out, int64_t count) {
  Selected().gelu_erf(in, out, count);
}

void GeluTanhArray(const float* in, float* out, int64_t count) {
  Selected().gelu_tanh(in, out, count);
}

void SoftmaxArray(const float* in, float* out, int64_t count) {
  Selected().softmax(in, out, count);
}

}  // namespace mlos::engine
