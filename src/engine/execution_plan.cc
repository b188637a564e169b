#include "engine/execution_plan.h"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "engine/constant_node.h"
#include "engine/executor.h"
#include "engine/model_signature.h"
#include "engine/tensor_proto.h"

namespace mlos::engine {
namespace {

std::string NodeName(const onnx::NodeProto& node, int file_index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(file_index) : node.name();
}

std::string DomainName(const std::string& domain) { return domain.empty() ? "ai.onnx" : domain; }

size_t BytesOf(const Tensor& tensor) {
  if (tensor.dtype() != DataType::kString) return tensor.byte_size();
  size_t bytes = 0;
  for (const std::string& value : tensor.strings()) bytes += value.size();
  return bytes;
}

bool HasSubgraphs(const onnx::NodeProto& node) {
  for (const onnx::AttributeProto& attribute : node.attribute()) {
    if (attribute.has_g() || attribute.graphs_size() > 0) return true;
  }
  return false;
}

void AddFreeNames(const onnx::GraphProto& graph, std::vector<std::string>& free);

// Adds the names `node`'s subgraphs read from enclosing scopes to `free`, each once.
void AddSubgraphFreeNames(const onnx::NodeProto& node, std::vector<std::string>& free) {
  for (const onnx::AttributeProto& attribute : node.attribute()) {
    if (attribute.has_g()) AddFreeNames(attribute.g(), free);
    for (const onnx::GraphProto& graph : attribute.graphs()) AddFreeNames(graph, free);
  }
}

// Adds the names `graph` (its nodes and their subgraphs) reads but does not define to `free`.
void AddFreeNames(const onnx::GraphProto& graph, std::vector<std::string>& free) {
  std::unordered_set<std::string> defined;
  for (const onnx::ValueInfoProto& input : graph.input()) defined.insert(input.name());
  for (const onnx::TensorProto& initializer : graph.initializer()) defined.insert(initializer.name());
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& output : node.output()) defined.insert(output);
  }
  std::vector<std::string> read;
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& input : node.input()) {
      if (!input.empty()) read.push_back(input);
    }
    AddSubgraphFreeNames(node, read);
  }
  for (const onnx::ValueInfoProto& output : graph.output()) read.push_back(output.name());
  for (const std::string& name : read) {
    if (!defined.contains(name) && std::find(free.begin(), free.end(), name) == free.end())
      free.push_back(name);
  }
}

// Builds one ExecutionPlan; each step is one method, called in the order of Build().
class PlanBuilder {
 public:
  // `parent` is the builder of the enclosing graph for a subgraph (null for the main graph);
  // `captures` are the enclosing values the subgraph's node hands it at run time.
  PlanBuilder(onnx::ModelProto& model, onnx::GraphProto& graph, const KernelRegistry& registry,
              const PlanBuilder* parent = nullptr, std::vector<std::string> captures = {})
      : model_(model),
        graph_(graph),
        registry_(registry),
        parent_(parent),
        captures_(std::move(captures)) {}

  StatusOr<ExecutionPlan> Build() {
    RETURN_IF_ERROR(AddInitializers());
    RETURN_IF_ERROR(AddConstantNodes());
    RETURN_IF_ERROR(AddOuterConstants());
    AddGraphInputs();
    AddCaptures();
    RecordTypes();
    RETURN_IF_ERROR(AddNodeOutputs());
    RETURN_IF_ERROR(SortNodes());
    RETURN_IF_ERROR(AddGraphOutputs());
    RETURN_IF_ERROR(CreateKernels());
    PlanReleases();
    plan_.slot_count = static_cast<int>(slot_of_.size());
    return std::move(plan_);
  }

 private:
  struct PendingNode {
    onnx::NodeProto* node;
    int file_index;
    std::vector<std::string> captures;  // enclosing values its subgraphs read
  };

  onnx::GraphProto& graph() { return graph_; }

  // `shared`: the tensor belongs to an enclosing graph's plan, which counts its bytes.
  int AddConstant(const std::string& name, Tensor tensor, bool shared = false) {
    const int slot = static_cast<int>(plan_.constants.size());
    if (!shared) plan_.constant_bytes += BytesOf(tensor);
    types_[name] = tensor.dtype();
    plan_.constants.push_back(std::move(tensor));
    slot_of_[name] = slot;
    return slot;
  }

