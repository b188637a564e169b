// Small text helpers shared by the hub adapters: hex checks, environment lookups (URL encoding:
// url_encoding.h).
#pragma once

#include <string>
#include <string_view>

namespace mlos::axon {

// True iff `text` is `length` lower-case hex digits.
bool IsLowerHex(std::string_view text, size_t length);

// The environment variable `name`, or `fallback` when it is unset or empty.
std::string EnvironmentOr(const char* name, std::string fallback);

// `url` without trailing '/'.
std::string WithoutTrailingSlash(std::string url);

}  // namespace mlos::axon
