// GraphView: what the optimizer passes ask of a graph while they rewrite it.
//
// Built over one GraphProto (the model's main graph), it answers who produces a value, who reads
// it, whether it is a graph output and whether it is a constant (an initializer or the output of a
// Constant node), and it removes nodes. Uses count every reader: nodes of this graph, nodes of
// their subgraphs (which may read it implicitly, by name), and the graph's outputs; a pass may
// only fold a value away when nothing else uses it (UseCount(value) == 1).
//
// The view is a snapshot: a pass that changes node inputs or outputs must not trust the view for
// the values it touched; Remove() marks nodes and Commit() erases them from the graph (pointers to
// the other nodes stay valid until then). Node order need not stay topological: the execution
// plan sorts the nodes again.
#pragma once

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/tensor.h"

namespace mlos::engine {

// The domain of the fused operators the optimizer emits (engine/kernels/fused/).
inline constexpr char kMlosDomain[] = "com.mlos";

class GraphView {
 public:
  explicit GraphView(onnx::GraphProto& graph);

  onnx::GraphProto& graph() { return graph_; }

  // The node producing `value`; nullptr for graph inputs, initializers and unknown names.
  onnx::NodeProto* Producer(const std::string& value) const;
  // The nodes of this graph that read `value` (a node reading it twice is listed once).
  std::vector<onnx::NodeProto*> Consumers(const std::string& value) const;
  // Every read of `value`: node inputs here and in subgraphs, plus one if it is a graph output.
  int UseCount(const std::string& value) const;
  bool IsGraphOutput(const std::string& value) const;

  // The constant `value` (an initializer or a Constant node's output), converted; nullopt when it
  // is not a constant or cannot be read.
  std::optional<Tensor> Constant(const std::string& value) const;
  // The single float of a constant holding exactly one float or double element.
  std::optional<double> ScalarConstant(const std::string& value) const;

  // The only consumer of `value` when it has exactly one use and that use is a node of this graph
  // whose op_type is `op_type` (domain ai.onnx); else nullptr.
  onnx::NodeProto* SoleConsumer(const std::string& value, const std::string& op_type) const;

  // Marks `node` for removal at Commit(). The caller has rewired every reader of its outputs.
  void Remove(const onnx::NodeProto* node);
  // Erases the removed nodes; returns how many.
  int Commit();

 private:
  onnx::GraphProto& graph_;
  std::unordered_map<std::string, onnx::NodeProto*> producers_;
  std::unordered_map<std::string, std::vector<onnx::NodeProto*>> consumers_;
  std::unordered_map<std::string, int> uses_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_map<std::string, const onnx::TensorProto*> initializers_;
  std::unordered_set<const onnx::NodeProto*> removed_;
};

// The node's attribute `name`, or nullptr.
const onnx::AttributeProto* FindAttribute(const onnx::NodeProto& node, const std::string& name);

}  // namespace mlos::engine
