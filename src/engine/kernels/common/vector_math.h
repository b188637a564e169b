// Vectorised float math for the hot elementwise loops (Softmax, Gelu, fused epilogues).
//
// FloatVec is four floats in one GCC/Clang vector-extension value (one SSE register on the
// baseline x86-64 target); FloatVec8 is eight (one AVX register), used only by code compiled for
// AVX2 (array_math_avx2.cc). The functions are templates over the vector type V and are
// branch-free polynomial approximations, so a loop over vectors runs without calls into libm:
//   Exp(x)      relative error below 2e-7 for x in [-87.33, 88.37] (normal float results);
//               0 below (denormal results flush to zero), exp(88.37) up to 88.72, +inf above,
//               NaN stays NaN.
//   GeluErf(x)  x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), relative error below 1e-6 for
//               all x: the negative tail is computed as erfc (with exp(-z^2) from an exactly
//               split square), so it stays accurate where 1 + erf(.) would cancel.
//   GeluTanh(x) 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) written as x / (1 + exp(-2u)),
//               relative error below 1e-6 for x >= -3; below, the float rounding of 2u (6 to
//               40 there) alone costs a few 1e-6 relative, as it does in the unfused graph.
// MapFloats<V>(in, out, n, fn) applies a V -> V function to n floats, the tail through a padded
// vector; `out` may equal `in`. SoftmaxRow<V> normalises one contiguous row.
#pragma once

#include <cstdint>
#include <cstring>

