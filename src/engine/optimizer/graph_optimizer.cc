#include "engine/optimizer/graph_optimizer.h"

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

struct Pass {
  const char* name;
  int (*run)(onnx::GraphProto& graph);
};

constexpr Pass kPasses[] = {
    {"identity elimination", &EliminateIdentities},
    {"batch norm folding", &FoldBatchNormIntoConv},
    {"gelu fusion", &FuseGelu},
    {"matmul fusion", &FuseMatMul},
    {"rms norm fusion", &FuseRmsNorm},
    {"conv fusion", &FuseConvolutions},
};

bool UsesMlosDomain(const onnx::GraphProto& graph) {
  for (const onnx::NodeProto& node : graph.node()) {
    if (node.domain() == kMlosDomain) return true;
  }
  return false;
}

void ImportMlosDomain(onnx::ModelProto& model) {
  for (const onnx::OperatorSetIdProto& opset : model.opset_import()) {
    if (opset.domain() == kMlosDomain) return;
  }
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain(kMlosDomain);
  opset->set_version(1);
}

}  // namespace

std::vector<PassReport> OptimizeGraph(onnx::ModelProto& model) {
  std::vector<PassReport> reports;
  for (const Pass& pass : kPasses) {
    reports.push_back({pass.name, pass.run(*model.mutable_graph())});
  }
  if (UsesMlosDomain(model.graph())) ImportMlosDomain(model);
  return reports;
}

}  // namespace mlos::engine
