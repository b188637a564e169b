// Identity (of tensors, and from opsets 14/16 of sequences and optionals), and Dropout: the output
// shares the input's bytes. At inference Dropout's optional mask output is all true (bool from
// opset 10; before, of the input's type, all ones); in training mode (opset 12's training_mode
// input) it keeps each element with probability 1 - ratio and scales it by 1 / (1 - ratio).
#include <algorithm>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/random/generator.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

class IdentityKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Value* input = context.value(0);
    if (input == nullptr) return InvalidArgument("input 0 (input) is missing");
    context.value_outputs[0] = *input;
    return Status::Ok();
  }
};

// The ratio; 0.5 when input 1 is absent.
StatusOr<float> ReadRatio(const KernelContext& context) {
  if (!context.has_input(1)) return 0.5f;
  const Tensor& ratio = context.input(1);
  float value = 0;
  RETURN_IF_ERROR(DispatchByType<FloatTypes>(ratio.dtype(), "input 1 (ratio)", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (ratio.element_count() != 1) return InvalidArgument("input 1 (ratio): expected a scalar");
    value = static_cast<float>(ratio.data<T>()[0]);
    return Status::Ok();
  }));
  if (!(value >= 0.0f && value < 1.0f))
    return InvalidArgument("input 1 (ratio): " + std::to_string(value) + " is outside [0, 1)");
  return value;
}

class DropoutKernel : public Kernel {
 public:
  explicit DropoutKernel(const KernelInit& init)
      : bool_mask_(init.opset >= 10),
        seed_(init.attributes.Has("seed")
                  ? std::optional<float>(static_cast<float>(init.attributes.GetInt("seed", 0)))
                  : std::nullopt) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    if (context.has_input(2)) {
      const Tensor& training = context.input(2);
      if (training.dtype() != DataType::kBool || training.element_count() != 1) {
        return InvalidArgument("input 2 (training_mode): expected a single bool");
      }
      if (training.data<bool>()[0]) return Train(context);
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
  Status Train(KernelContext& context) const {
    const Tensor& input = context.input(0);
    ASSIGN_OR_RETURN(const float ratio, ReadRatio(context));
    RandomEngine engine = MakeRandomEngine(seed_);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    Tensor output(input.dtype(), input.shape());
    Tensor mask(DataType::kBool, input.shape());
    bool* keep = mask.data<bool>();
    const float scale = 1.0f / (1.0f - ratio);
    RETURN_IF_ERROR(DispatchByType<FloatTypes>(input.dtype(), "input 0 (data)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = input.data<T>();
      T* out = output.data<T>();
      for (int64_t i = 0; i < input.element_count(); ++i) {
        keep[i] = uniform(engine) >= ratio;
        out[i] = keep[i] ? static_cast<T>(static_cast<float>(in[i]) * scale) : static_cast<T>(0.0f);
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    if (context.outputs.size() > 1) context.outputs[1] = std::move(mask);
    return Status::Ok();
  }

  bool bool_mask_;
  std::optional<float> seed_;
};

}  // namespace

void RegisterIdentityKernels(KernelRegistry& registry) {
  registry.Register({"", "Identity", 1, kLatestOpset, {}, &CreateKernel<IdentityKernel, 1>,
                     /*value_inputs=*/true});
  registry.Register({"", "Dropout", 7, kLatestOpset, {}, &CreateKernel<DropoutKernel, 1, 3>});
}

}  // namespace mlos::engine
