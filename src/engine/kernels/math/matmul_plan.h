// MatMulPlan: numpy matmul shape rules, shared by MatMul, MatMulInteger and QLinearMatMul.
//
// A 1-D first operand is promoted to a row [1, K] and a 1-D second operand to a column [K, 1], the
// added dimension being left out of the output shape; batch dimensions (all but the last two)
// broadcast. When B has no batch, A's batch folds into its rows (one GEMM of batch * M rows);
// otherwise the plan lists, per output batch, where its A and B matrices start.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

struct MatMulPlan {
  Shape output_shape;
  Shape batch_shape;
  int64_t m = 0, n = 0, k = 0;
  // Per output batch: offsets (in elements) of the A and B matrices.
  std::vector<int64_t> a_offsets, b_offsets;
  bool fold_batch_into_rows = false;
};

// InvalidArgument names the input whose inner or batch dimensions do not fit.
StatusOr<MatMulPlan> PlanMatMul(const Shape& a, const Shape& b);

// y = a x b as planned, with Gemm (T: float, double, int32_t, int64_t) over `pool` (may be null):
// batched products (as many as the pool has threads, or more) go whole to the threads, fewer are
// each split. y holds ElementCount(plan.output_shape) elements; it is left untouched when the
// product is empty.
template <typename T>
void ExecuteMatMulPlan(ThreadPool* pool, const MatMulPlan& plan, const T* a, const T* b, T* y);

}  // namespace mlos::engine
