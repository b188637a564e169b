// Small questions the fusion passes ask about nodes while matching patterns: is this node that
// ONNX operator, which input of a binary node is the other one, is this value a float scalar
// constant of a given value. Header-only; used by the passes in this directory.
#pragma once

#include <onnx/onnx_pb.h>

#include <cmath>
#include <optional>
#include <string>

#include "engine/optimizer/graph_view.h"

namespace mlos::engine::pattern {

// True when `node` is non-null and is the default-domain operator `op_type`.
inline bool IsOp(const onnx::NodeProto* node, const std::string& op_type) {
  return node != nullptr && (node->domain().empty() || node->domain() == "ai.onnx") &&
         node->op_type() == op_type;
}

// For a two-input node reading `value`, the name of its other input; nullopt when the node does
// not have exactly two inputs or does not read `value`. A node reading `value` twice gives it.
inline std::optional<std::string> OtherInput(const onnx::NodeProto& node, const std::string& value) {
  if (node.input_size() != 2) return std::nullopt;
  if (node.input(0) == value) return node.input(1);
  if (node.input(1) == value) return node.input(0);
  return std::nullopt;
}

// True when `value` is a constant holding one float32 element within a relative 1e-5 of
// `expected` (exported constants are rounded to float).
inline bool IsFloatScalar(const GraphView& view, const std::string& value, double expected) {
  std::optional<Tensor> tensor = view.Constant(value);
  if (!tensor || tensor->dtype() != DataType::kFloat32 || tensor->element_count() != 1) return false;
  return std::fabs(tensor->data<float>()[0] - expected) <= 1e-5 * std::fabs(expected);
}

// The value of a float32 constant holding one element; nullopt otherwise.
inline std::optional<float> FloatScalar(const GraphView& view, const std::string& value) {
  std::optional<Tensor> tensor = view.Constant(value);
  if (!tensor || tensor->dtype() != DataType::kFloat32 || tensor->element_count() != 1) {
    return std::nullopt;
  }
  return tensor->data<float>()[0];
}

// The node's output 0 when the node has exactly one output and it is read exactly once (by a
// node of this graph, not as a graph output); nullopt otherwise.
inline std::optional<std::string> SingleUseOutput(const GraphView& view, const onnx::NodeProto& node) {
  if (node.output_size() != 1 || view.UseCount(node.output(0)) != 1 ||
      view.IsGraphOutput(node.output(0))) {
    return std::nullopt;
  }
  return node.output(0);
}

}  // namespace mlos::engine::pattern
