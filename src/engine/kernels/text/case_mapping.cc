#include "engine/kernels/text/case_mapping.h"

#include <cstdint>

namespace mlos::engine {
namespace {

// Upper-case code points in [first, last] whose lower case is the code point + delta; in an
// `alternating` range only first, first + 2, ... are upper case (each followed by its lower).
struct CaseRange {
  char32_t first, last;
  int32_t delta;
  bool alternating;
};

constexpr CaseRange kCaseRanges[] = {
    {0x41, 0x5A, 32, false},   {0xC0, 0xD6, 32, false},      {0xD8, 0xDE, 32, false},
    {0x100, 0x12F, 1, true},   {0x132, 0x137, 1, true},      {0x139, 0x148, 1, true},
    {0x14A, 0x177, 1, true},   {0x178, 0x178, -0x79, false}, {0x179, 0x17E, 1, true},
    {0x391, 0x3A1, 32, false}, {0x3A3, 0x3AB, 32, false},    {0x400, 0x40F, 80, false},
    {0x410, 0x42F, 32, false},
};

bool IsUpperIn(const CaseRange& range, char32_t c) {
  return c >= range.first && c <= range.last && (!range.alternating || (c - range.first) % 2 == 0);
}

char32_t Lower(char32_t c) {
  for (const CaseRange& range : kCaseRanges) {
    if (IsUpperIn(range, c)) return static_cast<char32_t>(static_cast<int32_t>(c) + range.delta);
  }
  return c;
}

char32_t Upper(char32_t c) {
  if (c == 0x3C2) return 0x3A3;  // final sigma
  for (const CaseRange& range : kCaseRanges) {
    const char32_t upper = static_cast<char32_t>(static_cast<int32_t>(c) - range.delta);
    if (IsUpperIn(range, upper)) return upper;
  }
  return c;
}

// Decodes the code point at text[at]; returns its byte length, or 0 if the bytes there are not
// valid UTF-8 (overlong, surrogate, out of range or truncated).
size_t Decode(std::string_view text, size_t at, char32_t& code_point) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(at);
  size_t length;
  char32_t minimum;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, minimum = 0x80, code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, minimum = 0x800, code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, minimum = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(at + i) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point < 0xE000))
    return 0;
  return length;
}

void Encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string MapCase(std::string_view text, char32_t (*map)(char32_t)) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    char32_t code_point;
    const size_t length = Decode(text, at, code_point);
    if (length == 0) {
      out += text[at++];  // not UTF-8: copied as is
      continue;
    }
    Encode(map(code_point), out);
    at += length;
  }
  return out;
}

}  // namespace

std::string ToLowerUtf8(std::string_view text) { return MapCase(text, &Lower); }
std::string ToUpperUtf8(std::string_view text) { return MapCase(text, &Upper); }

}  // namespace mlos::engine
