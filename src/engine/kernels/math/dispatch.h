// Run-time type dispatch for kernels: maps a tensor's DataType to its C++ element type.
//
// Kernels write their arithmetic once as a template over the element type T and call
// Dispatch<float, double>(dtype, what, [&](auto zero) { using T = decltype(zero); ... }), which
// calls the lambda with a value-initialised T for the matching type, or returns Unimplemented
// naming `what` and the type. DataTypesOf<float, double>() gives the matching registration list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/dtype.h"
#include "common/status.h"

namespace mlos::engine {

template <typename T>
constexpr DataType DataTypeOf() {
  if constexpr (std::is_same_v<T, float>) return DataType::kFloat32;
  if constexpr (std::is_same_v<T, double>) return DataType::kFloat64;
  if constexpr (std::is_same_v<T, int8_t>) return DataType::kInt8;
  if constexpr (std::is_same_v<T, uint8_t>) return DataType::kUInt8;
  if constexpr (std::is_same_v<T, int16_t>) return DataType::kInt16;
  if constexpr (std::is_same_v<T, uint16_t>) return DataType::kUInt16;
  if constexpr (std::is_same_v<T, int32_t>) return DataType::kInt32;
  if constexpr (std::is_same_v<T, uint32_t>) return DataType::kUInt32;
  if constexpr (std::is_same_v<T, int64_t>) return DataType::kInt64;
  if constexpr (std::is_same_v<T, uint64_t>) return DataType::kUInt64;
  if constexpr (std::is_same_v<T, bool>) return DataType::kBool;
  return DataType::kInvalid;
}

template <typename... Types>
std::vector<DataType> DataTypesOf() {
  return {DataTypeOf<Types>()...};
}

// Calls fn(T{}) for the T among Types whose DataType is `dtype`; fn returns Status.
template <typename... Types, typename Fn>
Status Dispatch(DataType dtype, std::string_view what, Fn&& fn) {
  Status status =
      Unimplemented(std::string(what) + ": element type " + Name(dtype) + " is not supported");
  (void)((dtype == DataTypeOf<Types>() ? (status = fn(Types{}), true) : false) || ...);
  return status;
}

}  // namespace mlos::engine
