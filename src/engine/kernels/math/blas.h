// Gemm: the one matrix-multiply entry point of the engine's kernels.
//
// Row-major C[m x n] = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose and
// lda/ldb/ldc are row strides as stored. float and double go to OpenBLAS (which runs its own
// threads, so callers must not call Gemm from inside a ParallelFor); integer types use a plain
// loop. When beta is 0, C is overwritten without being read.
#pragma once

#include <cstdint>

namespace mlos::engine {

template <typename T>
void Gemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

}  // namespace mlos::engine
