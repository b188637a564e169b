#include "axon/model_ref.h"

#include <cctype>

namespace mlos::axon {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// Returns an empty string iff `segment` is a valid id segment, else why not.
std::string SegmentProblem(std::string_view segment) {
  if (segment.empty()) return "is empty";
  if (segment == "." || segment == "..") return "may not be '.' or '..'";
  for (char c : segment) {
    if (!IsNameChar(c)) return "has '" + std::string(1, c) + "' (allowed: letters, digits, . _ -)";
  }
  return "";
}

}  // namespace

StatusOr<ModelRef> ParseModelRef(std::string_view text) {
  const std::string quoted = "model id \"" + std::string(text) + "\"";
  ModelRef ref;
  std::string_view path = text;
  if (const size_t at = text.rfind('@'); at != std::string_view::npos) {
    ref.version = std::string(text.substr(at + 1));
    path = text.substr(0, at);
    if (std::string problem = SegmentProblem(ref.version); !problem.empty()) {
      return InvalidArgument(quoted + ": version " + problem);
    }
  }
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument(quoted + ": expected namespace/name[@version]");
  }
  ref.namespace_ = std::string(path.substr(0, slash));
  ref.name = std::string(path.substr(slash + 1));
  if (std::string problem = SegmentProblem(ref.namespace_); !problem.empty()) {
    return InvalidArgument(quoted + ": namespace " + problem);
  }
  std::string_view rest = ref.name;
  while (true) {
    const size_t next = rest.find('/');
    if (std::string problem = SegmentProblem(rest.substr(0, next)); !problem.empty()) {
      return InvalidArgument(quoted + ": name " + problem);
    }
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return ref;
}

std::string SanitizeName(std::string_view text) {
  std::string name;
  for (char c : text) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name += IsNameChar(lower) ? lower : '-';
  }
  if (name.empty() || name == "." || name == "..") return "model";
  return name;
}

}  // namespace mlos::axon
