// Identity, and Dropout at inference: the output shares the input's bytes. Dropout's optional
// mask output is all true (bool from opset 10; before, of the input's type, all ones).
#include <algorithm>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

class IdentityKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    context.outputs[0] = context.input(0);
    return Status::Ok();
  }
};

class DropoutKernel : public Kernel {
 public:
  explicit DropoutKernel(const KernelInit& init) : bool_mask_(init.opset >= 10) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    // training_mode (input 2, opset 12+) with a nonzero ratio would need random masks, which a
    // deterministic inference engine does not produce.
    if (context.has_input(2)) {
      const Tensor& training = context.input(2);
      if (training.dtype() != DataType::kBool || training.element_count() != 1) {
        return InvalidArgument("input 2 (training_mode): expected a single bool");
      }
      if (training.data<bool>()[0] && RatioIsNonzero(context)) {
        return Unimplemented("input 2 (training_mode): training-mode dropout is not supported");
      }
    }
    context.outputs[0] = input;
    if (context.outputs.size() > 1) {
      if (bool_mask_) {
        Tensor mask(DataType::kBool, input.shape());
        std::fill(mask.data<bool>(), mask.data<bool>() + mask.element_count(), true);
        context.outputs[1] = std::move(mask);
      } else {
        RETURN_IF_ERROR(DispatchByType<FloatTypes>(input.dtype(), "input 0 (data)", [&](auto tag) {
          using T = typename decltype(tag)::type;
          Tensor mask(input.dtype(), input.shape());
          std::fill(mask.data<T>(), mask.data<T>() + mask.element_count(), static_cast<T>(1.0f));
          context.outputs[1] = std::move(mask);
          return Status::Ok();
        }));
      }
    }
    return Status::Ok();
  }

 private:
  // The ratio defaults to 0.5 when input 1 is absent.
  static bool RatioIsNonzero(const KernelContext& context) {
    if (!context.has_input(1)) return true;
    bool nonzero = true;
    (void)DispatchByType<FloatTypes>(context.input(1).dtype(), "input 1 (ratio)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const Tensor& ratio = context.input(1);
      nonzero = ratio.element_count() != 1 || static_cast<float>(ratio.data<T>()[0]) != 0.0f;
      return Status::Ok();
    });
    return nonzero;
  }

  bool bool_mask_;
};

}  // namespace

void RegisterIdentityKernels(KernelRegistry& registry) {
  registry.Register({"", "Identity", 1, kLatestOpset, {}, &CreateKernel<IdentityKernel, 1>});
  registry.Register({"", "Dropout", 7, kLatestOpset, {}, &CreateKernel<DropoutKernel, 1, 3>});
}

}  // namespace mlos::engine
