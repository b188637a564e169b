// EliminateIdentities (passes.h).
#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

// Identity, or a Dropout that is an identity at inference: no mask output read, and no
// training_mode input (which could turn it on).
bool IsIdentity(const onnx::NodeProto& node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx") return false;
  if (node.op_type() == "Identity") return node.input_size() == 1 && node.output_size() == 1;
  if (node.op_type() != "Dropout") return false;
  const bool mask = node.output_size() > 1 && !node.output(1).empty();
  const bool training_mode = node.input_size() > 2 && !node.input(2).empty();
  return !mask && !training_mode && node.input_size() >= 1 && !node.input(0).empty();
}

// Makes every node read `to` where it read `from`.
void Rename(onnx::GraphProto& graph, const std::string& from, const std::string& to) {
  for (onnx::NodeProto& node : *graph.mutable_node()) {
    for (std::string& input : *node.mutable_input()) {
      if (input == from) input = to;
    }
  }
}

// True when `value` is read inside some node's subgraph (implicitly, by name).
bool ReadBySubgraph(const GraphView& view, const std::string& value) {
  int direct = 0;
  for (const onnx::NodeProto* reader : view.Consumers(value)) {
    for (const std::string& input : reader->input()) direct += input == value ? 1 : 0;
  }
  return view.UseCount(value) != direct + (view.IsGraphOutput(value) ? 1 : 0);
}

}  // namespace

int EliminateIdentities(onnx::GraphProto& graph) {
  GraphView view(graph);
  int rewrites = 0;
  for (onnx::NodeProto& node : *graph.mutable_node()) {
    if (!IsIdentity(node)) continue;
    const std::string& output = node.output(0);
    if (view.IsGraphOutput(output) || ReadBySubgraph(view, output)) continue;
    Rename(graph, output, node.input(0));
    view.Remove(&node);
    ++rewrites;
  }
  view.Commit();
  return rewrites;
}

}  // namespace mlos::engine
