#include "tools/mlos-conformance/compare.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "engine/kernels/common/element_types.h"

namespace mlos::conformance {
namespace {

using engine::Value;
using Mismatch = std::optional<std::string>;

// "[1, 0, 2]" for the element at row-major `flat_index` of `shape`.
std::string IndexToString(int64_t flat_index, const Shape& shape) {
  Shape index(shape.size());
  for (size_t axis = shape.size(); axis-- > 0;) {
    index[axis] = shape[axis] == 0 ? 0 : flat_index % shape[axis];
    flat_index = shape[axis] == 0 ? 0 : flat_index / shape[axis];
  }
  return ShapeToString(index);
}

template <typename T>
std::string Format(const T& value) {
  char buffer[64];
  if constexpr (std::is_same_v<T, std::string>) {
    return "\"" + value + "\"";
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (engine::kIsFloatingPoint<T>) {
    std::snprintf(buffer, sizeof(buffer), "%.9g",
                  static_cast<double>(static_cast<engine::ComputeType<T>>(value)));
    return buffer;
  } else if constexpr (std::is_signed_v<T>) {
    return std::to_string(static_cast<int64_t>(value));
  } else {
    return std::to_string(static_cast<uint64_t>(value));
  }
}

bool Close(double got, double expected, const Tolerance& tolerance) {
  if (std::isnan(expected)) return std::isnan(got);
  if (std::isinf(expected)) return got == expected;
  if (!std::isfinite(got)) return false;
  return std::fabs(got - expected) <= tolerance.absolute + tolerance.relative * std::fabs(expected);
}

template <typename T>
bool ElementsMatch(const T& got, const T& expected, const Tolerance& tolerance) {
  if constexpr (engine::kIsFloatingPoint<T>) {
    using Compute = engine::ComputeType<T>;
    return Close(static_cast<double>(static_cast<Compute>(got)),
                 static_cast<double>(static_cast<Compute>(expected)), tolerance);
  } else {
    return got == expected;
  }
}

template <typename T>
Mismatch CompareElements(const Tensor& got, const Tensor& expected, const Tolerance& tolerance) {
  const T* got_data = engine::Elements<T>(got);
  const T* expected_data = engine::Elements<T>(expected);
  const int64_t count = expected.element_count();
  for (int64_t i = 0; i < count; ++i) {
    if (ElementsMatch(got_data[i], expected_data[i], tolerance)) continue;
    return "index " + IndexToString(i, expected.shape()) + ": got " + Format(got_data[i]) +
           ", expected " + Format(expected_data[i]);
  }
  return std::nullopt;
}

// Calls fn(TypeTag<T>{}) for the element type of `type`; nullopt for unknown types.
template <typename Fn>
Mismatch VisitElementType(DataType type, Fn&& fn) {
  if (type == DataType::kString) return fn(engine::TypeTag<std::string>{});
  Mismatch mismatch;
  const Status status =
      engine::DispatchByType<engine::NumericAndBoolTypes>(type, "tensor", [&](auto tag) {
        mismatch = fn(tag);
        return Status::Ok();
      });
  if (!status.ok()) return status.message();
  return mismatch;
}

Mismatch CompareDtypeAndShape(const Tensor& got, const Tensor& expected) {
  if (got.dtype() != expected.dtype())
    return std::string("dtype: got ") + Name(got.dtype()) + ", expected " + Name(expected.dtype());
  if (got.shape() != expected.shape())
    return "shape: got " + ShapeToString(got.shape()) + ", expected " +
           ShapeToString(expected.shape());
  return std::nullopt;
}

Mismatch CompareTensors(const Tensor& got, const Tensor& expected, const Tolerance& tolerance) {
  if (Mismatch mismatch = CompareDtypeAndShape(got, expected)) return mismatch;
  return VisitElementType(expected.dtype(), [&](auto tag) {
    return CompareElements<typename decltype(tag)::type>(got, expected, tolerance);
  });
}

Mismatch CompareKinds(const Value& got, const Value& expected) {
  if (got.kind() == expected.kind()) return std::nullopt;
  return "got " + got.Describe() + ", expected " + expected.Describe();
}

// Compares sequences item by item with `compare_items(got_item, expected_item)`.
template <typename Fn>
Mismatch CompareSequences(const Value& got, const Value& expected, Fn&& compare_items) {
  if (got.element_type() != expected.element_type() && got.element_type() != DataType::kInvalid &&
      expected.element_type() != DataType::kInvalid)
    return std::string("sequence element type: got ") + Name(got.element_type()) + ", expected " +
           Name(expected.element_type());
  if (got.items().size() != expected.items().size())
    return "sequence length: got " + std::to_string(got.items().size()) + ", expected " +
           std::to_string(expected.items().size());
  for (size_t i = 0; i < got.items().size(); ++i)
    if (Mismatch mismatch = compare_items(got.items()[i], expected.items()[i]))
      return "item " + std::to_string(i) + ": " + *mismatch;
  return std::nullopt;
}

Mismatch CheckRange(const Tensor& tensor, const RandomOutputCheck& check) {
  if (check.range == RandomOutputCheck::Range::kAny) return std::nullopt;
  return VisitElementType(tensor.dtype(), [&](auto tag) -> Mismatch {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, std::string>) {
      return std::nullopt;
    } else {
      const T* data = engine::Elements<T>(tensor);
      for (int64_t i = 0; i < tensor.element_count(); ++i) {
        const double value = static_cast<double>(static_cast<engine::ComputeType<T>>(data[i]));
        const bool ok = check.range == RandomOutputCheck::Range::kZeroOrOne
                            ? (value == 0 || value == 1)
                            : (value >= check.low && value <= check.high);
        if (ok) continue;
        const std::string range = check.range == RandomOutputCheck::Range::kZeroOrOne
                                      ? "{0, 1}"
                                      : "[" + Format(check.low) + ", " + Format(check.high) + "]";
        return "index " + IndexToString(i, tensor.shape()) + ": got " + Format(data[i]) +
               ", expected a value in " + range;
      }
      return std::nullopt;
    }
  });
}

Mismatch CheckRandomTensor(const Tensor& got, const Tensor& expected,
                           const RandomOutputCheck& check) {
  if (Mismatch mismatch = CompareDtypeAndShape(got, expected)) return mismatch;
  return CheckRange(got, check);
}

}  // namespace

Mismatch CompareValues(const Value& got, const Value& expected, const Tolerance& tolerance) {
  if (Mismatch mismatch = CompareKinds(got, expected)) return mismatch;
  if (expected.is_tensor()) return CompareTensors(got.tensor(), expected.tensor(), tolerance);
  if (expected.is_sequence())
    return CompareSequences(got, expected, [&](const Tensor& a, const Tensor& b) {
      return CompareTensors(a, b, tolerance);
    });
  return std::nullopt;  // both empty optionals (or both unset)
}

Mismatch CheckRandomValue(const Value& got, const Value& expected, const RandomOutputCheck& check) {
  if (Mismatch mismatch = CompareKinds(got, expected)) return mismatch;
  if (expected.is_tensor()) return CheckRandomTensor(got.tensor(), expected.tensor(), check);
  if (expected.is_sequence())
    return CompareSequences(got, expected, [&](const Tensor& a, const Tensor& b) {
      return CheckRandomTensor(a, b, check);
    });
  return std::nullopt;
}

}  // namespace mlos::conformance
