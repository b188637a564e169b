#include "tools/mlos-conformance/model_facts.h"

#include <onnx/onnx_pb.h>

#include <fstream>

namespace mlos::conformance {
namespace {

bool IsRandomOperator(const onnx::NodeProto& node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx") return false;
  static const std::set<std::string> kRandom = {"RandomUniform", "RandomUniformLike",
                                                "RandomNormal",  "RandomNormalLike",
                                                "Bernoulli",     "Multinomial"};
  // Dropout given a training_mode input may draw a random mask.
  const bool training_dropout =
      node.op_type() == "Dropout" && node.input_size() > 2 && !node.input(2).empty();
  return training_dropout || kRandom.contains(node.op_type());
}

std::string OperatorName(const onnx::NodeProto& node) {
  if (node.domain().empty() || node.domain() == "ai.onnx") return node.op_type();
  return node.domain() + ":" + node.op_type();
}

void CollectOperators(const onnx::GraphProto& graph, ModelFacts& facts) {
  for (const onnx::NodeProto& node : graph.node()) {
    facts.operators.insert(OperatorName(node));
    facts.has_random_operators |= IsRandomOperator(node);
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_g()) CollectOperators(attribute.g(), facts);
      for (const onnx::GraphProto& subgraph : attribute.graphs()) CollectOperators(subgraph, facts);
    }
  }
}

float FloatAttribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  for (const onnx::AttributeProto& attribute : node.attribute())
    if (attribute.name() == name) return attribute.f();
  return fallback;
}

void CollectRandomChecks(const onnx::GraphProto& graph, ModelFacts& facts) {
  for (const onnx::NodeProto& node : graph.node()) {
    if (!IsRandomOperator(node) || node.output_size() == 0) continue;
    RandomOutputCheck check;
    if (node.op_type() == "Bernoulli") {
      check.range = RandomOutputCheck::Range::kZeroOrOne;
    } else if (node.op_type().starts_with("RandomUniform")) {
      check.range = RandomOutputCheck::Range::kBetween;
      check.low = FloatAttribute(node, "low", 0.0f);
      check.high = FloatAttribute(node, "high", 1.0f);
    }
    facts.random_checks[node.output(0)] = check;
  }
}

DataType ElementType(int32_t code) { return DataTypeFromCode(code).value_or(DataType::kInvalid); }

DeclaredValue Declare(const onnx::ValueInfoProto& info) {
  DeclaredValue value;
  value.name = info.name();
  const onnx::TypeProto* type = &info.type();
  if (type->has_optional_type()) {
    value.kind = DeclaredValue::Kind::kOptional;
    type = &type->optional_type().elem_type();
  } else if (type->has_sequence_type()) {
    value.kind = DeclaredValue::Kind::kSequence;
  } else if (!type->has_tensor_type()) {
    value.kind = DeclaredValue::Kind::kOther;
  }
  if (type->has_sequence_type()) type = &type->sequence_type().elem_type();
  if (type->has_tensor_type()) value.element_type = ElementType(type->tensor_type().elem_type());
  return value;
}

}  // namespace

StatusOr<ModelFacts> ReadModelFacts(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  onnx::ModelProto model;
  if (!file || !model.ParseFromIstream(&file))
    return InvalidArgument("cannot read ONNX model '" + path + "'");
  const onnx::GraphProto& graph = model.graph();
  std::set<std::string> initializers;
  for (const onnx::TensorProto& initializer : graph.initializer())
    initializers.insert(initializer.name());
  ModelFacts facts;
  for (const onnx::ValueInfoProto& input : graph.input())
    if (!initializers.contains(input.name())) facts.inputs.push_back(Declare(input));
  for (const onnx::ValueInfoProto& output : graph.output())
    facts.outputs.push_back(Declare(output));
  CollectOperators(graph, facts);
  if (facts.has_random_operators) CollectRandomChecks(graph, facts);
  return facts;
}

}  // namespace mlos::conformance
