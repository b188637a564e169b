// Gemm: the one matrix-multiply entry point of the engine's kernels.
//
// Row-major C[m x n] = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose and
// lda/ldb/ldc are row strides as stored. When beta is 0, C is overwritten without being read.
//
// float and double run in OpenBLAS, held to one thread per call: the engine's own ThreadPool is
// the only source of parallelism, so that OpenBLAS's spinning workers never compete with ours for
// the cores (on a 2-core machine that halved the speed of every other kernel). With a pool, a
// large product is split into blocks of rows (or of columns, when there are few rows), one
// OpenBLAS call per block, spread over the pool. A null pool runs it in one call on the caller's
// thread: pass null when calling from inside a ParallelFor. Integer types use a plain loop.
#pragma once

#include <cstdint>

#include "engine/thread_pool.h"

namespace mlos::engine {

template <typename T>
void Gemm(ThreadPool* pool, bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k,
          T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// Holds OpenBLAS to one thread (once per process; Gemm does it on its first call).
void UseSingleThreadedBlas();

}  // namespace mlos::engine
