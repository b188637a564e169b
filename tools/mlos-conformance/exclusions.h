// The exclusion list: conformance cases the engine is known not to pass, each with its reason.
//
// Format, one case per line:   node/test_x  # what is not supported and why
// Blank lines and lines starting with '#' are ignored. Every case line needs a reason after '#';
// a case listed twice is an error.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mlos::conformance {

// Case name ("node/test_x") -> reason.
using Exclusions = std::map<std::string, std::string>;

// InvalidArgument naming the line for a case without a reason, a line with more than one case
// name, or a duplicate case.
StatusOr<Exclusions> ParseExclusions(std::string_view text);

// Reads and parses the file at `path`; NotFound when it cannot be read.
StatusOr<Exclusions> ReadExclusions(const std::string& path);

}  // namespace mlos::conformance
