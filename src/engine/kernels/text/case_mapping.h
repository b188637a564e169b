// Locale-independent case mapping of UTF-8 strings, for the text kernels.
//
// Maps the letters of ASCII, Latin-1 Supplement, Latin Extended-A, Greek and Cyrillic (the
// one-to-one mappings; no special cases such as German sharp s or Turkish dotless i). Every other
// code point, and every byte that is not part of valid UTF-8, is copied unchanged. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace mlos::engine {

std::string ToLowerUtf8(std::string_view text);
std::string ToUpperUtf8(std::string_view text);

}  // namespace mlos::engine
