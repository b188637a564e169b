// FuseRmsNorm (passes.h): T5's RMS normalisation as torch exports it, fused into com.mlos RmsNorm
// (kernels/fused/rms_norm.cc):
//
//   Pow(x, 2) -> ReduceMean(last axis, keepdims) -> Add(., eps) -> Sqrt -> Div(1, .) -> Mul(x, .)
//   [-> Mul(., w)]       or, for the last two steps, Div(x, .)
//
// eps must be a float32 scalar constant and w a float32 1-D constant (it becomes the scale); each
// intermediate value must be read only by the next node of the pattern.
#include <optional>
#include <string>
#include <vector>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"
#include "engine/optimizer/pattern_match.h"

namespace mlos::engine {
namespace {

using pattern::FloatScalar;
using pattern::IsFloatScalar;
using pattern::IsOp;
using pattern::OtherInput;
using pattern::SingleUseOutput;

struct RmsNormMatch {
  std::string x;
  std::string scale;  // "" when there is none
  float epsilon = 0;
  std::string output;
  std::vector<const onnx::NodeProto*> nodes;
};

// True when the ReduceMean reduces only the last axis (axes = [-1]) and keeps it.
bool ReducesLastAxis(const GraphView& view, const onnx::NodeProto& mean) {
  const onnx::AttributeProto* keepdims = FindAttribute(mean, "keepdims");
  if (keepdims != nullptr && keepdims->i() != 1) return false;
  std::vector<int64_t> axes;
  if (const onnx::AttributeProto* attribute = FindAttribute(mean, "axes")) {
    axes.assign(attribute->ints().begin(), attribute->ints().end());
  } else if (mean.input_size() > 1) {  // opset 18: axes as an input
    std::optional<Tensor> tensor = view.Constant(mean.input(1));
    if (!tensor || tensor->dtype() != DataType::kInt64) return false;
    axes.assign(tensor->data<int64_t>(), tensor->data<int64_t>() + tensor->element_count());
  }
  return axes == std::vector<int64_t>{-1};
}

std::optional<RmsNormMatch> MatchRmsNorm(const GraphView& view, const onnx::NodeProto& mean) {
  RmsNormMatch match;
  const onnx::NodeProto* square = view.Producer(mean.input(0));
  if (!IsOp(square, "Pow") || square->input_size() != 2 || !SingleUseOutput(view, *square) ||
      !IsFloatScalar(view, square->input(1), 2.0) || !ReducesLastAxis(view, mean)) {
    return std::nullopt;
  }
  match.x = square->input(0);
  const onnx::NodeProto* add = view.SoleConsumer(mean.output(0), "Add");
  std::optional<std::string> epsilon_name = add ? OtherInput(*add, mean.output(0)) : std::nullopt;
  std::optional<float> epsilon = epsilon_name ? FloatScalar(view, *epsilon_name) : std::nullopt;
  if (!epsilon) return std::nullopt;
  match.epsilon = *epsilon;
  const onnx::NodeProto* root = view.SoleConsumer(add->output(0), "Sqrt");
  if (root == nullptr) return std::nullopt;
  const onnx::NodeProto* divide = view.SoleConsumer(root->output(0), "Div");
  if (divide == nullptr || divide->input_size() != 2 || divide->input(1) != root->output(0)) {
    return std::nullopt;
  }
  match.nodes = {square, &mean, add, root, divide};
  match.output = divide->output(0);
  if (divide->input(0) != match.x) {  // 1 / sqrt, then times x
    const onnx::NodeProto* times_x = view.SoleConsumer(divide->output(0), "Mul");
    if (!IsFloatScalar(view, divide->input(0), 1.0) || times_x == nullptr ||
        OtherInput(*times_x, divide->output(0)) != match.x) {
      return std::nullopt;
    }
    match.nodes.push_back(times_x);
    match.output = times_x->output(0);
  }
  if (const onnx::NodeProto* weigh = view.SoleConsumer(match.output, "Mul")) {
    std::optional<std::string> weight = OtherInput(*weigh, match.output);
    std::optional<Tensor> tensor = weight ? view.Constant(*weight) : std::nullopt;
    if (tensor && tensor->dtype() == DataType::kFloat32 && tensor->shape().size() == 1) {
      match.scale = *weight;
      match.nodes.push_back(weigh);
      match.output = weigh->output(0);
    }
  }
  return match;
}

}  // namespace

int FuseRmsNorm(onnx::GraphProto& graph) {
  GraphView view(graph);
  int rewrites = 0;
  const int node_count = graph.node_size();
  for (int i = 0; i < node_count; ++i) {
    const onnx::NodeProto& mean = graph.node(i);
    if (!IsOp(&mean, "ReduceMean") || mean.input_size() < 1 || mean.output_size() != 1) continue;
    std::optional<RmsNormMatch> match = MatchRmsNorm(view, mean);
    if (!match) continue;
    onnx::NodeProto* fused = graph.add_node();
    fused->set_op_type("RmsNorm");
    fused->set_domain(kMlosDomain);
    fused->set_name(mean.name() + "/FusedRmsNorm");
    fused->add_input(match->x);
    if (!match->scale.empty()) fused->add_input(match->scale);
    fused->add_output(match->output);
    onnx::AttributeProto* epsilon = fused->add_attribute();
    epsilon->set_name("epsilon");
    epsilon->set_type(onnx::AttributeProto::FLOAT);
    epsilon->set_f(match->epsilon);
    for (const onnx::NodeProto* node : match->nodes) view.Remove(node);
    ++rewrites;
  }
  view.Commit();
  return rewrites;
}

}  // namespace mlos::engine