  // Converts the initializers and drops their data from the model, so weights are held once.
  Status AddInitializers() {
    for (onnx::TensorProto& proto : *graph().mutable_initializer()) {
      ASSIGN_OR_RETURN(Tensor tensor, TensorFromProto(proto));
      AddConstant(proto.name(), std::move(tensor));
      // Swapped with an empty proto, not Clear()ed: Clear() keeps raw_data's capacity, which
      // held every weight twice until the model proto went away.
      onnx::TensorProto emptied;
      emptied.set_name(proto.name());
      proto.Swap(&emptied);
    }
    return Status::Ok();
  }

  // Must run before run-time slots are handed out: constants take the low slot numbers.
  Status AddConstantNodes() {
    for (int i = 0; i < graph().node_size(); ++i) {
      const onnx::NodeProto& node = graph().node(i);
      if (!IsConstantNode(node) || node.output_size() != 1) continue;
      StatusOr<Tensor> value = ConstantNodeValue(node);
      if (!value.ok())
        return value.status().WithContext("node '" + NodeName(node, i) + "' (Constant)");
      AddConstant(node.output(0), std::move(value).value());
    }
    return Status::Ok();
  }

  // A subgraph shares the constants of enclosing graphs that it reads.
  Status AddOuterConstants() {
    if (parent_ == nullptr) return Status::Ok();
    std::vector<std::string> free;
    AddFreeNames(graph(), free);
    for (const std::string& name : free) {
      if (std::find(captures_.begin(), captures_.end(), name) != captures_.end()) continue;
      const Tensor* constant = parent_->ConstantNamed(name);
      if (constant == nullptr)
        return InvalidArgument("the subgraph reads '" + name + "', which no enclosing graph defines");
      AddConstant(name, *constant, /*shared=*/true);
    }
    return Status::Ok();
  }

  void AddCaptures() {
    for (const std::string& name : captures_) {
      plan_.captured_slots.push_back(AddRuntimeSlot(name));
      types_[name] = parent_->TypeOf(name);
    }
  }

  // The constant `name` of this graph or an enclosing one, or nullptr.
  const Tensor* ConstantNamed(const std::string& name) const {
    auto slot = slot_of_.find(name);
    if (slot != slot_of_.end())
      return plan_.IsConstant(slot->second) ? &plan_.constants[slot->second].tensor() : nullptr;
    return parent_ == nullptr ? nullptr : parent_->ConstantNamed(name);
  }

  int AddRuntimeSlot(const std::string& name) {
    const int slot = static_cast<int>(slot_of_.size());
    slot_of_[name] = slot;
    return slot;
  }

  void AddGraphInputs() {
    for (const onnx::ValueInfoProto& input : graph().input()) {
      if (!slot_of_.contains(input.name()))
        plan_.input_slots.push_back(AddRuntimeSlot(input.name()));
    }
  }

  void RecordTypes() {
    auto record = [&](const onnx::ValueInfoProto& value) {
      if (!value.type().has_tensor_type() || types_.contains(value.name())) return;
      types_[value.name()] =
          DataTypeFromCode(value.type().tensor_type().elem_type()).value_or(DataType::kInvalid);
    };
    for (const onnx::ValueInfoProto& value : graph().input()) record(value);
    for (const onnx::ValueInfoProto& value : graph().value_info()) record(value);
    for (const onnx::ValueInfoProto& value : graph().output()) record(value);
  }

  Status AddNodeOutputs() {
    for (int i = 0; i < graph().node_size(); ++i) {
      const onnx::NodeProto& node = graph().node(i);
      if (IsConstantNode(node) && node.output_size() == 1) continue;
      const int index = static_cast<int>(pending_.size());
      pending_.push_back({graph().mutable_node(i), i, {}});
      for (const std::string& output : node.output()) {
        if (output.empty()) continue;
        if (slot_of_.contains(output)) {
          return InvalidArgument(
              "node '" + NodeName(node, i) + "' (" + node.op_type() + "): output '" + output +
              "' is already defined by another node, an initializer or an input");
        }
        AddRuntimeSlot(output);
        producer_[output] = index;
      }
    }
    return Status::Ok();
  }

