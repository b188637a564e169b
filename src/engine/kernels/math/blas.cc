#include "engine/kernels/math/blas.h"

#include <cblas.h>

#include <algorithm>
#include <mutex>

namespace mlos::engine {
namespace {

CBLAS_TRANSPOSE Op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// Below this many multiply-adds a product runs in one call: splitting costs more than it saves.
constexpr double kMinParallelFlops = 1 << 18;
// Column blocks are multiples of this many columns (a cache line of floats), rows are not rounded.
constexpr int64_t kColumnAlignment = 16;

// One output row (a decoder step, a batch of one) is a matrix-vector product: OpenBLAS's gemv
// streams B once, where its gemm would first copy B into packed panels (2-3x slower on weights
// that are not in cache).
template <typename T, typename Gemv, typename Gemm>
void BlasCall(Gemv gemv, Gemm gemm, bool transpose_a, bool transpose_b, int64_t m, int64_t n,
              int64_t k, T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
              int64_t ldc) {
  const auto i = [](int64_t value) { return static_cast<blasint>(value); };
  if (m == 1) {
    // gemv scales c by beta first; c may be uninitialised memory, where 0 * NaN would stay NaN.
    if (beta == T(0)) std::fill(c, c + n, T(0));
    // c = op(B)^T a: B [k x n] stored row-major is read transposed; B^T stored [n x k] is not.
    gemv(CblasRowMajor, transpose_b ? CblasNoTrans : CblasTrans, transpose_b ? i(n) : i(k),
         transpose_b ? i(k) : i(n), alpha, b, i(ldb), a, transpose_a ? i(lda) : 1, beta, c, 1);
    return;
  }
  gemm(CblasRowMajor, Op(transpose_a), Op(transpose_b), i(m), i(n), i(k), alpha, a, i(lda), b,
       i(ldb), beta, c, i(ldc));
}

void BlasCall(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
              const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
              int64_t ldc) {
  BlasCall<float>(&cblas_sgemv, &cblas_sgemm, transpose_a, transpose_b, m, n, k, alpha, a, lda, b,
                  ldb, beta, c, ldc);
}

void BlasCall(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, double alpha,
              const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
              int64_t ldc) {
  BlasCall<double>(&cblas_dgemv, &cblas_dgemm, transpose_a, transpose_b, m, n, k, alpha, a, lda,
                   b, ldb, beta, c, ldc);
}

// Splits the product over the pool along its larger side: each block's OpenBLAS call packs the
// whole of the other operand, so splitting the smaller side would pack the larger operand once
// per thread.
template <typename T>
void BlockedBlas(ThreadPool* pool, bool transpose_a, bool transpose_b, int64_t m, int64_t n,
                 int64_t k, T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
                 int64_t ldc) {
  const int threads = pool == nullptr ? 1 : pool->thread_count();
  const double flops = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  if (threads == 1 || flops < kMinParallelFlops) {
    BlasCall(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const bool by_rows = m > n;
  const int64_t extent = by_rows ? m : n;
  const int64_t unit = by_rows ? 1 : kColumnAlignment;
  const int64_t units = (extent + unit - 1) / unit;
  const int64_t blocks = std::min<int64_t>(units, threads);
  // One block per thread; ParallelFor hands each a contiguous range of blocks.
  pool->ParallelFor(blocks, flops / static_cast<double>(blocks), [&](int64_t first, int64_t last) {
    const int64_t begin = std::min(extent, units * first / blocks * unit);
    const int64_t end = std::min(extent, units * last / blocks * unit);
    if (begin >= end) return;
    if (by_rows) {
      const T* a_block = transpose_a ? a + begin : a + begin * lda;
      BlasCall(transpose_a, transpose_b, end - begin, n, k, alpha, a_block, lda, b, ldb, beta,
               c + begin * ldc, ldc);
    } else {
      const T* b_block = transpose_b ? b + begin * ldb : b + begin;
      BlasCall(transpose_a, transpose_b, m, end - begin, k, alpha, a, lda, b_block, ldb, beta,
               c + begin, ldc);
    }
  });
}

}  // namespace

void UseSingleThreadedBlas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

template <>
void Gemm<float>(ThreadPool* pool, bool transpose_a, bool transpose_b, int64_t m, int64_t n,
                 int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                 float beta, float* c, int64_t ldc) {
  UseSingleThreadedBlas();
  BlockedBlas(pool, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

template <>
void Gemm<double>(ThreadPool* pool, bool transpose_a, bool transpose_b, int64_t m, int64_t n,
                  int64_t k, double alpha, const double* a, int64_t lda, const double* b,
                  int64_t ldb, double beta, double* c, int64_t ldc) {
  UseSingleThreadedBlas();
  BlockedBlas(pool, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

template <typename T>
void Gemm(ThreadPool* /*pool*/, bool transpose_a, bool transpose_b, int64_t m, int64_t n,
          int64_t k, T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
          int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    for (int64_t j = 0; j < n; ++j) row[j] = beta == T(0) ? T(0) : beta * row[j];
    for (int64_t p = 0; p < k; ++p) {
      const T a_value = alpha * (transpose_a ? a[p * lda + i] : a[i * lda + p]);
      if (a_value == T(0)) continue;
      for (int64_t j = 0; j < n; ++j) {
        row[j] += a_value * (transpose_b ? b[j * ldb + p] : b[p * ldb + j]);
      }
    }
  }
}

template void Gemm<int32_t>(ThreadPool*, bool, bool, int64_t, int64_t, int64_t, int32_t,
                            const int32_t*, int64_t, const int32_t*, int64_t, int32_t, int32_t*,
                            int64_t);
template void Gemm<int64_t>(ThreadPool*, bool, bool, int64_t, int64_t, int64_t, int64_t,
                            const int64_t*, int64_t, const int64_t*, int64_t, int64_t, int64_t*,
                            int64_t);

}  // namespace mlos::engine
