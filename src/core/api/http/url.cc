#include "core/api/http/url.h"

#include <fmt/format.h>

#include <cctype>

namespace mlos::core {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const bool complete = i + 2 < text.size();
    const int high = complete ? HexValue(text[i + 1]) : -1;
    const int low = complete ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return InvalidArgument(
          fmt::format("'{}': '%' at offset {} is not followed by two hex digits", text, i));
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

std::string PercentEncode(std::string_view text) {
  std::string encoded;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      encoded += c;
    } else {
      encoded += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return encoded;
}

std::optional<std::string> QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) != key) continue;
    if (equals == std::string_view::npos) return std::string();
    std::string value(pair.substr(equals + 1));
    for (char& c : value) {
      if (c == '+') c = ' ';
    }
    auto decoded = PercentDecode(value);
    return decoded.ok() ? *decoded : value;
  }
  return std::nullopt;
}

}  // namespace mlos::core
