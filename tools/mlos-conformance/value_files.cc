#include "tools/mlos-conformance/value_files.h"

#include <cstring>
#include <fstream>

#include "engine/tensor_proto.h"

namespace mlos::conformance {
namespace {

using engine::Value;

template <typename Proto>
Status ParseFile(const std::string& path, Proto& proto) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("cannot read '" + path + "'");
  if (!proto.ParseFromIstream(&file))
    return InvalidArgument("'" + path + "' is not a " + proto.GetTypeName());
  return Status::Ok();
}

// ONNX's test generators (1.12 and before) write bfloat16 data as uint16 tensors of the same bit
// patterns, numpy having no bfloat16; the model still declares bfloat16.
Tensor BFloat16FromBits(const Tensor& bits) {
  Tensor tensor(DataType::kBFloat16, bits.shape());
  std::memcpy(tensor.raw_data(), bits.raw_data(), bits.byte_size());
  return tensor;
}

}  // namespace

StatusOr<Value> ValueFromSequenceProto(const onnx::SequenceProto& proto, DataType element_type) {
  if (proto.sequence_values_size() > 0 || proto.map_values_size() > 0 ||
      proto.optional_values_size() > 0 || proto.sparse_tensor_values_size() > 0)
    return Unimplemented("only sequences of dense tensors are supported");
  std::vector<Tensor> items;
  for (const onnx::TensorProto& item : proto.tensor_values()) {
    ASSIGN_OR_RETURN(Tensor tensor, engine::TensorFromProto(item));
    if (element_type == DataType::kInvalid) element_type = tensor.dtype();
    items.push_back(std::move(tensor));
  }
  return Value::Sequence(element_type, std::move(items));
}

StatusOr<Value> ValueFromOptionalProto(const onnx::OptionalProto& proto, DataType element_type) {
  if (proto.has_tensor_value()) {
    ASSIGN_OR_RETURN(Tensor tensor, engine::TensorFromProto(proto.tensor_value()));
    return Value(std::move(tensor));
  }
  if (proto.has_sequence_value())
    return ValueFromSequenceProto(proto.sequence_value(), element_type);
  if (proto.has_sparse_tensor_value() || proto.has_map_value() || proto.has_optional_value())
    return Unimplemented("only optionals of tensors and sequences are supported");
  return Value::EmptyOptional();
}

StatusOr<Value> ReadValueFile(const std::string& path, const DeclaredValue& declared) {
  StatusOr<Value> value = Unimplemented("graph value '" + declared.name +
                                        "' is neither a tensor, a sequence nor an optional");
  switch (declared.kind) {
    case DeclaredValue::Kind::kTensor: {
      onnx::TensorProto proto;
      RETURN_IF_ERROR(ParseFile(path, proto));
      StatusOr<Tensor> tensor = engine::TensorFromProto(proto);
      if (!tensor.ok()) return tensor.status().WithContext(path);
      if (declared.element_type == DataType::kBFloat16 && tensor->dtype() == DataType::kUInt16)
        return Value(BFloat16FromBits(*tensor));
      return Value(std::move(tensor).value());
    }
    case DeclaredValue::Kind::kSequence: {
      onnx::SequenceProto proto;
      RETURN_IF_ERROR(ParseFile(path, proto));
      value = ValueFromSequenceProto(proto, declared.element_type);
      break;
    }
    case DeclaredValue::Kind::kOptional: {
      onnx::OptionalProto proto;
      RETURN_IF_ERROR(ParseFile(path, proto));
      value = ValueFromOptionalProto(proto, declared.element_type);
      break;
    }
    case DeclaredValue::Kind::kOther:
      break;
  }
  if (!value.ok()) return value.status().WithContext(path);
  return value;
}

}  // namespace mlos::conformance
