// FuseMatMul (passes.h): MatMul with what follows it, fused into one com.mlos FusedMatMul
// (kernels/fused/fused_matmul.cc): Y = activation(alpha * (A x B) + bias).
//
// From a float MatMul, in this order, each step optional and each taken only when the previous
// value is read by that node alone:
//   scale:      Mul(., s) or Div(., s) by a float32 scalar constant s -> alpha = s or 1/s
//   bias:       Add(., b), b a float32 constant of shape [N], where B is a constant [K, N] matrix
//               (so the Add does not broadcast Y to a larger shape)
//   activation: Relu, or a com.mlos Gelu (FuseGelu runs first)
// A MatMul followed by none of them stays. The element type must be known to be float32: from
// the scale constant, or from a float32 constant B.
#include <optional>
#include <string>
#include <vector>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"
#include "engine/optimizer/pattern_match.h"

namespace mlos::engine {
namespace {

using pattern::FloatScalar;
using pattern::IsOp;
using pattern::OtherInput;

// The dims of a constant float32 value, from its initializer (without converting its data) or
// its Constant node; nullopt when it is not a float32 constant.
std::optional<std::vector<int64_t>> FloatConstantDims(const GraphView& view,
                                                      const onnx::GraphProto& graph,
                                                      const std::string& value) {
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    if (initializer.name() != value) continue;
    if (initializer.data_type() != onnx::TensorProto::FLOAT) return std::nullopt;
    return std::vector<int64_t>(initializer.dims().begin(), initializer.dims().end());
  }
  if (view.Producer(value) == nullptr) return std::nullopt;  // a graph input, or computed below
  std::optional<Tensor> tensor = view.Constant(value);
  if (!tensor || tensor->dtype() != DataType::kFloat32) return std::nullopt;
  return std::vector<int64_t>(tensor->shape().begin(), tensor->shape().end());
}

struct MatMulMatch {
  float alpha = 1.0f;
  std::string bias;
  std::string activation;     // "", "Relu" or "Gelu"
  std::string approximation;  // of a Gelu
  std::string output;
  std::vector<const onnx::NodeProto*> nodes;  // the nodes after the MatMul that it absorbs
};

// The single reader of `value` when `value` has exactly one use, by a node of this graph.
const onnx::NodeProto* OnlyReader(const GraphView& view, const std::string& value) {
  if (view.UseCount(value) != 1 || view.IsGraphOutput(value)) return nullptr;
  std::vector<onnx::NodeProto*> readers = view.Consumers(value);
  return readers.size() == 1 && readers[0]->output_size() == 1 ? readers[0] : nullptr;
}

MatMulMatch MatchEpilogue(const GraphView& view, const onnx::GraphProto& graph,
                          const onnx::NodeProto& matmul) {
  MatMulMatch match;
  std::string current = matmul.output(0);
  const std::optional<std::vector<int64_t>> b_dims = FloatConstantDims(view, graph, matmul.input(1));
  bool float_known = b_dims.has_value();

  const onnx::NodeProto* next = OnlyReader(view, current);
  if (IsOp(next, "Mul") || (IsOp(next, "Div") && next->input_size() == 2 && next->input(0) == current)) {
    std::optional<std::string> other = OtherInput(*next, current);
    std::optional<float> scale = other ? FloatScalar(view, *other) : std::nullopt;
    if (scale && *scale != 0.0f) {
      match.alpha = IsOp(next, "Mul") ? *scale : 1.0f / *scale;
      match.nodes.push_back(next);
      current = next->output(0);
      float_known = true;
      next = OnlyReader(view, current);
    }
  }
  if (IsOp(next, "Add") && b_dims && b_dims->size() == 2) {
    std::optional<std::string> other = OtherInput(*next, current);
    std::optional<std::vector<int64_t>> bias_dims =
        other ? FloatConstantDims(view, graph, *other) : std::nullopt;
    if (bias_dims && bias_dims->size() == 1 && (*bias_dims)[0] == (*b_dims)[1]) {
      match.bias = *other;
      match.nodes.push_back(next);
      current = next->output(0);
      next = OnlyReader(view, current);
    }
  }
  if (float_known && IsOp(next, "Relu")) {
    match.activation = "Relu";
  } else if (float_known && next != nullptr && next->domain() == kMlosDomain &&
             next->op_type() == "Gelu") {
    match.activation = "Gelu";
    const onnx::AttributeProto* approximation = FindAttribute(*next, "approximation");
    match.approximation = approximation != nullptr ? approximation->s() : "none";
  }
  if (!match.activation.empty()) {
    match.nodes.push_back(next);
    current = next->output(0);
  }
  match.output = current;
  return match;
}

void AddAttribute(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::STRING);
  attribute->set_s(value);
}

}  // namespace

int FuseMatMul(onnx::GraphProto& graph) {
  GraphView view(graph);
  int rewrites = 0;
  const int node_count = graph.node_size();
  for (int i = 0; i < node_count; ++i) {
    const onnx::NodeProto& matmul = graph.node(i);
    if (!IsOp(&matmul, "MatMul") || matmul.input_size() != 2 || matmul.output_size() != 1) continue;
    MatMulMatch match = MatchEpilogue(view, graph, matmul);
    if (match.nodes.empty()) continue;
    onnx::NodeProto* fused = graph.add_node();
    fused->set_op_type("FusedMatMul");
    fused->set_domain(kMlosDomain);
    fused->set_name(matmul.name() + "/Fused");
    fused->add_input(matmul.input(0));
    fused->add_input(matmul.input(1));
    if (!match.bias.empty()) fused->add_input(match.bias);
    fused->add_output(match.output);
    if (match.alpha != 1.0f) {
      onnx::AttributeProto* alpha = fused->add_attribute();
      alpha->set_name("alpha");
      alpha->set_type(onnx::AttributeProto::FLOAT);
      alpha->set_f(match.alpha);
    }
    if (!match.activation.empty()) AddAttribute(*fused, "activation", match.activation);
    if (match.activation == "Gelu") AddAttribute(*fused, "approximation", match.approximation);
    view.Remove(&matmul);
    for (const onnx::NodeProto* node : match.nodes) view.Remove(node);
    ++rewrites;
  }
  view.Commit();
  return rewrites;
}

}  // namespace mlos::engine
