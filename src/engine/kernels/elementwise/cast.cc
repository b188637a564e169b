// Cast (target type from the `to` attribute) and CastLike (target type of input 1), between every
// numeric type and bool; see ConvertElement() for the conversion rules.
#include <optional>

#include "engine/kernels/elementwise/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

Status CastTensor(const Tensor& input, DataType target, KernelContext& context) {
  if (input.dtype() == target) {
    context.outputs[0] = input;  // shares the bytes: tensors are immutable once produced
    return Status::Ok();
  }
  return DispatchByType<NumericAndBoolTypes>(input.dtype(), "input 0 (input)", [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    return DispatchByType<NumericAndBoolTypes>(target, "target type", [&](auto to_tag) -> Status {
      using To = typename decltype(to_tag)::type;
      Tensor output(target, input.shape());
      const From* in = input.data<From>();
      To* out = output.data<To>();
      ParallelFor(context.pool, input.element_count(), 1.0, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = ConvertElement<To>(in[i]);
      });
      context.outputs[0] = std::move(output);
      return Status::Ok();
    });
  });
}

class CastKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 1, 1));
    const int64_t code = init.attributes.GetInt("to", 0);
    std::optional<DataType> target = DataTypeFromCode(static_cast<int32_t>(code));
    if (!target || *target == DataType::kInvalid) {
      return InvalidArgument("attribute to: " + std::to_string(code) +
                             " is not a known element type");
    }
    return std::unique_ptr<Kernel>(new CastKernel(*target));
  }
  Status Compute(KernelContext& context) const override {
    return CastTensor(context.input(0), target_, context);
  }

 private:
  explicit CastKernel(DataType target) : target_(target) {}
  DataType target_;
};

class CastLikeKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    return CastTensor(context.input(0), context.input(1).dtype(), context);
  }
};

}  // namespace

void RegisterCastKernels(KernelRegistry& registry) {
  registry.Register({"", "Cast", 6, kLatestOpset, {}, &CastKernel::Create});
  registry.Register({"", "CastLike", 15, kLatestOpset, {}, &CreateKernel<CastLikeKernel, 2>});
}

}  // namespace mlos::engine
