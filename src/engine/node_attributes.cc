#include "engine/node_attributes.h"

namespace mlos::engine {

const onnx::AttributeProto* NodeAttributes::Find(std::string_view name) const {
  for (const onnx::AttributeProto& attribute : node_->attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

bool NodeAttributes::Has(std::string_view name) const { return Find(name) != nullptr; }

int64_t NodeAttributes::GetInt(std::string_view name, int64_t default_value) const {
  const onnx::AttributeProto* attribute = Find(name);
  return attribute ? attribute->i() : default_value;
}

float NodeAttributes::GetFloat(std::string_view name, float default_value) const {
  const onnx::AttributeProto* attribute = Find(name);
  return attribute ? attribute->f() : default_value;
}

std::string NodeAttributes::GetString(std::string_view name, std::string_view default_value) const {
  const onnx::AttributeProto* attribute = Find(name);
  return attribute ? attribute->s() : std::string(default_value);
}

std::vector<int64_t> NodeAttributes::GetInts(std::string_view name) const {
  const onnx::AttributeProto* attribute = Find(name);
  if (attribute == nullptr) return {};
  return {attribute->ints().begin(), attribute->ints().end()};
}

std::vector<float> NodeAttributes::GetFloats(std::string_view name) const {
  const onnx::AttributeProto* attribute = Find(name);
  if (attribute == nullptr) return {};
  return {attribute->floats().begin(), attribute->floats().end()};
}

std::vector<std::string> NodeAttributes::GetStrings(std::string_view name) const {
  const onnx::AttributeProto* attribute = Find(name);
  if (attribute == nullptr) return {};
  return {attribute->strings().begin(), attribute->strings().end()};
}

const onnx::TensorProto* NodeAttributes::GetTensor(std::string_view name) const {
  const onnx::AttributeProto* attribute = Find(name);
  return attribute && attribute->has_t() ? &attribute->t() : nullptr;
}

const onnx::GraphProto* NodeAttributes::GetGraph(std::string_view name) const {
  const onnx::AttributeProto* attribute = Find(name);
  return attribute && attribute->has_g() ? &attribute->g() : nullptr;
}

}  // namespace mlos::engine
