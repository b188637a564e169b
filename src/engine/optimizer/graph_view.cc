#include "engine/optimizer/graph_view.h"

#include <algorithm>

#include "engine/constant_node.h"
#include "engine/tensor_proto.h"

namespace mlos::engine {
namespace {

// Counts every input name read anywhere inside `graph` (its subgraphs too).
void CountSubgraphReads(const onnx::GraphProto& graph, std::unordered_map<std::string, int>& uses) {
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& input : node.input()) {
      if (!input.empty()) ++uses[input];
    }
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_g()) CountSubgraphReads(attribute.g(), uses);
      for (const onnx::GraphProto& subgraph : attribute.graphs()) CountSubgraphReads(subgraph, uses);
    }
  }
}

}  // namespace

GraphView::GraphView(onnx::GraphProto& graph) : graph_(graph) {
  for (onnx::NodeProto& node : *graph_.mutable_node()) {
    for (const std::string& output : node.output()) {
      if (!output.empty()) producers_[output] = &node;
    }
    std::unordered_set<std::string> seen;
    for (const std::string& input : node.input()) {
      if (input.empty()) continue;
      ++uses_[input];
      if (seen.insert(input).second) consumers_[input].push_back(&node);
    }
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_g()) CountSubgraphReads(attribute.g(), uses_);
      for (const onnx::GraphProto& subgraph : attribute.graphs()) CountSubgraphReads(subgraph, uses_);
    }
  }
  for (const onnx::ValueInfoProto& output : graph_.output()) {
    graph_outputs_.insert(output.name());
    ++uses_[output.name()];
  }
  for (const onnx::TensorProto& initializer : graph_.initializer()) {
    initializers_[initializer.name()] = &initializer;
  }
}

onnx::NodeProto* GraphView::Producer(const std::string& value) const {
  auto it = producers_.find(value);
  return it == producers_.end() ? nullptr : it->second;
}

std::vector<onnx::NodeProto*> GraphView::Consumers(const std::string& value) const {
  auto it = consumers_.find(value);
  return it == consumers_.end() ? std::vector<onnx::NodeProto*>{} : it->second;
}

int GraphView::UseCount(const std::string& value) const {
  auto it = uses_.find(value);
  return it == uses_.end() ? 0 : it->second;
}

bool GraphView::IsGraphOutput(const std::string& value) const {
  return graph_outputs_.contains(value);
}

std::optional<Tensor> GraphView::Constant(const std::string& value) const {
  StatusOr<Tensor> tensor = InvalidArgument("not a constant");
  if (auto it = initializers_.find(value); it != initializers_.end()) {
    tensor = TensorFromProto(*it->second);
  } else if (const onnx::NodeProto* producer = Producer(value);
             producer != nullptr && IsConstantNode(*producer)) {
    tensor = ConstantNodeValue(*producer);
  }
  if (!tensor.ok()) return std::nullopt;
  return *std::move(tensor);
}

std::optional<double> GraphView::ScalarConstant(const std::string& value) const {
  std::optional<Tensor> tensor = Constant(value);
  if (!tensor || tensor->element_count() != 1) return std::nullopt;
  if (tensor->dtype() == DataType::kFloat32) return tensor->data<float>()[0];
  if (tensor->dtype() == DataType::kFloat64) return tensor->data<double>()[0];
  return std::nullopt;
}

onnx::NodeProto* GraphView::SoleConsumer(const std::string& value,
                                         const std::string& op_type) const {
  if (UseCount(value) != 1) return nullptr;
  std::vector<onnx::NodeProto*> readers = Consumers(value);
  if (readers.size() != 1) return nullptr;
  onnx::NodeProto* reader = readers.front();
  if (removed_.contains(reader)) return nullptr;
  const bool default_domain = reader->domain().empty() || reader->domain() == "ai.onnx";
  return default_domain && reader->op_type() == op_type ? reader : nullptr;
}

void GraphView::Remove(const onnx::NodeProto* node) { removed_.insert(node); }

int GraphView::Commit() {
  auto* nodes = graph_.mutable_node();
  const int before = nodes->size();
  int kept = 0;
  for (int i = 0; i < before; ++i) {
    if (removed_.contains(&nodes->Get(i))) continue;
    if (kept != i) nodes->SwapElements(kept, i);
    ++kept;
  }
  nodes->DeleteSubrange(kept, before - kept);
  removed_.clear();
  return before - kept;
}

const onnx::AttributeProto* FindAttribute(const onnx::NodeProto& node, const std::string& name) {
  for (const onnx::AttributeProto& attribute : node.attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

}  // namespace mlos::engine
