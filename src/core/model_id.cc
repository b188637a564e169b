#include "core/model_id.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mlos::core {
namespace {

bool IsPlain(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool AllOf(const std::string& text, const std::string& extra) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return IsPlain(c) || extra.find(c) != std::string::npos;
  });
}

}  // namespace

StatusOr<ModelId> ParseModelId(const std::string& id) {
  const auto Invalid = [&](const std::string& why) {
    return InvalidArgument(
        fmt::format("model_id '{}': {}; expected namespace/name@version, e.g. "
                    "local/mlp@latest",
                    id, why));
  };
  const size_t slash = id.find('/');
  const size_t at = id.rfind('@');
  if (slash == std::string::npos) return Invalid("no '/' after the namespace");
  if (at == std::string::npos || at < slash) return Invalid("no '@' before the version");
  ModelId parsed{id.substr(0, slash), id.substr(slash + 1, at - slash - 1), id.substr(at + 1)};
  if (!AllOf(parsed.namespace_, "")) return Invalid("the namespace must be letters, digits, . _ -");
  if (!AllOf(parsed.name, "/") || parsed.name.front() == '/' || parsed.name.back() == '/') {
    return Invalid("the name must be letters, digits, . _ - and inner /");
  }
  if (!AllOf(parsed.version, "+")) return Invalid("the version must be letters, digits, . _ - +");
  return parsed;
}

}  // namespace mlos::core
