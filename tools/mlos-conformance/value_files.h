// Reading a case's input_K.pb / output_K.pb into engine Values, by the model's declared type:
// a tensor is an onnx::TensorProto, a sequence an onnx::SequenceProto (of tensors), an optional an
// onnx::OptionalProto (empty, or holding a tensor or a sequence, which becomes that Value itself).
// A uint16 tensor file for a tensor declared bfloat16 is read as bfloat16 of the same bits: that is
// how ONNX's test generators wrote bfloat16 (numpy has no bfloat16).
#pragma once

#include <onnx/onnx-data_pb.h>

#include <string>

#include "engine/value.h"
#include "tools/mlos-conformance/model_facts.h"

namespace mlos::conformance {

// `element_type` is the declared item type, used for empty sequences (kInvalid: unknown).
StatusOr<engine::Value> ValueFromSequenceProto(const onnx::SequenceProto& proto,
                                               DataType element_type);
StatusOr<engine::Value> ValueFromOptionalProto(const onnx::OptionalProto& proto,
                                               DataType element_type);

// InvalidArgument naming the file when it cannot be read or does not hold what `declared` says.
StatusOr<engine::Value> ReadValueFile(const std::string& path, const DeclaredValue& declared);

}  // namespace mlos::conformance
