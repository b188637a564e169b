// The declared inputs and outputs of a loaded ModelProto (see ModelSignature in session.h).
#pragma once

#include <onnx/onnx_pb.h>

#include <string_view>

#include "engine/session.h"

namespace mlos::engine {

// Inputs exclude initializers; unknown element types are kInvalid; dims without a value are -1.
ModelSignature SignatureOf(const onnx::ModelProto& model);

// The model's opset for `domain` ("" and "ai.onnx" are the same domain), or 0 if not imported.
int OpsetOf(const onnx::ModelProto& model, std::string_view domain);

// "float32 [-1, 16]", "float32 (rank unknown)".
std::string DescribeTensorInfo(const TensorInfo& info);

}  // namespace mlos::engine
