#include "core/api/json_tensor_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mlos::core {
namespace {

using Json = nlohmann::json;
using simdjson::dom::element_type;

// A SAX consumer that builds nothing: running nlohmann's parser over a body simdjson refused
// gives the error in the words (position, token) clients saw before simdjson.
class ErrorOnlySax : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }

  std::string error;
};

std::string ParseErrorReason(std::string_view text, simdjson::error_code code) {
  ErrorOnlySax sax;
  Json::sax_parse(text.begin(), text.end(), &sax);
  // nlohmann accepts what simdjson cannot hold: integers beyond 64 bits, nesting beyond 1024.
  return sax.error.empty() ? simdjson::error_message(code) : sax.error;
}

Json ToNlohmann(JsonValue value) {
  switch (value.type()) {
    case element_type::ARRAY: {
      Json array = Json::array();
      for (JsonValue element : JsonArray(value)) {
        array.push_back(ToNlohmann(element));
      }
      return array;
    }
    case element_type::OBJECT: {
      Json object = Json::object();
      for (const auto [key, field] : JsonObject(value)) {
        object[std::string(key)] = ToNlohmann(field);
      }
      return object;
    }
    case element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case element_type::NULL_VALUE:
      return nullptr;
    default:
      return std::visit([](auto scalar) { return Json(scalar); }, *ToJsonScalar(value));
  }
}

}  // namespace

StatusOr<JsonDocument> JsonDocument::Parse(std::string_view text, std::string_view what) {
  JsonDocument document;
  document.parser_ = std::make_unique<simdjson::dom::parser>();
  const simdjson::error_code code =
      document.parser_->parse(text.data(), text.size(), /*realloc_if_needed=*/true)
          .get(document.root_);
  if (code != simdjson::SUCCESS) {
    return InvalidArgument(
        fmt::format("{} is not valid JSON: {}", what, ParseErrorReason(text, code)));
  }
  return document;
}

std::string_view JsonTypeName(JsonValue value) {
  switch (value.type()) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

std::string JsonText(JsonValue value) {
  return ToNlohmann(value).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<JsonValue> JsonField(JsonValue object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  std::optional<JsonValue> found;
  for (const auto [name, field] : JsonObject(object)) {
    if (name == key) found = field;
  }
  return found;
}

std::vector<std::pair<std::string_view, JsonValue>> JsonFields(JsonValue object) {
  std::vector<std::pair<std::string_view, JsonValue>> fields;
  if (!object.is_object()) return fields;
  for (const auto [name, field] : JsonObject(object)) {
    fields.emplace_back(name, field);
  }
  // Stable, so of repeated keys the last given stays last; keep that one.
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  auto last = std::unique(fields.rbegin(), fields.rend(),
                          [](const auto& a, const auto& b) { return a.first == b.first; });
  fields.erase(fields.begin(), last.base());
  return fields;
}

std::optional<JsonScalar> ToJsonScalar(JsonValue value) {
  switch (value.type()) {
    case element_type::INT64:
      return JsonScalar(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return JsonScalar(value.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return JsonScalar(value.get_double().value_unsafe());
    case element_type::BOOL:
      return JsonScalar(value.get_bool().value_unsafe());
    default:
      return std::nullopt;
  }
}

StatusOr<Shape> ReadJsonShape(JsonValue shape) {
  if (shape.is_array()) {
    const auto array = JsonArray(shape);
    Shape result;
    for (JsonValue dimension : array) {
      if (result.size() == kMaxJsonRank || !dimension.is_int64()) break;
      const int64_t size = dimension.get_int64().value_unsafe();
      if (size < 0) break;
      result.push_back(size);
    }
    if (result.size() == array.size()) return result;
  }
  return InvalidArgument(
      fmt::format("\"shape\" must be an array of at most {} non-negative integers, got {}",
                  kMaxJsonRank, JsonText(shape)));
}

namespace {

std::optional<int64_t> CountScalars(JsonValue data, size_t depth) {
  if (!data.is_array()) return 1;
  if (depth == kMaxJsonRank) return std::nullopt;
  int64_t count = 0;
  for (JsonValue element : JsonArray(data)) {
    const auto inner = CountScalars(element, depth + 1);
    if (!inner) return std::nullopt;
    count += *inner;
  }
  return count;
}

}  // namespace

std::optional<int64_t> CountJsonScalars(JsonValue data) { return CountScalars(data, 0); }

Status WriteJsonNumbers(JsonValue data, DataType dtype, void* destination) {
  auto* bytes = static_cast<std::byte*>(destination);
  const size_t size = ElementSize(dtype);
  int64_t index = 0;
  return ForEachJsonScalar(
      data,
      [&](JsonValue value, int64_t i) {
        const std::optional<JsonScalar> scalar = ToJsonScalar(value);
        Status status = scalar
                            ? StoreJsonScalar(*scalar, dtype, bytes + i * size)
                            : InvalidArgument(fmt::format("{} is not a number", JsonText(value)));
        return status.ok() ? status : status.WithContext(fmt::format("element {}", i));
      },
      &index);
}

Status WriteJsonStrings(JsonValue data, std::string* destination) {
  int64_t index = 0;
  return ForEachJsonScalar(
      data,
      [&](JsonValue value, int64_t i) {
        if (!value.is_string()) {
          return InvalidArgument(
              fmt::format("element {}: {} is not a string, as BYTES requires", i, JsonText(value)));
        }
        destination[i] = std::string(value.get_string().value_unsafe());
        return Status::Ok();
      },
      &index);
}

}  // namespace mlos::core
