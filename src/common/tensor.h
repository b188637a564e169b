// Tensor: a dense, row-major, typed n-dimensional array that owns (or shares) its bytes.
//
// Storage is 64-byte aligned and reference counted: copying a Tensor shares the bytes (cheap;
// used for Reshape-like views), Clone() copies them. String tensors keep one std::string per
// element instead of raw bytes. A Tensor is not synchronised: share it across threads read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/dtype.h"

namespace mlos {

using Shape = std::vector<int64_t>;

// Product of the dimensions (1 for a scalar). REQUIRES: every dimension >= 0.
int64_t ElementCount(const Shape& shape);
// "[2, 3, -1]".
std::string ShapeToString(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor (empty strings for kString).
  Tensor(DataType dtype, Shape shape);
  // A tensor whose bytes are left as the allocator gave them, for a producer that writes every
  // element before anything reads it (most kernels' outputs); saves a pass over the memory.
  // kString tensors are still filled with empty strings.
  static Tensor Uninitialized(DataType dtype, Shape shape);
  // A tensor over memory someone else owns (zero-copy in). REQUIRES: dtype is not kString, `data`
  // holds ElementCount(shape) elements and outlives every copy of the returned tensor.
  static Tensor Borrow(DataType dtype, Shape shape, const void* data);

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t element_count() const { return ElementCount(shape_); }
  // element_count() * ElementSize(dtype()); 0 for string tensors.
  size_t byte_size() const;
  bool empty() const { return dtype_ == DataType::kInvalid; }

  void* raw_data() { return bytes_.get(); }
  const void* raw_data() const { return bytes_.get(); }
  template <typename T>
  T* data() { return static_cast<T*>(raw_data()); }
  template <typename T>
  const T* data() const { return static_cast<const T*>(raw_data()); }
  template <typename T>
  std::span<const T> values() const { return {data<T>(), static_cast<size_t>(element_count())}; }

  // REQUIRES: dtype() == kString.
  std::vector<std::string>& strings() { return *strings_; }
  const std::vector<std::string>& strings() const { return *strings_; }

  // Same bytes, new shape. REQUIRES: ElementCount(shape) == element_count().
  Tensor Reshaped(Shape shape) const;
  // Deep copy.
  Tensor Clone() const;

 private:
  DataType dtype_ = DataType::kInvalid;
  Shape shape_;
  std::shared_ptr<std::byte[]> bytes_;
  std::shared_ptr<std::vector<std::string>> strings_;
};

}  // namespace mlos
