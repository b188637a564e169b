#include "engine/tensor_proto.h"

#include <cstring>

namespace mlos::engine {
namespace {

std::string Describe(const onnx::TensorProto& proto) { return "tensor '" + proto.name() + "'"; }

Status CountMismatch(const onnx::TensorProto& proto, const char* field, int64_t got,
                     int64_t expected) {
  return InvalidArgument(Describe(proto) + ": " + field + " holds " + std::to_string(got) +
                         " values, the shape needs " + std::to_string(expected));
}

// Copies a typed repeated field into `tensor`, narrowing each value to the element type T.
template <typename T, typename Field>
Status CopyField(const onnx::TensorProto& proto, const char* field_name, const Field& field,
                 Tensor& tensor) {
  if (field.size() != tensor.element_count()) {
    return CountMismatch(proto, field_name, field.size(), tensor.element_count());
  }
  T* out = tensor.data<T>();
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<T>(field.Get(i));
  return Status::Ok();
}

Status CopyTypedField(const onnx::TensorProto& proto, Tensor& tensor) {
  switch (tensor.dtype()) {
    case DataType::kFloat32:
      return CopyField<float>(proto, "float_data", proto.float_data(), tensor);
    case DataType::kFloat64:
      return CopyField<double>(proto, "double_data", proto.double_data(), tensor);
    case DataType::kInt64:
      return CopyField<int64_t>(proto, "int64_data", proto.int64_data(), tensor);
    case DataType::kUInt32:
      return CopyField<uint32_t>(proto, "uint64_data", proto.uint64_data(), tensor);
    case DataType::kUInt64:
      return CopyField<uint64_t>(proto, "uint64_data", proto.uint64_data(), tensor);
    case DataType::kInt32:
      return CopyField<int32_t>(proto, "int32_data", proto.int32_data(), tensor);
    case DataType::kInt16:
      return CopyField<int16_t>(proto, "int32_data", proto.int32_data(), tensor);
    case DataType::kInt8:
      return CopyField<int8_t>(proto, "int32_data", proto.int32_data(), tensor);
    case DataType::kUInt16:
    case DataType::kFloat16:  // 16-bit patterns, stored widened
    case DataType::kBFloat16:
      return CopyField<uint16_t>(proto, "int32_data", proto.int32_data(), tensor);
    case DataType::kUInt8:
      return CopyField<uint8_t>(proto, "int32_data", proto.int32_data(), tensor);
    case DataType::kBool:
      return CopyField<bool>(proto, "int32_data", proto.int32_data(), tensor);
    case DataType::kString: {
      const auto& field = proto.string_data();
      if (field.size() != tensor.element_count()) {
        return CountMismatch(proto, "string_data", field.size(), tensor.element_count());
      }
      std::copy(field.begin(), field.end(), tensor.strings().begin());
      return Status::Ok();
    }
    case DataType::kInvalid:
      break;
  }
  return Internal(Describe(proto) + ": no typed field for " + Name(tensor.dtype()));
}

}  // namespace

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto) {
  const std::optional<DataType> dtype = DataTypeFromCode(proto.data_type());
  if (!dtype || *dtype == DataType::kInvalid) {
    return Unimplemented(Describe(proto) + ": unsupported data type " +
                         std::to_string(proto.data_type()));
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    return InvalidArgument(Describe(proto) + ": external data was not resolved");
  }
  if (proto.has_segment()) {
    return Unimplemented(Describe(proto) + ": segmented tensors are not supported");
  }
  Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t dim : shape) {
    if (dim < 0) {
      return InvalidArgument(Describe(proto) + ": negative dimension in " + ShapeToString(shape));
    }
  }
  Tensor tensor(*dtype, std::move(shape));
  if (!proto.has_raw_data()) {
    RETURN_IF_ERROR(CopyTypedField(proto, tensor));
    return tensor;
  }
  if (*dtype == DataType::kString) {
    return InvalidArgument(Describe(proto) + ": string tensors cannot use raw_data");
  }
  if (proto.raw_data().size() != tensor.byte_size()) {
    return InvalidArgument(Describe(proto) + ": raw_data has " +
                           std::to_string(proto.raw_data().size()) + " bytes, " + Name(*dtype) +
                           " " + ShapeToString(tensor.shape()) + " needs " +
                           std::to_string(tensor.byte_size()));
  }
  if (tensor.byte_size() > 0)
    std::memcpy(tensor.raw_data(), proto.raw_data().data(), tensor.byte_size());
  return tensor;
}

}  // namespace mlos::engine
