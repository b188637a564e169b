// Gemm split over a thread pool must give the single-call result for every way it can split:
// by rows or by column blocks, transposed operands, ragged edges, accumulating into C.
#include "engine/kernels/math/blas.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mlos::engine {
namespace {

std::vector<float> Values(int64_t count, float scale) {
  std::vector<float> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) values[i] = scale * static_cast<float>((i * 37) % 23 - 11);
  return values;
}

// C = alpha * op(A) * op(B) + beta * C, one dot product at a time.
std::vector<float> Reference(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                             const std::vector<float>& a, const std::vector<float>& b, float beta,
                             std::vector<float> c) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        sum += static_cast<double>(ta ? a[p * m + i] : a[i * k + p]) *
               static_cast<double>(tb ? b[j * k + p] : b[p * n + j]);
      }
      c[i * n + j] = static_cast<float>(alpha * sum + beta * c[i * n + j]);
    }
  }
  return c;
}

struct Case {
  int64_t m, n, k;
  bool transpose_a, transpose_b;
  float beta;
};

class BlasSplitTest : public ::testing::TestWithParam<Case> {};

TEST_P(BlasSplitTest, PoolSplitMatchesReference) {
  const Case& c = GetParam();
  const std::vector<float> a = Values(c.m * c.k, 0.01f), b = Values(c.k * c.n, 0.02f);
  const std::vector<float> initial = Values(c.m * c.n, 0.5f);
  const std::vector<float> expected =
      Reference(c.transpose_a, c.transpose_b, c.m, c.n, c.k, 1.5f, a, b, c.beta, initial);
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    std::vector<float> out = initial;
    Gemm<float>(&pool, c.transpose_a, c.transpose_b, c.m, c.n, c.k, 1.5f, a.data(),
                c.transpose_a ? c.m : c.k, b.data(), c.transpose_b ? c.k : c.n, c.beta,
                out.data(), c.n);
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_NEAR(out[i], expected[i], 1e-3f * (1.0f + std::fabs(expected[i])))
          << threads << " threads, element " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, BlasSplitTest,
    ::testing::Values(Case{200, 70, 90, false, false, 0.0f},   // more rows: split by rows
                      Case{9, 333, 120, false, false, 0.0f},   // more columns: 16-column blocks
                      Case{150, 40, 64, true, false, 1.0f},    // transposed A, accumulate
                      Case{24, 301, 64, false, true, 0.5f},    // transposed B, ragged last block
                      Case{1, 1000, 300, true, true, 0.0f},    // a single row
                      Case{3, 5, 7, false, false, 0.0f}));     // too small to split

}  // namespace
}  // namespace mlos::engine
