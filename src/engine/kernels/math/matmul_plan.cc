#include "engine/kernels/math/matmul_plan.h"

#include <algorithm>
#include <string>

#include "engine/kernels/math/blas.h"

namespace mlos::engine {
namespace {

// Strides of `batch` (right-aligned against `out_batch`) in matrices; 0 where broadcast.
std::vector<int64_t> BatchStrides(const Shape& batch, const Shape& out_batch, int64_t matrix_size) {
  std::vector<int64_t> strides(out_batch.size(), 0);
  int64_t stride = matrix_size;
  const size_t offset = out_batch.size() - batch.size();
  for (size_t i = batch.size(); i-- > 0;) {
    strides[i + offset] = batch[i] == 1 ? 0 : stride;
    stride *= batch[i];
  }
  return strides;
}

}  // namespace

StatusOr<MatMulPlan> PlanMatMul(const Shape& a_in, const Shape& b_in) {
  if (a_in.empty() || b_in.empty()) {
    return InvalidArgument(std::string(a_in.empty() ? "input 0 (A)" : "input 1 (B)") +
                           ": MatMul needs at least 1 dimension, got a scalar");
  }
  Shape a = a_in.size() == 1 ? Shape{1, a_in[0]} : a_in;
  Shape b = b_in.size() == 1 ? Shape{b_in[0], 1} : b_in;
  MatMulPlan plan;
  plan.m = a[a.size() - 2];
  plan.k = a.back();
  plan.n = b.back();
  if (b[b.size() - 2] != plan.k) {
    return InvalidArgument("input 1 (B): inner dimension " + std::to_string(b[b.size() - 2]) +
                           " does not match " + std::to_string(plan.k) + " of input 0 (A) " +
                           ShapeToString(a_in));
  }
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  const size_t rank = std::max(a_batch.size(), b_batch.size());
  plan.batch_shape.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i + a_batch.size() >= rank ? a_batch[i + a_batch.size() - rank] : 1;
    const int64_t db = i + b_batch.size() >= rank ? b_batch[i + b_batch.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      return InvalidArgument("input 1 (B): batch dimensions " + ShapeToString(b_batch) +
                             " do not broadcast with " + ShapeToString(a_batch) +
                             " of input 0 (A)");
    }
    plan.batch_shape[i] = da == 1 ? db : da;
  }
  plan.output_shape = plan.batch_shape;
  if (a_in.size() > 1) plan.output_shape.push_back(plan.m);
  if (b_in.size() > 1) plan.output_shape.push_back(plan.n);

  const int64_t b_batch_count = ElementCount(b_batch);
  const int64_t a_batch_count = ElementCount(a_batch);
  plan.fold_batch_into_rows = b_batch_count == 1 && a_batch_count == ElementCount(plan.batch_shape);
  if (plan.fold_batch_into_rows) return plan;

  const std::vector<int64_t> a_strides = BatchStrides(a_batch, plan.batch_shape, plan.m * plan.k);
  const std::vector<int64_t> b_strides = BatchStrides(b_batch, plan.batch_shape, plan.k * plan.n);
  const int64_t batches = ElementCount(plan.batch_shape);
  std::vector<int64_t> index(rank, 0);
  int64_t a_offset = 0, b_offset = 0;
  for (int64_t i = 0; i < batches; ++i) {
    plan.a_offsets.push_back(a_offset);
    plan.b_offsets.push_back(b_offset);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < plan.batch_shape[d]) {
        a_offset += a_strides[d];
        b_offset += b_strides[d];
        break;
      }
      a_offset -= a_strides[d] * (plan.batch_shape[d] - 1);
      b_offset -= b_strides[d] * (plan.batch_shape[d] - 1);
      index[d] = 0;
    }
  }
  return plan;
}

template <typename T>
void ExecuteMatMulPlan(ThreadPool* pool, const MatMulPlan& plan, const T* a, const T* b, T* y) {
  if (plan.m * plan.n * plan.k == 0) return;
  if (plan.fold_batch_into_rows) {
    const int64_t rows = ElementCount(plan.batch_shape) * plan.m;
    Gemm<T>(pool, false, false, rows, plan.n, plan.k, T(1), a, plan.k, b, plan.n, T(0), y, plan.n);
    return;
  }
  const auto batch_product = [&](ThreadPool* inner_pool, int64_t i) {
    Gemm<T>(inner_pool, false, false, plan.m, plan.n, plan.k, T(1), a + plan.a_offsets[i], plan.k,
            b + plan.b_offsets[i], plan.n, T(0), y + i * plan.m * plan.n, plan.n);
  };
  const int64_t batches = static_cast<int64_t>(plan.a_offsets.size());
  const int threads = pool == nullptr ? 1 : pool->thread_count();
  if (batches >= threads) {
    // Whole products per thread (attention's heads): no product is split.
    const double flops = static_cast<double>(plan.m * plan.n * plan.k);
    ParallelFor(pool, batches, flops, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) batch_product(nullptr, i);
    });
    return;
  }
  for (int64_t i = 0; i < batches; ++i) batch_product(pool, i);
}

template void ExecuteMatMulPlan<float>(ThreadPool*, const MatMulPlan&, const float*, const float*, float*);
template void ExecuteMatMulPlan<double>(ThreadPool*, const MatMulPlan&, const double*, const double*, double*);
template void ExecuteMatMulPlan<int32_t>(ThreadPool*, const MatMulPlan&, const int32_t*, const int32_t*,
                                         int32_t*);
template void ExecuteMatMulPlan<int64_t>(ThreadPool*, const MatMulPlan&, const int64_t*, const int64_t*,
                                         int64_t*);

}  // namespace mlos::engine
