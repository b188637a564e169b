// MatMul (opset 1, 9, 13): numpy matmul. A 1-D first input is promoted to a row [1, K] and a 1-D
// second input to a column [K, 1], the added dimension being removed from the result; the batch
// dimensions (all but the last two) broadcast. When B has no batch (the usual Linear layer),
// A's batch folds into its rows and the product is one GEMM.
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/math/dispatch.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

struct MatMulPlan {
  Shape output_shape;
  Shape batch_shape;
  int64_t m = 0, n = 0, k = 0;
  // Per output batch: offsets (in elements) of the A and B matrices.
  std::vector<int64_t> a_offsets, b_offsets;
  bool fold_batch_into_rows = false;
};

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

class MatMulKernel final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& a = context.input(0);
    const Tensor& b = context.input(1);
    if (a.dtype() != b.dtype()) {
      return InvalidArgument(std::string("input 1 (B): element type ") + Name(b.dtype()) +
                             " does not match " + Name(a.dtype()) + " of input 0 (A)");
    }
    ASSIGN_OR_RETURN(MatMulPlan plan, PlanMatMul(a.shape(), b.shape()));
    Tensor& y = context.outputs[0];
    y = Tensor(a.dtype(), plan.output_shape);
    return Dispatch<float, double, int32_t, int64_t>(a.dtype(), "MatMul", [&](auto zero) {
      using T = decltype(zero);
      const T* a_data = a.data<T>();
      const T* b_data = b.data<T>();
      T* y_data = y.data<T>();
      if (plan.k == 0 || y.element_count() == 0) return Status::Ok();  // y is zero-filled
      if (plan.fold_batch_into_rows) {
        const int64_t rows = ElementCount(plan.batch_shape) * plan.m;
        Gemm<T>(false, false, rows, plan.n, plan.k, T(1), a_data, plan.k, b_data, plan.n, T(0),
                y_data, plan.n);
        return Status::Ok();
      }
      for (size_t i = 0; i < plan.a_offsets.size(); ++i) {
        Gemm<T>(false, false, plan.m, plan.n, plan.k, T(1), a_data + plan.a_offsets[i], plan.k,
                b_data + plan.b_offsets[i], plan.n, T(0), y_data + i * plan.m * plan.n, plan.n);
      }
      return Status::Ok();
    });
  }
};

StatusOr<std::unique_ptr<Kernel>> CreateMatMul(const KernelInit&) {
  return std::unique_ptr<Kernel>(std::make_unique<MatMulKernel>());
}

}  // namespace

void RegisterMatMulKernel(KernelRegistry& registry) {
  registry.Register({"", "MatMul", 1, 1 << 30, DataTypesOf<float, double, int32_t, int64_t>(),
                     &CreateMatMul});
}

}  // namespace mlos::engine
