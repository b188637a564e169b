// Loop: runs its body while the trip count and the condition allow, threading loop-carried values
// through and stacking each iteration's scan outputs along a new first axis.
#include "engine/kernels/common/axes.h"
#include "engine/kernels/control/registrations.h"
#include "engine/kernels/control/stacking.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

Tensor Scalar(int64_t value) {
  Tensor tensor(DataType::kInt64, {});
  *tensor.data<int64_t>() = value;
  return tensor;
}

Tensor Scalar(bool value) {
  Tensor tensor(DataType::kBool, {});
  *tensor.data<bool>() = value;
  return tensor;
}

StatusOr<bool> ReadCondition(const Value& value, const std::string& what) {
  if (!value.is_tensor() || value.tensor().dtype() != DataType::kBool ||
      value.tensor().element_count() != 1) {
    return InvalidArgument(what + ": expected one bool, got " + value.Describe());
  }
  return *value.tensor().data<bool>();
}

class LoopKernel : public Kernel {
 public:
  explicit LoopKernel(std::unique_ptr<Subgraph> body) : body_(std::move(body)) {}

  Status Compute(KernelContext& context) const override {
    const size_t carried_count = context.input_count() - 2;
    const size_t scan_count = body_->output_names().size() - 1 - carried_count;
    int64_t trip_limit = -1;  // none
    if (context.has_input(0)) {
      ASSIGN_OR_RETURN(trip_limit, ReadScalarInteger(context.input(0), "input 0 (M)"));
    }
    const bool has_condition = context.value(1) != nullptr && context.value(1)->is_set() &&
                               !context.value(1)->is_empty_optional();
    bool condition = true;
    if (has_condition) {
      ASSIGN_OR_RETURN(condition, ReadCondition(*context.value(1), "input 1 (cond)"));
    }

    std::vector<Value> body_inputs(2 + carried_count);
    for (size_t i = 0; i < carried_count; ++i) {
      const Value* initial = context.value(2 + i);
      body_inputs[2 + i] = initial == nullptr ? Value::EmptyOptional() : *initial;
    }
    std::vector<std::vector<Tensor>> scan_steps(scan_count);
    for (int64_t iteration = 0; (trip_limit < 0 || iteration < trip_limit) && condition;
         ++iteration) {
      body_inputs[0] = Scalar(iteration);
      body_inputs[1] = Scalar(condition);
      StatusOr<std::vector<Value>> results =
          body_->Run(body_inputs, context.captured(), context.pool);
      if (!results.ok())
        return results.status().WithContext("iteration " + std::to_string(iteration));
      std::vector<Value>& outputs = *results;
      if (has_condition) {
        ASSIGN_OR_RETURN(condition, ReadCondition(outputs[0], "body output 0 (cond)"));
      }
      for (size_t i = 0; i < carried_count; ++i) body_inputs[2 + i] = std::move(outputs[1 + i]);
      for (size_t k = 0; k < scan_count; ++k) {
        const Value& step = outputs[1 + carried_count + k];
        if (!step.is_tensor())
          return InvalidArgument("scan output " + std::to_string(k) + " is a " + step.Describe());
        scan_steps[k].push_back(step.tensor());
      }
    }
    for (size_t i = 0; i < carried_count && i < context.value_outputs.size(); ++i)
      context.value_outputs[i] = std::move(body_inputs[2 + i]);
    for (size_t k = 0; k < scan_count && carried_count + k < context.outputs.size(); ++k) {
      const DataType type = body_->output_types()[1 + carried_count + k];
      ASSIGN_OR_RETURN(context.outputs[carried_count + k],
                       Stack(scan_steps[k], 0, type, "scan output " + std::to_string(k)));
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<Subgraph> body_;
};

StatusOr<std::unique_ptr<Kernel>> CreateLoop(const KernelInit& init) {
  if (init.node.input_size() < 2) return InvalidArgument("expects at least 2 inputs (M, cond)");
  ASSIGN_OR_RETURN(std::unique_ptr<Subgraph> body, CompileBody(init, "body"));
  const size_t carried = static_cast<size_t>(init.node.input_size() - 2);
  if (body->input_names().size() != carried + 2) {
    return InvalidArgument("the body takes " + std::to_string(body->input_names().size()) +
                           " inputs; the node gives " + std::to_string(carried) +
                           " loop-carried values (plus iteration number and condition)");
  }
  if (body->output_names().size() < carried + 1 ||
      static_cast<size_t>(init.node.output_size()) > body->output_names().size() - 1) {
    return InvalidArgument("the body has " + std::to_string(body->output_names().size()) +
                           " outputs for " + std::to_string(carried) +
                           " loop-carried values and " + std::to_string(init.node.output_size()) +
                           " node outputs");
  }
  return std::unique_ptr<Kernel>(std::make_unique<LoopKernel>(std::move(body)));
}

}  // namespace

void RegisterLoopKernels(KernelRegistry& registry) {
  registry.Register({"", "Loop", 1, kLatestOpset, {}, &CreateLoop, /*value_inputs=*/true});
}

}  // namespace mlos::engine
