#include "core/api/inference_request.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/api/number_conversion.h"

namespace mlos::core {
namespace {

using Json = nlohmann::json;

// Deeper nesting than any tensor rank MLOS serves; bounds the recursion below.
constexpr size_t kMaxRank = 32;

// Checks that every level of a nested array has the length `shape` says.
Status CheckRegular(const Json& value, const Shape& shape, size_t depth, const std::string& path) {
  if (depth == shape.size()) {
    if (value.is_array()) {
      return InvalidArgument(
          fmt::format("element {} is an array where a number was expected", path));
    }
    return Status::Ok();
  }
  const auto expected = static_cast<size_t>(shape[depth]);
  if (!value.is_array()) {
    return InvalidArgument(
        fmt::format("ragged nested array: element {} is a {} where an array of "
                    "{} was expected",
                    path, value.type_name(), expected));
  }
  if (value.size() != expected) {
    return InvalidArgument(
        fmt::format("ragged nested array: element {} has {} entries, expected {}", path,
                    value.size(), expected));
  }
  for (size_t i = 0; i < expected; ++i) {
    RETURN_IF_ERROR(CheckRegular(value[i], shape, depth + 1, fmt::format("{}[{}]", path, i)));
  }
  return Status::Ok();
}

// The shape given by the nesting of `value` (an array), verified to be regular.
StatusOr<Shape> NestedShape(const Json& value) {
  Shape shape;
  for (const Json* level = &value; level->is_array(); level = &(*level)[0]) {
    if (shape.size() == kMaxRank) {
      return InvalidArgument(fmt::format("arrays nested deeper than {} levels", kMaxRank));
    }
    shape.push_back(static_cast<int64_t>(level->size()));
    if (level->empty()) break;
  }
  RETURN_IF_ERROR(CheckRegular(value, shape, 0, ""));
  return shape;
}

// Writes the scalars of `value` (a scalar or a regular nested array) in row-major order.
Status WriteElements(const Json& value, DataType dtype, std::byte* data, int64_t* index) {
  if (value.is_array()) {
    for (const Json& element : value) RETURN_IF_ERROR(WriteElements(element, dtype, data, index));
    return Status::Ok();
  }
  Status status = StoreJsonScalar(value, dtype, data + *index * ElementSize(dtype));
  if (!status.ok()) return status.WithContext(fmt::format("element {}", *index));
  ++*index;
  return Status::Ok();
}

Status CheckAgainstDeclared(const TensorSpec& spec, const Shape& shape) {
  if (!spec.shape) return Status::Ok();
  const Shape& declared = *spec.shape;
  if (declared.size() != shape.size()) {
    return InvalidArgument(fmt::format("got shape {} (rank {}), the model expects {} (rank {})",
                                       ShapeToString(shape), shape.size(), ShapeToString(declared),
                                       declared.size()));
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (declared[i] >= 0 && declared[i] != shape[i]) {
      return InvalidArgument(
          fmt::format("got shape {}, the model expects {} (dimension {} must be "
                      "{})",
                      ShapeToString(shape), ShapeToString(declared), i, declared[i]));
    }
  }
  return Status::Ok();
}

StatusOr<Shape> ExplicitShape(const Json& shape) {
  Shape result;
  if (shape.is_array() && shape.size() <= kMaxRank) {
    for (const Json& dimension : shape) {
      if (!dimension.is_number_integer() || dimension.get<int64_t>() < 0) break;
      result.push_back(dimension.get<int64_t>());
    }
    if (result.size() == shape.size()) return result;
  }
  return InvalidArgument(
      fmt::format("\"shape\" must be an array of at most {} non-negative "
                  "integers, got {}",
                  kMaxRank, shape.dump()));
}

// The shape of `data` for `spec`: from `explicit_shape` if given, from the nesting of a nested
// array, or resolved against the declared shape for flat arrays and scalars.
StatusOr<Shape> ShapeOf(const TensorSpec& spec, const Json& data,
                        const std::optional<Shape>& explicit_shape) {
  Shape given{};  // a scalar has the empty shape
  if (data.is_array()) {
    ASSIGN_OR_RETURN(given, NestedShape(data));
  } else if (!data.is_number() && !data.is_boolean()) {
    return InvalidArgument(
        fmt::format("expected a number, an array or "
                    "{{\"shape\",\"datatype\",\"data\"}}, got {}",
                    data.type_name()));
  }
  const int64_t count = ElementCount(given);
  if (explicit_shape) {
    if (ElementCount(*explicit_shape) != count) {
      return InvalidArgument(fmt::format("shape {} needs {} values, \"data\" has {}",
                                         ShapeToString(*explicit_shape),
                                         ElementCount(*explicit_shape), count));
    }
    return *explicit_shape;
  }
  if (given.size() == 1 || (given.empty() && spec.shape && !spec.shape->empty())) {
    return ResolveFlatShape(count, spec.shape);
  }
  const Shape& declared = spec.shape.value_or(Shape{});
  if (given.size() >= 2 && given.size() + 1 == declared.size() &&
      (declared[0] < 0 || declared[0] == 1)) {
    given.insert(given.begin(), 1);  // nested rows without the batch dimension: batch of one
  }
  return given;
}

StatusOr<Tensor> DecodeValue(const TensorSpec& spec, const Json& value) {
  if (spec.dtype == DataType::kString || ElementSize(spec.dtype) == 0) {
    return Unimplemented(
        fmt::format("{} inputs cannot be given in the JSON API yet", KServeName(spec.dtype)));
  }
  const Json* data = &value;
  std::optional<Shape> explicit_shape;
  if (value.is_object()) {
    for (const auto& [key, field] : value.items()) {
      if (key != "data" && key != "shape" && key != "datatype") {
        return InvalidArgument(
            fmt::format("unexpected field \"{}\"; a tensor object has "
                        "\"shape\", \"datatype\" and \"data\"",
                        key));
      }
    }
    if (!value.contains("data")) {
      return InvalidArgument(
          "a tensor object needs \"data\" (and optionally \"shape\" and "
          "\"datatype\")");
    }
    data = &value["data"];
    if (value.contains("datatype")) {
      const Json& datatype = value["datatype"];
      const auto given =
          datatype.is_string() ? ParseDataType(datatype.get<std::string>()) : std::nullopt;
      if (!given) return InvalidArgument(fmt::format("unknown datatype {}", datatype.dump()));
      if (*given != spec.dtype) {
        return InvalidArgument(fmt::format("datatype {} given, the model expects {}",
                                           KServeName(*given), KServeName(spec.dtype)));
      }
    }
    if (value.contains("shape")) {
      ASSIGN_OR_RETURN(explicit_shape, ExplicitShape(value["shape"]));
    }
  }
  ASSIGN_OR_RETURN(Shape shape, ShapeOf(spec, *data, explicit_shape));
  RETURN_IF_ERROR(CheckAgainstDeclared(spec, shape));
  Tensor tensor(spec.dtype, shape);
  int64_t index = 0;
  RETURN_IF_ERROR(
      WriteElements(*data, spec.dtype, static_cast<std::byte*>(tensor.raw_data()), &index));
  return tensor;
}

// A standard transformer input derived from input_ids: attention_mask (ones), token_type_ids
// (zeros) or position_ids (0..n-1 along the last dimension). nullopt for any other input.
std::optional<StatusOr<Tensor>> GenerateStandardInput(const TensorSpec& spec,
                                                      const Tensor& input_ids) {
  const bool ones = spec.name == "attention_mask";
  const bool zeros = spec.name == "token_type_ids";
  const bool positions = spec.name == "position_ids";
  if ((!ones && !zeros && !positions) || input_ids.empty()) return std::nullopt;
  const Shape& shape = input_ids.shape();
  if (Status status = CheckAgainstDeclared(spec, shape); !status.ok()) {
    return status.WithContext("generated from input_ids");
  }
  if (ElementSize(spec.dtype) == 0) return Unimplemented("not a numeric input");
  Tensor tensor(spec.dtype, shape);
  const int64_t row = shape.empty() ? 1 : shape.back();
  auto* data = static_cast<std::byte*>(tensor.raw_data());
  for (int64_t i = 0; i < tensor.element_count(); ++i) {
    const int64_t value = ones ? 1 : zeros ? 0 : i % row;
    RETURN_IF_ERROR(StoreJsonScalar(Json(value), spec.dtype, data + i * ElementSize(spec.dtype)));
  }
  return tensor;
}

bool Declares(const std::vector<TensorSpec>& inputs, const std::string& name) {
  return std::any_of(inputs.begin(), inputs.end(),
                     [&](const TensorSpec& spec) { return spec.name == name; });
}

// The (name, value) pairs the body gives, after unwrapping "inputs" and the legacy "input".
StatusOr<std::vector<std::pair<std::string, const Json*>>> GivenValues(
    const Json& body, const std::vector<TensorSpec>& inputs) {
  if (!body.is_object()) {
    return InvalidArgument(
        fmt::format("the request body must be a JSON object mapping input "
                    "names to values, got {}",
                    body.type_name()));
  }
  std::vector<std::pair<std::string, const Json*>> given;
  if (body.contains("inputs") && !Declares(inputs, "inputs")) {
    const Json& values = body["inputs"];
    if (!values.is_object()) {
      return InvalidArgument(
          fmt::format("\"inputs\" must be an object mapping input names to "
                      "values, got {}",
                      values.type_name()));
    }
    for (const auto& [name, value] : values.items()) given.emplace_back(name, &value);
  } else if (body.size() == 1 && body.contains("input") && !Declares(inputs, "input") &&
             !inputs.empty()) {
    given.emplace_back(inputs[0].name, &body["input"]);
  } else {
    for (const auto& [name, value] : body.items()) given.emplace_back(name, &value);
  }
  return given;
}

}  // namespace

StatusOr<Shape> ResolveFlatShape(int64_t count, const std::optional<Shape>& declared) {
  if (!declared) return Shape{count};
  if (declared->empty()) {
    if (count == 1) return Shape{};
    return InvalidArgument(fmt::format("the model expects a scalar, got {} values", count));
  }
  Shape shape = *declared;
  int64_t fixed = 1;
  std::optional<size_t> absorbing;  // the last dynamic dimension
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) {
      if (absorbing) shape[*absorbing] = 1;
      absorbing = i;
    } else {
      fixed *= shape[i];
    }
  }
  if (!absorbing) {
    if (count == fixed) return shape;
    return InvalidArgument(fmt::format("{} values given, the model's shape {} needs {}", count,
                                       ShapeToString(*declared), fixed));
  }
  if (fixed == 0 ? count != 0 : count % fixed != 0) {
    return InvalidArgument(
        fmt::format("{} values do not fit the model's shape {}: the count "
                    "must be a multiple of {}",
                    count, ShapeToString(*declared), fixed));
  }
  shape[*absorbing] = fixed == 0 ? 1 : count / fixed;
  return shape;
}

