#include "engine/kernels/common/vector_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mlos::engine::vector_math {
namespace {

// The tanh form's relative tolerance: 1e-6, but in the negative tail (x < -3, |gelu(x)| < 4e-3)
// the float rounding of its exponent's argument alone is a few 1e-6 relative.
double TanhTolerance(double x) { return x < -3.0 ? 2e-5 : 1e-6; }

double GeluErfReference(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
double GeluTanhReference(double x) {
  return x / (1.0 + std::exp(-2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

TEST(VectorMathTest, ExpIsWithin2e7RelativeOfStdExp) {
  for (double x = -87.3; x <= 88.3; x += 0.00731) {
    const float value = static_cast<float>(x);
    const double exact = std::exp(static_cast<double>(value));
    EXPECT_NEAR(ApplyScalar([](FloatVec v) { return Exp(v); }, value), exact, 2e-7 * exact) << x;
  }
}

TEST(VectorMathTest, ExpOfOutOfRangeInputs) {
  auto exp = [](FloatVec v) { return Exp(v); };
  EXPECT_EQ(ApplyScalar(exp, -1000.0f), 0.0f);
  EXPECT_EQ(ApplyScalar(exp, -__builtin_inff()), 0.0f);
  EXPECT_EQ(ApplyScalar(exp, 1000.0f), __builtin_inff());
  EXPECT_TRUE(std::isnan(ApplyScalar(exp, __builtin_nanf(""))));
  EXPECT_FLOAT_EQ(ApplyScalar(exp, 0.0f), 1.0f);
}

TEST(VectorMathTest, GeluErfIsWithin1e6RelativeOfTheErfFormula) {
  for (double x = -9.0; x <= 12.0; x += 0.000913) {
    const float value = static_cast<float>(x);
    const double exact = GeluErfReference(value);
    const double got = ApplyScalar([](FloatVec v) { return GeluErf(v); }, value);
    EXPECT_NEAR(got, exact, 1e-6 * std::fabs(exact)) << x;
  }
}

TEST(VectorMathTest, GeluTanhIsWithin1e6RelativeOfTheTanhFormula) {
  for (double x = -9.0; x <= 12.0; x += 0.000913) {
    const float value = static_cast<float>(x);
    const double exact = GeluTanhReference(value);
    const double got = ApplyScalar([](FloatVec v) { return GeluTanh(v); }, value);
    EXPECT_NEAR(got, exact, TanhTolerance(x) * std::fabs(exact)) << x;
  }
}

TEST(VectorMathTest, MapFloatsCoversTheTailInPlace) {
  std::vector<float> values(19);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) - 9.0f;
  MapFloats<FloatVec>(values.data(), values.data(), static_cast<int64_t>(values.size()),
            [](FloatVec v) { return v * Splat(2.0f); });
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i], 2.0f * (static_cast<float>(i) - 9.0f)) << i;
  }
}

}  // namespace
}  // namespace mlos::engine::vector_math
