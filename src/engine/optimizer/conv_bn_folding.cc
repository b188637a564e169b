// FoldBatchNormIntoConv (passes.h).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

bool IsOnnxOp(const onnx::NodeProto& node, const std::string& op_type) {
  return (node.domain().empty() || node.domain() == "ai.onnx") && node.op_type() == op_type;
}

bool IsGraphInput(const onnx::GraphProto& graph, const std::string& value) {
  for (const onnx::ValueInfoProto& input : graph.input()) {
    if (input.name() == value) return true;
  }
  return false;
}

// The float constant `value` with `count` elements; nullopt otherwise, or when a graph input of
// that name could override it at run time.
std::optional<Tensor> FloatConstant(const GraphView& view, const onnx::GraphProto& graph,
                                    const std::string& value, int64_t count) {
  if (value.empty() || IsGraphInput(graph, value)) return std::nullopt;
  std::optional<Tensor> tensor = view.Constant(value);
  if (!tensor || tensor->dtype() != DataType::kFloat32 || tensor->element_count() != count) {
    return std::nullopt;
  }
  return tensor;
}

// A BatchNormalization in inference form: only Y produced, no training_mode.
bool IsInferenceBatchNorm(const onnx::NodeProto& node) {
  if (!IsOnnxOp(node, "BatchNormalization") || node.input_size() != 5) return false;
  for (int i = 1; i < node.output_size(); ++i) {
    if (!node.output(i).empty()) return false;
  }
  const onnx::AttributeProto* training = FindAttribute(node, "training_mode");
  const onnx::AttributeProto* spatial = FindAttribute(node, "spatial");  // before opset 9
  return (training == nullptr || training->i() == 0) && (spatial == nullptr || spatial->i() != 0);
}

// Adds a float initializer `name` and returns the name.
std::string AddInitializer(onnx::GraphProto& graph, const std::string& name, const Shape& shape,
                           const std::vector<float>& values) {
  onnx::TensorProto* tensor = graph.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : shape) tensor->add_dims(dim);
  tensor->set_raw_data(values.data(), values.size() * sizeof(float));
  return tensor->name();
}

}  // namespace

int FoldBatchNormIntoConv(onnx::GraphProto& graph) {
  GraphView view(graph);
  int rewrites = 0;
  // The graph's initializers change only after the scan, while the view no longer reads them.
  struct Folded {
    onnx::NodeProto* conv;
    const onnx::NodeProto* batch_norm;
    Shape weight_shape;
    std::vector<float> weights, bias;
  };
  std::vector<Folded> folds;
  std::unordered_set<std::string> unused;  // initializers only the folded nodes read
  for (onnx::NodeProto& conv : *graph.mutable_node()) {
    if (!IsOnnxOp(conv, "Conv") || conv.output_size() != 1 || conv.input_size() < 2) continue;
    onnx::NodeProto* batch_norm = view.SoleConsumer(conv.output(0), "BatchNormalization");
    if (batch_norm == nullptr || !IsInferenceBatchNorm(*batch_norm) ||
        batch_norm->input(0) != conv.output(0)) {
      continue;
    }
    std::optional<Tensor> weights = view.Constant(conv.input(1));
    if (!weights || IsGraphInput(graph, conv.input(1)) || weights->dtype() != DataType::kFloat32 ||
        weights->shape().size() < 3) {
      continue;
    }
    const int64_t filters = weights->shape()[0];
    std::optional<Tensor> conv_bias;
    if (conv.input_size() > 2 && !conv.input(2).empty()) {
      conv_bias = FloatConstant(view, graph, conv.input(2), filters);
      if (!conv_bias) continue;
    }
    std::optional<Tensor> scale = FloatConstant(view, graph, batch_norm->input(1), filters);
    std::optional<Tensor> shift = FloatConstant(view, graph, batch_norm->input(2), filters);
    std::optional<Tensor> mean = FloatConstant(view, graph, batch_norm->input(3), filters);
    std::optional<Tensor> variance = FloatConstant(view, graph, batch_norm->input(4), filters);
    if (!scale || !shift || !mean || !variance) continue;
    const onnx::AttributeProto* epsilon_attribute = FindAttribute(*batch_norm, "epsilon");
    const double epsilon = epsilon_attribute != nullptr ? epsilon_attribute->f() : 1e-5;

    // BN(conv + b) = (conv + b - mean) * s + shift with s = scale / sqrt(variance + epsilon):
    // filter f's weights times s[f], bias (b[f] - mean[f]) * s[f] + shift[f].
    Folded fold{&conv, batch_norm, weights->shape(), {}, {}};
    const int64_t per_filter = weights->element_count() / filters;
    fold.weights.assign(weights->data<float>(), weights->data<float>() + weights->element_count());
    for (int64_t f = 0; f < filters; ++f) {
      const double s = scale->data<float>()[f] / std::sqrt(variance->data<float>()[f] + epsilon);
      for (int64_t i = 0; i < per_filter; ++i) {
        float& weight = fold.weights[static_cast<size_t>(f * per_filter + i)];
        weight = static_cast<float>(weight * s);
      }
      const double b = conv_bias ? conv_bias->data<float>()[f] : 0.0;
      fold.bias.push_back(
          static_cast<float>((b - mean->data<float>()[f]) * s + shift->data<float>()[f]));
    }
    // The operands nobody else reads go with the fold.
    for (const std::string& operand :
         {conv.input(1), conv_bias ? conv.input(2) : std::string(), batch_norm->input(1),
          batch_norm->input(2), batch_norm->input(3), batch_norm->input(4)}) {
      if (operand.empty() || view.UseCount(operand) != 1) continue;
      if (onnx::NodeProto* producer = view.Producer(operand)) {
        view.Remove(producer);
      } else {
        unused.insert(operand);
      }
    }
    folds.push_back(std::move(fold));
    view.Remove(batch_norm);
  }
  auto* initializers = graph.mutable_initializer();
  initializers->erase(std::remove_if(initializers->begin(), initializers->end(),
                                     [&](const onnx::TensorProto& tensor) {
                                       return unused.contains(tensor.name());
                                     }),
                      initializers->end());
  for (Folded& fold : folds) {
    onnx::NodeProto& conv = *fold.conv;
    // Named after the Conv's output, which only this node produces.
    const std::string weights =
        AddInitializer(graph, conv.output(0) + "/folded_weights", fold.weight_shape, fold.weights);
    const std::string bias = AddInitializer(graph, conv.output(0) + "/folded_bias",
                                            {static_cast<int64_t>(fold.bias.size())}, fold.bias);
    conv.set_input(1, weights);
    if (conv.input_size() > 2) {
      conv.set_input(2, bias);
    } else {
      conv.add_input(bias);
    }
    conv.set_output(0, fold.batch_norm->output(0));
    ++rewrites;
  }
  view.Commit();
  return rewrites;
}

}  // namespace mlos::engine
