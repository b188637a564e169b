#include "engine/kernels/common/array_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mlos::engine {
namespace {

// The tanh form's relative tolerance: 1e-6, but in the negative tail (x < -3, |gelu(x)| < 4e-3)
// the float rounding of its exponent's argument alone is a few 1e-6 relative.
double TanhTolerance(double x) { return x < -3.0 ? 2e-5 : 1e-6; }

// 1003 values over [-9, 12): full vectors of either width and a partial tail.
std::vector<float> Inputs() {
  std::vector<float> values;
  for (int i = 0; i < 1003; ++i) values.push_back(-9.0f + 0.02094f * static_cast<float>(i));
  return values;
}

TEST(ArrayMathTest, GeluErfArrayMatchesTheErfFormula) {
  std::vector<float> in = Inputs(), out(in.size());
  GeluErfArray(in.data(), out.data(), static_cast<int64_t>(in.size()));
  for (size_t i = 0; i < in.size(); ++i) {
    const double x = in[i];
    const double exact = 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    EXPECT_NEAR(out[i], exact, 1e-6 * std::fabs(exact)) << x;
  }
}

TEST(ArrayMathTest, GeluTanhArrayMatchesTheTanhFormula) {
  std::vector<float> in = Inputs();
  std::vector<float> out = in;
  GeluTanhArray(out.data(), out.data(), static_cast<int64_t>(out.size()));  // in place
  for (size_t i = 0; i < in.size(); ++i) {
    const double x = in[i];
    const double exact =
        x / (1.0 + std::exp(-2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    EXPECT_NEAR(out[i], exact, TanhTolerance(x) * std::fabs(exact)) << x;
  }
}

TEST(ArrayMathTest, SoftmaxArraySumsToOneAndMatchesDouble) {
  std::vector<float> in = Inputs(), out(in.size());
  SoftmaxArray(in.data(), out.data(), static_cast<int64_t>(in.size()));
  double sum = 0;
  for (float x : in) sum += std::exp(static_cast<double>(x) - 12.0);
  double total = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const double exact = std::exp(static_cast<double>(in[i]) - 12.0) / sum;
    EXPECT_NEAR(out[i], exact, 1e-6 * exact + 1e-12) << i;
    total += out[i];
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
}

#if defined(__x86_64__)
TEST(ArrayMathTest, Avx2VariantsExistOnX86) {
  EXPECT_NE(Avx2ArrayMath(), nullptr);
}
#endif

}  // namespace
}  // namespace mlos::engine
