// URL pieces the HTTP API needs: percent-decoding of path segments and query values.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mlos::core {

// "local%2Fmlp%40latest" -> "local/mlp@latest". '+' stays '+' (paths, not forms).
// InvalidArgument on a '%' not followed by two hex digits, naming the text.
StatusOr<std::string> PercentDecode(std::string_view text);

// Encodes every byte except letters, digits and "-._~": "local/mlp@latest" ->
// "local%2Fmlp%40latest".
std::string PercentEncode(std::string_view text);

// The decoded value of `key` in "a=1&b=2" ('+' means space there); nullopt if absent.
// A key given without '=' has the value "".
std::optional<std::string> QueryValue(std::string_view query, std::string_view key);

}  // namespace mlos::core
