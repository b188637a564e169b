// SequenceMap: runs its body once per item of the input sequence; additional inputs are passed
// whole when tensors and item by item when sequences. Each body output becomes a sequence.
#include "engine/kernels/control/registrations.h"
#include "engine/kernels/control/stacking.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

class SequenceMapKernel : public Kernel {
 public:
  explicit SequenceMapKernel(std::unique_ptr<Subgraph> body) : body_(std::move(body)) {}

  Status Compute(KernelContext& context) const override {
    const Value* input = context.value(0);
    if (input == nullptr || !input->is_sequence())
      return InvalidArgument("input 0 (input_sequence) must be a sequence");
    const size_t count = input->items().size();
    for (size_t i = 1; i < context.input_count(); ++i) {
      const Value* extra = context.value(i);
      if (extra == nullptr || !extra->is_set())
        return InvalidArgument("input " + std::to_string(i) + " is missing");
      if (extra->is_sequence() && extra->items().size() != count) {
        return InvalidArgument("input " + std::to_string(i) + " has " +
                               std::to_string(extra->items().size()) +
                               " items, input_sequence " + std::to_string(count));
      }
    }
    const size_t output_count = body_->output_names().size();
    std::vector<std::vector<Tensor>> collected(output_count);
    std::vector<Value> body_inputs(context.input_count());
    for (size_t item = 0; item < count; ++item) {
      body_inputs[0] = input->items()[item];
      for (size_t i = 1; i < context.input_count(); ++i) {
        const Value& extra = *context.value(i);
        body_inputs[i] = extra.is_sequence() ? Value(extra.items()[item]) : extra;
      }
      StatusOr<std::vector<Value>> results =
          body_->Run(body_inputs, context.captured(), context.pool);
      if (!results.ok()) return results.status().WithContext("item " + std::to_string(item));
      for (size_t o = 0; o < output_count; ++o) {
        if (!(*results)[o].is_tensor())
          return InvalidArgument("body output " + std::to_string(o) + " is not a tensor");
        collected[o].push_back((*results)[o].tensor());
      }
    }
    for (size_t o = 0; o < output_count && o < context.value_outputs.size(); ++o) {
      const DataType type = collected[o].empty() ? body_->output_types()[o] : collected[o][0].dtype();
      context.value_outputs[o] = Value::Sequence(type, std::move(collected[o]));
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<Subgraph> body_;
};

StatusOr<std::unique_ptr<Kernel>> CreateSequenceMap(const KernelInit& init) {
  if (init.node.input_size() < 1) return InvalidArgument("expects at least 1 input");
  ASSIGN_OR_RETURN(std::unique_ptr<Subgraph> body, CompileBody(init, "body"));
  if (body->input_names().size() != static_cast<size_t>(init.node.input_size())) {
    return InvalidArgument("the body takes " + std::to_string(body->input_names().size()) +
                           " inputs, the node gives " + std::to_string(init.node.input_size()));
  }
  if (body->output_names().size() != static_cast<size_t>(init.node.output_size())) {
    return InvalidArgument("the body has " + std::to_string(body->output_names().size()) +
                           " outputs, the node " + std::to_string(init.node.output_size()));
  }
  return std::unique_ptr<Kernel>(std::make_unique<SequenceMapKernel>(std::move(body)));
}

}  // namespace

void RegisterSequenceMapKernels(KernelRegistry& registry) {
  registry.Register({"", "SequenceMap", 17, kLatestOpset, {}, &CreateSequenceMap,
                     /*value_inputs=*/true});
}

}  // namespace mlos::engine
