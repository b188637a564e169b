#include "engine/tensor_proto.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

namespace mlos::engine {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

std::string Describe(const onnx::TensorProto& proto) { return "tensor '" + proto.name() + "'"; }

// What the dims and data_type of a proto declare, checked: no negative dimension, and every
// product of dimensions (so every stride a kernel computes) and the byte size fit in int64.
struct Layout {
  DataType dtype = DataType::kInvalid;
  Shape shape;
  int64_t count = 0;
};

StatusOr<DataType> ElementType(const onnx::TensorProto& proto) {
  const int32_t code = proto.data_type();
  const std::optional<DataType> dtype = DataTypeFromCode(code);
  if (dtype && *dtype != DataType::kInvalid) return *dtype;
  if (code == onnx::TensorProto::UNDEFINED || !onnx::TensorProto::DataType_IsValid(code)) {
    return InvalidArgument(Describe(proto) + ": data_type " + std::to_string(code) +
                           " is not an ONNX data type");
  }
  return Unimplemented(Describe(proto) + ": data type " + onnx::TensorProto::DataType_Name(code) +
                       " is not supported");
}

StatusOr<Layout> LayoutOf(const onnx::TensorProto& proto) {
  Layout layout;
  ASSIGN_OR_RETURN(layout.dtype, ElementType(proto));
  layout.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t nonzero_product = 1;
  bool has_zero = false;
  for (int64_t dim : layout.shape) {
    if (dim < 0) {
      return InvalidArgument(Describe(proto) + ": negative dimension in " +
                             ShapeToString(layout.shape));
    }
    if (dim == 0) {
      has_zero = true;
    } else if (nonzero_product > kMaxInt64 / dim) {
      return InvalidArgument(Describe(proto) + ": dims " + ShapeToString(layout.shape) +
                             " hold more than 2^63 elements");
    } else {
      nonzero_product *= dim;
    }
  }
  layout.count = has_zero ? 0 : nonzero_product;
  const auto element_size = static_cast<int64_t>(ElementSize(layout.dtype));
  if (element_size > 0 && layout.count > kMaxInt64 / element_size) {
    return InvalidArgument(Describe(proto) + ": " + Name(layout.dtype) + " " +
                           ShapeToString(layout.shape) + " needs more than 2^63 bytes");
  }
  return layout;
}

// The field a tensor of `dtype` keeps its values in when they are not in raw_data.
struct TypedField {
  const char* name;
  int size;
};

TypedField TypedFieldOf(const onnx::TensorProto& proto, DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32:
      return {"float_data", proto.float_data_size()};
    case DataType::kFloat64:
      return {"double_data", proto.double_data_size()};
    case DataType::kInt64:
      return {"int64_data", proto.int64_data_size()};
    case DataType::kUInt32:
    case DataType::kUInt64:
      return {"uint64_data", proto.uint64_data_size()};
    case DataType::kString:
      return {"string_data", proto.string_data_size()};
    case DataType::kInt32:
    case DataType::kInt16:
    case DataType::kInt8:
    case DataType::kUInt16:
    case DataType::kFloat16:  // 16-bit patterns, stored widened
    case DataType::kBFloat16:
    case DataType::kUInt8:
    case DataType::kBool:
    case DataType::kInvalid:
      break;
  }
  return {"int32_data", proto.int32_data_size()};
}

// The checked layout of an inline tensor whose data holds exactly what the layout declares.
StatusOr<Layout> CheckedLayout(const onnx::TensorProto& proto) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    return InvalidArgument(Describe(proto) + ": external data was not resolved");
  }
  if (proto.has_segment()) {
    return Unimplemented(Describe(proto) + ": segmented tensors are not supported");
  }
  ASSIGN_OR_RETURN(Layout layout, LayoutOf(proto));
  if (proto.has_raw_data()) {
    if (layout.dtype == DataType::kString) {
      return InvalidArgument(Describe(proto) + ": string tensors cannot use raw_data");
    }
    const uint64_t byte_size = static_cast<uint64_t>(layout.count) * ElementSize(layout.dtype);
    if (proto.raw_data().size() != byte_size) {
      return InvalidArgument(Describe(proto) + ": raw_data has " +
                             std::to_string(proto.raw_data().size()) + " bytes, " +
                             Name(layout.dtype) + " " + ShapeToString(layout.shape) + " needs " +
                             std::to_string(byte_size));
    }
    return layout;
  }
  const TypedField field = TypedFieldOf(proto, layout.dtype);
  if (field.size != layout.count) {
    return InvalidArgument(Describe(proto) + ": " + field.name + " holds " +
                           std::to_string(field.size) + " values, the shape " +
                           ShapeToString(layout.shape) + " needs " + std::to_string(layout.count));
  }
  return layout;
}

// Copies a typed repeated field into `tensor`, narrowing each value to the element type T.
template <typename T, typename Field>
void CopyField(const Field& field, Tensor& tensor) {
  if constexpr (std::is_same_v<T, std::string>) {
    std::copy(field.begin(), field.end(), tensor.strings().begin());
  } else {
    T* out = tensor.data<T>();
    for (int i = 0; i < field.size(); ++i) out[i] = static_cast<T>(field.Get(i));
  }
}

void CopyTypedField(const onnx::TensorProto& proto, Tensor& tensor) {
  switch (tensor.dtype()) {
    case DataType::kFloat32:
      return CopyField<float>(proto.float_data(), tensor);
    case DataType::kFloat64:
      return CopyField<double>(proto.double_data(), tensor);
    case DataType::kInt64:
      return CopyField<int64_t>(proto.int64_data(), tensor);
    case DataType::kUInt32:
      return CopyField<uint32_t>(proto.uint64_data(), tensor);
    case DataType::kUInt64:
      return CopyField<uint64_t>(proto.uint64_data(), tensor);
    case DataType::kString:
      return CopyField<std::string>(proto.string_data(), tensor);
    case DataType::kInt32:
      return CopyField<int32_t>(proto.int32_data(), tensor);
    case DataType::kInt16:
      return CopyField<int16_t>(proto.int32_data(), tensor);
    case DataType::kInt8:
      return CopyField<int8_t>(proto.int32_data(), tensor);
    case DataType::kUInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16:
      return CopyField<uint16_t>(proto.int32_data(), tensor);
    case DataType::kUInt8:
      return CopyField<uint8_t>(proto.int32_data(), tensor);
    case DataType::kBool:
      return CopyField<bool>(proto.int32_data(), tensor);
    case DataType::kInvalid:
      return;
  }
}

}  // namespace

StatusOr<uint64_t> RawByteSize(const onnx::TensorProto& proto) {
  ASSIGN_OR_RETURN(Layout layout, LayoutOf(proto));
  if (layout.dtype == DataType::kString) {
    return InvalidArgument(Describe(proto) + ": string tensors cannot be stored as raw bytes");
  }
  return static_cast<uint64_t>(layout.count) * ElementSize(layout.dtype);
}

Status CheckTensorProto(const onnx::TensorProto& proto) { return CheckedLayout(proto).status(); }

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto) {
  ASSIGN_OR_RETURN(Layout layout, CheckedLayout(proto));
  Tensor tensor(layout.dtype, std::move(layout.shape));
  if (!proto.has_raw_data()) {
    CopyTypedField(proto, tensor);
  } else if (tensor.byte_size() > 0) {
    std::memcpy(tensor.raw_data(), proto.raw_data().data(), tensor.byte_size());
  }
  return tensor;
}

}  // namespace mlos::engine
