// Node-building helpers the RNN, GRU and LSTM tests share: NodeBuilder has no STRINGS attribute
// and names every output, while these ops take an `activations` list and often leave Y unnamed.
// Include only from *_test.cc files.
#pragma once

#include <string>
#include <vector>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {

// `node` with the attribute activations = `names`.
inline onnx::NodeProto WithActivations(const NodeBuilder& node,
                                       const std::vector<std::string>& names) {
  onnx::NodeProto proto = node.Build();
  onnx::AttributeProto* attribute = proto.add_attribute();
  attribute->set_name("activations");
  attribute->set_type(onnx::AttributeProto::STRINGS);
  for (const std::string& name : names) attribute->add_strings(name);
  return proto;
}

// `node` with its outputs replaced by `names` ("" = an output the node does not produce).
inline onnx::NodeProto WithOutputs(onnx::NodeProto node, const std::vector<std::string>& names) {
  node.clear_output();
  for (const std::string& name : names) node.add_output(name);
  return node;
}

}  // namespace mlos::engine::testing
