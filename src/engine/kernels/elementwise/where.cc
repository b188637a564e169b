// Where: out = condition ? x : y, the three inputs broadcast together; x and y of any one type.
#include <array>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/broadcast.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"
#include "engine/thread_pool.h"

namespace mlos::engine {
namespace {

class WhereKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& condition = context.input(0);
    const Tensor& x = context.input(1);
    const Tensor& y = context.input(2);
    if (condition.dtype() != DataType::kBool) {
      return InvalidArgument(std::string("input 0 (condition): expected bool, got ") +
                             Name(condition.dtype()));
    }
    if (x.dtype() != y.dtype()) {
      return InvalidArgument(std::string("input 2 (Y): element type ") + Name(y.dtype()) +
                             " does not match input 1 (X) type " + Name(x.dtype()));
    }
    const std::array<Shape, 3> shapes = {condition.shape(), x.shape(), y.shape()};
    ASSIGN_OR_RETURN(BroadcastPlan plan, PlanBroadcast(shapes));
    return DispatchStorage(x.dtype(), "input 1 (X)", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor output = Tensor::Uninitialized(x.dtype(), plan.output_shape);
      const bool* conditions = condition.data<bool>();
      const T* x_values = Elements<T>(x);
      const T* y_values = Elements<T>(y);
      T* out = Elements<T>(output);
      const std::array<int64_t, 3> steps = {plan.inner_stride(0), plan.inner_stride(1),
                                            plan.inner_stride(2)};
      ParallelFor(context.pool, plan.output_count(), 1.0, [&](int64_t begin, int64_t end) {
        ForEachSpan<3>(plan, begin, end,
                       [&](int64_t output_offset, const std::array<int64_t, 3>& in, int64_t count) {
                         for (int64_t i = 0; i < count; ++i) {
                           out[output_offset + i] = conditions[in[0] + i * steps[0]]
                                                        ? x_values[in[1] + i * steps[1]]
                                                        : y_values[in[2] + i * steps[2]];
                         }
                       });
      });
      context.outputs[0] = std::move(output);
      return Status::Ok();
    });
  }
};

}  // namespace

void RegisterWhereKernels(KernelRegistry& registry) {
  registry.Register({"", "Where", 9, kLatestOpset, {DataType::kBool}, &CreateKernel<WhereKernel, 3>});
}

}  // namespace mlos::engine