StatusOr<std::vector<NamedTensor>> DecodeInferenceInputs(const nlohmann::json& body,
                                                         const std::vector<TensorSpec>& inputs) {
  ASSIGN_OR_RETURN(const auto given, GivenValues(body, inputs));
  std::vector<NamedTensor> decoded(inputs.size());
  for (const auto& [name, value] : given) {
    const auto spec = std::find_if(inputs.begin(), inputs.end(),
                                   [&name = name](const TensorSpec& s) { return s.name == name; });
    if (spec == inputs.end()) {
      return InvalidArgument(fmt::format("unknown input '{}'; the model's inputs are: {}", name,
                                         DescribeTensorSpecs(inputs)));
    }
    auto tensor = DecodeValue(*spec, *value);
    if (!tensor.ok()) {
      return tensor.status().WithContext(
          fmt::format("input '{}' ({})", name, TensorSpecType(*spec)));
    }
    decoded[spec - inputs.begin()] = {name, std::move(tensor).value()};
  }
  const auto input_ids = std::find_if(decoded.begin(), decoded.end(),
                                      [](const auto& t) { return t.name == "input_ids"; });
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!decoded[i].tensor.empty()) continue;
    auto generated =
        GenerateStandardInput(inputs[i], input_ids != decoded.end() ? input_ids->tensor : Tensor());
    if (!generated) {
      return InvalidArgument(fmt::format("missing input {}; the model's inputs are: {}",
                                         DescribeTensorSpec(inputs[i]),
                                         DescribeTensorSpecs(inputs)));
    }
    if (!generated->ok()) {
      return generated->status().WithContext(fmt::format("input '{}'", inputs[i].name));
    }
    decoded[i] = {inputs[i].name, std::move(*generated).value()};
  }
  return decoded;
}

}  // namespace mlos::core
