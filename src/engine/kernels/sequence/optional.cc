// Optional, OptionalHasElement and OptionalGetElement. An optional holding something is that
// thing (see engine/value.h), so these ops only tell "something" from the empty optional.
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"
#include "engine/kernels/sequence/registrations.h"

namespace mlos::engine {
namespace {

bool HoldsSomething(const Value* value) { return value != nullptr && value->is_set() && !value->is_empty_optional(); }

class OptionalKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Value* input = context.value(0);
    context.value_outputs[0] = HoldsSomething(input) ? *input : Value::EmptyOptional();
    return Status::Ok();
  }
};

StatusOr<std::unique_ptr<Kernel>> CreateOptional(const KernelInit& init) {
  if (init.node.input_size() == 0 || init.node.input(0).empty()) {
    if (!init.attributes.Has("type"))
      return InvalidArgument("an Optional without input needs attribute type");
  }
  return std::unique_ptr<Kernel>(std::make_unique<OptionalKernel>());
}

class OptionalHasElementKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    Tensor result(DataType::kBool, {});
    *result.data<bool>() = HoldsSomething(context.value(0));
    context.outputs[0] = std::move(result);
    return Status::Ok();
  }
};

class OptionalGetElementKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Value* input = context.value(0);
    if (!HoldsSomething(input)) return InvalidArgument("input 0 (input) is an empty optional");
    context.value_outputs[0] = *input;
    return Status::Ok();
  }
};

}  // namespace

void RegisterOptionalKernels(KernelRegistry& registry) {
  registry.Register({"", "Optional", 15, kLatestOpset, {}, &CreateOptional, true});
  registry.Register({"", "OptionalHasElement", 15, 17, {},
                     &CreateKernel<OptionalHasElementKernel, 1>, true});
  registry.Register({"", "OptionalHasElement", 18, kLatestOpset, {},
                     &CreateKernel<OptionalHasElementKernel, 0, 1>, true});
  registry.Register({"", "OptionalGetElement", 15, kLatestOpset, {},
                     &CreateKernel<OptionalGetElementKernel, 1>, true});
}

}  // namespace mlos::engine
