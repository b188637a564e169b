#include "engine/executor.h"

#include <chrono>

namespace mlos::engine {
namespace {

Status RunNode(const ExecutionPlan& plan, const PlannedNode& node, std::vector<Value>& values,
               ThreadPool* pool) {
  std::vector<const Value*> input_values(node.inputs.size(), nullptr);
  std::vector<const Tensor*> inputs(node.explicit_inputs, nullptr);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const int slot = node.inputs[i];
    if (slot == kNoSlot) continue;
    const Value& value = ValueInSlot(plan, values, slot);
    const std::string& name =
        i < node.explicit_inputs ? node.node->input(static_cast<int>(i)) : std::string("captured");
    if (!value.is_set())
      return Internal(node.description + ": input '" + name + "' was not produced");
    input_values[i] = &value;
    if (i >= node.explicit_inputs) continue;
    if (value.is_tensor()) {
      inputs[i] = &value.tensor();
    } else if (value.is_sequence() && !node.value_inputs) {
      return InvalidArgument(node.description + ": input '" + name + "' is a " +
                             value.Describe() + "; the op takes tensors");
    }
  }
  std::vector<Tensor> outputs(node.outputs.size());
  std::vector<Value> value_outputs(node.outputs.size());
  KernelContext context{inputs, outputs, pool, input_values, value_outputs};
  RETURN_IF_ERROR(node.kernel->Compute(context).WithContext(node.description));
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i] == kNoSlot) continue;
    Value& output = values[node.outputs[i]];
    output = value_outputs[i].is_set() ? std::move(value_outputs[i]) : Value(std::move(outputs[i]));
  }
  for (int slot : node.release_after) values[slot] = Value();
  return Status::Ok();
}

DataType ElementTypeOf(const onnx::TypeProto& type) {
  if (type.has_tensor_type())
    return DataTypeFromCode(type.tensor_type().elem_type()).value_or(DataType::kInvalid);
  if (type.has_sequence_type()) return ElementTypeOf(type.sequence_type().elem_type());
  if (type.has_optional_type()) return ElementTypeOf(type.optional_type().elem_type());
  return DataType::kInvalid;
}

class PlannedSubgraph final : public Subgraph {
 public:
  PlannedSubgraph(ExecutionPlan plan, const onnx::GraphProto& graph) : plan_(std::move(plan)) {
    for (const onnx::ValueInfoProto& input : graph.input()) input_names_.push_back(input.name());
    for (const onnx::ValueInfoProto& output : graph.output()) {
      output_names_.push_back(output.name());
      output_types_.push_back(ElementTypeOf(output.type()));
    }
  }

  const std::vector<std::string>& input_names() const override { return input_names_; }
  const std::vector<std::string>& output_names() const override { return output_names_; }
  const std::vector<DataType>& output_types() const override { return output_types_; }

  StatusOr<std::vector<Value>> Run(std::span<const Value> inputs,
                                   std::span<const Value* const> captured,
                                   ThreadPool* pool) const override {
    if (inputs.size() != plan_.input_slots.size()) {
      return Internal("the subgraph takes " + std::to_string(plan_.input_slots.size()) +
                      " inputs, got " + std::to_string(inputs.size()));
    }
    if (captured.size() != plan_.captured_slots.size()) {
      return Internal("the subgraph captures " + std::to_string(plan_.captured_slots.size()) +
                      " values, got " + std::to_string(captured.size()));
    }
    std::vector<Value> values(static_cast<size_t>(plan_.slot_count));
    for (size_t i = 0; i < inputs.size(); ++i) values[plan_.input_slots[i]] = inputs[i];
    for (size_t i = 0; i < captured.size(); ++i) values[plan_.captured_slots[i]] = *captured[i];
    RETURN_IF_ERROR(RunPlan(plan_, values, pool));
    std::vector<Value> outputs;
    outputs.reserve(plan_.output_slots.size());
    for (size_t i = 0; i < plan_.output_slots.size(); ++i) {
      const Value& value = ValueInSlot(plan_, values, plan_.output_slots[i]);
      if (!value.is_set())
        return Internal("subgraph output '" + output_names_[i] + "' was not produced");
      outputs.push_back(value);
    }
    return outputs;
  }

 private:
  ExecutionPlan plan_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;
  std::vector<DataType> output_types_;
};

}  // namespace

Status RunPlan(const ExecutionPlan& plan, std::vector<Value>& values, ThreadPool* pool,
               OpProfile* profile) {
  for (const PlannedNode& node : plan.nodes) {
    if (profile == nullptr) {
      RETURN_IF_ERROR(RunNode(plan, node, values, pool));
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(RunNode(plan, node, values, pool));
    profile->Add(node.node->op_type(), std::chrono::steady_clock::now() - started);
  }
  return Status::Ok();
}

std::unique_ptr<Subgraph> MakeSubgraph(ExecutionPlan plan, const onnx::GraphProto& graph) {
  return std::make_unique<PlannedSubgraph>(std::move(plan), graph);
}

}  // namespace mlos::engine
