#include "engine/model_signature.h"

#include <unordered_set>

#include "engine/model_loader.h"

namespace mlos::engine {
namespace {

// The tensor type inside `type` (the element of a sequence or optional), or null.
const onnx::TypeProto::Tensor* ElementTensorType(const onnx::TypeProto& type) {
  if (type.has_tensor_type()) return &type.tensor_type();
  if (type.has_sequence_type()) return ElementTensorType(type.sequence_type().elem_type());
  if (type.has_optional_type()) return ElementTensorType(type.optional_type().elem_type());
  return nullptr;
}

TensorInfo::Kind KindOf(const onnx::TypeProto& type) {
  if (type.has_tensor_type()) return TensorInfo::Kind::kTensor;
  if (type.has_sequence_type()) return TensorInfo::Kind::kSequence;
  if (type.has_optional_type()) return TensorInfo::Kind::kOptional;
  return TensorInfo::Kind::kOther;
}

TensorInfo InfoOf(const onnx::ValueInfoProto& value) {
  TensorInfo info;
  info.name = value.name();
  info.kind = KindOf(value.type());
  const onnx::TypeProto::Tensor* element = ElementTensorType(value.type());
  if (element == nullptr || info.kind != TensorInfo::Kind::kTensor) {
    info.rank_known = false;
    if (element != nullptr)
      info.dtype = DataTypeFromCode(element->elem_type()).value_or(DataType::kInvalid);
    return info;
  }
  const onnx::TypeProto::Tensor& type = *element;
  info.dtype = DataTypeFromCode(type.elem_type()).value_or(DataType::kInvalid);
  info.rank_known = type.has_shape();
  for (const onnx::TensorShapeProto::Dimension& dim : type.shape().dim()) {
    info.shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  }
  return info;
}

}  // namespace

int OpsetOf(const onnx::ModelProto& model, std::string_view domain) {
  if (domain == "ai.onnx") domain = "";
  for (const onnx::OperatorSetIdProto& opset : model.opset_import()) {
    std::string_view imported = opset.domain();
    if (imported == "ai.onnx") imported = "";
    if (imported == domain) return static_cast<int>(opset.version());
  }
  return 0;
}

ModelSignature SignatureOf(const onnx::ModelProto& model) {
  ModelSignature signature;
  std::unordered_set<std::string> initializers;
  for (const onnx::TensorProto& tensor : model.graph().initializer())
    initializers.insert(tensor.name());
  for (const onnx::ValueInfoProto& input : model.graph().input()) {
    if (!initializers.contains(input.name())) signature.inputs.push_back(InfoOf(input));
  }
  for (const onnx::ValueInfoProto& output : model.graph().output()) {
    signature.outputs.push_back(InfoOf(output));
  }
  signature.ir_version = model.ir_version();
  signature.opset = OpsetOf(model, "");
  signature.producer = model.producer_name() + " " + model.producer_version();
  return signature;
}

std::string DescribeTensorInfo(const TensorInfo& info) {
  if (info.kind == TensorInfo::Kind::kSequence)
    return std::string("sequence of ") + Name(info.dtype);
  if (info.kind == TensorInfo::Kind::kOptional) return std::string("optional ") + Name(info.dtype);
  if (info.kind == TensorInfo::Kind::kOther) return "a map or other non-tensor value";
  return std::string(Name(info.dtype)) + " " +
         (info.rank_known ? ShapeToString(info.shape) : "(rank unknown)");
}

StatusOr<ModelSignature> ReadModelSignature(const std::string& path) {
  ASSIGN_OR_RETURN(onnx::ModelProto model, LoadModelProto(path));
  return SignatureOf(model);
}

}  // namespace mlos::engine
