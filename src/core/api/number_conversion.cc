#include "core/api/number_conversion.h"

#include <fmt/format.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/api/float16.h"

namespace mlos::core {
namespace {

Status OutOfRange(const nlohmann::json& value, DataType dtype) {
  return InvalidArgument(fmt::format("{} is out of range for {}", value.dump(), KServeName(dtype)));
}

template <typename T>
Status StoreInteger(const nlohmann::json& value, DataType dtype, void* destination) {
  using Limits = std::numeric_limits<T>;
  T result;
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(Limits::max())) return OutOfRange(value, dtype);
    result = static_cast<T>(number);
  } else if (value.is_number_integer()) {
    const int64_t number = value.get<int64_t>();
    if (number < 0 && !Limits::is_signed) return OutOfRange(value, dtype);
    if (number >= 0 && static_cast<uint64_t>(number) > static_cast<uint64_t>(Limits::max())) {
      return OutOfRange(value, dtype);
    }
    if (number < static_cast<int64_t>(Limits::min())) return OutOfRange(value, dtype);
    result = static_cast<T>(number);
  } else if (value.is_number_float()) {
    const double number = value.get<double>();
    if (std::trunc(number) != number) {
      return InvalidArgument(
          fmt::format("{} is not an integer, as {} requires", value.dump(), KServeName(dtype)));
    }
    // 2^digits is the first value past max(); min() is -2^digits for signed types.
    const double bound = std::ldexp(1.0, Limits::digits);
    if (number >= bound || number < (Limits::is_signed ? -bound : 0.0)) {
      return OutOfRange(value, dtype);
    }
    result = static_cast<T>(number);
  } else {
    result = static_cast<T>(value.get<bool>() ? 1 : 0);
  }
  std::memcpy(destination, &result, sizeof(T));
  return Status::Ok();
}

StatusOr<double> FloatValue(const nlohmann::json& value, DataType dtype, double max_magnitude) {
  const double number = value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>();
  if (std::fabs(number) > max_magnitude) return OutOfRange(value, dtype);
  return number;
}

}  // namespace

Status StoreJsonScalar(const nlohmann::json& value, DataType dtype, void* destination) {
  if (!value.is_number() && !value.is_boolean()) {
    return InvalidArgument(fmt::format("{} is not a number", value.dump()));
  }
  switch (dtype) {
    case DataType::kFloat32: {
      ASSIGN_OR_RETURN(const double number, FloatValue(value, dtype, FLT_MAX));
      const float result = static_cast<float>(number);
      std::memcpy(destination, &result, sizeof(result));
      return Status::Ok();
    }
    case DataType::kFloat64: {
      ASSIGN_OR_RETURN(const double number, FloatValue(value, dtype, DBL_MAX));
      std::memcpy(destination, &number, sizeof(number));
      return Status::Ok();
    }
    case DataType::kFloat16: {
      ASSIGN_OR_RETURN(const double number, FloatValue(value, dtype, 65504.0));
      const uint16_t result = FloatToHalf(static_cast<float>(number));
      std::memcpy(destination, &result, sizeof(result));
      return Status::Ok();
    }
    case DataType::kBFloat16: {
      ASSIGN_OR_RETURN(const double number, FloatValue(value, dtype, FLT_MAX));
      const uint16_t result = FloatToBFloat16(static_cast<float>(number));
      std::memcpy(destination, &result, sizeof(result));
      return Status::Ok();
    }
    case DataType::kBool: {
      const bool is_flag = value.is_boolean() || value == 0 || value == 1;
      if (!is_flag) {
        return InvalidArgument(
            fmt::format("{} is not a boolean (true, false, 0 or 1)", value.dump()));
      }
      const uint8_t result = value.is_boolean() ? value.get<bool>() : value == 1;
      std::memcpy(destination, &result, sizeof(result));
      return Status::Ok();
    }
    case DataType::kInt8:
      return StoreInteger<int8_t>(value, dtype, destination);
    case DataType::kInt16:
      return StoreInteger<int16_t>(value, dtype, destination);
    case DataType::kInt32:
      return StoreInteger<int32_t>(value, dtype, destination);
    case DataType::kInt64:
      return StoreInteger<int64_t>(value, dtype, destination);
    case DataType::kUInt8:
      return StoreInteger<uint8_t>(value, dtype, destination);
    case DataType::kUInt16:
      return StoreInteger<uint16_t>(value, dtype, destination);
    case DataType::kUInt32:
      return StoreInteger<uint32_t>(value, dtype, destination);
    case DataType::kUInt64:
      return StoreInteger<uint64_t>(value, dtype, destination);
    case DataType::kString:
    case DataType::kInvalid:
      break;
  }
  return Unimplemented(
      fmt::format("{} tensors cannot be given as JSON numbers", KServeName(dtype)));
}

}  // namespace mlos::core
