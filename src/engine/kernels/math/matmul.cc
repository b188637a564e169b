// MatMul (opset 1, 9, 13): numpy matmul (shape rules in matmul_plan.h) on Gemm.
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/matmul_plan.h"

namespace mlos::engine {
namespace {

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
    y = Tensor::Uninitialized(a.dtype(), plan.output_shape);
    return DispatchByType<TypeList<float, double, int32_t, int64_t>>(
        a.dtype(), "MatMul", [&](auto tag) {
          using T = typename decltype(tag)::type;
          ExecuteMatMulPlan<T>(context.pool, plan, a.data<T>(), b.data<T>(), y.data<T>());
          return Status::Ok();
        });
  }
};

StatusOr<std::unique_ptr<Kernel>> CreateMatMul(const KernelInit&) {
  return std::unique_ptr<Kernel>(std::make_unique<MatMulKernel>());
}

}  // namespace

void RegisterMatMulKernel(KernelRegistry& registry) {
  registry.Register({"", "MatMul", 1, 1 << 30,
                     DataTypesOf(TypeList<float, double, int32_t, int64_t>{}), &CreateMatMul});
}

}  // namespace mlos::engine
