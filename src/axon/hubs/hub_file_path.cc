#include "axon/hubs/hub_file_path.h"

#include <string>

namespace mlos::axon {
namespace {

// Why `path` is unsafe, or empty when it is safe.
std::string PathProblem(std::string_view path) {
  if (path.empty()) return "is empty";
  if (path.front() == '/') return "is absolute";
  if (path.size() >= 2 && path[1] == ':') return "starts with a drive letter";
  if (path.front() == '~') return "starts with '~'";
  for (const char c : path) {
    if (c == '\0') return "contains a NUL byte";
    if (c == '\\') return "contains a backslash";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  }
  size_t start = 0;
  while (true) {
    const size_t end = path.find('/', start);
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) return "has an empty segment";
    if (segment == "." || segment == "..") return "has a '" + std::string(segment) + "' segment";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return "";
}

std::string Printable(std::string_view path) {
  std::string text;
  for (const char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      text += "\\x";
      text += kHex[(c >> 4) & 0xf];
      text += kHex[c & 0xf];
    } else {
      text += c;
    }
  }
  return text;
}

}  // namespace

Status CheckHubFilePath(std::string_view path) {
  const std::string problem = PathProblem(path);
  if (problem.empty()) return Status::Ok();
  return InvalidArgument("unsafe file name \"" + Printable(path) + "\" from the hub: it " +
                         problem + "; refusing to write it");
}

}  // namespace mlos::axon
