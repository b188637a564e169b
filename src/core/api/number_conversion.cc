#include "core/api/number_conversion.h"

#include <fmt/format.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/api/float16.h"

namespace mlos::core {
namespace {

Status OutOfRange(const JsonScalar& value, DataType dtype) {
  return InvalidArgument(
      fmt::format("{} is out of range for {}", JsonScalarText(value), KServeName(dtype)));
}

template <typename T>
Status StoreInteger(const JsonScalar& value, DataType dtype, void* destination) {
  using Limits = std::numeric_limits<T>;
  T result;
  if (const auto* number = std::get_if<uint64_t>(&value)) {
    if (*number > static_cast<uint64_t>(Limits::max())) return OutOfRange(value, dtype);
    result = static_cast<T>(*number);
  } else if (const auto* number = std::get_if<int64_t>(&value)) {
    if (*number < 0 && !Limits::is_signed) return OutOfRange(value, dtype);
    if (*number >= 0 && static_cast<uint64_t>(*number) > static_cast<uint64_t>(Limits::max())) {
      return OutOfRange(value, dtype);
    }
    if (*number < static_cast<int64_t>(Limits::min())) return OutOfRange(value, dtype);
    result = static_cast<T>(*number);
  } else if (const auto* number = std::get_if<double>(&value)) {
    if (std::trunc(*number) != *number) {
      return InvalidArgument(fmt::format("{} is not an integer, as {} requires",
                                         JsonScalarText(value), KServeName(dtype)));
    }
    // 2^digits is the first value past max(); min() is -2^digits for signed types.
    const double bound = std::ldexp(1.0, Limits::digits);
    if (*number >= bound || *number < (Limits::is_signed ? -bound : 0.0)) {
      return OutOfRange(value, dtype);
    }
    result = static_cast<T>(*number);
  } else {
    result = static_cast<T>(std::get<bool>(value) ? 1 : 0);
  }
  std::memcpy(destination, &result, sizeof(T));
  return Status::Ok();
}

double AsDouble(const JsonScalar& value) {
  return std::visit([](auto number) { return static_cast<double>(number); }, value);
}

StatusOr<double> FloatValue(const JsonScalar& value, DataType dtype, double max_magnitude) {
  const double number = AsDouble(value);
  if (std::fabs(number) > max_magnitude) return OutOfRange(value, dtype);
  return number;
}

}  // namespace

std::string JsonScalarText(const JsonScalar& value) {
  // nlohmann's writer gives the shortest round-trip form with ".0" on integral floats.
  return std::visit([](auto number) { return nlohmann::json(number).dump(); }, value);
}

Status StoreJsonScalar(const JsonScalar& value, DataType dtype, void* destination) {
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
      const auto* flag = std::get_if<bool>(&value);
      const double number = flag ? 0.0 : AsDouble(value);
      if (!flag && number != 0 && number != 1) {
        return InvalidArgument(
            fmt::format("{} is not a boolean (true, false, 0 or 1)", JsonScalarText(value)));
      }
      const uint8_t result = flag ? *flag : number == 1;
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
