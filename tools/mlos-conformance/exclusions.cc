#include "tools/mlos-conformance/exclusions.h"

#include <fstream>
#include <sstream>

namespace mlos::conformance {
namespace {

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

StatusOr<Exclusions> ParseExclusions(std::string_view text) {
  Exclusions exclusions;
  int line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    const std::string where = "exclusions line " + std::to_string(line_number);

    const size_t hash = line.find('#');
    const std::string_view name = Trim(line.substr(0, hash));
    if (name.empty()) continue;  // blank or comment
    if (name.find_first_of(" \t") != std::string_view::npos)
      return InvalidArgument(where + ": one case per line, got '" + std::string(name) + "'");
    const std::string_view reason =
        hash == std::string_view::npos ? std::string_view() : Trim(line.substr(hash + 1));
    if (reason.empty())
      return InvalidArgument(where + ": case '" + std::string(name) + "' needs a reason after '#'");
    if (!exclusions.emplace(std::string(name), std::string(reason)).second)
      return InvalidArgument(where + ": case '" + std::string(name) + "' is listed twice");
  }
  return exclusions;
}

StatusOr<Exclusions> ReadExclusions(const std::string& path) {
  std::ifstream file(path);
  if (!file) return NotFound("cannot read exclusion file '" + path + "'");
  std::stringstream text;
  text << file.rdbuf();
  StatusOr<Exclusions> exclusions = ParseExclusions(text.str());
  if (!exclusions.ok()) return exclusions.status().WithContext(path);
  return exclusions;
}

}  // namespace mlos::conformance
