#include "common/tensor.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mlos {
namespace {

constexpr size_t kAlignment = 64;

std::shared_ptr<std::byte[]> Allocate(size_t bytes, bool zeroed) {
  const size_t rounded = std::max((bytes + kAlignment - 1) / kAlignment * kAlignment, kAlignment);
  void* memory = std::aligned_alloc(kAlignment, rounded);
  if (memory == nullptr) throw std::bad_alloc();
  if (zeroed) std::memset(memory, 0, rounded);
  return std::shared_ptr<std::byte[]>(static_cast<std::byte*>(memory),
                                      [](std::byte* p) { std::free(p); });
}

}  // namespace

int64_t ElementCount(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::string ShapeToString(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

Tensor::Tensor(DataType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (dtype_ == DataType::kString) {
    strings_ = std::make_shared<std::vector<std::string>>(static_cast<size_t>(element_count()));
  } else {
    bytes_ = Allocate(byte_size(), /*zeroed=*/true);
  }
}

Tensor Tensor::Uninitialized(DataType dtype, Shape shape) {
  if (dtype == DataType::kString) return Tensor(dtype, std::move(shape));
  Tensor out;
  out.dtype_ = dtype;
  out.shape_ = std::move(shape);
  out.bytes_ = Allocate(out.byte_size(), /*zeroed=*/false);
  return out;
}

Tensor Tensor::Borrow(DataType dtype, Shape shape, const void* data) {
  Tensor out;
  out.dtype_ = dtype;
  out.shape_ = std::move(shape);
  // Non-owning: the no-op deleter leaves the memory to its owner.
  out.bytes_ = std::shared_ptr<std::byte[]>(static_cast<std::byte*>(const_cast<void*>(data)),
                                            [](std::byte*) {});
  return out;
}

size_t Tensor::byte_size() const {
  return static_cast<size_t>(element_count()) * ElementSize(dtype_);
}

Tensor Tensor::Reshaped(Shape shape) const {
  assert(ElementCount(shape) == element_count());
  Tensor out = *this;
  out.shape_ = std::move(shape);
  return out;
}

Tensor Tensor::Clone() const {
  if (empty()) return {};
  Tensor out(dtype_, shape_);
  if (dtype_ == DataType::kString) {
    *out.strings_ = *strings_;
  } else if (byte_size() > 0) {
    std::memcpy(out.raw_data(), raw_data(), byte_size());
  }
  return out;
}

}  // namespace mlos