  // The values of this graph a node's subgraphs read. REQUIRES: every slot is allocated.
  Status ResolveCaptures(PendingNode& pending) {
    std::vector<std::string> free;
    AddSubgraphFreeNames(*pending.node, free);
    for (const std::string& name : free) {
      auto slot = slot_of_.find(name);
      if (slot == slot_of_.end()) {
        if (ConstantNamed(name) != nullptr) continue;
        return InvalidArgument("node '" + NodeName(*pending.node, pending.file_index) + "' (" +
                               pending.node->op_type() + "): its subgraph reads '" + name +
                               "', which no enclosing graph defines");
      }
      if (!plan_.IsConstant(slot->second)) pending.captures.push_back(name);
    }
    return Status::Ok();
  }

  // Kahn's algorithm, seeded in file order so that independent nodes keep their file order.
  Status SortNodes() {
    const size_t count = pending_.size();
    std::vector<int> waiting_on(count, 0);
    std::vector<std::vector<int>> consumers(count);
    for (size_t i = 0; i < count; ++i) {
      if (HasSubgraphs(*pending_[i].node)) RETURN_IF_ERROR(ResolveCaptures(pending_[i]));
      const onnx::NodeProto& node = *pending_[i].node;
      std::vector<std::string> reads(node.input().begin(), node.input().end());
      reads.insert(reads.end(), pending_[i].captures.begin(), pending_[i].captures.end());
      for (const std::string& input : reads) {
        if (input.empty()) continue;
        if (auto producer = producer_.find(input); producer != producer_.end()) {
          consumers[producer->second].push_back(static_cast<int>(i));
          ++waiting_on[i];
        } else if (!slot_of_.contains(input)) {
          return InvalidArgument("node '" + NodeName(node, pending_[i].file_index) + "' (" +
                                 node.op_type() + "): input '" + input +
                                 "' is not produced by any node, initializer or graph input");
        }
      }
    }
    std::deque<int> ready;
    for (size_t i = 0; i < count; ++i) {
      if (waiting_on[i] == 0) ready.push_back(static_cast<int>(i));
    }
    while (!ready.empty()) {
      const int next = ready.front();
      ready.pop_front();
      order_.push_back(next);
      for (int consumer : consumers[next]) {
        if (--waiting_on[consumer] == 0) ready.push_back(consumer);
      }
    }
    if (order_.size() == count) return Status::Ok();
    for (size_t i = 0; i < count; ++i) {
      if (waiting_on[i] > 0) {
        const onnx::NodeProto& node = *pending_[i].node;
        return InvalidArgument("the graph has a cycle through node '" +
                               NodeName(node, pending_[i].file_index) + "' (" + node.op_type() +
                               ")");
      }
    }
    return Internal("topological sort lost a node");
  }

  Status AddGraphOutputs() {
    for (const onnx::ValueInfoProto& output : graph().output()) {
      auto slot = slot_of_.find(output.name());
      if (slot == slot_of_.end()) {
        return InvalidArgument("graph output '" + output.name() +
                               "' is not produced by any node, initializer or graph input");
      }
      plan_.output_slots.push_back(slot->second);
    }
    return Status::Ok();
  }

  int SlotOf(const std::string& name) const { return name.empty() ? kNoSlot : slot_of_.at(name); }

  DataType TypeOf(const std::string& name) const {
    auto type = types_.find(name);
    if (type != types_.end()) return type->second;
    return parent_ == nullptr ? DataType::kInvalid : parent_->TypeOf(name);
  }

  // Compiles `node`'s graph attribute `attribute` into a Subgraph that binds `captures`.
  StatusOr<std::unique_ptr<Subgraph>> CompileSubgraph(onnx::NodeProto& node,
                                                      const std::vector<std::string>& captures,
                                                      const std::string& attribute) const {
    for (onnx::AttributeProto& candidate : *node.mutable_attribute()) {
      if (candidate.name() != attribute || !candidate.has_g()) continue;
      onnx::GraphProto& body = *candidate.mutable_g();
      ASSIGN_OR_RETURN(ExecutionPlan plan,
                       PlanBuilder(model_, body, registry_, this, captures).Build());
      return MakeSubgraph(std::move(plan), body);
    }
    return InvalidArgument("the node has no graph attribute '" + attribute + "'");
  }

