// Gemm (opset 1, 6, 7, 9, 11, 13): Y = alpha * op(A) * op(B) + beta * C for 2-D A and B, where op
// transposes when transA/transB is set and C (optional from opset 11) broadcasts
// unidirectionally to [M, N]. Opset 7 through 13 share these semantics (later versions only
// widened the type lists), so one kernel serves them all. Before opset 7, C broadcasts only when
// the `broadcast` attribute is 1; otherwise it must be exactly [M, N].
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

class GemmKernel final : public Kernel {
 public:
  GemmKernel(bool transpose_a, bool transpose_b, float alpha, float beta, bool c_required,
             bool c_broadcasts)
      : transpose_a_(transpose_a),
        transpose_b_(transpose_b),
        alpha_(alpha),
        beta_(beta),
        c_required_(c_required),
        c_broadcasts_(c_broadcasts) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& a = context.input(0);
    const Tensor& b = context.input(1);
    if (a.shape().size() != 2) {
      return InvalidArgument("input 0 (A): Gemm needs a matrix, got shape " +
                             ShapeToString(a.shape()));
    }
    if (b.shape().size() != 2) {
      return InvalidArgument("input 1 (B): Gemm needs a matrix, got shape " +
                             ShapeToString(b.shape()));
    }
    if (b.dtype() != a.dtype()) {
      return InvalidArgument(std::string("input 1 (B): element type ") + Name(b.dtype()) +
                             " does not match " + Name(a.dtype()) + " of input 0 (A)");
    }
    const bool has_c = context.has_input(2);
    if (c_required_ && !has_c) return InvalidArgument("input 2 (C) is required before opset 11");
    if (has_c && context.input(2).dtype() != a.dtype()) {
      return InvalidArgument(std::string("input 2 (C): element type ") +
                             Name(context.input(2).dtype()) + " does not match " + Name(a.dtype()) +
                             " of input 0 (A)");
    }
    const int64_t m = transpose_a_ ? a.shape()[1] : a.shape()[0];
    const int64_t k = transpose_a_ ? a.shape()[0] : a.shape()[1];
    const int64_t b_k = transpose_b_ ? b.shape()[1] : b.shape()[0];
    const int64_t n = transpose_b_ ? b.shape()[0] : b.shape()[1];
    if (b_k != k) {
      return InvalidArgument("input 1 (B): inner dimension " + std::to_string(b_k) +
                             " does not match " + std::to_string(k) + " of input 0 (A)");
    }
    if (has_c && !c_broadcasts_ && context.input(2).shape() != Shape{m, n}) {
      return InvalidArgument("input 2 (C): shape " + ShapeToString(context.input(2).shape()) +
                             " must be [" + std::to_string(m) + ", " + std::to_string(n) +
                             "] when attribute 'broadcast' is 0");
    }
    Tensor& y = context.outputs[0];
    // Every element is written when there is something to sum (k > 0); else it is beta * C or 0.
    y = k > 0 ? Tensor::Uninitialized(a.dtype(), {m, n}) : Tensor(a.dtype(), {m, n});
    return DispatchByType<TypeList<float, double, int32_t, int64_t>>(
        a.dtype(), "Gemm", [&](auto tag) {
          using T = typename decltype(tag)::type;
          T* y_data = y.data<T>();
          T beta = T(0);
          if (has_c && beta_ != 0.0f) {
            RETURN_IF_ERROR(ExpandInto<T>(context.input(2), y.shape(), "input 2 (C)", y_data));
            beta = static_cast<T>(beta_);
          }
          if (m * n == 0) return Status::Ok();
          if (k == 0) {
            for (int64_t i = 0; i < m * n; ++i) y_data[i] *= beta;
            return Status::Ok();
          }
          Gemm<T>(context.pool, transpose_a_, transpose_b_, m, n, k, static_cast<T>(alpha_),
                  a.data<T>(), a.shape()[1], b.data<T>(), b.shape()[1], beta, y_data, n);
          return Status::Ok();
        });
  }

 private:
  const bool transpose_a_, transpose_b_;
  const float alpha_, beta_;
  const bool c_required_;
  const bool c_broadcasts_;
};

StatusOr<std::unique_ptr<Kernel>> CreateGemm(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<GemmKernel>(
      init.attributes.GetInt("transA", 0) != 0, init.attributes.GetInt("transB", 0) != 0,
      init.attributes.GetFloat("alpha", 1.0f), init.attributes.GetFloat("beta", 1.0f),
      init.opset < 11, init.opset >= 7 || init.attributes.GetInt("broadcast", 0) != 0));
}

}  // namespace

void RegisterGemmKernel(KernelRegistry& registry) {
  registry.Register({"", "Gemm", 1, 1 << 30,
                     DataTypesOf(TypeList<float, double, int32_t, int64_t>{}), &CreateGemm});
}

}  // namespace mlos::engine
