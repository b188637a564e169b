#include "engine/kernels/signal/fft.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mlos::engine {
namespace {

// The O(n^2) definition, as the reference.
std::vector<Complex> NaiveTransform(const std::vector<Complex>& x, bool inverse) {
  const size_t n = x.size();
  std::vector<Complex> y(n);
  for (size_t k = 0; k < n; ++k) {
    for (size_t j = 0; j < n; ++j) {
      const double angle =
          (inverse ? 2.0 : -2.0) * M_PI * static_cast<double>(j * k % n) / static_cast<double>(n);
      y[k] += x[j] * std::polar(1.0, angle);
    }
  }
  return y;
}

TEST(FourierTransformTest, MatchesTheDefinitionForEveryLengthUpTo70) {
  std::vector<Complex> scratch;
  for (size_t n = 1; n <= 70; ++n) {
    const FourierTransform transform(n);
    std::vector<Complex> x(n);
    for (size_t j = 0; j < n; ++j) x[j] = Complex(std::sin(1.3 * j + n), std::cos(0.7 * j * j));
    for (bool inverse : {false, true}) {
      std::vector<Complex> y = x;
      transform.Run(y.data(), inverse, scratch);
      const std::vector<Complex> expected = NaiveTransform(x, inverse);
      for (size_t k = 0; k < n; ++k) {
        ASSERT_NEAR(std::abs(y[k] - expected[k]), 0.0, 1e-10 * n) << "n=" << n << " k=" << k;
      }
    }
  }
}

TEST(FourierTransformTest, LongPrimeLengthRoundTrips) {
  const size_t n = 10007;  // prime: the Bluestein path with a 32768-point inner FFT
  const FourierTransform transform(n);
  std::vector<Complex> x(n), scratch;
  for (size_t j = 0; j < n; ++j) x[j] = Complex(std::sin(0.01 * j), std::cos(0.003 * j * j));
  std::vector<Complex> y = x;
  transform.Run(y.data(), false, scratch);
  transform.Run(y.data(), true, scratch);
  for (size_t j = 0; j < n; ++j) ASSERT_NEAR(std::abs(y[j] / double(n) - x[j]), 0.0, 1e-9);
}

}  // namespace
}  // namespace mlos::engine
