// Reading inference requests out of JSON fast: the one JSON reader the MLOS API and KServe v2
// decoders share, built on simdjson so that a body of millions of numbers is parsed once and its
// "data" arrays are written straight into tensor memory, without a DOM of heap nodes.
//
// JsonDocument parses a body (simdjson DOM, on a padded copy) and owns the parse; JsonValue handles
// into it are valid while their document lives. The helpers keep the decoders' contracts as they
// were under nlohmann::json: type names and compact text in error messages are nlohmann's, an
// object's fields follow JSON object semantics (the last of duplicate keys wins, iteration in key
// order), and malformed JSON is reported in nlohmann's words where it has them. Numbers are
// converted per element by number_conversion.h. A JsonDocument is used by one thread at a time;
// the functions are pure.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/status.h"
#include "common/tensor.h"
#include "core/api/number_conversion.h"

namespace mlos::core {

using JsonValue = simdjson::dom::element;

// Deeper than any tensor rank MLOS serves; bounds shapes and the nesting of "data".
inline constexpr size_t kMaxJsonRank = 32;

class JsonDocument {
 public:
  // Parses `text`. InvalidArgument "<what> is not valid JSON: <reason>" when it is not JSON.
  static StatusOr<JsonDocument> Parse(std::string_view text, std::string_view what);

  JsonValue root() const { return root_; }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;  // holds the tape root_ points into
  JsonValue root_;
};

// The elements of an array, the fields of an object, held by value (a range-for over the
// temporary simdjson result would dangle). REQUIRES: `value` is an array / an object.
inline simdjson::dom::array JsonArray(JsonValue value) { return value.get_array().value_unsafe(); }
inline simdjson::dom::object JsonObject(JsonValue value) {
  return value.get_object().value_unsafe();
}

// "null", "boolean", "number", "string", "array" or "object".
std::string_view JsonTypeName(JsonValue value);

// `value` as compact JSON, for error messages.
std::string JsonText(JsonValue value);

// The value of field `key` of `object` (the last one when repeated); nullopt when absent or when
// `object` is not an object.
std::optional<JsonValue> JsonField(JsonValue object, std::string_view key);

// The fields of `object` sorted by key, one per key (the last when repeated). Keys point into the
// document. Empty when `object` is not an object.
std::vector<std::pair<std::string_view, JsonValue>> JsonFields(JsonValue object);

// `value` as a number or boolean; nullopt for strings, null, arrays and objects.
std::optional<JsonScalar> ToJsonScalar(JsonValue value);

// A tensor shape: an array of at most kMaxJsonRank non-negative integers.
StatusOr<Shape> ReadJsonShape(JsonValue shape);

// The number of scalars in `data` (1 for a scalar, the sum over the elements of an array); nullopt
// when arrays are nested deeper than kMaxJsonRank levels.
std::optional<int64_t> CountJsonScalars(JsonValue data);

// Calls visit(JsonValue scalar, int64_t index) -> Status for each scalar of `data` in row-major
// order (a scalar alone is index 0), stopping at the first error.
template <typename Visit>
Status ForEachJsonScalar(JsonValue data, Visit&& visit, int64_t* index) {
  if (!data.is_array()) return visit(data, (*index)++);
  for (JsonValue element : JsonArray(data)) {
    RETURN_IF_ERROR(ForEachJsonScalar(element, visit, index));
  }
  return Status::Ok();
}

// Writes the scalars of `data` in row-major order as `dtype` elements (number_conversion.h rules)
// to `destination`. Errors name the element: "element 3: \"2\" is not a number".
// REQUIRES: `destination` holds CountJsonScalars(data) elements of `dtype`, a numeric or BOOL type.
Status WriteJsonNumbers(JsonValue data, DataType dtype, void* destination);

// Writes the scalars of `data` in row-major order as BYTES elements: each must be a JSON string.
// Errors name the element: "element 1: 3 is not a string, as BYTES requires".
// REQUIRES: `destination` holds CountJsonScalars(data) strings.
Status WriteJsonStrings(JsonValue data, std::string* destination);

}  // namespace mlos::core
