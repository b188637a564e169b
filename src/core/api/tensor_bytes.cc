#include "core/api/tensor_bytes.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

namespace mlos::core {
namespace {

static_assert(std::endian::native == std::endian::little,
              "tensor bytes are little-endian on the wire and copied as they are");

StatusOr<Tensor> StringsFromSmiBytes(const Shape& shape, int64_t count, std::string_view bytes,
                                     std::string_view length_name) {
  if (static_cast<uint64_t>(count) > bytes.size() / sizeof(uint32_t)) {
    return InvalidArgument(
        fmt::format("{} is {}, too small for the 4-byte lengths of shape {}'s {} BYTES elements",
                    length_name, bytes.size(), ShapeToString(shape), count));
  }
  Tensor tensor(DataType::kString, shape);
  size_t offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    uint32_t length = 0;
    if (bytes.size() - offset < sizeof(length)) {
      return InvalidArgument(fmt::format(
          "binary BYTES data ends at element {} of {}: no room for its 4-byte length", i, count));
    }
    std::memcpy(&length, bytes.data() + offset, sizeof(length));
    offset += sizeof(length);
    if (bytes.size() - offset < length) {
      return InvalidArgument(
          fmt::format("binary BYTES element {} says {} bytes, only {} remain in its {}", i, length,
                      bytes.size() - offset, length_name));
    }
    tensor.strings()[i] = std::string(bytes.substr(offset, length));
    offset += length;
  }
  if (offset != bytes.size()) {
    return InvalidArgument(
        fmt::format("binary BYTES data of {} elements ends after {} bytes, {} is {}", count, offset,
                    length_name, bytes.size()));
  }
  return tensor;
}

}  // namespace

Status CheckShapeAgainstDeclared(const TensorSpec& spec, const Shape& shape) {
  if (!spec.shape) return Status::Ok();
  const Shape& declared = *spec.shape;
  if (declared.size() != shape.size()) {
    return InvalidArgument(fmt::format("shape {} has rank {}, the model expects {} (rank {})",
                                       ShapeToString(shape), shape.size(), ShapeToString(declared),
                                       declared.size()));
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (declared[i] >= 0 && declared[i] != shape[i]) {
      return InvalidArgument(
          fmt::format("shape {} does not match the model's {}: dimension {} must be {}",
                      ShapeToString(shape), ShapeToString(declared), i, declared[i]));
    }
  }
  return Status::Ok();
}

StatusOr<int64_t> BoundedElementCount(const Shape& shape, uint64_t limit) {
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return int64_t{0};
  uint64_t count = 1;
  for (const int64_t dimension : shape) {
    if (dimension < 0 || static_cast<uint64_t>(dimension) > limit ||
        count > limit / static_cast<uint64_t>(dimension)) {
      return InvalidArgument(
          fmt::format("shape {} has more elements than the request carries", ShapeToString(shape)));
    }
    count *= static_cast<uint64_t>(dimension);
  }
  return static_cast<int64_t>(count);
}

Status CheckFixedSizeBytes(DataType dtype, const Shape& shape, int64_t count,
                           std::string_view bytes, std::string_view length_name) {
  const uint64_t expected = static_cast<uint64_t>(count) * ElementSize(dtype);
  if (bytes.size() != expected) {
    return InvalidArgument(fmt::format("{} is {}, shape {} of {} needs {} bytes", length_name,
                                       bytes.size(), ShapeToString(shape), KServeName(dtype),
                                       expected));
  }
  if (dtype == DataType::kBool) {
    for (uint64_t i = 0; i < expected; ++i) {
      const auto byte = static_cast<uint8_t>(bytes[i]);
      if (byte > 1) {
        return InvalidArgument(
            fmt::format("binary BOOL element {} is {}; BOOL elements are bytes 0 or 1", i, byte));
      }
    }
  }
  return Status::Ok();
}

StatusOr<Tensor> TensorFromSmiBytes(DataType dtype, const Shape& shape, int64_t count,
                                    std::string_view bytes, std::string_view length_name) {
  if (dtype == DataType::kString) return StringsFromSmiBytes(shape, count, bytes, length_name);
  RETURN_IF_ERROR(CheckFixedSizeBytes(dtype, shape, count, bytes, length_name));
  Tensor tensor(dtype, shape);
  if (!bytes.empty()) std::memcpy(tensor.raw_data(), bytes.data(), bytes.size());
  return tensor;
}

}  // namespace mlos::core
