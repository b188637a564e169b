#include "core/api/inference_request.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/api/number_conversion.h"

namespace mlos::core {
namespace {

// Checks that every level of a nested array has the length `shape` says. `path` holds the indices
// of `value`; it is written out only for an error, since this visits every element.
Status CheckRegular(JsonValue value, const Shape& shape, std::vector<size_t>* path) {
  const auto where = [&] {
    std::string text;
    for (const size_t i : *path) text += fmt::format("[{}]", i);
    return text;
  };
  const size_t depth = path->size();
  if (depth == shape.size()) {
    if (value.is_array()) {
      return InvalidArgument(
          fmt::format("element {} is an array where a number was expected", where()));
    }
    return Status::Ok();
  }
  const auto expected = static_cast<size_t>(shape[depth]);
  if (!value.is_array()) {
    return InvalidArgument(
        fmt::format("ragged nested array: element {} is a {} where an array of "
                    "{} was expected",
                    where(), JsonTypeName(value), expected));
  }
  const auto array = JsonArray(value);
  if (array.size() != expected) {
    return InvalidArgument(
        fmt::format("ragged nested array: element {} has {} entries, expected {}", where(),
                    array.size(), expected));
  }
  path->push_back(0);
  for (JsonValue element : array) {
    RETURN_IF_ERROR(CheckRegular(element, shape, path));
    ++path->back();
  }
  path->pop_back();
  return Status::Ok();
}

// The shape given by the nesting of `value` (an array), verified to be regular.
StatusOr<Shape> NestedShape(JsonValue value) {
  Shape shape;
  for (JsonValue level = value; level.is_array(); level = level.at(0).value_unsafe()) {
    if (shape.size() == kMaxJsonRank) {
      return InvalidArgument(fmt::format("arrays nested deeper than {} levels", kMaxJsonRank));
    }
    const auto array = JsonArray(level);
    shape.push_back(static_cast<int64_t>(array.size()));
    if (array.size() == 0) break;
  }
  std::vector<size_t> path;
  RETURN_IF_ERROR(CheckRegular(value, shape, &path));
  return shape;
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

// The shape of `data` for `spec`: from `explicit_shape` if given, from the nesting of a nested
// array, or resolved against the declared shape for flat arrays and scalars.
StatusOr<Shape> ShapeOf(const TensorSpec& spec, JsonValue data,
                        const std::optional<Shape>& explicit_shape) {
  Shape given{};  // a scalar has the empty shape
  if (data.is_array()) {
    ASSIGN_OR_RETURN(given, NestedShape(data));
  } else if (!ToJsonScalar(data) && !(data.is_string() && spec.dtype == DataType::kString)) {
    return InvalidArgument(
        fmt::format("expected a number, an array or "
                    "{{\"shape\",\"datatype\",\"data\"}}, got {}",
                    JsonTypeName(data)));
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

StatusOr<Tensor> DecodeValue(const TensorSpec& spec, JsonValue value) {
  if (spec.dtype != DataType::kString && ElementSize(spec.dtype) == 0) {
    return Unimplemented(
        fmt::format("{} inputs cannot be given in the JSON API yet", KServeName(spec.dtype)));
  }
  JsonValue data = value;
  std::optional<Shape> explicit_shape;
  if (value.is_object()) {
    std::optional<JsonValue> given_data, datatype, shape;
    for (const auto& [key, field] : JsonFields(value)) {
      if (key == "data") {
        given_data = field;
      } else if (key == "datatype") {
        datatype = field;
      } else if (key == "shape") {
        shape = field;
      } else {
        return InvalidArgument(
            fmt::format("unexpected field \"{}\"; a tensor object has "
                        "\"shape\", \"datatype\" and \"data\"",
                        key));
      }
    }
    if (!given_data) {
      return InvalidArgument(
          "a tensor object needs \"data\" (and optionally \"shape\" and "
          "\"datatype\")");
    }
    data = *given_data;
    if (datatype) {
      const auto given = datatype->is_string()
                             ? ParseDataType(datatype->get_string().value_unsafe())
                             : std::nullopt;
      if (!given) return InvalidArgument(fmt::format("unknown datatype {}", JsonText(*datatype)));
      if (*given != spec.dtype) {
        return InvalidArgument(fmt::format("datatype {} given, the model expects {}",
                                           KServeName(*given), KServeName(spec.dtype)));
      }
    }
    if (shape) {
      ASSIGN_OR_RETURN(explicit_shape, ReadJsonShape(*shape));
    }
  }
  ASSIGN_OR_RETURN(Shape shape, ShapeOf(spec, data, explicit_shape));
  RETURN_IF_ERROR(CheckAgainstDeclared(spec, shape));
  Tensor tensor(spec.dtype, shape);
  RETURN_IF_ERROR(spec.dtype == DataType::kString
                      ? WriteJsonStrings(data, tensor.strings().data())
                      : WriteJsonNumbers(data, spec.dtype, tensor.raw_data()));
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
    RETURN_IF_ERROR(
        StoreJsonScalar(JsonScalar(value), spec.dtype, data + i * ElementSize(spec.dtype)));
  }
  return tensor;
}

bool Declares(const std::vector<TensorSpec>& inputs, const std::string& name) {
  return std::any_of(inputs.begin(), inputs.end(),
                     [&](const TensorSpec& spec) { return spec.name == name; });
}

// The (name, value) pairs the body gives, after unwrapping "inputs" and the legacy "input".
StatusOr<std::vector<std::pair<std::string_view, JsonValue>>> GivenValues(
    JsonValue body, const std::vector<TensorSpec>& inputs) {
  if (!body.is_object()) {
    return InvalidArgument(
        fmt::format("the request body must be a JSON object mapping input "
                    "names to values, got {}",
                    JsonTypeName(body)));
  }
  auto fields = JsonFields(body);
  if (const auto values = JsonField(body, "inputs"); values && !Declares(inputs, "inputs")) {
    if (!values->is_object()) {
      return InvalidArgument(
          fmt::format("\"inputs\" must be an object mapping input names to "
                      "values, got {}",
                      JsonTypeName(*values)));
    }
    return JsonFields(*values);
  }
  if (fields.size() == 1 && fields[0].first == "input" && !Declares(inputs, "input") &&
      !inputs.empty()) {
    fields[0].first = inputs[0].name;
  }
  return fields;
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

StatusOr<std::vector<NamedTensor>> DecodeInferenceInputs(JsonValue body,
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
    auto tensor = DecodeValue(*spec, value);
    if (!tensor.ok()) {
      return tensor.status().WithContext(
          fmt::format("input '{}' ({})", name, TensorSpecType(*spec)));
    }
    decoded[spec - inputs.begin()] = NamedTensor{std::string(name), std::move(tensor).value()};
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
