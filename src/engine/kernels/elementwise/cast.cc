// Cast (target type from the `to` attribute) and CastLike (target type of input 1), between every
// numeric type and bool (see ConvertElement() for the rules), and between those and strings:
// numbers print in their shortest round-trip form ("0.1", "1e-05", "inf"), strings parse as
// decimal numbers with an optional sign and "inf"/"nan" in any case.
#include <charconv>
#include <optional>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

Status NumbersToStrings(const Tensor& input, Tensor& output) {
  return DispatchByType<NumericAndBoolTypes>(input.dtype(), "input 0 (input)", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = input.data<T>();
    std::string* out = output.strings().data();
    for (int64_t i = 0; i < input.element_count(); ++i) {
      char buffer[64];
      // bool prints as 0/1, the 16-bit floats through float.
      using Printed = std::conditional_t<std::is_same_v<T, bool>, int, ComputeType<T>>;
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<Printed>(in[i]));
      out[i].assign(buffer, result.ptr);
    }
    return Status::Ok();
  });
}

Status StringsToNumbers(const Tensor& input, Tensor& output) {
  return DispatchByType<NumericAndBoolTypes>(output.dtype(), "target type", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::string* in = input.strings().data();
    T* out = output.data<T>();
    for (int64_t i = 0; i < input.element_count(); ++i) {
      std::string_view text = in[i];
      if (!text.empty() && text[0] == '+') text.remove_prefix(1);
      double value = 0;
      const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
      if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        return InvalidArgument("input 0 (input): element " + std::to_string(i) + " '" + in[i] +
                               "' is not a number");
      }
      out[i] = ConvertElement<T>(value);
    }
    return Status::Ok();
  });
}

Status CastTensor(const Tensor& input, DataType target, KernelContext& context) {
  if (input.dtype() == target) {
    context.outputs[0] = input;  // shares the bytes: tensors are immutable once produced
    return Status::Ok();
  }
  if (input.dtype() == DataType::kString || target == DataType::kString) {
    Tensor output(target, input.shape());
    RETURN_IF_ERROR(target == DataType::kString ? NumbersToStrings(input, output)
                                                : StringsToNumbers(input, output));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }
  return DispatchByType<NumericAndBoolTypes>(input.dtype(), "input 0 (input)", [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    return DispatchByType<NumericAndBoolTypes>(target, "target type", [&](auto to_tag) -> Status {
      using To = typename decltype(to_tag)::type;
      Tensor output = Tensor::Uninitialized(target, input.shape());
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
