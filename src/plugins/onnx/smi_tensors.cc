#include "plugins/onnx/smi_tensors.h"

#include <cstring>
#include <limits>

namespace mlos::plugins::onnx {
namespace {

constexpr size_t kLengthBytes = 4;  // the little-endian length prefix of each SMI string

StatusOr<Tensor> DecodeStrings(const smi_tensor_view& view, const std::string& where, Shape shape) {
  Tensor tensor(DataType::kString, std::move(shape));
  const auto* bytes = static_cast<const unsigned char*>(view.data);
  uint64_t offset = 0;
  for (std::string& value : tensor.strings()) {
    if (view.byte_size - offset < kLengthBytes) {
      return InvalidArgument(where + ": string data ends before element " +
                             std::to_string(&value - tensor.strings().data()));
    }
    const uint32_t length = bytes[offset] | bytes[offset + 1] << 8 | bytes[offset + 2] << 16 |
                            static_cast<uint32_t>(bytes[offset + 3]) << 24;
    offset += kLengthBytes;
    if (view.byte_size - offset < length) {
      return InvalidArgument(where + ": string element " +
                             std::to_string(&value - tensor.strings().data()) +
                             " runs past byte_size " + std::to_string(view.byte_size));
    }
    value.assign(reinterpret_cast<const char*>(bytes + offset), length);
    offset += length;
  }
  if (offset != view.byte_size) {
    return InvalidArgument(where + ": " + std::to_string(view.byte_size - offset) +
                           " bytes left over after the last string");
  }
  return tensor;
}

uint64_t HostByteSize(const Tensor& tensor) {
  if (tensor.dtype() != DataType::kString) return tensor.byte_size();
  uint64_t bytes = 0;
  for (const std::string& value : tensor.strings()) bytes += kLengthBytes + value.size();
  return bytes;
}

void EncodeStrings(const Tensor& tensor, unsigned char* out) {
  for (const std::string& value : tensor.strings()) {
    const auto length = static_cast<uint32_t>(value.size());
    for (size_t i = 0; i < kLengthBytes; ++i)
      *out++ = static_cast<unsigned char>(length >> (8 * i));
    std::memcpy(out, value.data(), value.size());
    out += value.size();
  }
}

}  // namespace

StatusOr<engine::NamedTensor> TensorFromView(const smi_tensor_view& view) {
  if (view.name == nullptr) return InvalidArgument("an input has no name");
  const std::string name = view.name;
  const std::string where = "input '" + name + "'";
  const std::optional<DataType> dtype = DataTypeFromCode(view.dtype);
  if (!dtype || *dtype == DataType::kInvalid) {
    return InvalidArgument(where + ": unknown datatype code " + std::to_string(view.dtype));
  }
  if (view.rank < 0 || (view.rank > 0 && view.shape == nullptr)) {
    return InvalidArgument(where + ": rank " + std::to_string(view.rank) + " without a shape");
  }
  Shape shape(view.shape, view.shape + view.rank);
  for (int64_t dim : shape) {
    if (dim < 0) return InvalidArgument(where + ": negative dimension in " + ShapeToString(shape));
  }
  if (view.data == nullptr && view.byte_size > 0) return InvalidArgument(where + ": data is NULL");
  if (*dtype == DataType::kString) {
    ASSIGN_OR_RETURN(Tensor strings, DecodeStrings(view, where, std::move(shape)));
    return engine::NamedTensor{name, std::move(strings)};
  }
  const uint64_t expected = static_cast<uint64_t>(ElementCount(shape)) * ElementSize(*dtype);
  if (view.byte_size != expected) {
    return InvalidArgument(where + ": byte_size " + std::to_string(view.byte_size) +
                           " does not fit " + Name(*dtype) + " " + ShapeToString(shape) + " (" +
                           std::to_string(expected) + " bytes)");
  }
  return engine::NamedTensor{name, Tensor::Borrow(*dtype, std::move(shape), view.data)};
}

Status CopyToHost(const engine::NamedTensor& output, const smi_allocator& allocator) {
  if (allocator.allocate == nullptr) return InvalidArgument("the request has no output allocator");
  const Tensor& tensor = output.tensor;
  if (tensor.dtype() == DataType::kString) {
    for (const std::string& value : tensor.strings()) {
      if (value.size() > std::numeric_limits<uint32_t>::max()) {
        return InvalidArgument("output '" + output.name + "': a string is longer than 4 GiB");
      }
    }
  }
  const uint64_t bytes = HostByteSize(tensor);
  void* buffer = allocator.allocate(
      allocator.context, output.name.c_str(), static_cast<smi_dtype>(tensor.dtype()),
      static_cast<int32_t>(tensor.shape().size()), tensor.shape().data(), bytes);
  if (buffer == nullptr) {
    return OutOfMemory("the host could not allocate " + std::to_string(bytes) +
                       " bytes for output '" + output.name + "'");
  }
  if (tensor.dtype() == DataType::kString) {
    EncodeStrings(tensor, static_cast<unsigned char*>(buffer));
  } else if (bytes > 0) {
    std::memcpy(buffer, tensor.raw_data(), bytes);
  }
  return Status::Ok();
}

}  // namespace mlos::plugins::onnx
