// Element types for all kernel families (elementwise, tensor, math, nn): the C++ type behind
// each DataType, and dispatch from a runtime DataType to a template instantiation, so one
// templated kernel body covers many dtypes. A kernel names its types with a TypeList, either a
// named one below or an ad-hoc TypeList<float, double>, and registers DataTypesOf(the same list).
//
//   DispatchByType<NumericTypes>(x.dtype(), "input 0 (X)", [&](auto tag) -> Status {
//     using T = typename decltype(tag)::type;  ...
//   });
//
// Float16 and BFloat16 are 16-bit storage types; arithmetic on them happens in float
// (ComputeType<T>), converting on load and store with round-to-nearest-even.
// DispatchStorage() picks a type by element *size* only (or std::string), for kernels that move
// elements without looking at them (Transpose, Gather, Concat, ...).
// Everything here is stateless and thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

// IEEE 754 binary16.
class Float16 {
 public:
  Float16() = default;
  explicit Float16(float value);
  explicit operator float() const;
  uint16_t bits = 0;
};

// The upper half of an IEEE 754 binary32 (brain floating point).
class BFloat16 {
 public:
  BFloat16() = default;
  explicit BFloat16(float value);
  explicit operator float() const;
  uint16_t bits = 0;
};

static_assert(sizeof(Float16) == 2 && sizeof(BFloat16) == 2);

// The type arithmetic on T runs in: float for the 16-bit float types, T itself otherwise.
template <typename T>
using ComputeType =
    std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

template <typename T>
constexpr bool kIsFloatingPoint = std::is_floating_point_v<ComputeType<T>>;

template <typename T>
constexpr DataType DataTypeFor() {
  if constexpr (std::is_same_v<T, float>)
    return DataType::kFloat32;
  else if constexpr (std::is_same_v<T, double>)
    return DataType::kFloat64;
  else if constexpr (std::is_same_v<T, Float16>)
    return DataType::kFloat16;
  else if constexpr (std::is_same_v<T, BFloat16>)
    return DataType::kBFloat16;
  else if constexpr (std::is_same_v<T, int8_t>)
    return DataType::kInt8;
  else if constexpr (std::is_same_v<T, int16_t>)
    return DataType::kInt16;
  else if constexpr (std::is_same_v<T, int32_t>)
    return DataType::kInt32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DataType::kInt64;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return DataType::kUInt8;
  else if constexpr (std::is_same_v<T, uint16_t>)
    return DataType::kUInt16;
  else if constexpr (std::is_same_v<T, uint32_t>)
    return DataType::kUInt32;
  else if constexpr (std::is_same_v<T, uint64_t>)
    return DataType::kUInt64;
  else if constexpr (std::is_same_v<T, bool>)
    return DataType::kBool;
  else if constexpr (std::is_same_v<T, std::string>)
    return DataType::kString;
  else
    static_assert(!sizeof(T), "no DataType for this C++ type");
}

template <typename... Ts>
struct TypeList {};

template <typename T>
struct TypeTag {
  using type = T;
};

using FloatTypes = TypeList<float, double, Float16, BFloat16>;
using SignedIntTypes = TypeList<int8_t, int16_t, int32_t, int64_t>;
using UnsignedIntTypes = TypeList<uint8_t, uint16_t, uint32_t, uint64_t>;
using SignedNumericTypes =
    TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t>;
using IntegerTypes =
    TypeList<int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t>;
using NumericTypes = TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t,
                              uint8_t, uint16_t, uint32_t, uint64_t>;
using NumericAndBoolTypes = TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t,
                                     int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>;
using BoolTypes = TypeList<bool>;

// The DataTypes of a TypeList, for KernelRegistration::types.
template <typename... Ts>
std::vector<DataType> DataTypesOf(TypeList<Ts...>) {
  return {DataTypeFor<Ts>()...};
}

// "<what>: element type <name> is not supported".
Status UnsupportedType(std::string_view what, DataType type);

// Calls fn(TypeTag<T>{}) for the T of `List` whose DataType is `type` and returns its Status;
// returns UnsupportedType(what, type) when `List` has no such T.
template <typename List, typename Fn>
Status DispatchByType(DataType type, std::string_view what, Fn&& fn) {
  return [&]<typename... Ts>(TypeList<Ts...>) {
    Status status;
    const bool found =
        ((type == DataTypeFor<Ts>() ? (status = fn(TypeTag<Ts>{}), true) : false) || ...);
    return found ? status : UnsupportedType(what, type);
  }(List{});
}

// Calls fn(TypeTag<S>{}) where S is std::string for string tensors, else the unsigned integer
// of the element's size: a type to copy elements of `type` with, not to compute with.
template <typename Fn>
Status DispatchStorage(DataType type, std::string_view what, Fn&& fn) {
  if (type == DataType::kString) return fn(TypeTag<std::string>{});
  switch (ElementSize(type)) {
    case 1:
      return fn(TypeTag<uint8_t>{});
    case 2:
      return fn(TypeTag<uint16_t>{});
    case 4:
      return fn(TypeTag<uint32_t>{});
    case 8:
      return fn(TypeTag<uint64_t>{});
    default:
      return UnsupportedType(what, type);
  }
}

// The elements of `tensor` viewed as T (T = std::string for string tensors).
template <typename T>
T* Elements(Tensor& tensor) {
  if constexpr (std::is_same_v<T, std::string>) {
    return tensor.strings().data();
  } else {
    return tensor.data<T>();
  }
}
template <typename T>
const T* Elements(const Tensor& tensor) {
  if constexpr (std::is_same_v<T, std::string>) {
    return tensor.strings().data();
  } else {
    return tensor.data<T>();
  }
}

// Converts one value between element types the way ONNX Cast does: through the compute types,
// with nonzero -> true for bool and, for floating point -> integer, truncation toward zero, NaN
// -> 0 and saturation at the integer's range (ONNX leaves those cases undefined; this keeps them
// defined behaviour in C++).
template <typename To, typename From>
To ConvertElement(From value) {
  using ToCompute = ComputeType<To>;
  const ComputeType<From> wide = static_cast<ComputeType<From>>(value);
  if constexpr (std::is_integral_v<ToCompute> && !std::is_same_v<ToCompute, bool> &&
                std::is_floating_point_v<decltype(wide)>) {
    using Limits = std::numeric_limits<ToCompute>;
    if (!(wide == wide)) return To(0);
    if (wide <= static_cast<decltype(wide)>(Limits::min())) return Limits::min();
    if (wide >= static_cast<decltype(wide)>(Limits::max())) return Limits::max();
  }
  return static_cast<To>(static_cast<ToCompute>(wide));
}

}  // namespace mlos::engine
