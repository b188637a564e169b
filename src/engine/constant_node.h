// Folding of ONNX Constant nodes: the value a Constant node produces, computed once at load time.
#pragma once

#include <onnx/onnx_pb.h>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

inline bool IsConstantNode(const onnx::NodeProto& node) {
  return node.op_type() == "Constant" && (node.domain().empty() || node.domain() == "ai.onnx");
}

// The tensor held by a Constant node's `value`, `value_float(s)`, `value_int(s)` or
// `value_string(s)` attribute. `sparse_value` is Unimplemented; anything else InvalidArgument.
StatusOr<Tensor> ConstantNodeValue(const onnx::NodeProto& node);

}  // namespace mlos::engine