namespace mlos::engine::vector_math {

typedef float FloatVec __attribute__((vector_size(16)));
typedef int32_t IntVec __attribute__((vector_size(16)));
typedef float FloatVec8 __attribute__((vector_size(32)));
typedef int32_t IntVec8 __attribute__((vector_size(32)));

template <typename V>
struct VecTraits;
template <>
struct VecTraits<FloatVec> {
  using Int = IntVec;
  static constexpr int kLanes = 4;
};
template <>
struct VecTraits<FloatVec8> {
  using Int = IntVec8;
  static constexpr int kLanes = 8;
};
template <typename V>
inline constexpr int kLanesOf = VecTraits<V>::kLanes;
inline constexpr int kLanes = kLanesOf<FloatVec>;

template <typename V = FloatVec>
inline V Splat(float value) {
  return V{} + value;
}
template <typename V = FloatVec>
inline V Load(const float* values) {
  V v;
  std::memcpy(&v, values, sizeof(v));
  return v;
}
template <typename V>
inline void Store(float* values, V v) {
  std::memcpy(values, &v, sizeof(v));
}
// Min and Max keep a NaN in `a`.
template <typename V>
inline V Min(V a, V b) {
  return a > b ? b : a;
}
template <typename V>
inline V Max(V a, V b) {
  return a < b ? b : a;
}
template <typename V>
inline float HorizontalMax(V v) {
  float result = v[0];
  for (int i = 1; i < kLanesOf<V>; ++i) result = v[i] > result ? v[i] : result;
  return result;
}
template <typename V>
inline float HorizontalSum(V v) {
  float result = 0.0f;
  for (int i = 0; i < kLanesOf<V>; ++i) result += v[i];
  return result;
}

// e^(hi + lo), |lo| small beside 1: hi = n ln2 + r with |r| <= ln2 / 2, then e^(r + lo) by its
// Taylor polynomial to degree 7 (truncation below 1e-8), 2^n put straight into the exponent
// bits. The split argument lets a caller pass a sum that float could not hold exactly.
template <typename V>
inline V ExpOfSum(V hi, V lo) {
  using Int = typename VecTraits<V>::Int;
  // Clamped so that 2^n and e^r below stay normal floats: n in [-126, 127], r > 0 at n = -126.
  const V x = Min(Max(hi, Splat<V>(-87.33f)), Splat<V>(88.37f));
  // Adding 1.5 * 2^23 rounds x / ln2 to the nearest integer, which lands in the low mantissa bits.
  const V kRoundingShift = Splat<V>(12582912.0f);
  const V shifted = x * Splat<V>(1.44269504088896341f) + kRoundingShift;
  const V n = shifted - kRoundingShift;
  // ln2 in two parts, so that n * ln2_high is exact.
  const V r = (x - n * Splat<V>(0.693359375f)) + n * Splat<V>(2.12194440e-4f) + lo;
  V p = Splat<V>(1.0f / 5040.0f);
  p = p * r + Splat<V>(1.0f / 720.0f);
  p = p * r + Splat<V>(1.0f / 120.0f);
  p = p * r + Splat<V>(1.0f / 24.0f);
  p = p * r + Splat<V>(1.0f / 6.0f);
  p = p * r + Splat<V>(0.5f);
  p = p * r + Splat<V>(1.0f);
  p = p * r + Splat<V>(1.0f);
  Int n_bits;
  std::memcpy(&n_bits, &shifted, sizeof(n_bits));
  const Int scale_bits = (n_bits - 0x4B400000) << 23;  // n, from the shifted float's bits
  Int p_bits;
  std::memcpy(&p_bits, &p, sizeof(p_bits));
  p_bits += scale_bits;
  std::memcpy(&p, &p_bits, sizeof(p));
  p = hi < Splat<V>(-87.33f) ? Splat<V>(0.0f) : p;
  p = hi > Splat<V>(88.7228f) ? Splat<V>(__builtin_inff()) : p;
  return hi != hi ? hi : p;  // NaN
}

template <typename V>
inline V Exp(V x) {
  return ExpOfSum(x, Splat<V>(0.0f));
}

// -z^2 as hi + lo with hi exact: z_hi (z with its low 12 mantissa bits cleared) squares exactly,
// and z^2 - z_hi^2 = (z - z_hi)(z + z_hi) is small.
template <typename V>
inline void NegativeSquare(V z, V& hi, V& lo) {
  using Int = typename VecTraits<V>::Int;
  Int bits;
  std::memcpy(&bits, &z, sizeof(bits));
  bits &= Int{} + ~0xFFF;
  V z_hi;
  std::memcpy(&z_hi, &bits, sizeof(z_hi));
  hi = -(z_hi * z_hi);
  lo = -((z - z_hi) * (z + z_hi));
}

// erfc(x / sqrt 2) for x >= 0: with z = x / sqrt 2, exp(-z^2) * t * P(t), t = 1 / (1 + 0.4 z),
// where P is a degree-9 least-squares fit of erfc(z) e^(z^2) / t on [0, 9.5] in relative error
// (2e-7 evaluated in float). -z^2 is taken as -x^2 / 2 from an exact split of x, since rounding
// z or z^2 to float would alone cost up to 5e-6 relative in the tail.
template <typename V>
inline V ErfcOfScaled(V x) {
  const V t = Splat<V>(1.0f) / (Splat<V>(1.0f) + Splat<V>(0.4f * 0.70710678118654752f) * x);
  V p = Splat<V>(-2.891897905e-02f);
  p = p * t + Splat<V>(1.949946684e-01f);
  p = p * t + Splat<V>(-4.932396544e-01f);
  p = p * t + Splat<V>(5.420326552e-01f);
  p = p * t + Splat<V>(-2.815461667e-01f);
  p = p * t + Splat<V>(2.714385330e-01f);
  p = p * t + Splat<V>(1.295960876e-01f);
  p = p * t + Splat<V>(2.149997165e-01f);
  p = p * t + Splat<V>(2.249350243e-01f);
  p = p * t + Splat<V>(2.257081436e-01f);
  V minus_square_hi, minus_square_lo;
  NegativeSquare(x, minus_square_hi, minus_square_lo);
  const V half = Splat<V>(0.5f);
  return ExpOfSum(minus_square_hi * half, minus_square_lo * half) * t * p;
}

template <typename V>
inline V GeluErf(V x) {
  const V zero = Splat<V>(0.0f);
  const V tail = ErfcOfScaled(x < zero ? -x : x);
  // 1 + erf(x / sqrt 2) is erfc(-x / sqrt 2): the tail itself for x < 0, 2 - tail otherwise.
  const V one_plus_erf = x < zero ? tail : Splat<V>(2.0f) - tail;
  return Splat<V>(0.5f) * x * one_plus_erf;
}

template <typename V>
inline V GeluTanh(V x) {
  const V u = Splat<V>(0.7978845608028654f) * (x + Splat<V>(0.044715f) * x * x * x);
  return x / (Splat<V>(1.0f) + Exp(Splat<V>(-2.0f) * u));
}

template <typename V, typename Fn>
void MapFloats(const float* in, float* out, int64_t count, const Fn& fn) {
  constexpr int kWidth = kLanesOf<V>;
  int64_t i = 0;
  for (; i + kWidth <= count; i += kWidth) Store(out + i, fn(Load<V>(in + i)));
  if (i < count) {
    float tail[kWidth] = {};
    std::memcpy(tail, in + i, static_cast<size_t>(count - i) * sizeof(float));
    const V result = fn(Load<V>(tail));
    std::memcpy(out + i, &result, static_cast<size_t>(count - i) * sizeof(float));
  }
}

// out = softmax(in) over n contiguous floats; `out` may equal `in`.
template <typename V>
void SoftmaxRow(const float* in, float* out, int64_t n) {
  constexpr int kWidth = kLanesOf<V>;
  int64_t j = 0;
  V vector_max = Splat<V>(-__builtin_inff());
  for (; j + kWidth <= n; j += kWidth) vector_max = Max(vector_max, Load<V>(in + j));
  float max = HorizontalMax(vector_max);
  for (; j < n; ++j) max = in[j] > max ? in[j] : max;
  const V shift = Splat<V>(max);
  V vector_sum = Splat<V>(0.0f);
  auto exp = [&](V v) { return Exp(v - shift); };
  for (j = 0; j + kWidth <= n; j += kWidth) {
    const V e = exp(Load<V>(in + j));
    vector_sum += e;
    Store(out + j, e);
  }
  float sum = HorizontalSum(vector_sum);
  if (j < n) {
    MapFloats<V>(in + j, out + j, n - j, exp);
    for (; j < n; ++j) sum += out[j];
  }
  const V scale = Splat<V>(1.0f / sum);
  MapFloats<V>(out, out, n, [&](V v) { return v * scale; });
}

// One float through a FloatVec function (tests, scalar tails).
template <typename Fn>
float ApplyScalar(const Fn& fn, float value) {
  return fn(Splat<FloatVec>(value))[0];
}

}  // namespace mlos::engine::vector_math
