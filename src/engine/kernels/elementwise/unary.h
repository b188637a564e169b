// UnaryKernel: the one kernel class behind every one-input elementwise operator.
//
// `Op` is a small function object: `template <typename C> R operator()(C x) const`, applied in
// ComputeType<T> to every element of input 0, in parallel. The output has input 0's type, or
// bool when `Op` returns bool (IsNaN). An `Op` constructible from `const KernelInit&` reads its
// attributes there, once; `Op::kCost` (optional, default 1) is its rough cost per element for
// the thread pool. `Types` lists the element types it accepts.
#pragma once

#include <type_traits>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {

template <typename Op, typename Types>
class UnaryKernel : public Kernel {
 public:
  UnaryKernel() = default;
  explicit UnaryKernel(const KernelInit& init) requires std::is_constructible_v<Op, const KernelInit&>
      : op_(init) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    return DispatchByType<Types>(input.dtype(), "input 0 (X)", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      using Out = std::conditional_t<std::is_same_v<decltype(op_(C{})), bool>, bool, T>;
      Tensor output = Tensor::Uninitialized(DataTypeFor<Out>(), input.shape());
      const T* in = input.data<T>();
      Out* out = output.data<Out>();
      ParallelFor(context.pool, input.element_count(), Cost(), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = static_cast<Out>(op_(static_cast<C>(in[i])));
      });
      context.outputs[0] = std::move(output);
      return Status::Ok();
    });
  }

 private:
  static constexpr double Cost() {
    if constexpr (requires { Op::kCost; }) {
      return Op::kCost;
    } else {
      return 1.0;
    }
  }
  Op op_;
};

// Registers UnaryKernel<Op, Types> for `op_type` from `since_version` on.
template <typename Op, typename Types>
void RegisterUnary(KernelRegistry& registry, const char* op_type, int since_version) {
  registry.Register({"", op_type, since_version, kLatestOpset, DataTypesOf(Types{}),
                     &CreateKernel<UnaryKernel<Op, Types>, 1>});
}

}  // namespace mlos::engine
