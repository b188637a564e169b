// FuseConvolutions (passes.h).
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

// The activation a FusedConv applies, as its attributes "activation" and "activation_params".
struct Activation {
  std::string name;
  std::vector<float> params;
};

// The activation `node` computes when FusedConv can apply it; nullopt otherwise (an unsupported
// op, or Clip bounds that are not constant scalars).
std::optional<Activation> ReadActivation(const GraphView& view, const onnx::NodeProto& node) {
  const std::string& op = node.op_type();
  if (node.input_size() < 1 || node.output_size() != 1) return std::nullopt;
  if (op == "Relu" || op == "Sigmoid") return Activation{op, {}};
  if (op == "LeakyRelu") {
    const onnx::AttributeProto* alpha = FindAttribute(node, "alpha");
    return Activation{op, {alpha != nullptr ? alpha->f() : 0.01f}};
  }
  if (op != "Clip") return std::nullopt;
  // Clip-6 takes its bounds as attributes, Clip-11 and later as optional constant inputs.
  float bounds[2] = {std::numeric_limits<float>::lowest(), std::numeric_limits<float>::max()};
  const char* names[2] = {"min", "max"};
  for (int i = 0; i < 2; ++i) {
    if (const onnx::AttributeProto* attribute = FindAttribute(node, names[i])) {
      bounds[i] = attribute->f();
    } else if (node.input_size() > i + 1 && !node.input(i + 1).empty()) {
      const std::optional<double> bound = view.ScalarConstant(node.input(i + 1));
      if (!bound) return std::nullopt;
      bounds[i] = static_cast<float>(*bound);
    }
  }
  return Activation{op, {bounds[0], bounds[1]}};
}

// The static or symbolic type of every value the graph declares (inputs, value_info, outputs).
class DeclaredTypes {
 public:
  explicit DeclaredTypes(const onnx::GraphProto& graph) {
    for (const auto* list : {&graph.input(), &graph.value_info(), &graph.output()}) {
      for (const onnx::ValueInfoProto& value : *list) types_[value.name()] = &value.type();
    }
  }

  // True iff both values are tensors of one element type whose shapes are fully known and equal
  // (a symbolic dimension only equals the same named one).
  bool SameTensorType(const std::string& a, const std::string& b) const {
    const onnx::TypeProto* type_a = Find(a);
    const onnx::TypeProto* type_b = Find(b);
    if (type_a == nullptr || type_b == nullptr) return false;
    const onnx::TypeProto::Tensor& tensor_a = type_a->tensor_type();
    const onnx::TypeProto::Tensor& tensor_b = type_b->tensor_type();
    if (tensor_a.elem_type() != tensor_b.elem_type() || !tensor_a.has_shape() ||
        !tensor_b.has_shape() || tensor_a.shape().dim_size() != tensor_b.shape().dim_size()) {
      return false;
    }
    for (int i = 0; i < tensor_a.shape().dim_size(); ++i) {
      const onnx::TensorShapeProto::Dimension& dim_a = tensor_a.shape().dim(i);
      const onnx::TensorShapeProto::Dimension& dim_b = tensor_b.shape().dim(i);
      const bool same_value =
          dim_a.has_dim_value() && dim_b.has_dim_value() && dim_a.dim_value() == dim_b.dim_value();
      const bool same_param = dim_a.has_dim_param() && dim_b.has_dim_param() &&
                              !dim_a.dim_param().empty() && dim_a.dim_param() == dim_b.dim_param();
      if (!same_value && !same_param) return false;
    }
    return true;
  }

 private:
  const onnx::TypeProto* Find(const std::string& value) const {
    auto it = types_.find(value);
    return it == types_.end() || !it->second->has_tensor_type() ? nullptr : it->second;
  }

  std::unordered_map<std::string, const onnx::TypeProto*> types_;
};

// The activation node reading `value` alone, or nullptr.
onnx::NodeProto* SoleActivation(const GraphView& view, const std::string& value) {
  for (const char* op : {"Relu", "Clip", "LeakyRelu", "Sigmoid"}) {
    if (onnx::NodeProto* node = view.SoleConsumer(value, op)) return node;
  }
  return nullptr;
}

// Removes the Constant nodes that fed only `node`'s inputs from index `first` on (Clip's bounds).
void RemoveConstantOperands(GraphView& view, const onnx::NodeProto& node, int first) {
  for (int i = first; i < node.input_size(); ++i) {
    onnx::NodeProto* producer = view.Producer(node.input(i));
    if (producer != nullptr && producer->op_type() == "Constant" &&
        view.UseCount(node.input(i)) == 1) {
      view.Remove(producer);
    }
  }
}

void AddAttribute(onnx::NodeProto& node, const Activation& activation) {
  onnx::AttributeProto* name = node.add_attribute();
  name->set_name("activation");
  name->set_type(onnx::AttributeProto::STRING);
  name->set_s(activation.name);
  onnx::AttributeProto* params = node.add_attribute();
  params->set_name("activation_params");
  params->set_type(onnx::AttributeProto::FLOATS);
  for (float value : activation.params) params->add_floats(value);
}

bool IsPlainConv(const onnx::NodeProto& node) {
  return (node.domain().empty() || node.domain() == "ai.onnx") && node.op_type() == "Conv" &&
         node.output_size() == 1 && node.input_size() >= 2;
}

}  // namespace

int FuseConvolutions(onnx::GraphProto& graph) {
  GraphView view(graph);
  const DeclaredTypes types(graph);
  int rewrites = 0;
  for (onnx::NodeProto& conv : *graph.mutable_node()) {
    if (!IsPlainConv(conv)) continue;
    std::string result = conv.output(0);
    std::string residual;
    onnx::NodeProto* add = view.SoleConsumer(result, "Add");
    if (add != nullptr && add->input_size() == 2) {
      residual = add->input(0) == result ? add->input(1) : add->input(0);
      if (types.SameTensorType(residual, result)) {
        result = add->output(0);
      } else {
        add = nullptr;
        residual.clear();
      }
    } else {
      add = nullptr;
    }
    onnx::NodeProto* activation_node = SoleActivation(view, result);
    std::optional<Activation> activation;
    if (activation_node != nullptr) activation = ReadActivation(view, *activation_node);
    if (!activation) activation_node = nullptr;
    if (add == nullptr && activation_node == nullptr) continue;

    conv.set_domain(kMlosDomain);
    conv.set_op_type("FusedConv");
    if (add != nullptr) {
      while (conv.input_size() < 3) conv.add_input("");
      conv.add_input(residual);
      view.Remove(add);
    }
    if (activation_node != nullptr) {
      AddAttribute(conv, *activation);
      result = activation_node->output(0);
      RemoveConstantOperands(view, *activation_node, 1);
      view.Remove(activation_node);
    }
    conv.set_output(0, result);
    ++rewrites;
  }
  view.Commit();
  return rewrites;
}

}  // namespace mlos::engine