  Status CreateKernels() {
    for (int index : order_) {
      onnx::NodeProto& node = *pending_[index].node;
      const std::vector<std::string>& captures = pending_[index].captures;
      const std::string name = NodeName(node, pending_[index].file_index);
      const int opset = OpsetOf(model_, node.domain());
      const std::string where = "node '" + name + "' (" + node.op_type() + ", domain " +
                                DomainName(node.domain()) + ", opset " + std::to_string(opset) +
                                ")";
      if (opset == 0) {
        return Unimplemented(where + ": the model does not import the domain");
      }
      PlannedNode planned;
      planned.node = &node;
      planned.description = "node '" + name + "' (" + node.op_type() + ")";
      std::vector<const Tensor*> constant_inputs;
      std::vector<DataType> input_types;
      for (const std::string& input : node.input()) {
        const int slot = SlotOf(input);
        planned.inputs.push_back(slot);
        const bool constant = slot != kNoSlot && plan_.IsConstant(slot);
        constant_inputs.push_back(constant ? &plan_.constants[slot].tensor() : nullptr);
        input_types.push_back(TypeOf(input));
      }
      planned.explicit_inputs = planned.inputs.size();
      for (const std::string& name : captures) planned.inputs.push_back(SlotOf(name));
      for (const std::string& output : node.output()) planned.outputs.push_back(SlotOf(output));
      const DataType first_type = input_types.empty() ? DataType::kInvalid : input_types[0];
      StatusOr<const KernelRegistration*> registration =
          registry_.Find(node.domain(), node.op_type(), opset, first_type);
      if (!registration.ok())
        return Status(registration.status().code(), where + ": " + registration.status().message());
      KernelInit init{node, NodeAttributes(node), opset, std::move(constant_inputs),
                      std::move(input_types), nullptr};
      if (HasSubgraphs(node)) {
        init.compile_subgraph = [this, &node, &captures](const std::string& attribute) {
          return CompileSubgraph(node, captures, attribute);
        };
      }
      planned.value_inputs = (*registration)->value_inputs;
      StatusOr<std::unique_ptr<Kernel>> kernel = (*registration)->factory(init);
      if (!kernel.ok())
        return Status(kernel.status().code(), where + ": " + kernel.status().message());
      planned.kernel = std::move(kernel).value();
      plan_.nodes.push_back(std::move(planned));
    }
    return Status::Ok();
  }

  // Frees every run-time value after its last reader; values nobody reads right after they are
  // made. Graph outputs stay.
  void PlanReleases() {
    const int slot_count = static_cast<int>(slot_of_.size());
    std::vector<int> last_reader(slot_count, -1);
    for (size_t i = 0; i < plan_.nodes.size(); ++i) {
      for (int slot : plan_.nodes[i].outputs) {
        if (slot != kNoSlot) last_reader[slot] = static_cast<int>(i);
      }
      for (int slot : plan_.nodes[i].inputs) {
        if (slot != kNoSlot) last_reader[slot] = static_cast<int>(i);
      }
    }
    for (int slot : plan_.output_slots) last_reader[slot] = -1;
    for (int slot = static_cast<int>(plan_.constants.size()); slot < slot_count; ++slot) {
      if (last_reader[slot] >= 0) plan_.nodes[last_reader[slot]].release_after.push_back(slot);
    }
  }

  onnx::ModelProto& model_;
  onnx::GraphProto& graph_;
  const KernelRegistry& registry_;
  const PlanBuilder* parent_;
  std::vector<std::string> captures_;
  ExecutionPlan plan_;
  std::unordered_map<std::string, int> slot_of_;
  std::unordered_map<std::string, DataType> types_;
  std::unordered_map<std::string, int> producer_;  // output name -> index into pending_
  std::vector<PendingNode> pending_;               // non-Constant nodes in file order
  std::vector<int> order_;                         // indices into pending_, topological
};

}  // namespace

StatusOr<ExecutionPlan> BuildExecutionPlan(onnx::ModelProto& model,
                                           const KernelRegistry& registry) {
  return PlanBuilder(model, *model.mutable_graph(), registry).Build();
}

}  // namespace mlos::engine
